package sim

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The company directory: /rest/v1.3/companies/{cid}/users and friends.

// readDirectory answers 403 unless c may read the company directory; a
// user may always read itself.
func readDirectory(w http.ResponseWriter, c *caller, id int64) bool {
	if !c.dirRead && c.userID != id {
		writeJSON(w, http.StatusForbidden, map[string]string{"errors": msgNoDirectoryRead})
		return false
	}
	return true
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, c *caller) {
	if !readDirectory(w, c, 0) {
		return
	}
	s.userList(w, r, true)
}

// inactiveUsers is GET /rest/v1.0/companies/{cid}/users/inactive (v1.0 in
// the reference, though the active list is v1.3).
func (s *Server) inactiveUsers(w http.ResponseWriter, r *http.Request, c *caller) {
	if !readDirectory(w, c, 0) {
		return
	}
	s.userList(w, r, false)
}

func (s *Server) userList(w http.ResponseWriter, r *http.Request, active bool) {
	search := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("filters[search]")))
	s.mu.RLock()
	rows := make([]userRow, 0, len(s.st.userOrder))
	for _, id := range s.st.userOrder {
		u := s.st.users[id]
		if u.IsActive != active {
			continue
		}
		if search != "" && !s.st.matches(u, search) {
			continue
		}
		rows = append(rows, s.st.row(u))
	}
	s.mu.RUnlock()
	start, end := paginate(w, r, len(rows))
	writeJSON(w, http.StatusOK, rows[start:end])
}

// matches is filters[search]: "the user's first name, last name, email
// address, keywords, job title, or company name".
func (st *state) matches(u *user, search string) bool {
	hay := []string{u.name(), u.EmailAddress, u.JobTitle, u.Notes}
	if v := st.vendor(u.VendorID); v != nil {
		hay = append(hay, v.Name)
	}
	for _, h := range hay {
		if strings.Contains(strings.ToLower(h), search) {
			return true
		}
	}
	return false
}

// pathID reads a numeric path value; a non-number is a 404, as a Rails
// route constraint would give.
func pathID(w http.ResponseWriter, r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil {
		notFound(w)
		return 0, false
	}
	return id, true
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request, c *caller) {
	id, ok := pathID(w, r, "id")
	if !ok || !readDirectory(w, c, id) {
		return
	}
	s.mu.RLock()
	u, found := s.st.users[id]
	var row userRow
	if found {
		row = s.st.row(u)
	}
	s.mu.RUnlock()
	if !found {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, row)
}

// companyMe is GET /rest/v1.0/companies/{cid}/me: the caller as a company
// user, the one documented read of its add_to_new_projects.
func (s *Server) companyMe(w http.ResponseWriter, _ *http.Request, c *caller) {
	s.mu.RLock()
	d := s.st.detail(s.st.users[c.userID])
	s.mu.RUnlock()
	writeJSON(w, http.StatusOK, d)
}

// userParams are the fields of {"user":{...}} (JSON) or user[...] (a
// multipart or urlencoded form), as text: a JSON string unquoted, a number
// or a boolean as written. A JSON null is left out.
type userParams map[string]string

// readUserParams reads the user fields of a create or an update in any of
// the content types Procore's reference names; a body it
// cannot read, or one without a user, answers 400.
func readUserParams(w http.ResponseWriter, r *http.Request) (userParams, bool) {
	p := userParams{}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	r.Body = http.MaxBytesReader(w, r.Body, 4<<20)
	switch ct {
	case "multipart/form-data", "application/x-www-form-urlencoded":
		var err error
		if ct == "multipart/form-data" {
			err = r.ParseMultipartForm(4 << 20)
		} else {
			err = r.ParseForm()
		}
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"errors": "Invalid form body: " + err.Error()})
			return nil, false
		}
		for k, vs := range r.PostForm {
			if name, ok := strings.CutPrefix(k, "user["); ok && strings.HasSuffix(name, "]") && len(vs) > 0 {
				p[strings.TrimSuffix(name, "]")] = vs[0]
			}
		}
		if len(p) == 0 {
			badRequest(w, map[string][]string{"user": {"is missing"}})
			return nil, false
		}
		return p, true
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"errors": "Invalid body: " + err.Error()})
		return nil, false
	}
	var body struct {
		User map[string]json.RawMessage `json:"user"`
	}
	if len(bytes.TrimSpace(b)) == 0 {
		badRequest(w, map[string][]string{"user": {"is missing"}})
		return nil, false
	}
	if err := json.Unmarshal(b, &body); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"errors": "Invalid JSON body: " + err.Error()})
		return nil, false
	}
	if body.User == nil {
		badRequest(w, map[string][]string{"user": {"is missing"}})
		return nil, false
	}
	for k, raw := range body.User {
		var s string
		switch t := bytes.TrimSpace(raw); {
		case string(t) == "null":
			continue
		case json.Unmarshal(t, &s) == nil:
			p[k] = s
		default:
			p[k] = string(t)
		}
	}
	return p, true
}

// Fields of a company user that a create or an update sets.
var (
	userStrings = []string{"first_name", "last_name", "email_address", "job_title", "employee_id", "notes",
		"country_code", "state_code", "initials", "origin_id"}
	userBools = []string{"is_active", "is_employee", "add_to_new_projects"}
	userInts  = []string{"vendor_id", "work_classification_id", "default_permission_template_id", "company_permission_template_id"}
)

