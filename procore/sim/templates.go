package sim

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Permission templates, what they let the caller do (/settings/permissions)
// and the apps installed in the company.

// templateRow is a row of the template lists; view=with_permissions adds
// the levels and permitted actions.
type templateRow struct {
	ID               int64               `json:"id"`
	Name             string              `json:"name"`
	ProjectSpecific  bool                `json:"project_specific"`
	Type             string              `json:"type"`
	Category         string              `json:"category"`
	UserAccessLevels map[string]string   `json:"user_access_levels,omitempty"`
	Permissions      map[string][]string `json:"permissions,omitempty"`
}

// templateDetail answers GET .../permission_templates/{id} and the POST.
type templateDetail struct {
	ID               int64               `json:"id"`
	CompanyID        int64               `json:"company_id"`
	Name             string              `json:"name"`
	ProviderType     string              `json:"provider_type"`
	Type             string              `json:"type"`
	ProviderID       int64               `json:"provider_id"`
	Category         string              `json:"category"`
	UserAccessLevels map[string]string   `json:"user_access_levels"`
	Permissions      map[string][]string `json:"permissions"`
	ProjectID        *int64              `json:"project_id"`
}

func (t *template) levelKeys() map[string]string {
	m := map[string]string{}
	for _, tl := range toolsOf(t) {
		m[tl.Name] = levelKeys[t.Levels[tl.Name]]
	}
	return m
}

// permitted are the actions a level allows on a tool, as
// /settings/permissions and a template's "permissions" list them.
func permitted(level int) []string {
	acts := []string{}
	if level >= levelReadOnly {
		acts = append(acts, "view")
	}
	if level >= levelStandard {
		acts = append(acts, "create", "edit")
	}
	if level >= levelAdmin {
		acts = append(acts, "delete", "configure")
	}
	return acts
}

func (t *template) permissions() map[string][]string {
	m := map[string][]string{}
	for _, tl := range toolsOf(t) {
		m[tl.Name] = permitted(t.Levels[tl.Name])
	}
	return m
}

func (t *template) row(withPermissions bool) templateRow {
	r := templateRow{ID: t.ID, Name: t.Name, ProjectSpecific: t.Type == typeProjectSpecific, Type: t.Type, Category: "internal"}
	if withPermissions {
		r.UserAccessLevels, r.Permissions = t.levelKeys(), t.permissions()
	}
	return r
}

func (t *template) detail() templateDetail {
	d := templateDetail{ID: t.ID, CompanyID: companyID, Name: t.Name, ProviderType: "Company", Type: t.Type,
		ProviderID: companyID, Category: "internal", UserAccessLevels: t.levelKeys(), Permissions: t.permissions()}
	if t.Type == typeProjectSpecific {
		d.ProviderType, d.ProviderID, d.ProjectID = "Project", t.ProjectID, idp(t.ProjectID)
	}
	return d
}

// companyTemplates is GET .../permission_templates: filters[type] is
// project_tools (default: global and project-specific templates),
// company_tools or global. Not paginated.
func (s *Server) companyTemplates(w http.ResponseWriter, r *http.Request, _ *caller) {
	q := r.URL.Query()
	typ := q.Get("filters[type]")
	if typ == "" {
		typ = "project_tools"
	}
	want := map[string]func(*template) bool{
		"project_tools": (*template).project,
		"company_tools": func(t *template) bool { return t.Type == typeCompanyTools },
		"global":        func(t *template) bool { return t.Type == typeGlobal },
	}[typ]
	if want == nil {
		badRequest(w, map[string][]string{"filters[type]": {"must be one of company_tools, project_tools, global"}})
		return
	}
	with := q.Get("view") == "with_permissions"
	s.mu.RLock()
	rows := []templateRow{}
	for _, t := range s.st.templates {
		if want(t) {
			rows = append(rows, t.row(with))
		}
	}
	s.mu.RUnlock()
	writeJSON(w, http.StatusOK, rows)
}

