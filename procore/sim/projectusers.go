package sim

import (
	"net/http"
	"strconv"
	"strings"
)

// Project membership: assignments, the project directory, actions/add and
// remove, and permission_template_assignments.

// assignment is a row of project_assignments, with the reference's keys:
// the template by name only.
type assignment struct {
	ProjectID              int64    `json:"project_id"`
	Name                   string   `json:"name"`
	ProjectNumber          string   `json:"project_number"`
	Address                string   `json:"address"`
	Stage                  string   `json:"stage"`
	IsAssigned             bool     `json:"is_assigned"`
	Active                 bool     `json:"active"`
	Roles                  []string `json:"roles"`
	PermissionTemplateName *string  `json:"permission_template_name"`
	Region                 *string  `json:"region"`
	Program                *string  `json:"program"`
	ProjectType            *string  `json:"project_type"`
}

// projectAssignments lists, for every project the caller can see, whether
// the user belongs to it. filters[by_status] (Active, Inactive, All; the
// reference names no default, so All), filters[assignment_status] (all,
// assigned, unassigned), filters[active] and filters[name] narrow it.
func (s *Server) projectAssignments(w http.ResponseWriter, r *http.Request, c *caller) {
	id, ok := pathID(w, r, "id")
	if !ok || !readDirectory(w, c, id) {
		return
	}
	q := r.URL.Query()
	status, assigned := q.Get("filters[by_status]"), strings.ToLower(q.Get("filters[assignment_status]"))
	errs := map[string][]string{}
	switch status {
	case "", "All", "Active", "Inactive":
	default:
		errs["filters[by_status]"] = []string{"must be one of All, Active, Inactive"}
	}
	switch assigned {
	case "", "all", "assigned", "unassigned":
	default:
		errs["filters[assignment_status]"] = []string{"must be one of all, assigned, unassigned"}
	}
	activeOnly := false
	if v := q.Get("filters[active]"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs["filters[active]"] = []string{"must be true or false"}
		}
		activeOnly = b
	}
	if len(errs) > 0 {
		badRequest(w, errs)
		return
	}
	names := q["filters[name][]"]
	if v := q.Get("filters[name]"); v != "" {
		names = append(names, v)
	}
	s.mu.RLock()
	if s.st.users[id] == nil {
		s.mu.RUnlock()
		notFound(w)
		return
	}
	rows := make([]assignment, 0, len(s.st.projects))
	for _, p := range s.st.projects {
		if !s.canSee(c, p) || (activeOnly || status == "Active") && !p.Active || status == "Inactive" && p.Active || !nameMatch(p.Name, names) {
			continue
		}
		tid, in := s.st.members[p.ID][id]
		if assigned == "assigned" && !in || assigned == "unassigned" && in {
			continue
		}
		a := assignment{ProjectID: p.ID, Name: p.Name, ProjectNumber: p.Number, Address: p.Address, Stage: p.stage(),
			Active: p.Active, IsAssigned: in, Roles: []string{}}
		if t := s.st.template(tid); in && t != nil {
			a.PermissionTemplateName = &t.Name
		}
		rows = append(rows, a)
	}
	s.mu.RUnlock()
	start, end := paginate(w, r, len(rows))
	writeJSON(w, http.StatusOK, rows[start:end])
}

func nameMatch(name string, want []string) bool {
	if len(want) == 0 {
		return true
	}
	for _, w := range want {
		if strings.Contains(strings.ToLower(name), strings.ToLower(w)) {
			return true
		}
	}
	return false
}

// project resolves {pid}: 404 for none, 403 for one c may not see.
func (s *Server) project(w http.ResponseWriter, r *http.Request, c *caller) (int64, bool) {
	pid, ok := pathID(w, r, "pid")
	if !ok {
		return 0, false
	}
	s.mu.RLock()
	p := s.st.projByID[pid]
	seen := s.canSee(c, p)
	s.mu.RUnlock()
	switch {
	case p == nil:
		writeJSON(w, http.StatusNotFound, map[string]string{"errors": "Project not found"})
	case !seen:
		forbidden(w, "You do not have access to this project")
	default:
		return pid, true
	}
	return 0, false
}

