package sim

import (
	"net/http"
	"strconv"
)

// Project membership: assignments, actions/add and remove, bulk_add, and
// the permission templates they use.

// assignment is a row of project_assignments.
type assignment struct {
	ProjectID              int64   `json:"project_id"`
	Name                   string  `json:"name"`
	IsAssigned             bool    `json:"is_assigned"`
	Active                 bool    `json:"active"`
	PermissionTemplateID   *int64  `json:"permission_template_id"`
	PermissionTemplateName *string `json:"permission_template_name"`
}

// projectAssignments lists, for every project the caller can see, whether
// the user belongs to it.
func (s *Server) projectAssignments(w http.ResponseWriter, r *http.Request, c *caller) {
	id, ok := pathID(w, r, "id")
	if !ok {
		return
	}
	s.mu.RLock()
	if s.st.users[id] == nil {
		s.mu.RUnlock()
		notFound(w)
		return
	}
	rows := make([]assignment, 0, len(s.st.projects))
	for _, p := range s.st.projects {
		if !s.canSee(c, p) {
			continue
		}
		a := assignment{ProjectID: p.ID, Name: p.Name, Active: p.Active}
		if tid, in := s.st.members[p.ID][id]; in {
			a.IsAssigned = true
			if t := s.st.template(tid); t != nil {
				a.PermissionTemplateID, a.PermissionTemplateName = &t.ID, &t.Name
			}
		}
		rows = append(rows, a)
	}
	s.mu.RUnlock()
	start, end := paginate(w, r, len(rows))
	writeJSON(w, http.StatusOK, rows[start:end])
}

// projectUser is the 201 body of actions/add.
type projectUser struct {
	ID                 int64     `json:"id"`
	Login              string    `json:"login"`
	Name               string    `json:"name"`
	FirstName          string    `json:"first_name"`
	LastName           string    `json:"last_name"`
	EmailAddress       string    `json:"email_address"`
	JobTitle           string    `json:"job_title"`
	IsActive           bool      `json:"is_active"`
	PermissionTemplate *template `json:"permission_template"`
}

// projectAndUser resolves {pid} and {id} for the project actions: 404 for
// what does not exist, 403 for a project the caller may not see.
func (s *Server) projectAndUser(w http.ResponseWriter, r *http.Request, c *caller) (pid, uid int64, ok bool) {
	if pid, ok = pathID(w, r, "pid"); !ok {
		return
	}
	if uid, ok = pathID(w, r, "id"); !ok {
		return
	}
	s.mu.RLock()
	p := s.st.projByID[pid]
	seen := s.canSee(c, p)
	u := s.st.users[uid]
	s.mu.RUnlock()
	switch {
	case p == nil:
		writeJSON(w, http.StatusNotFound, map[string]string{"errors": "Project not found"})
	case !seen:
		forbidden(w, "You do not have access to this project")
	case !c.admin:
		forbidden(w, "You do not have permission to manage this project's directory")
	case u == nil || !u.IsActive:
		writeJSON(w, http.StatusNotFound, map[string]string{"errors": "User not found in the company directory"})
	default:
		return pid, uid, true
	}
	return 0, 0, false
}

// addToProject is POST .../actions/add. Adding a member again answers 201
// and changes nothing (Procore does not document this case).
func (s *Server) addToProject(w http.ResponseWriter, r *http.Request, c *caller) {
	pid, uid, ok := s.projectAndUser(w, r, c)
	if !ok {
		return
	}
	var body struct {
		User struct {
			PermissionTemplateID int64 `json:"permission_template_id"`
		} `json:"user"`
	}
	if !readOptionalJSON(w, r, &body) {
		return
	}
	tid := body.User.PermissionTemplateID
	s.mu.Lock()
	if tid != 0 && s.st.projectTemplate(tid, pid) == nil {
		s.mu.Unlock()
		unprocessable(w, map[string][]string{"permission_template_id": {"is invalid"}})
		return
	}
	s.st.addMember(uid, pid, tid)
	u := s.st.users[uid]
	out := projectUser{ID: u.ID, Login: u.Login, Name: u.Name, FirstName: u.FirstName, LastName: u.LastName,
		EmailAddress: u.EmailAddress, JobTitle: u.JobTitle, IsActive: u.IsActive}
	if t := s.st.template(s.st.members[pid][uid]); t != nil {
		tc := *t
		out.PermissionTemplate = &tc
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, out)
}

