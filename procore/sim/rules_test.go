package sim

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// directoryChanges are every request that changes the company directory,
// as a Directory Admin would send them. Each is sent as one of several
// callers; only a Directory Admin's may succeed.
func directoryChanges(e *env) []struct {
	name, method, path string
	body               any
	ok                 int
} {
	cid, u, pid := e.fx.CompanyID, e.fx.ServiceUserID, e.s.ActiveProjectIDs()[0]
	users := fmt.Sprintf("/rest/v1.3/companies/%d/users", cid)
	required := map[string]any{"last_name": "Service", "email_address": e.fx.ServiceUserEmail}
	patch := func(k string, v any) map[string]any {
		m := map[string]any{k: v}
		for k, v := range required {
			m[k] = v
		}
		return map[string]any{"user": m}
	}
	return []struct {
		name, method, path string
		body               any
		ok                 int
	}{
		{"create", "POST", users, map[string]any{"user": map[string]any{"last_name": "N", "email_address": "n@" + companyDomain}}, 201},
		{"update", "PATCH", fmt.Sprintf("%s/%d", users, u), patch("job_title", "X"), 200},
		{"add_to_new_projects", "PATCH", fmt.Sprintf("%s/%d", users, u), patch("add_to_new_projects", true), 200},
		{"templates on the user", "PATCH", fmt.Sprintf("%s/%d", users, u), patch("company_permission_template_id", tmplCompanyStandard), 200},
		{"invite", "PATCH", fmt.Sprintf("%s/%d/invite", users, u), nil, 202},
		{"template", "POST", fmt.Sprintf("/rest/v1.0/companies/%d/permission_templates", cid),
			map[string]any{"permission_template": map[string]any{"name": "T", "type": "global"}}, 200},
		{"add to project", "POST", fmt.Sprintf("/rest/v1.0/projects/%d/users/%d/actions/add", pid, u), nil, 201},
		{"template on a project", "PATCH", fmt.Sprintf("/rest/v1.0/projects/%d/permission_template_assignments", pid),
			map[string]any{"permission_template_assignments": map[string]any{"user_id": u, "permission_template_id": tmplReadOnly}}, 200},
		{"bulk_add", "POST", fmt.Sprintf("/rest/v1.3/companies/%d/users/bulk_add", cid),
			map[string]any{"users": []bulkItem{{u, pid, tmplIntegration}}}, 200},
		{"remove from project", "DELETE", fmt.Sprintf("/rest/v1.0/projects/%d/users/%d/actions/remove", pid, u), nil, 204},
	}
}

// TestDirectoryChangesNeedDirectoryAdmin: a user or DMSA without Directory
// Admin gets 403, with a sentence in "errors", on every directory change,
// and nothing changes; a Directory Admin (the fixture admin, or a DMSA made
// one by Config) succeeds.
func TestDirectoryChangesNeedDirectoryAdmin(t *testing.T) {
	refusedBody := `{"errors":"` + msgNotDirectoryAdmin + `"}`
	noAccessBody := `{"error":"Forbidden","message":"You do not have access to this project"}`
	for _, tt := range []struct {
		name    string
		cfg     func(*Config)
		token   func(*env) string
		allowed bool
	}{
		{"default DMSA", func(c *Config) { c.DMSAPermitAll = true }, func(e *env) string { return e.dmsa() }, false},
		{"member with Directory read", nil, func(e *env) string { return e.memberToken(e.member()) }, false},
		{"service user", nil, func(e *env) string { return e.memberToken(e.fx.ServiceUserID) }, false},
		{"admin", nil, func(e *env) string { return e.admin().AccessToken }, true},
		{"Directory Admin DMSA", func(c *Config) { c.DMSADirectoryAdmin, c.DMSAPermitAll = true, true }, func(e *env) string { return e.dmsa() }, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.cfg)
			tok := tt.token(e)
			pid := e.s.ActiveProjectIDs()[0]
			// The member must see the project for its refusal to be about
			// the directory, not the project.
			e.s.mu.Lock()
			e.s.st.addMember(e.member(), pid, tmplProjectManager)
			e.s.mu.Unlock()
			for _, ch := range directoryChanges(e) {
				before := e.s.Stats().Status[http.StatusForbidden]
				a := e.req(ch.method, ch.path, tok, e.fx.CompanyID, ch.body)
				if tt.allowed {
					if a.status != ch.ok {
						t.Errorf("%s: %d %s, want %d", ch.name, a.status, a.body, ch.ok)
					}
					continue
				}
				body := strings.TrimSpace(string(a.body))
				// A project the caller cannot see is refused as such first.
				if a.status != 403 || body != refusedBody && !(strings.HasPrefix(ch.path, "/rest/v1.0/projects/") && body == noAccessBody) {
					t.Errorf("%s: %d %s, want 403 %s", ch.name, a.status, a.body, refusedBody)
				}
				if e.s.Stats().Status[http.StatusForbidden] != before+1 {
					t.Errorf("%s: not counted as a 403", ch.name)
				}
			}
			if tt.allowed {
				return
			}
			// Nothing changed.
			e.s.mu.RLock()
			defer e.s.mu.RUnlock()
			svc := e.s.st.users[e.fx.ServiceUserID]
			if len(e.s.st.userOrder) != 3+directorySize+1 || svc.JobTitle != "Integration Account" || svc.AddToNewProjects ||
				svc.CompanyTemplateID != 0 || e.s.st.invited[svc.ID] != 0 || len(e.s.st.templates) != 8 || len(e.s.st.addCount) != 1 {
				t.Fatal("a refused change took effect")
			}
			if _, in := e.s.st.members[pid][svc.ID]; in {
				t.Fatal("a refused add took effect")
			}
		})
	}
}

