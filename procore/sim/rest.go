package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// routes registers every endpoint. /oauth/* is served on the same handler
// as /rest/*: Procore's JS SDK posts token requests to the API host.
func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /oauth/authorize", s.authorize)
	m.HandleFunc("POST /oauth/token", s.tokenEndpoint)
	m.HandleFunc("GET /oauth/token/info", s.tokenInfo)
	m.HandleFunc("POST /oauth/revoke", s.revoke)

	// /me and /companies: a user's token may leave the company header out.
	m.HandleFunc("GET /rest/v1.0/me", s.restNoCompany(s.me))
	m.HandleFunc("GET /rest/v1.0/companies", s.restNoCompany(s.companies))
	m.HandleFunc("GET /rest/v1.0/companies/{cid}/me", s.rest(s.company(s.companyMe)))
	m.HandleFunc("GET /rest/v1.1/projects", s.rest(s.projects))
	m.HandleFunc("GET /rest/v1.3/companies/{cid}/users", s.rest(s.company(s.listUsers)))
	m.HandleFunc("GET /rest/v1.3/companies/{cid}/users/{id}", s.rest(s.company(s.getUser)))
	m.HandleFunc("GET /rest/v1.0/companies/{cid}/users/inactive", s.rest(s.company(s.inactiveUsers)))
	m.HandleFunc("POST /rest/v1.3/companies/{cid}/users", s.rest(s.company(s.createUser)))
	m.HandleFunc("PATCH /rest/v1.3/companies/{cid}/users/{id}", s.rest(s.company(s.updateUser)))
	m.HandleFunc("PATCH /rest/v1.3/companies/{cid}/users/{id}/invite", s.rest(s.company(s.inviteUser)))
	m.HandleFunc("POST /rest/v1.3/companies/{cid}/users/bulk_add", s.rest(s.company(s.bulkAdd)))
	m.HandleFunc("GET /rest/v1.0/companies/{cid}/users/{id}/project_assignments", s.rest(s.company(s.projectAssignments)))
	m.HandleFunc("GET /rest/v1.0/projects/{pid}/users", s.rest(s.projectUsers))
	m.HandleFunc("POST /rest/v1.0/projects/{pid}/users/{id}/actions/add", s.rest(s.addToProject))
	m.HandleFunc("DELETE /rest/v1.0/projects/{pid}/users/{id}/actions/remove", s.rest(s.removeFromProject))
	m.HandleFunc("PATCH /rest/v1.0/projects/{pid}/permission_template_assignments", s.rest(s.assignTemplate))
	m.HandleFunc("GET /rest/v1.0/companies/{cid}/permission_templates", s.rest(s.company(s.companyTemplates)))
	m.HandleFunc("GET /rest/v1.0/companies/{cid}/permission_templates/{id}", s.rest(s.company(s.getTemplate)))
	m.HandleFunc("POST /rest/v1.0/companies/{cid}/permission_templates", s.rest(s.company(s.createTemplate)))
	m.HandleFunc("GET /rest/v1.0/projects/{pid}/permission_templates", s.rest(s.projectTemplates))
	m.HandleFunc("GET /rest/v1.0/settings/permissions", s.rest(s.settingsPermissions))
	m.HandleFunc("GET /rest/v1.0/app_installations", s.rest(s.appInstallations))
	m.HandleFunc("/rest/", s.rest(func(w http.ResponseWriter, _ *http.Request, _ *caller) {
		writeJSON(w, http.StatusNotFound, map[string]string{"errors": "Not Found"})
	}))
	s.mux = m
}

// per_page limits. Procore documents default 100 and maximum 300 for
// projects; for the other lists it does not say, so the simulator uses the
// same default and maximum everywhere.
const (
	defaultPerPage = 100
	maxPerPage     = 300
)

// Role of the caller, which decides what projects it can see.
type role int

const (
	roleAdmin  role = iota // a company admin (Admin tool at admin level): every project
	roleDMSA               // the DMSA: its permitted projects
	roleMember             // anyone else: the projects it belongs to
)

