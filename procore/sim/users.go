package sim

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The company directory: /rest/v1.3/companies/{cid}/users.

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, _ *caller) {
	search := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("filters[search]")))
	s.mu.RLock()
	rows := make([]user, 0, len(s.st.userOrder))
	for _, id := range s.st.userOrder {
		u := s.st.users[id]
		if !u.IsActive {
			continue
		}
		if search != "" && !strings.Contains(strings.ToLower(u.Name), search) && !strings.Contains(strings.ToLower(u.EmailAddress), search) {
			continue
		}
		rows = append(rows, *u)
	}
	s.mu.RUnlock()
	start, end := paginate(w, r, len(rows))
	writeJSON(w, http.StatusOK, rows[start:end])
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

func (s *Server) getUser(w http.ResponseWriter, r *http.Request, _ *caller) {
	id, ok := pathID(w, r, "id")
	if !ok {
		return
	}
	s.mu.RLock()
	u, found := s.st.users[id]
	var row user
	if found {
		row = *u
	}
	s.mu.RUnlock()
	if !found {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, row)
}

// userFields is the {"user":{...}} body of create and update; pointers
// tell an absent field from an empty one.
type userFields struct {
	FirstName        *string `json:"first_name"`
	LastName         *string `json:"last_name"`
	EmailAddress     *string `json:"email_address"`
	JobTitle         *string `json:"job_title"`
	IsActive         *bool   `json:"is_active"`
	IsEmployee       *bool   `json:"is_employee"`
	AddToNewProjects *bool   `json:"add_to_new_projects"`
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request, c *caller) {
	if !c.admin {
		forbidden(w, "You do not have permission to create users in this company's directory")
		return
	}
	var body struct {
		User *userFields `json:"user"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	if body.User == nil {
		unprocessable(w, map[string][]string{"user": {"is missing"}})
		return
	}
	f := body.User
	errs := map[string][]string{}
	if f.LastName == nil || strings.TrimSpace(*f.LastName) == "" {
		errs["last_name"] = []string{"can't be blank"}
	}
	email := ""
	if f.EmailAddress != nil {
		email = strings.TrimSpace(*f.EmailAddress)
	}
	if email == "" {
		errs["email_address"] = []string{"can't be blank"}
	} else if !validEmail(email) {
		errs["email_address"] = []string{"is invalid"}
	}
	if len(errs) > 0 {
		unprocessable(w, errs)
		return
	}
	s.mu.Lock()
	if s.st.userByEmail(email) != nil {
		s.mu.Unlock()
		writeJSON(w, http.StatusConflict, map[string]any{"errors": map[string][]string{"email_address": {"has already been taken"}}})
		return
	}
	now := s.cfg.Now().UTC().Format(time.RFC3339)
	s.st.nextUserID++
	u := &user{ID: userBase + s.st.nextUserID, Login: email, EmailAddress: email, LastName: strings.TrimSpace(*f.LastName),
		IsActive: true, IsEmployee: true, CreatedAt: now, UpdatedAt: now}
	applyUser(u, f)
	s.st.users[u.ID] = u
	s.st.userOrder = append(s.st.userOrder, u.ID)
	row := *u
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, row)
}

func applyUser(u *user, f *userFields) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = strings.TrimSpace(*src)
		}
	}
	set(&u.FirstName, f.FirstName)
	set(&u.LastName, f.LastName)
	set(&u.EmailAddress, f.EmailAddress)
	set(&u.JobTitle, f.JobTitle)
	if f.EmailAddress != nil {
		u.Login = u.EmailAddress
	}
	if f.IsActive != nil {
		u.IsActive = *f.IsActive
	}
	if f.IsEmployee != nil {
		u.IsEmployee = *f.IsEmployee
	}
	if f.AddToNewProjects != nil {
		u.AddToNewProjects = *f.AddToNewProjects
	}
	u.Name = strings.TrimSpace(u.FirstName + " " + u.LastName)
}

func validEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	return at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " \t\r\n") && strings.Count(s, "@") == 1
}

// updateUser is PATCH .../users/{id}. add_to_new_projects may be set only
// by a directory admin (both fixture apps are).
func (s *Server) updateUser(w http.ResponseWriter, r *http.Request, c *caller) {
	id, ok := pathID(w, r, "id")
	if !ok {
		return
	}
	var body struct {
		User *userFields `json:"user"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	if body.User == nil {
		unprocessable(w, map[string][]string{"user": {"is missing"}})
		return
	}
	f := body.User
	if !c.admin {
		forbidden(w, "Only a directory admin can update users")
		return
	}
	if f.LastName != nil && strings.TrimSpace(*f.LastName) == "" {
		unprocessable(w, map[string][]string{"last_name": {"can't be blank"}})
		return
	}
	if f.EmailAddress != nil && !validEmail(strings.TrimSpace(*f.EmailAddress)) {
		unprocessable(w, map[string][]string{"email_address": {"is invalid"}})
		return
	}
	s.mu.Lock()
	u := s.st.users[id]
	if u == nil {
		s.mu.Unlock()
		notFound(w)
		return
	}
	if f.EmailAddress != nil {
		if o := s.st.userByEmail(strings.TrimSpace(*f.EmailAddress)); o != nil && o.ID != id {
			s.mu.Unlock()
			writeJSON(w, http.StatusConflict, map[string]any{"errors": map[string][]string{"email_address": {"has already been taken"}}})
			return
		}
	}
	applyUser(u, f)
	u.UpdatedAt = s.cfg.Now().UTC().Format(time.RFC3339)
	row := *u
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, row)
}

func (s *Server) inviteUser(w http.ResponseWriter, r *http.Request, c *caller) {
	id, ok := pathID(w, r, "id")
	if !ok {
		return
	}
	if !c.admin {
		forbidden(w, "Only a directory admin can invite users")
		return
	}
	s.mu.Lock()
	u := s.st.users[id]
	if u != nil {
		s.st.invited[id]++
	}
	s.mu.Unlock()
	if u == nil {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusAccepted, struct{}{})
}