func (s *Server) getTemplate(w http.ResponseWriter, r *http.Request, _ *caller) {
	id, ok := pathID(w, r, "id")
	if !ok {
		return
	}
	s.mu.RLock()
	t := s.st.template(id)
	var d templateDetail
	if t != nil {
		d = t.detail()
	}
	s.mu.RUnlock()
	if t == nil {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// createTemplate is POST .../permission_templates: 200 with the template.
// A Directory Admin only. The inside of user_access_levels is not
// documented: the simulator takes a level for each tool by name
// ("read_only", "Read Only") or number (0 to 3), and refuses a tool or a
// level it does not know.
func (s *Server) createTemplate(w http.ResponseWriter, r *http.Request, c *caller) {
	if !directoryAdmin(w, c) {
		return
	}
	var body struct {
		T *struct {
			Name             string                     `json:"name"`
			Type             string                     `json:"type"`
			ProjectID        int64                      `json:"project_id"`
			UserAccessLevels map[string]json.RawMessage `json:"user_access_levels"`
		} `json:"permission_template"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	if body.T == nil {
		badRequest(w, map[string][]string{"permission_template": {"is missing"}})
		return
	}
	in := body.T
	t := &template{Name: strings.TrimSpace(in.Name), Type: in.Type, Levels: map[string]int{}}
	errs := map[string][]string{}
	if t.Name == "" {
		errs["name"] = []string{"can't be blank"}
	}
	switch t.Type {
	case typeGlobal, typeCompanyTools:
	case typeProjectSpecific:
		t.ProjectID = in.ProjectID
	default:
		errs["type"] = []string{"must be one of company_tools, global, project_specific"}
	}
	known := map[string]bool{}
	for _, tl := range toolsOf(t) {
		known[tl.Name] = true
	}
	for k, raw := range in.UserAccessLevels {
		lvl, ok := parseLevel(raw)
		if !known[k] || !ok {
			errs["user_access_levels"] = append(errs["user_access_levels"], "unknown tool or level: "+k)
			continue
		}
		t.Levels[k] = lvl
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.Type == typeProjectSpecific && s.st.projByID[t.ProjectID] == nil {
		errs["project_id"] = []string{"is invalid"}
	}
	for _, o := range s.st.templates {
		if strings.EqualFold(o.Name, t.Name) && o.Type == t.Type {
			errs["name"] = []string{"has already been taken"}
		}
	}
	if len(errs) > 0 {
		badRequest(w, errs)
		return
	}
	s.st.addTemplate(t)
	writeJSON(w, http.StatusOK, t.detail())
}

func parseLevel(raw json.RawMessage) (int, bool) {
	var n int
	if json.Unmarshal(raw, &n) == nil {
		return n, n >= levelNone && n <= levelAdmin
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return 0, false
	}
	key := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), " ", "_")
	for i, k := range levelKeys {
		if k == key {
			return i, true
		}
	}
	return 0, false
}

// projectTemplates is GET /rest/v1.0/projects/{pid}/permission_templates:
// the Global templates and the project's own.
func (s *Server) projectTemplates(w http.ResponseWriter, r *http.Request, c *caller) {
	pid, ok := s.project(w, r, c)
	if !ok {
		return
	}
	s.mu.RLock()
	rows := []templateRow{}
	for _, t := range s.st.templates {
		if s.st.projectTemplate(t.ID, pid) != nil {
			rows = append(rows, t.row(false))
		}
	}
	s.mu.RUnlock()
	writeJSON(w, http.StatusOK, rows)
}

// toolRow is a tool of /settings/permissions.
type toolRow struct {
	ID               int64             `json:"id"`
	Name             string            `json:"name"`
	FriendlyName     string            `json:"friendly_name"`
	DomainID         int64             `json:"domain_id"`
	TabGroup         string            `json:"tab_group"`
	AvailableForUser bool              `json:"available_for_user"`
	URL              string            `json:"url"`
	UserAccessLevel  map[string]any    `json:"user_access_level"`
	PermittedActions []permittedAction `json:"permitted_actions"`
	CreateURL        *string           `json:"create_url"`
	CanCreate        bool              `json:"can_create"`
	Trial            bool              `json:"trial"`
}

type permittedAction struct {
	ID         int64  `json:"id"`
	ActionName string `json:"action_name"`
	Label      string `json:"label"`
	ToolName   string `json:"tool_name"`
}

// settingsPermissions is GET /rest/v1.0/settings/permissions: the caller's
// own tools and levels, from its company template (?company_id=) or from
// its template on a project (?project_id=). A tool at level None is left
// out. A 400 takes the {"error":{"code","message"}} shape the reference
// gives it.
func (s *Server) settingsPermissions(w http.ResponseWriter, r *http.Request, c *caller) {
	q := r.URL.Query()
	bad := func(msg string) {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": map[string]string{"code": "bad_request", "message": msg}})
	}
	hasC, hasP := q.Get("company_id") != "", q.Get("project_id") != ""
	if hasC == hasP {
		bad("Provide either company_id or project_id")
		return
	}
	key := "company_id"
	if hasP {
		key = "project_id"
	}
	id, err := strconv.ParseInt(q.Get(key), 10, 64)
	if err != nil {
		bad(key + " must be an integer")
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	u := s.st.users[c.userID]
	var levels map[string]int
	var tools []tool
	var base string
	if hasC {
		if id != s.fx.CompanyID {
			writeJSON(w, http.StatusForbidden, notConnected)
			return
		}
		tools, base = companyTools, "/companies/"+q.Get(key)
		if t := s.st.template(u.CompanyTemplateID); t != nil {
			levels = t.Levels
		}
	} else {
		p := s.st.projByID[id]
		if !s.canSee(c, p) {
			if p == nil {
				writeJSON(w, http.StatusNotFound, map[string]string{"errors": "Project not found"})
			} else {
				forbidden(w, "You do not have access to this project")
			}
			return
		}
		tools, base = projectTools, "/projects/"+q.Get(key)
		tid, in := s.st.members[id][c.userID]
		switch {
		case in && tid == 0:
			tid = u.DefaultTemplateID
		case !in && c.role == roleDMSA:
			tid = u.DefaultTemplateID // permitted through App Management
		}
		if t := s.st.template(tid); t != nil {
			levels = t.Levels
		} else if c.role == roleAdmin {
			levels = map[string]int{}
			for _, tl := range projectTools {
				levels[tl.Name] = levelAdmin
			}
		}
	}
	rows := []toolRow{}
	for _, tl := range tools {
		lvl := levels[tl.Name]
		if lvl == levelNone {
			continue
		}
		var acts []permittedAction
		for i, a := range permitted(lvl) {
			acts = append(acts, permittedAction{ID: tl.ID*100 + int64(i), ActionName: a, Label: strings.ToUpper(a[:1]) + a[1:], ToolName: tl.Name})
		}
		rows = append(rows, toolRow{ID: tl.ID, Name: tl.Name, FriendlyName: tl.Friendly, DomainID: tl.ID, TabGroup: "core",
			AvailableForUser: true, URL: base + "/tools/" + tl.Name,
			UserAccessLevel:  map[string]any{"id": lvl, "name": levelNames[lvl]},
			PermittedActions: acts, CanCreate: lvl >= levelStandard})
	}
	writeJSON(w, http.StatusOK, map[string]any{"tools": rows})
}

// appInstallations is GET /rest/v1.0/app_installations?company_id=: the
// DMSA's app and a marketplace app, installed. App Management is a company admin's; others get
// 403.
func (s *Server) appInstallations(w http.ResponseWriter, r *http.Request, c *caller) {
	q := r.URL.Query()
	raw := q.Get("company_id")
	if raw == "" {
		badRequest(w, map[string][]string{"company_id": {"is missing"}})
		return
	}
	if id, err := strconv.ParseInt(raw, 10, 64); err != nil || id != s.fx.CompanyID {
		writeJSON(w, http.StatusForbidden, notConnected)
		return
	}
	if c.role != roleAdmin {
		forbidden(w, "You do not have permission to view App Management")
		return
	}
	s.mu.RLock()
	admin := s.st.users[s.fx.AdminUserID]
	installed := s.st.installed.UTC().Format(time.RFC3339)
	installer := map[string]any{"id": admin.ID, "login": admin.Login, "name": admin.name(), "is_active": admin.IsActive,
		"contact_id": admin.ID + 500000, "company_name": companyName}
	s.mu.RUnlock()
	rows := []map[string]any{{
		"id": installationID, "app_uid": s.fx.DMSAClientID, "components": []string{"data_connector"},
		"developer_app": map[string]any{"id": developerAppID, "app_type": "service_account", "connectable": false,
			"description": "The company's own integration", "internal": false, "internal_name": appName,
			"marketplace_app": nil, "marketplace_app_url": nil, "name": appName, "published_app_version_id": nil,
			"thumbnail_url": nil, "uid": s.fx.DMSAClientID},
		"installed_at": installed, "installer": installer, "semantic_version": "1.0.0", "status": "installed",
		"uninstalled_at": nil, "uninstaller": nil, "updatable_app_version_id": nil,
	}, {
		"id": helperInstallationID, "app_uid": helperAppUID, "components": []string{"data_connector"},
		"developer_app": map[string]any{"id": helperAppID, "app_type": "service_account", "connectable": false,
			"description": "Bulk actions for company admins", "internal": false, "internal_name": helperAppName,
			"marketplace_app": map[string]any{"id": helperAppID + 1000, "name": helperAppName}, "marketplace_app_url": nil,
			"name": helperAppName, "published_app_version_id": nil, "thumbnail_url": nil, "uid": helperAppUID},
		"installed_at": installed, "installer": installer, "semantic_version": "2.3.0", "status": "installed",
		"uninstalled_at": nil, "uninstaller": nil, "updatable_app_version_id": nil,
	}}
	start, end := paginate(w, r, len(rows))
	writeJSON(w, http.StatusOK, rows[start:end])
}