// projectUsers is GET /rest/v1.0/projects/{pid}/users: the project's
// active members, view=normal (default) or compact, filters[search] and
// filters[id].
func (s *Server) projectUsers(w http.ResponseWriter, r *http.Request, c *caller) {
	pid, ok := s.project(w, r, c)
	if !ok {
		return
	}
	q := r.URL.Query()
	view := q.Get("view")
	if view != "" && view != "normal" && view != "compact" {
		badRequest(w, map[string][]string{"view": {"must be one of compact, normal"}})
		return
	}
	search := strings.ToLower(strings.TrimSpace(q.Get("filters[search]")))
	var onlyID int64
	if v := q.Get("filters[id]"); v != "" {
		var err error
		if onlyID, err = strconv.ParseInt(v, 10, 64); err != nil {
			badRequest(w, map[string][]string{"filters[id]": {"must be an integer"}})
			return
		}
	}
	s.mu.RLock()
	var rows []any
	for _, uid := range sortedKeys(s.st.members[pid]) {
		u := s.st.users[uid]
		if !u.IsActive || onlyID != 0 && uid != onlyID || search != "" && !s.st.matches(u, search) {
			continue
		}
		if view == "compact" {
			cu := compactUser{FirstName: u.FirstName, ID: u.ID, Initials: strp(u.Initials), LastName: u.LastName, Name: u.name()}
			cu.Vendor = s.st.common(u).Vendor
			rows = append(rows, cu)
			continue
		}
		rows = append(rows, projectUserRow{userCommon: s.st.common(u), PermissionTemplate: s.st.template(s.st.members[pid][uid]).ref()})
	}
	s.mu.RUnlock()
	start, end := paginate(w, r, len(rows))
	writeJSON(w, http.StatusOK, nonNil(rows[start:end]))
}

// projectAndUser resolves {pid} and {id} for the project actions: 404 for
// what does not exist, 403 for a project the caller may not see or a
// caller that is not a Directory Admin.
func (s *Server) projectAndUser(w http.ResponseWriter, r *http.Request, c *caller) (pid, uid int64, ok bool) {
	if pid, ok = s.project(w, r, c); !ok {
		return
	}
	if uid, ok = pathID(w, r, "id"); !ok {
		return
	}
	if !directoryAdmin(w, c) {
		return 0, 0, false
	}
	s.mu.RLock()
	u := s.st.users[uid]
	s.mu.RUnlock()
	if u == nil || !u.IsActive {
		writeJSON(w, http.StatusNotFound, map[string]string{"errors": "User not found in the company directory"})
		return 0, 0, false
	}
	return pid, uid, true
}

// defaultTemplateOn is the template a user gets on pid when none is asked
// for: its default project template, where usable there.
func (st *state) defaultTemplateOn(u *user, pid int64) int64 {
	if st.projectTemplate(u.DefaultTemplateID, pid) != nil {
		return u.DefaultTemplateID
	}
	return 0
}

// addToProject is POST .../actions/add. Adding a member again answers 201
// and changes nothing (Procore does not document this case). Without a
// permission_template_id the user's default project template is used.
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
	defer s.mu.Unlock()
	if tid != 0 && s.st.projectTemplate(tid, pid) == nil {
		badRequest(w, map[string][]string{"permission_template_id": {"is invalid"}})
		return
	}
	u := s.st.users[uid]
	if tid == 0 {
		tid = s.st.defaultTemplateOn(u, pid)
	}
	s.st.addMember(uid, pid, tid)
	writeJSON(w, http.StatusCreated, s.st.added(u))
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

// assignTemplate is PATCH /rest/v1.0/projects/{pid}/permission_template_assignments:
// a member's template on one project. 400 for a missing field, 422 for a
// non-member or a template not usable there; a Directory Admin only.
func (s *Server) assignTemplate(w http.ResponseWriter, r *http.Request, c *caller) {
	pid, ok := s.project(w, r, c)
	if !ok || !directoryAdmin(w, c) {
		return
	}
	var body struct {
		A *struct {
			UserID               *int64 `json:"user_id"`
			PermissionTemplateID *int64 `json:"permission_template_id"`
		} `json:"permission_template_assignments"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	errs := map[string][]string{}
	switch {
	case body.A == nil:
		errs["permission_template_assignments"] = []string{"is missing"}
	default:
		if body.A.UserID == nil {
			errs["user_id"] = []string{"is missing"}
		}
		if body.A.PermissionTemplateID == nil {
			errs["permission_template_id"] = []string{"is missing"}
		}
	}
	if len(errs) > 0 {
		badRequest(w, errs)
		return
	}
	uid, tid := *body.A.UserID, *body.A.PermissionTemplateID
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, in := s.st.members[pid][uid]; !in {
		unprocessable(w, map[string][]string{"user_id": {"is not a member of this project"}})
		return
	}
	if s.st.projectTemplate(tid, pid) == nil {
		unprocessable(w, map[string][]string{"permission_template_id": {"is not usable on this project"}})
		return
	}
	s.st.members[pid][uid] = tid
	writeJSON(w, http.StatusOK, map[string]int64{"user_id": uid, "permission_template_id": tid, "project_id": pid})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