// removeFromProject is DELETE .../actions/remove. Removing a non-member
// also answers 204: the end state is what was asked for.
func (s *Server) removeFromProject(w http.ResponseWriter, r *http.Request, c *caller) {
	pid, uid, ok := s.projectAndUser(w, r, c)
	if !ok {
		return
	}
	s.mu.Lock()
	delete(s.st.members[pid], uid)
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// bulkAddLimit is how many triplets one bulk_add takes.
const bulkAddLimit = 1000

type bulkItem struct {
	UserID               int64 `json:"user_id"`
	ProjectID            int64 `json:"project_id"`
	PermissionTemplateID int64 `json:"permission_template_id"`
}

type bulkError struct {
	bulkItem
	Message string `json:"message"`
}

// bulkAdd is POST /rest/v1.3/companies/{cid}/users/bulk_add: 200 when every
// item was done, 207 with the failed items otherwise. A user already in a
// project counts as done and keeps its template.
func (s *Server) bulkAdd(w http.ResponseWriter, r *http.Request, c *caller) {
	if s.faults.Load().BulkAddRefused || !c.admin {
		forbidden(w, "This app does not have permission to bulk add users to projects")
		return
	}
	var body struct {
		Users []bulkItem `json:"users"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	switch n := len(body.Users); {
	case n == 0:
		unprocessable(w, map[string][]string{"users": {"can't be blank"}})
		return
	case n > bulkAddLimit:
		unprocessable(w, map[string][]string{"users": {"is too long (maximum is 1000 items)"}})
		return
	}
	entities := map[string][]int64{}
	done := map[[2]int64]bool{}
	var failed []bulkError
	s.mu.Lock()
	for _, it := range body.Users {
		u := s.st.users[it.UserID]
		p := s.st.projByID[it.ProjectID]
		msg := ""
		switch {
		case u == nil || !u.IsActive:
			msg = "User not found in the company directory"
		case !s.canSee(c, p):
			msg = "Project not found or not permitted"
		case it.PermissionTemplateID != 0 && s.st.projectTemplate(it.PermissionTemplateID, it.ProjectID) == nil:
			msg = "Permission template not found"
		}
		if msg != "" {
			failed = append(failed, bulkError{it, msg})
			continue
		}
		s.st.addMember(it.UserID, it.ProjectID, it.PermissionTemplateID)
		if k := [2]int64{it.UserID, it.ProjectID}; !done[k] {
			done[k] = true
			key := strconv.FormatInt(it.UserID, 10)
			entities[key] = append(entities[key], it.ProjectID)
		}
	}
	s.mu.Unlock()
	if len(failed) == 0 {
		writeJSON(w, http.StatusOK, map[string]any{"entities": entities})
		return
	}
	writeJSON(w, http.StatusMultiStatus, map[string]any{"entities": entities, "errors": failed})
}

// templateTypes are the values filters[type] takes.
var templateTypes = map[string]bool{"company_tools": true, "project_tools": true, "global": true}

func (s *Server) companyTemplates(w http.ResponseWriter, r *http.Request, _ *caller) {
	typ := r.URL.Query().Get("filters[type]")
	if typ == "" {
		typ = "project_tools"
	}
	if !templateTypes[typ] {
		unprocessable(w, map[string][]string{"filters[type]": {"must be one of company_tools, project_tools, global"}})
		return
	}
	s.mu.RLock()
	var rows []template
	for _, t := range s.st.templates {
		if t.Type == typ && !t.ProjectSpecific {
			rows = append(rows, *t)
		}
	}
	s.mu.RUnlock()
	start, end := paginate(w, r, len(rows))
	writeJSON(w, http.StatusOK, nonNil(rows[start:end]))
}

func (s *Server) projectTemplates(w http.ResponseWriter, r *http.Request, c *caller) {
	pid, ok := pathID(w, r, "pid")
	if !ok {
		return
	}
	s.mu.RLock()
	p := s.st.projByID[pid]
	seen := s.canSee(c, p)
	var rows []template
	for _, t := range s.st.templates {
		if s.st.projectTemplate(t.ID, pid) != nil {
			rows = append(rows, *t)
		}
	}
	s.mu.RUnlock()
	switch {
	case p == nil:
		writeJSON(w, http.StatusNotFound, map[string]string{"errors": "Project not found"})
		return
	case !seen:
		forbidden(w, "You do not have access to this project")
		return
	}
	start, end := paginate(w, r, len(rows))
	writeJSON(w, http.StatusOK, nonNil(rows[start:end]))
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