func bulkPath(e *env) string {
	return fmt.Sprintf("/rest/v1.3/companies/%d/users/bulk_add", e.fx.CompanyID)
}

// TestBulkAddShapes: each shape of entities and errors, for a full success
// (200, no errors) and a partial one (207).
func TestBulkAddShapes(t *testing.T) {
	for _, tt := range []struct {
		shape         BulkShape
		ok, partial   string // %[1]d user, %[2]d..%[4]d projects
		partialErrors string
	}{
		{BulkShapeItems,
			`{"entities":[{"userId":"%[1]d","projects":[%[2]d,%[3]d]}]}`,
			`{"entities":[{"userId":"%[1]d","projects":[%[2]d]}],"errors":[{"userId":"%[1]d","projects":[%[4]d]}]}`, ""},
		{BulkShapeProjectObjects,
			`{"entities":[{"userId":"%[1]d","projects":[{"id":%[2]d},{"id":%[3]d}]}]}`,
			`{"entities":[{"userId":"%[1]d","projects":[{"id":%[2]d}]}],"errors":[{"userId":"%[1]d","projects":[{"id":%[4]d,"message":"Project not found or not permitted"}]}]}`, ""},
		{BulkShapeSingleKey,
			`{"entities":[{"%[1]d":[%[2]d,%[3]d]}]}`,
			`{"entities":[{"%[1]d":[%[2]d]}],"errors":[{"%[1]d":[%[4]d]}]}`, ""},
		{BulkShapeKeyed,
			`{"entities":{"%[1]d":[%[2]d,%[3]d]}}`,
			`{"entities":{"%[1]d":[%[2]d]},"errors":{"%[1]d":[%[4]d]}}`, ""},
	} {
		t.Run(strconv.Itoa(int(tt.shape)), func(t *testing.T) {
			e := newEnv(t, func(c *Config) { c.DMSADirectoryAdmin = true })
			e.s.SetFaults(Faults{BulkAddShape: tt.shape})
			d := e.dmsa()
			ids := e.s.ActiveProjectIDs()
			e.s.SetPermittedProjects(ids[:3])
			u := e.fx.ServiceUserID
			a := e.req("POST", bulkPath(e), d, e.fx.CompanyID, map[string]any{"users": []bulkItem{{u, ids[0], tmplIntegration}, {u, ids[1], tmplIntegration}, {u, ids[0], tmplIntegration}}})
			wantStatus(t, a, 200)
			wantBody(t, a, fmt.Sprintf(tt.ok, u, ids[0], ids[1]))
			a = e.req("POST", bulkPath(e), d, e.fx.CompanyID, map[string]any{"users": []bulkItem{{u, ids[2], tmplIntegration}, {u, ids[9], tmplIntegration}}})
			wantStatus(t, a, 207)
			wantBody(t, a, fmt.Sprintf(tt.partial, u, ids[2], 0, ids[9]))
		})
	}
}