// apply checks p and sets it on u, reporting the fields in error. Call with
// s.mu held for writing; u may be a fresh user not yet in the directory.
func (st *state) apply(u *user, p userParams, create bool) map[string][]string {
	errs := map[string][]string{}
	str := map[string]*string{"first_name": &u.FirstName, "last_name": &u.LastName, "email_address": &u.EmailAddress,
		"job_title": &u.JobTitle, "employee_id": &u.EmployeeID, "notes": &u.Notes, "country_code": &u.CountryCode,
		"state_code": &u.StateCode, "initials": &u.Initials, "origin_id": &u.OriginID}
	for _, k := range userStrings {
		if v, ok := p[k]; ok {
			*str[k] = strings.TrimSpace(v)
		}
	}
	for _, k := range []string{"last_name", "email_address"} {
		// Both are required on create and, as the reference marks them, on
		// update too.
		if v, ok := p[k]; !ok {
			errs[k] = []string{"is missing"}
		} else if strings.TrimSpace(v) == "" {
			errs[k] = []string{"can't be blank"}
		}
	}
	if _, bad := errs["email_address"]; !bad && !validEmail(u.EmailAddress) {
		errs["email_address"] = []string{"is invalid"}
	}
	for _, k := range []string{"country_code", "state_code"} {
		if v := *str[k]; v != "" && !isoCode(v) {
			errs[k] = []string{"must be an ISO-3166 Alpha-2 code"}
		}
	}
	bools := map[string]*bool{"is_active": &u.IsActive, "is_employee": &u.IsEmployee, "add_to_new_projects": &u.AddToNewProjects}
	for _, k := range userBools {
		v, ok := p[k]
		if !ok || (create && k == "add_to_new_projects") {
			continue // not a field of create
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs[k] = []string{"must be true or false"}
			continue
		}
		*bools[k] = b
	}
	ints := map[string]*int64{"vendor_id": &u.VendorID, "work_classification_id": &u.WorkClassificationID,
		"default_permission_template_id": &u.DefaultTemplateID, "company_permission_template_id": &u.CompanyTemplateID}
	for _, k := range userInts {
		v, ok := p[k]
		if !ok {
			continue
		}
		if v == "" {
			*ints[k] = 0
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			errs[k] = []string{"must be an integer"}
			continue
		}
		*ints[k] = n
	}
	if u.VendorID != 0 && st.vendor(u.VendorID) == nil {
		errs["vendor_id"] = []string{"is invalid"}
	}
	if t := st.template(u.DefaultTemplateID); u.DefaultTemplateID != 0 && (t == nil || t.Type != typeGlobal) {
		errs["default_permission_template_id"] = []string{"is not a project permission template"}
	}
	if t := st.template(u.CompanyTemplateID); u.CompanyTemplateID != 0 && (t == nil || t.Type != typeCompanyTools) {
		errs["company_permission_template_id"] = []string{"is not a company permission template"}
	}
	return errs
}

// isoCode is an ISO-3166 Alpha-2 code's shape: two capital letters.
func isoCode(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

func validEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	return at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " \t\r\n") && strings.Count(s, "@") == 1
}

var emailTaken = map[string]any{"errors": map[string][]string{"email_address": {"has already been taken"}}}

// createUser is POST .../users: 201 with the user; 400 for a missing or
// bad field (not 422: the reference lists 400, 401, 403 and 409); 409 for
// an email already in the directory. A Directory Admin only.
func (s *Server) createUser(w http.ResponseWriter, r *http.Request, c *caller) {
	if !directoryAdmin(w, c) {
		return
	}
	p, ok := readUserParams(w, r)
	if !ok {
		return
	}
	now := s.cfg.Now().UTC().Format(time.RFC3339)
	// is_employee defaults to false, as the reference says.
	u := &user{IsActive: true, CreatedAt: now, UpdatedAt: now}
	s.mu.Lock()
	defer s.mu.Unlock()
	if errs := s.st.apply(u, p, true); len(errs) > 0 {
		badRequest(w, errs)
		return
	}
	if s.st.userByEmail(u.EmailAddress) != nil {
		writeJSON(w, http.StatusConflict, emailTaken)
		return
	}
	s.st.nextUserID++
	u.ID = userBase + s.st.nextUserID
	u.Login = u.EmailAddress
	s.st.users[u.ID] = u
	s.st.userOrder = append(s.st.userOrder, u.ID)
	writeJSON(w, http.StatusCreated, s.st.detail(u))
}

// updateUser is PATCH .../users/{id}, in multipart (as the reference
// documents it) or JSON, with last_name and email_address required. A
// Directory Admin only; the answer carries add_to_new_projects.
func (s *Server) updateUser(w http.ResponseWriter, r *http.Request, c *caller) {
	id, ok := pathID(w, r, "id")
	if !ok || !directoryAdmin(w, c) {
		return
	}
	p, ok := readUserParams(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.st.users[id]
	if old == nil {
		notFound(w)
		return
	}
	u := *old
	if errs := s.st.apply(&u, p, false); len(errs) > 0 {
		badRequest(w, errs)
		return
	}
	if o := s.st.userByEmail(u.EmailAddress); o != nil && o.ID != id {
		writeJSON(w, http.StatusConflict, emailTaken)
		return
	}
	u.Login = u.EmailAddress
	u.UpdatedAt = s.cfg.Now().UTC().Format(time.RFC3339)
	*old = u
	writeJSON(w, http.StatusOK, s.st.detail(old))
}

// inviteUser is PATCH .../users/{id}/invite: 202 {}. Each call sends an
// email; InviteCount counts them.
func (s *Server) inviteUser(w http.ResponseWriter, r *http.Request, c *caller) {
	id, ok := pathID(w, r, "id")
	if !ok || !directoryAdmin(w, c) {
		return
	}
	s.mu.Lock()
	u := s.st.users[id]
	if u != nil {
		s.st.invited[id]++
		u.WelcomeEmailSentAt = s.cfg.Now().UTC().Format(time.RFC3339)
	}
	s.mu.Unlock()
	if u == nil {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusAccepted, struct{}{})
}