// caller is who an authenticated /rest request comes from.
type caller struct {
	userID   int64
	role     role
	company  int64 // from Procore-Company-Id; 0 where a user's token rightly left it out
	dirAdmin bool  // a Directory Admin: may change the directory
	dirRead  bool  // may read the company directory
}

// Messages Procore uses.
const (
	msgMissingCompany = "Missing Procore-Company-Id header!"
	msgNotConnected   = "App is not connected to this company"
)

// rest wraps a /rest handler with what every API call goes through, in
// Procore's order: injected server errors, the token (401), the company
// header, the rate limit (counted per token and company), then access to
// the company.
//
// A missing or unreadable Procore-Company-Id answers 400: the request is
// malformed rather than forbidden.
func (s *Server) rest(h func(http.ResponseWriter, *http.Request, *caller)) http.HandlerFunc {
	return s.restWith(h, false)
}

// restNoCompany is rest for /me and /companies, which the reference says
// need no Procore-Company-Id: for a user's token that holds (unless /me is
// asked for a company_id or project_id); a client-credentials (DMSA) token
// must still name its company, since its app is installed per company.
func (s *Server) restNoCompany(h func(http.ResponseWriter, *http.Request, *caller)) http.HandlerFunc {
	return s.restWith(h, true)
}

func (s *Server) restWith(h func(http.ResponseWriter, *http.Request, *caller), headerOptional bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.serverError(w) {
			return
		}
		access := bearer(r)
		t, why := s.validToken(access)
		if t == nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="Procore", error="invalid_token", error_description="`+why+`"`)
			writeJSON(w, http.StatusUnauthorized, map[string]string{"errors": "Unauthorized"})
			return
		}
		s.applyDue()
		header := strings.TrimSpace(r.Header.Get("Procore-Company-Id"))
		var cid int64
		if header != "" {
			var err error
			if cid, err = strconv.ParseInt(header, 10, 64); err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"errors": "Invalid Procore-Company-Id header!"})
				return
			}
		} else {
			q := r.URL.Query()
			if !headerOptional || t.app || q.Has("company_id") || q.Has("project_id") {
				writeJSON(w, http.StatusBadRequest, map[string]string{"errors": msgMissingCompany})
				return
			}
		}
		now := s.cfg.Now()
		// A bucket per token and company: a DMSA installed in several
		// companies gets one in each.
		q := s.limiter.take(access+"|"+header, now)
		q.setHeaders(w.Header())
		if !q.ok {
			if !s.faults.Load().NoRetryAfterOn429 {
				w.Header().Set("Retry-After", strconv.FormatInt(max(1, int64((q.reset.Sub(now)+time.Second-1)/time.Second)), 10))
			}
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, rateLimitText)
			return
		}
		if header != "" && cid != s.fx.CompanyID {
			writeJSON(w, http.StatusForbidden, notConnected)
			return
		}
		c := &caller{userID: t.userID, company: cid, role: roleMember}
		s.mu.RLock()
		u := s.st.users[t.userID]
		active := u != nil && u.IsActive
		if active {
			c.dirAdmin = s.st.level(u, "directory") == levelAdmin
			c.dirRead = s.st.level(u, "directory") >= levelReadOnly
			switch {
			case t.app:
				c.role = roleDMSA
			case s.st.level(u, "admin") == levelAdmin:
				c.role = roleAdmin
			}
		}
		s.mu.RUnlock()
		if !active {
			writeJSON(w, http.StatusForbidden, map[string]string{"message": "Your user is not active in this company", "error": "Forbidden"})
			return
		}
		h(w, r, c)
	}
}

var notConnected = map[string]string{"message": msgNotConnected, "error": "Forbidden"}

// company checks the {cid} of a company path: only the company the app is
// installed in is reachable.
func (s *Server) company(h func(http.ResponseWriter, *http.Request, *caller)) func(http.ResponseWriter, *http.Request, *caller) {
	return func(w http.ResponseWriter, r *http.Request, c *caller) {
		cid, err := strconv.ParseInt(r.PathValue("cid"), 10, 64)
		if err != nil {
			notFound(w)
			return
		}
		if cid != s.fx.CompanyID || cid != c.company {
			writeJSON(w, http.StatusForbidden, notConnected)
			return
		}
		h(w, r, c)
	}
}

// dmsaPermitted says whether the DMSA may reach project pid: App
// Management permits it, or its user is in the project. Call with s.mu held.
func (s *Server) dmsaPermitted(pid int64) bool {
	if s.st.permitted[pid] {
		return true
	}
	_, in := s.st.members[pid][s.fx.DMSAUserID]
	return in
}

// canSee says whether c sees project p; call with s.mu held.
func (s *Server) canSee(c *caller, p *project) bool {
	if p == nil {
		return false
	}
	switch c.role {
	case roleAdmin:
		return true
	case roleDMSA:
		return s.dmsaPermitted(p.ID)
	}
	_, ok := s.st.members[p.ID][c.userID]
	return ok
}

// Permission refusals. Procore's v1 has no single error envelope; a
// refused directory change answers 403 with "errors" as a sentence.
const (
	msgNotDirectoryAdmin = "You do not have permission to make changes to the company directory. Admin access to the Directory tool is required."
	msgNoDirectoryRead   = "You do not have permission to view the company directory."
)

// directoryAdmin answers 403 unless c is a Directory Admin.
func directoryAdmin(w http.ResponseWriter, c *caller) bool {
	if !c.dirAdmin {
		writeJSON(w, http.StatusForbidden, map[string]string{"errors": msgNotDirectoryAdmin})
		return false
	}
	return true
}

// me is GET /rest/v1.0/me. The reference: "name" only when a company_id
// or project_id is given.
func (s *Server) me(w http.ResponseWriter, r *http.Request, c *caller) {
	q := r.URL.Query()
	named := false
	for _, k := range []string{"company_id", "project_id"} {
		if !q.Has(k) {
			continue
		}
		id, err := strconv.ParseInt(q.Get(k), 10, 64)
		s.mu.RLock()
		ok := err == nil && (k == "company_id" && id == s.fx.CompanyID || k == "project_id" && s.canSee(c, s.st.projByID[id]))
		s.mu.RUnlock()
		if !ok {
			writeJSON(w, http.StatusForbidden, map[string]string{"errors": "You do not have access to this " + strings.TrimSuffix(k, "_id")})
			return
		}
		named = true
	}
	s.mu.RLock()
	u := s.st.users[c.userID]
	body := map[string]any{"id": u.ID, "login": u.Login}
	if named {
		body["name"] = u.name()
	}
	s.mu.RUnlock()
	writeJSON(w, http.StatusOK, body)
}

type companyRow struct {
	ID                    int64   `json:"id"`
	Name                  string  `json:"name"`
	IsActive              bool    `json:"is_active"`
	LogoURL               *string `json:"logo_url"`
	PCNBusinessExperience bool    `json:"pcn_business_experience"`
	MyCompany             bool    `json:"my_company"`
}

// companies is GET /rest/v1.0/companies: the company the app is installed
// in, or the user belongs to. my_company is set for an employee.
func (s *Server) companies(w http.ResponseWriter, r *http.Request, c *caller) {
	s.mu.RLock()
	employee := s.st.users[c.userID].IsEmployee
	s.mu.RUnlock()
	rows := []companyRow{{ID: s.fx.CompanyID, Name: companyName, IsActive: true, MyCompany: employee}}
	start, end := paginate(w, r, len(rows))
	writeJSON(w, http.StatusOK, rows[start:end])
}

// projects is GET /rest/v1.1/projects?company_id=. Its rows are encoded
// once, at creation, and copied into the page here.
func (s *Server) projects(w http.ResponseWriter, r *http.Request, c *caller) {
	q := r.URL.Query()
	raw := q.Get("company_id")
	if raw == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": map[string][]string{"company_id": {"is missing"}}})
		return
	}
	if cid, err := strconv.ParseInt(raw, 10, 64); err != nil || cid != s.fx.CompanyID || cid != c.company {
		writeJSON(w, http.StatusForbidden, notConnected)
		return
	}
	status := q.Get("filters[by_status]")
	switch status {
	case "", "Active", "Inactive", "All":
	default:
		badRequest(w, map[string][]string{"filters[by_status]": {"must be one of Active, Inactive, All"}})
		return
	}
	name := strings.ToLower(q.Get("filters[name]"))
	s.mu.RLock()
	all := s.st.projects
	rows := make([]*project, 0, len(all))
	for _, p := range all {
		// By default Procore lists active projects only.
		if (status == "" || status == "Active") && !p.Active || status == "Inactive" && p.Active {
			continue
		}
		if name != "" && !strings.Contains(strings.ToLower(p.Name), name) {
			continue
		}
		if s.canSee(c, p) {
			rows = append(rows, p)
		}
	}
	s.mu.RUnlock()
	start, end := paginate(w, r, len(rows))
	size := 2
	for _, p := range rows[start:end] {
		size += len(p.JSON) + 1
	}
	buf := make([]byte, 0, size)
	buf = append(buf, '[')
	for i, p := range rows[start:end] {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, p.JSON...)
	}
	buf = append(buf, ']')
	writeRaw(w, http.StatusOK, buf)
}

// paginate reads page and per_page, writes Total, Per-Page and Link, and
// returns the slice bounds of the page. Link holds first and prev after
// page 1, next and last before the last page, as absolute URLs on the
// request's own host.
func paginate(w http.ResponseWriter, r *http.Request, total int) (start, end int) {
	q := r.URL.Query()
	page, err := strconv.Atoi(q.Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	per, err := strconv.Atoi(q.Get("per_page"))
	if err != nil || per < 1 {
		per = defaultPerPage
	}
	per = min(per, maxPerPage)
	last := max(1, (total+per-1)/per)
	h := w.Header()
	h.Set("Total", strconv.Itoa(total))
	h.Set("Per-Page", strconv.Itoa(per))

	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	link := func(p int, rel string) string {
		q.Set("page", strconv.Itoa(p))
		q.Set("per_page", strconv.Itoa(per))
		return "<" + scheme + "://" + r.Host + r.URL.Path + "?" + q.Encode() + `>; rel="` + rel + `"`
	}
	var links []string
	if page > 1 {
		links = append(links, link(1, "first"), link(min(page-1, last), "prev"))
	}
	if page < last {
		links = append(links, link(page+1, "next"), link(last, "last"))
	}
	if len(links) > 0 {
		h.Set("Link", strings.Join(links, ", "))
	}
	start = min(total, (page-1)*per)
	return start, min(total, start+per)
}

// readJSON decodes a required JSON body; a bad one answers 400.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<20)).Decode(v)
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = errNoBody
		}
		writeJSON(w, http.StatusBadRequest, map[string]string{"errors": "Invalid JSON body: " + err.Error()})
		return false
	}
	return true
}

// readOptionalJSON decodes a body that may be absent.
func readOptionalJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 4<<20))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"errors": "Invalid body: " + err.Error()})
		return false
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return true
	}
	if err := json.Unmarshal(b, v); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"errors": "Invalid JSON body: " + err.Error()})
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only plain data is encoded here; failing is a bug in the simulator.
		panic(errorf("encoding a %d answer: %w", status, err))
	}
	writeRaw(w, status, b)
}

func writeRaw(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b) // a client that went away is not the simulator's error
}

func notFound(w http.ResponseWriter) {
	writeJSON(w, http.StatusNotFound, map[string]string{"errors": "Not Found"})
}

func forbidden(w http.ResponseWriter, msg string) {
	writeJSON(w, http.StatusForbidden, map[string]string{"message": msg, "error": "Forbidden"})
}

// badRequest is the 400 the reference documents for a request that lacks
// or garbles a field (create and update user, bulk_add, templates).
func badRequest(w http.ResponseWriter, fields map[string][]string) {
	writeJSON(w, http.StatusBadRequest, map[string]any{"errors": fields})
}

func unprocessable(w http.ResponseWriter, fields map[string][]string) {
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"errors": fields})
}