func TestBulkAddRules(t *testing.T) {
	e := newEnv(t, nil)
	adm := e.admin().AccessToken
	ids := e.s.ActiveProjectIDs()
	u := e.fx.ServiceUserID
	// A user already in a project keeps its template.
	e.s.mu.Lock()
	e.s.st.addMember(u, ids[0], tmplReadOnly)
	e.s.mu.Unlock()
	a := e.req("POST", bulkPath(e), adm, e.fx.CompanyID, map[string]any{"users": []bulkItem{
		{u, ids[0], tmplIntegration}, {u, ids[1], tmplIntegration},
		{u, ids[2], 0},                          // no template
		{u, ids[3], tmplCompanyAdmin},           // not a project template
		{u, projectBase + 2, tmplProjectCustom}, // project 1's own
		{42, ids[4], tmplIntegration},           // no such user
	}})
	wantStatus(t, a, 207)
	wantBody(t, a, fmt.Sprintf(`{"entities":[{"userId":"%[1]d","projects":[%[2]d,%[3]d]}],"errors":[{"userId":"%[1]d","projects":[%[4]d,%[5]d,%[6]d]},{"userId":"42","projects":[%[7]d]}]}`,
		u, ids[0], ids[1], ids[2], ids[3], projectBase+2, ids[4]))
	if tid, _ := e.s.MemberTemplate(u, ids[0]); tid != tmplReadOnly {
		t.Fatalf("template changed to %d", tid)
	}
	for _, body := range []any{map[string]any{}, map[string]any{"users": []bulkItem{}}} {
		a = e.req("POST", bulkPath(e), adm, e.fx.CompanyID, body)
		wantStatus(t, a, 400)
		wantBody(t, a, `{"errors":{"users":["can't be blank"]}}`)
	}
	e.s.SetFaults(Faults{BulkAddRefused: true})
	a = e.req("POST", bulkPath(e), adm, e.fx.CompanyID, map[string]any{"users": []bulkItem{{u, ids[5], tmplIntegration}}})
	wantStatus(t, a, 403)
	wantBody(t, a, `{"error":"Forbidden","message":"This app does not have permission to bulk add users to projects"}`)
}

// TestBulkAddOverLimitIsAsync: more than 1,000 triplets are accepted, not
// refused, and done later: the answer lists nothing, and project_assignments
// shows them once the worker has run.
func TestBulkAddOverLimitIsAsync(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Projects = 1200; c.BulkAsyncDelay = 3 * time.Second })
	adm := e.admin().AccessToken
	ids := e.s.ActiveProjectIDs() // 1,080
	u := e.fx.ServiceUserID
	items := make([]bulkItem, 0, len(ids))
	for _, p := range ids {
		items = append(items, bulkItem{u, p, tmplIntegration})
	}
	a := e.req("POST", bulkPath(e), adm, e.fx.CompanyID, map[string]any{"users": items})
	wantStatus(t, a, 200)
	wantBody(t, a, `{"entities":[]}`)
	assigned := func() string {
		return e.get(fmt.Sprintf("/rest/v1.0/companies/%d/users/%d/project_assignments?filters[assignment_status]=assigned", e.fx.CompanyID, u), adm).header.Get("Total")
	}
	if n := assigned(); n != "0" || e.s.PendingBulkAdds() != 1 {
		t.Fatalf("done at once: %s assigned", n)
	}
	e.clk.Advance(3*time.Second - time.Nanosecond)
	if n := assigned(); n != "0" {
		t.Fatalf("done early: %s", n)
	}
	e.clk.Advance(time.Nanosecond)
	if n := assigned(); n != strconv.Itoa(len(ids)) || e.s.PendingBulkAdds() != 0 {
		t.Fatalf("after the delay: %s of %d", n, len(ids))
	}
	// Exactly 1,000 is done at once.
	e2 := newEnv(t, func(c *Config) { c.Projects = 1200 })
	a = e2.req("POST", bulkPath(e2), e2.admin().AccessToken, e2.fx.CompanyID, map[string]any{"users": items[:1000]})
	wantStatus(t, a, 200)
	if len(e2.s.ProjectMembers(ids[999])) == 0 || e2.s.PendingBulkAdds() != 0 {
		t.Fatal("1,000 triplets not done at once")
	}
}

// TestDropAnswers: the targeted fault lets the next N requests of a route
// take effect and drops their answers, then answers again.
func TestDropAnswers(t *testing.T) {
	e := newEnv(t, nil)
	adm := e.admin().AccessToken
	ids := e.s.ActiveProjectIDs()
	u := e.fx.ServiceUserID
	route := "POST /rest/v1.3/companies/{cid}/users/bulk_add"
	e.s.SetFaults(Faults{DropAnswers: map[string]int{route: 2}})
	send := func(p int64) (int, error) {
		r, _ := http.NewRequest("POST", e.ts.URL+bulkPath(e), strings.NewReader(fmt.Sprintf(`{"users":[{"user_id":%d,"project_id":%d,"permission_template_id":%d}]}`, u, p, tmplIntegration)))
		r.Header.Set("Authorization", "Bearer "+adm)
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Procore-Company-Id", strconv.FormatInt(e.fx.CompanyID, 10))
		resp, err := e.ts.Client().Do(r)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	// Another route is untouched.
	wantStatus(t, e.get("/rest/v1.0/me", adm), 200)
	for i, p := range ids[:3] {
		status, err := send(p)
		if i < 2 && err == nil {
			t.Fatalf("request %d answered %d", i, status)
		}
		if i == 2 && (err != nil || status != 200) {
			t.Fatalf("third request: %d %v", status, err)
		}
		if e.s.AddCount(u, p) != 1 {
			t.Fatalf("request %d had no effect", i)
		}
	}
	if st := e.s.Stats(); st.Dropped != 2 || st.ByRoute[route] != 3 {
		t.Fatalf("stats %+v", st)
	}
}

// TestOAuthMultipart: /oauth/token and /oauth/revoke take multipart bodies,
// as the docs' curl -F examples send them.
func TestOAuthMultipart(t *testing.T) {
	e := newEnv(t, nil)
	a := e.formReq("POST", "/oauth/token", "", 0, url.Values{"grant_type": {"client_credentials"},
		"client_id": {e.fx.DMSAClientID}, "client_secret": {e.fx.DMSAClientSecret}}, true)
	wantStatus(t, a, 200)
	var tok tokenResponse
	a.json(t, &tok)
	wantKeys(t, a, "access_token", "token_type", "expires_in", "created_at")
	wantStatus(t, e.get("/rest/v1.0/me", tok.AccessToken), 200)
	adm := e.admin()
	a = e.formReq("POST", "/oauth/token", "", 0, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {adm.RefreshToken},
		"client_id": {e.fx.AdminClientID}, "client_secret": {e.fx.AdminClientSecret}}, true)
	wantStatus(t, a, 200)
	wantKeys(t, a, "access_token", "token_type", "expires_in", "refresh_token", "created_at")
	a = e.formReq("POST", "/oauth/revoke", "", 0, url.Values{"token": {tok.AccessToken},
		"client_id": {e.fx.DMSAClientID}, "client_secret": {e.fx.DMSAClientSecret}}, true)
	wantStatus(t, a, 200)
	wantStatus(t, e.get("/rest/v1.0/me", tok.AccessToken), 401)
}

// TestDMSADirectoryAdminConfig: the Config switch, and the default.
func TestDMSADirectoryAdminConfig(t *testing.T) {
	for _, admin := range []bool{false, true} {
		e := newEnv(t, func(c *Config) { c.DMSADirectoryAdmin = admin })
		var me map[string]any
		e.get(fmt.Sprintf("/rest/v1.0/companies/%d/me", e.fx.CompanyID), e.dmsa()).json(t, &me)
		want := float64(tmplIntegrationCompany)
		if admin {
			want = float64(tmplCompanyAdmin)
		}
		if me["company_permission_template_id"] != want || me["is_employee"] != false {
			t.Errorf("DMSADirectoryAdmin=%t: %v", admin, me)
		}
	}
	if !slices.Equal(New(Config{Seed: 1}).DMSAProjects(), nil) {
		t.Fatal("the default DMSA is permitted projects")
	}
}
