package sim

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// One table test per endpoint of Procore's reference, and of the ones
// the reference adds: status, the keys of the answer, and the rule the row
// states. Who may change the directory has its own test below.

// Keys of a directory row, a user's detail (create, update,
// /companies/{cid}/me) and a project assignment, as the reference lists them.
var (
	commonKeys = []string{"address", "avatar", "business_id", "business_phone", "business_phone_extension", "city",
		"country_code", "created_at", "email_address", "email_signature", "employee_id", "fax_number", "first_name",
		"id", "initials", "is_active", "is_employee", "job_title", "last_login_at", "last_name", "mobile_phone",
		"name", "notes", "origin_data", "origin_id", "state_code", "updated_at", "vendor", "work_classification_id", "zip"}
	rowKeys    = append(slices.Clone(commonKeys), "contact_id", "erp_integrated_accountant", "welcome_email_sent_at", "permission_template", "company_permission_template")
	detailKeys = append(slices.Clone(commonKeys), "add_to_new_projects", "is_insurance_manager", "default_permission_template_id", "company_permission_template_id")
	asgKeys    = []string{"project_id", "name", "project_number", "address", "stage", "is_assigned", "active", "roles",
		"permission_template_name", "region", "program", "project_type"}
)

func TestMe(t *testing.T) {
	e := newEnv(t, nil)
	adm, d := e.admin().AccessToken, e.dmsa()
	dmsaLogin := e.fx.DMSALogin
	tests := []struct {
		name    string
		token   string
		company int64
		query   string
		status  int
		body    string
	}{
		{"user token, no header", adm, 0, "", 200, fmt.Sprintf(`{"id":%d,"login":%q}`, e.fx.AdminUserID, e.fx.AdminLogin)},
		{"user token with header", adm, e.fx.CompanyID, "", 200, fmt.Sprintf(`{"id":%d,"login":%q}`, e.fx.AdminUserID, e.fx.AdminLogin)},
		{"name with company_id", adm, e.fx.CompanyID, fmt.Sprintf("?company_id=%d", e.fx.CompanyID), 200,
			fmt.Sprintf(`{"id":%d,"login":%q,"name":"Morgan Reyes"}`, e.fx.AdminUserID, e.fx.AdminLogin)},
		{"company_id needs the header", adm, 0, fmt.Sprintf("?company_id=%d", e.fx.CompanyID), 400, `{"errors":"Missing Procore-Company-Id header!"}`},
		{"DMSA needs the header", d, 0, "", 400, `{"errors":"Missing Procore-Company-Id header!"}`},
		{"DMSA", d, e.fx.CompanyID, "", 200, fmt.Sprintf(`{"id":%d,"login":%q}`, e.fx.DMSAUserID, dmsaLogin)},
		{"DMSA, other company", d, e.fx.OtherCompanyID, "", 403, `{"error":"Forbidden","message":"App is not connected to this company"}`},
		{"no token", "", e.fx.CompanyID, "", 401, `{"errors":"Unauthorized"}`},
		{"bad token", "garbage", e.fx.CompanyID, "", 401, `{"errors":"Unauthorized"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := e.req("GET", "/rest/v1.0/me"+tt.query, tt.token, tt.company, nil)
			wantStatus(t, a, tt.status)
			wantBody(t, a, tt.body)
		})
	}
}

func TestCompanies(t *testing.T) {
	e := newEnv(t, nil)
	adm, d := e.admin().AccessToken, e.dmsa()
	row := func(mine bool) string {
		return fmt.Sprintf(`[{"id":%d,"name":"Riverside Builders Inc.","is_active":true,"logo_url":null,"pcn_business_experience":false,"my_company":%t}]`, e.fx.CompanyID, mine)
	}
	tests := []struct {
		name    string
		token   string
		company int64
		status  int
		body    string
	}{
		{"user token, no header", adm, 0, 200, row(true)},
		{"DMSA with header", d, e.fx.CompanyID, 200, row(false)},
		{"DMSA without header", d, 0, 400, `{"errors":"Missing Procore-Company-Id header!"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := e.req("GET", "/rest/v1.0/companies", tt.token, tt.company, nil)
			wantStatus(t, a, tt.status)
			wantBody(t, a, tt.body)
			if tt.status == 200 {
				wantHeader(t, a, "Total", "1")
			}
		})
	}
	wantStatus(t, e.get("/rest/v1.0/nothing", d), 404)
	wantStatus(t, e.get(fmt.Sprintf("/rest/v1.3/companies/%d/users", e.fx.OtherCompanyID), d), 403)
}

func TestCompanyMe(t *testing.T) {
	e := newEnv(t, nil)
	path := fmt.Sprintf("/rest/v1.0/companies/%d/me", e.fx.CompanyID)
	for _, tt := range []struct {
		name  string
		token string
		id    int64
		def   any
		co    any
	}{
		{"admin", e.admin().AccessToken, e.fx.AdminUserID, float64(tmplProjectManager), float64(tmplCompanyAdmin)},
		{"DMSA", e.dmsa(), e.fx.DMSAUserID, float64(tmplIntegration), float64(tmplIntegrationCompany)},
		{"service user", e.memberToken(e.fx.ServiceUserID), e.fx.ServiceUserID, float64(tmplIntegration), nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := e.get(path, tt.token)
			wantStatus(t, a, 200)
			wantKeys(t, a, detailKeys...)
			var m map[string]any
			a.json(t, &m)
			if m["id"] != float64(tt.id) || m["add_to_new_projects"] != false || m["default_permission_template_id"] != tt.def || m["company_permission_template_id"] != tt.co {
				t.Fatalf("%s", a.body)
			}
		})
	}
}

func TestProjectsFiltersAndPagination(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.admin().AccessToken
	base := fmt.Sprintf("/rest/v1.1/projects?company_id=%d", e.fx.CompanyID)
	count := func(q string) int {
		t.Helper()
		a := e.get(base+q, tok)
		wantStatus(t, a, 200)
		n, _ := strconv.Atoi(a.header.Get("Total"))
		return n
	}
	if a, i, all := count("&filters[by_status]=Active"), count("&filters[by_status]=Inactive"), count("&filters[by_status]=All"); a != 225 || i != 25 || all != 250 {
		t.Fatalf("active %d inactive %d all %d", a, i, all)
	}
	if n := count(""); n != 225 {
		t.Fatalf("default lists active projects: %d", n)
	}
	wantStatus(t, e.get(base+"&filters[by_status]=Closed", tok), 400)
	wantStatus(t, e.get("/rest/v1.1/projects", tok), 400)

	var rows []struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	}
	a := e.get(base+"&filters[name]="+url.QueryEscape("project 0007"), tok)
	a.json(t, &rows)
	if len(rows) != 1 || !strings.HasPrefix(rows[0].Name, "Project 0007 – ") || rows[0].ID != projectBase+7 {
		t.Fatalf("name filter: %s", a.body)
	}

	host := e.ts.Listener.Addr().String()
	link := func(page, per int, rel string) string {
		return fmt.Sprintf(`<http://%s/rest/v1.1/projects?company_id=%d&filters%%5Bby_status%%5D=All&page=%d&per_page=%d>; rel="%s"`,
			host, e.fx.CompanyID, page, per, rel)
	}
	all := base + "&filters[by_status]=All"
	a = e.get(all+"&per_page=100", tok)
	wantHeader(t, a, "Total", "250")
	wantHeader(t, a, "Per-Page", "100")
	wantHeader(t, a, "Link", link(2, 100, "next")+", "+link(3, 100, "last"))
	a.json(t, &rows)
	if len(rows) != 100 || rows[0].ID != projectBase+1 || rows[99].ID != projectBase+100 {
		t.Fatalf("page 1: %d rows", len(rows))
	}
	a = e.get(all+"&per_page=100&page=2", tok)
	wantHeader(t, a, "Link", link(1, 100, "first")+", "+link(1, 100, "prev")+", "+link(3, 100, "next")+", "+link(3, 100, "last"))
	a = e.get(all+"&per_page=100&page=3", tok)
	wantHeader(t, a, "Link", link(1, 100, "first")+", "+link(2, 100, "prev"))
	a.json(t, &rows)
	if len(rows) != 50 || rows[49].ID != projectBase+250 {
		t.Fatalf("page 3: %d rows", len(rows))
	}
	wantHeader(t, e.get(all, tok), "Per-Page", "100")
	a = e.get(all+"&per_page=1000", tok)
	wantHeader(t, a, "Per-Page", "300")
	wantHeader(t, a, "Link", "")
	seen := map[int64]bool{}
	next := e.ts.URL + all + "&per_page=30"
	for next != "" {
		a = e.get(strings.TrimPrefix(next, e.ts.URL), tok)
		a.json(t, &rows)
		for _, r := range rows {
			if seen[r.ID] {
				t.Fatalf("project %d twice", r.ID)
			}
			seen[r.ID] = true
		}
		next = ""
		for _, part := range strings.Split(a.header.Get("Link"), ", ") {
			if strings.HasSuffix(part, `rel="next"`) {
				next = part[1:strings.Index(part, ">")]
			}
		}
	}
	if len(seen) != 250 {
		t.Fatalf("followed links to %d projects", len(seen))
	}
}

// TestProjectVisibility: an admin sees every project, a member its own, the
// DMSA its permitted ones (none at first).
func TestProjectVisibility(t *testing.T) {
	list := func(e *env, tok string) int {
		a := e.get(fmt.Sprintf("/rest/v1.1/projects?company_id=%d&filters[by_status]=All", e.fx.CompanyID), tok)
		wantStatus(t, a, 200)
		n, _ := strconv.Atoi(a.header.Get("Total"))
		return n
	}
	e := newEnv(t, nil)
	mine := 0
	for _, p := range e.s.st.projects {
		if _, ok := e.s.st.members[p.ID][e.member()]; ok {
			mine++
		}
	}
	for _, tt := range []struct {
		name  string
		token string
		want  int
	}{
		{"admin", e.admin().AccessToken, 250},
		{"DMSA", e.dmsa(), 0},
		{"member", e.memberToken(e.member()), mine},
		{"service user", e.memberToken(e.fx.ServiceUserID), 0},
	} {
		if n := list(e, tt.token); n != tt.want || tt.name == "member" && mine == 0 {
			t.Errorf("%s sees %d projects, want %d", tt.name, n, tt.want)
		}
	}
	all := newEnv(t, func(c *Config) { c.DMSAPermitAll = true })
	if n := list(all, all.dmsa()); n != 250 {
		t.Errorf("DMSAPermitAll: %d", n)
	}
}

// TestDMSAPermittedProjects: the DMSA's projects grow as a Directory Admin
// adds its user, and new projects join only with add_to_new_projects.
func TestDMSAPermittedProjects(t *testing.T) {
	e := newEnv(t, nil)
	adm, d := e.admin().AccessToken, e.dmsa()
	ids := e.s.ActiveProjectIDs()
	if got := e.s.DMSAProjects(); len(got) != 0 {
		t.Fatalf("permitted at start: %v", got)
	}
	wantStatus(t, e.get(fmt.Sprintf("/rest/v1.0/projects/%d/users", ids[0]), d), 403)
	wantStatus(t, e.req("POST", fmt.Sprintf("/rest/v1.0/projects/%d/users/%d/actions/add", ids[0], e.fx.DMSAUserID), adm, e.fx.CompanyID, nil), 201)
	if got := e.s.DMSAProjects(); !slices.Equal(got, ids[:1]) {
		t.Fatalf("after adding its user: %v", got)
	}
	wantStatus(t, e.get(fmt.Sprintf("/rest/v1.0/projects/%d/users", ids[0]), d), 200)
	// A new project without add_to_new_projects: not permitted.
	p1 := e.s.AddProject("New One")
	if slices.Contains(e.s.DMSAProjects(), p1) {
		t.Fatal("new project permitted without add_to_new_projects")
	}
	user := fmt.Sprintf("/rest/v1.3/companies/%d/users/%d", e.fx.CompanyID, e.fx.DMSAUserID)
	a := e.req("PATCH", user, adm, e.fx.CompanyID, map[string]any{"user": map[string]any{
		"last_name": "(DMSA)", "email_address": e.fx.DMSALogin, "add_to_new_projects": true}})
	wantStatus(t, a, 200)
	p2 := e.s.AddProject("New Two")
	if !slices.Contains(e.s.DMSAProjects(), p2) || slices.Contains(e.s.DMSAProjects(), p1) {
		t.Fatalf("permitted %v", e.s.DMSAProjects())
	}
	if tid, _ := e.s.MemberTemplate(e.fx.DMSAUserID, p2); tid != tmplIntegration {
		t.Fatalf("new project template %d, want the default %d", tid, tmplIntegration)
	}
	// App Management's own list counts besides.
	e.s.SetPermittedProjects(ids[5:7])
	if got := e.s.DMSAProjects(); len(got) != 4 {
		t.Fatalf("with App Management's: %v", got)
	}
}

func TestCompanyUsers(t *testing.T) {
	e := newEnv(t, nil)
	d := e.dmsa()
	users := fmt.Sprintf("/rest/v1.3/companies/%d/users", e.fx.CompanyID)
	a := e.get(users, d)
	wantStatus(t, a, 200)
	wantKeys(t, a, rowKeys...)
	var list []map[string]any
	a.json(t, &list)
	if len(list) != 3+directorySize {
		t.Fatalf("%d users", len(list))
	}
	wantHeader(t, a, "Total", strconv.Itoa(3+directorySize))
	for _, u := range list {
		if _, ok := u["login"]; ok {
			t.Fatal("a row carries login")
		}
		if _, ok := u["add_to_new_projects"]; ok {
			t.Fatal("a row carries add_to_new_projects")
		}
	}
	a = e.get(users+"?per_page=10&page=2", d)
	a.json(t, &list)
	if len(list) != 10 || !strings.Contains(a.header.Get("Link"), `rel="first"`) {
		t.Fatalf("page 2: %d rows, Link %q", len(list), a.header.Get("Link"))
	}
	for _, tt := range []struct {
		search string
		want   int64
	}{
		{strings.ToUpper(e.fx.ServiceUserEmail), e.fx.ServiceUserID},
		{"morgan", e.fx.AdminUserID},
		{"company administrator", e.fx.AdminUserID},
	} {
		e.get(users+"?filters[search]="+url.QueryEscape(tt.search), d).json(t, &list)
		if len(list) != 1 || list[0]["id"] != float64(tt.want) {
			t.Errorf("search %q: %v", tt.search, list)
		}
	}

	a = e.get(fmt.Sprintf("%s/%d", users, e.fx.ServiceUserID), d)
	wantStatus(t, a, 200)
	wantKeys(t, a, rowKeys...)
	var one map[string]any
	a.json(t, &one)
	pt := one["permission_template"].(map[string]any)
	if one["email_address"] != e.fx.ServiceUserEmail || pt["id"] != float64(e.fx.TemplateID) || pt["type"] != "global" ||
		one["company_permission_template"] != nil || one["vendor"].(map[string]any)["name"] != companyName {
		t.Fatalf("get user: %s", a.body)
	}
	wantStatus(t, e.get(users+"/42", d), 404)
	// A user without Directory read access may read itself only.
	svc := e.memberToken(e.fx.ServiceUserID)
	wantStatus(t, e.get(fmt.Sprintf("%s/%d", users, e.fx.ServiceUserID), svc), 200)
	wantStatus(t, e.get(fmt.Sprintf("%s/%d", users, e.fx.AdminUserID), svc), 403)
	a = e.get(users, svc)
	wantStatus(t, a, 403)
	wantBody(t, a, `{"errors":"`+msgNoDirectoryRead+`"}`)
}

func TestInactiveUsers(t *testing.T) {
	e := newEnv(t, nil)
	d := e.dmsa()
	a := e.get(fmt.Sprintf("/rest/v1.0/companies/%d/users/inactive", e.fx.CompanyID), d)
	wantStatus(t, a, 200)
	wantKeys(t, a, rowKeys...)
	var list []map[string]any
	a.json(t, &list)
	if len(list) != 1 || list[0]["email_address"] != "former.employee@"+companyDomain || list[0]["is_active"] != false {
		t.Fatalf("inactive: %s", a.body)
	}
	// The reference has it at v1.0 only.
	wantStatus(t, e.get(fmt.Sprintf("/rest/v1.3/companies/%d/users/inactive", e.fx.CompanyID), d), 404)
}

func TestCreateUser(t *testing.T) {
	e := newEnv(t, nil)
	adm := e.admin().AccessToken
	users := fmt.Sprintf("/rest/v1.3/companies/%d/users", e.fx.CompanyID)
	tests := []struct {
		name   string
		body   any    // JSON, unless form is set
		form   string // "multipart" or "urlencoded"
		status int
		want   string // the body, or "" to check the created user
	}{
		{"no user", map[string]any{}, "", 400, `{"errors":{"user":["is missing"]}}`},
		{"no body", nil, "", 400, `{"errors":{"user":["is missing"]}}`},
		{"missing fields", map[string]any{"user": map[string]any{"first_name": "New"}}, "", 400,
			`{"errors":{"email_address":["is missing"],"last_name":["is missing"]}}`},
		{"blank last name", map[string]any{"user": map[string]any{"last_name": " ", "email_address": "x@y.example"}}, "", 400,
			`{"errors":{"last_name":["can't be blank"]}}`},
		{"bad email", map[string]any{"user": map[string]any{"last_name": "A", "email_address": "nope"}}, "", 400,
			`{"errors":{"email_address":["is invalid"]}}`},
		{"company template as default", map[string]any{"user": map[string]any{"last_name": "A", "email_address": "a@y.example",
			"default_permission_template_id": tmplCompanyAdmin}}, "", 400,
			`{"errors":{"default_permission_template_id":["is not a project permission template"]}}`},
		{"unknown vendor", map[string]any{"user": map[string]any{"last_name": "A", "email_address": "a@y.example", "vendor_id": 5}}, "", 400,
			`{"errors":{"vendor_id":["is invalid"]}}`},
		{"bad JSON", "{not json", "", 400, ""},
		{"JSON", map[string]any{"user": map[string]any{"first_name": "Sync", "last_name": "Bot", "email_address": "sync.bot@" + companyDomain,
			"default_permission_template_id": e.fx.TemplateID, "company_permission_template_id": tmplCompanyStandard, "vendor_id": vendorBase + 1}}, "", 201, ""},
		{"duplicate email", map[string]any{"user": map[string]any{"last_name": "Again", "email_address": "SYNC.BOT@" + companyDomain}}, "", 409,
			`{"errors":{"email_address":["has already been taken"]}}`},
		{"multipart", url.Values{"user[last_name]": {"Form"}, "user[email_address]": {"form@" + companyDomain}, "user[is_employee]": {"true"}}, "multipart", 201, ""},
		{"urlencoded", url.Values{"user[last_name]": {"Plain"}, "user[email_address]": {"plain@" + companyDomain}}, "urlencoded", 201, ""},
		{"multipart without user", url.Values{"last_name": {"X"}}, "multipart", 400, `{"errors":{"user":["is missing"]}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a answer
			if tt.form != "" {
				a = e.formReq("POST", users, adm, e.fx.CompanyID, tt.body.(url.Values), tt.form == "multipart")
			} else {
				a = e.req("POST", users, adm, e.fx.CompanyID, tt.body)
			}
			wantStatus(t, a, tt.status)
			if tt.want != "" {
				wantBody(t, a, tt.want)
			}
			if tt.status != 201 {
				return
			}
			wantKeys(t, a, detailKeys...)
			var u map[string]any
			a.json(t, &u)
			if u["add_to_new_projects"] != false || u["is_active"] != true {
				t.Fatalf("created %s", a.body)
			}
			switch tt.name {
			case "JSON":
				if u["is_employee"] != false || u["name"] != "Sync Bot" || u["default_permission_template_id"] != float64(e.fx.TemplateID) ||
					u["company_permission_template_id"] != float64(tmplCompanyStandard) {
					t.Fatalf("created %s", a.body)
				}
				// Both template ids are kept and show in the row.
				var row map[string]any
				e.get(fmt.Sprintf("%s/%v", users, int64(u["id"].(float64))), adm).json(t, &row)
				if row["permission_template"].(map[string]any)["id"] != float64(e.fx.TemplateID) ||
					row["company_permission_template"].(map[string]any)["id"] != float64(tmplCompanyStandard) {
					t.Fatalf("row %v", row)
				}
			case "multipart":
				if u["is_employee"] != true || u["last_name"] != "Form" {
					t.Fatalf("created %s", a.body)
				}
			}
		})
	}
}

func TestUpdateUser(t *testing.T) {
	e := newEnv(t, nil)
	adm := e.admin().AccessToken
	path := fmt.Sprintf("/rest/v1.3/companies/%d/users/%d", e.fx.CompanyID, e.fx.ServiceUserID)
	required := map[string]any{"last_name": "Service", "email_address": e.fx.ServiceUserEmail}
	with := func(kv ...any) map[string]any {
		u := map[string]any{}
		for k, v := range required {
			u[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			u[kv[i].(string)] = kv[i+1]
		}
		return map[string]any{"user": u}
	}
	tests := []struct {
		name   string
		body   any
		form   bool
		status int
		want   string
	}{
		{"only the flag", map[string]any{"user": map[string]any{"add_to_new_projects": true}}, false, 400,
			`{"errors":{"email_address":["is missing"],"last_name":["is missing"]}}`},
		{"no user", map[string]any{}, false, 400, `{"errors":{"user":["is missing"]}}`},
		{"bad boolean", with("add_to_new_projects", "maybe"), false, 400, `{"errors":{"add_to_new_projects":["must be true or false"]}}`},
		{"taken email", with("email_address", e.fx.AdminLogin), false, 409, ""},
		{"blank last name", with("last_name", " "), false, 400, `{"errors":{"last_name":["can't be blank"]}}`},
		{"rename", with("first_name", "[Technical Account]", "last_name", "ADMIN HELPER"), false, 200, ""},
		{"JSON", with("add_to_new_projects", true, "job_title", "Bot"), false, 200, ""},
		{"multipart", url.Values{"user[last_name]": {"ADMIN HELPER"}, "user[email_address]": {e.fx.ServiceUserEmail},
			"user[add_to_new_projects]": {"false"}, "user[company_permission_template_id]": {strconv.FormatInt(tmplCompanyStandard, 10)}}, true, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a answer
			if tt.form {
				a = e.formReq("PATCH", path, adm, e.fx.CompanyID, tt.body.(url.Values), true)
			} else {
				a = e.req("PATCH", path, adm, e.fx.CompanyID, tt.body)
			}
			wantStatus(t, a, tt.status)
			if tt.want != "" {
				wantBody(t, a, tt.want)
			}
			if tt.status != 200 {
				return
			}
			wantKeys(t, a, detailKeys...)
			var u map[string]any
			a.json(t, &u)
			switch tt.name {
			case "rename":
				var row map[string]any
				e.get(path, adm).json(t, &row)
				if u["first_name"] != "[Technical Account]" || row["first_name"] != "[Technical Account]" || row["last_name"] != "ADMIN HELPER" || row["name"] != "[Technical Account] ADMIN HELPER" {
					t.Fatalf("renamed %s, then read %v", a.body, row)
				}
				required["last_name"] = "ADMIN HELPER"
			case "JSON":
				if u["add_to_new_projects"] != true || u["job_title"] != "Bot" || !e.s.AddToNewProjects(e.fx.ServiceUserID) {
					t.Fatalf("patched %s", a.body)
				}
			case "multipart":
				if u["add_to_new_projects"] != false || u["company_permission_template_id"] != float64(tmplCompanyStandard) || u["job_title"] != "Bot" {
					t.Fatalf("patched %s", a.body)
				}
			}
		})
	}
	wantStatus(t, e.req("PATCH", fmt.Sprintf("/rest/v1.3/companies/%d/users/42", e.fx.CompanyID), adm, e.fx.CompanyID, with()), 404)
}

func TestInvite(t *testing.T) {
	e := newEnv(t, nil)
	adm := e.admin().AccessToken
	path := fmt.Sprintf("/rest/v1.3/companies/%d/users/%d/invite", e.fx.CompanyID, e.fx.ServiceUserID)
	a := e.req("PATCH", path, adm, e.fx.CompanyID, nil)
	wantStatus(t, a, 202)
	wantBody(t, a, `{}`)
	if e.s.InviteCount(e.fx.ServiceUserID) != 1 {
		t.Fatal("no invitation counted")
	}
	var row map[string]any
	e.get(fmt.Sprintf("/rest/v1.3/companies/%d/users/%d", e.fx.CompanyID, e.fx.ServiceUserID), adm).json(t, &row)
	if row["welcome_email_sent_at"] != start.UTC().Format(time.RFC3339) {
		t.Fatalf("welcome_email_sent_at %v", row["welcome_email_sent_at"])
	}
	wantStatus(t, e.req("PATCH", fmt.Sprintf("/rest/v1.3/companies/%d/users/42/invite", e.fx.CompanyID), adm, e.fx.CompanyID, nil), 404)
}

func TestProjectAssignments(t *testing.T) {
	e := newEnv(t, nil)
	adm := e.admin().AccessToken
	ids := e.s.ActiveProjectIDs()
	u := e.fx.ServiceUserID
	for _, p := range ids[:3] {
		wantStatus(t, e.req("POST", fmt.Sprintf("/rest/v1.0/projects/%d/users/%d/actions/add", p, u), adm, e.fx.CompanyID, nil), 201)
	}
	inactive := projectBase + 10
	wantStatus(t, e.req("POST", fmt.Sprintf("/rest/v1.0/projects/%d/users/%d/actions/add", inactive, u), adm, e.fx.CompanyID, nil), 201)
	path := fmt.Sprintf("/rest/v1.0/companies/%d/users/%d/project_assignments", e.fx.CompanyID, u)
	a := e.get(path+"?per_page=1", adm)
	wantStatus(t, a, 200)
	wantKeys(t, a, asgKeys...)
	p0 := e.s.st.projByID[ids[0]]
	wantBody(t, a, fmt.Sprintf(`[{"project_id":%d,"name":%q,"project_number":"0001","address":%q,"stage":"Course of Construction",`+
		`"is_assigned":true,"active":true,"roles":[],"permission_template_name":"Integration Service Account","region":null,"program":null,"project_type":null}]`,
		p0.ID, p0.Name, p0.Address))
	tests := []struct {
		query  string
		status int
		total  int
	}{
		{"", 200, 250},
		{"?filters[by_status]=All", 200, 250},
		{"?filters[by_status]=Active", 200, 225},
		{"?filters[by_status]=Inactive", 200, 25},
		{"?filters[assignment_status]=assigned", 200, 4},
		{"?filters[assignment_status]=unassigned", 200, 246},
		{"?filters[assignment_status]=assigned&filters[by_status]=Active", 200, 3},
		{"?filters[assignment_status]=assigned&filters[active]=true", 200, 3},
		{"?filters[name]=" + url.QueryEscape("project 0002"), 200, 1},
		{"?filters[by_status]=Closed", 400, 0},
		{"?filters[assignment_status]=maybe", 400, 0},
	}
	for _, tt := range tests {
		a := e.get(path+tt.query, adm)
		wantStatus(t, a, tt.status)
		if tt.status == 200 {
			if n, _ := strconv.Atoi(a.header.Get("Total")); n != tt.total {
				t.Errorf("%s: total %d, want %d", tt.query, n, tt.total)
			}
		}
	}
	// The DMSA sees rows of its permitted projects only; a user without
	// Directory access its own rows only.
	e.s.SetPermittedProjects(ids[:2])
	wantHeader(t, e.get(path, e.dmsa()), "Total", "2")
	svc := e.memberToken(u)
	wantStatus(t, e.get(path, svc), 200) // its own
	wantStatus(t, e.get(fmt.Sprintf("/rest/v1.0/companies/%d/users/%d/project_assignments", e.fx.CompanyID, e.fx.AdminUserID), svc), 403)
	wantStatus(t, e.get(fmt.Sprintf("/rest/v1.0/companies/%d/users/42/project_assignments", e.fx.CompanyID), adm), 404)
}

func TestProjectUsers(t *testing.T) {
	e := newEnv(t, nil)
	adm := e.admin().AccessToken
	pid := e.s.ActiveProjectIDs()[0]
	wantStatus(t, e.req("POST", fmt.Sprintf("/rest/v1.0/projects/%d/users/%d/actions/add", pid, e.fx.ServiceUserID), adm, e.fx.CompanyID, nil), 201)
	path := fmt.Sprintf("/rest/v1.0/projects/%d/users", pid)
	a := e.get(path, adm)
	wantStatus(t, a, 200)
	wantKeys(t, a, append(slices.Clone(commonKeys), "permission_template")...)
	var rows []map[string]any
	a.json(t, &rows)
	if n, _ := strconv.Atoi(a.header.Get("Total")); n != len(e.s.ProjectMembers(pid)) || n != len(rows) {
		t.Fatalf("total %d, rows %d, members %v", n, len(rows), e.s.ProjectMembers(pid))
	}
	a = e.get(path+"?view=compact&filters[id]="+strconv.FormatInt(e.fx.ServiceUserID, 10), adm)
	wantKeys(t, a, "first_name", "id", "initials", "last_name", "name", "vendor")
	a.json(t, &rows)
	if len(rows) != 1 || rows[0]["id"] != float64(e.fx.ServiceUserID) {
		t.Fatalf("filters[id]: %s", a.body)
	}
	wantStatus(t, e.get(path+"?view=extended", adm), 400)
	wantStatus(t, e.get("/rest/v1.0/projects/5/users", adm), 404)
	wantStatus(t, e.get(path, e.dmsa()), 403)
}

func TestAddAndRemove(t *testing.T) {
	e := newEnv(t, nil)
	adm := e.admin().AccessToken
	pid := e.s.ActiveProjectIDs()[0]
	u := e.fx.ServiceUserID
	add := fmt.Sprintf("/rest/v1.0/projects/%d/users/%d/actions/add", pid, u)
	body := map[string]any{"user": map[string]any{"permission_template_id": tmplReadOnly}}
	for range 2 {
		a := e.req("POST", add, adm, e.fx.CompanyID, body)
		wantStatus(t, a, 201)
		// Null keys are left out: the service user has no company template.
		var m map[string]any
		a.json(t, &m)
		if _, ok := m["company_permission_template_id"]; ok || m["default_permission_template_id"] != float64(e.fx.TemplateID) || m["id"] != float64(u) {
			t.Fatalf("add: %s", a.body)
		}
		for k, v := range m {
			if v == nil || k == "add_to_new_projects" || k == "login" {
				t.Fatalf("add answers %s=%v", k, v)
			}
		}
	}
	if n := e.s.AddCount(u, pid); n != 1 {
		t.Fatalf("AddCount %d", n)
	}
	// A second add with another template changes nothing.
	wantStatus(t, e.req("POST", add, adm, e.fx.CompanyID, map[string]any{"user": map[string]any{"permission_template_id": tmplSubcontractor}}), 201)
	if tid, _ := e.s.MemberTemplate(u, pid); tid != tmplReadOnly {
		t.Fatalf("second add changed the template to %d", tid)
	}
	wantStatus(t, e.req("POST", add, adm, e.fx.CompanyID, map[string]any{"user": map[string]any{"permission_template_id": 99}}), 400)
	// No body: the user's default project template.
	next := e.s.ActiveProjectIDs()[1]
	wantStatus(t, e.req("POST", fmt.Sprintf("/rest/v1.0/projects/%d/users/%d/actions/add", next, u), adm, e.fx.CompanyID, nil), 201)
	if tid, _ := e.s.MemberTemplate(u, next); tid != e.fx.TemplateID {
		t.Fatalf("default template: %d", tid)
	}
	// A project-specific template works on its own project only.
	wantStatus(t, e.req("POST", fmt.Sprintf("/rest/v1.0/projects/%d/users/%d/actions/add", projectBase+2, u), adm, e.fx.CompanyID,
		map[string]any{"user": map[string]any{"permission_template_id": tmplProjectCustom}}), 400)
	wantStatus(t, e.req("POST", fmt.Sprintf("/rest/v1.0/projects/%d/users/42/actions/add", pid), adm, e.fx.CompanyID, nil), 404)
	wantStatus(t, e.req("POST", "/rest/v1.0/projects/1/users/1/actions/add", adm, e.fx.CompanyID, nil), 404)

	rm := fmt.Sprintf("/rest/v1.0/projects/%d/users/%d/actions/remove", pid, u)
	a := e.req("DELETE", rm, adm, e.fx.CompanyID, nil)
	wantStatus(t, a, 204)
	if slices.Contains(e.s.ProjectMembers(pid), u) {
		t.Fatal("still a member")
	}
	wantStatus(t, e.req("DELETE", rm, adm, e.fx.CompanyID, nil), 204)
}

func TestPermissionTemplateAssignments(t *testing.T) {
	e := newEnv(t, nil)
	adm := e.admin().AccessToken
	pid := projectBase + 1
	u := e.fx.ServiceUserID
	path := fmt.Sprintf("/rest/v1.0/projects/%d/permission_template_assignments", pid)
	assign := func(uid, tid int64) map[string]any {
		return map[string]any{"permission_template_assignments": map[string]any{"user_id": uid, "permission_template_id": tid}}
	}
	wantStatus(t, e.req("PATCH", path, adm, e.fx.CompanyID, assign(u, tmplReadOnly)), 422) // not a member yet
	wantStatus(t, e.req("POST", fmt.Sprintf("/rest/v1.0/projects/%d/users/%d/actions/add", pid, u), adm, e.fx.CompanyID, nil), 201)
	tests := []struct {
		name   string
		body   any
		status int
		want   string
	}{
		{"missing", map[string]any{}, 400, `{"errors":{"permission_template_assignments":["is missing"]}}`},
		{"no template", map[string]any{"permission_template_assignments": map[string]any{"user_id": u}}, 400,
			`{"errors":{"permission_template_id":["is missing"]}}`},
		{"company template", assign(u, tmplCompanyAdmin), 422, `{"errors":{"permission_template_id":["is not usable on this project"]}}`},
		{"project-specific", assign(u, tmplProjectCustom), 200,
			fmt.Sprintf(`{"permission_template_id":%d,"project_id":%d,"user_id":%d}`, tmplProjectCustom, pid, u)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := e.req("PATCH", path, adm, e.fx.CompanyID, tt.body)
			wantStatus(t, a, tt.status)
			wantBody(t, a, tt.want)
		})
	}
	if tid, _ := e.s.MemberTemplate(u, pid); tid != tmplProjectCustom {
		t.Fatalf("template %d", tid)
	}
	wantStatus(t, e.req("PATCH", "/rest/v1.0/projects/5/permission_template_assignments", adm, e.fx.CompanyID, assign(u, tmplReadOnly)), 404)
}

func TestPermissionTemplates(t *testing.T) {
	e := newEnv(t, nil)
	d := e.dmsa()
	path := fmt.Sprintf("/rest/v1.0/companies/%d/permission_templates", e.fx.CompanyID)
	ids := func(a answer) []int64 {
		var rows []templateRow
		a.json(t, &rows)
		var out []int64
		for _, r := range rows {
			if !slices.Contains([]string{typeGlobal, typeProjectSpecific, typeCompanyTools}, r.Type) || r.ProjectSpecific != (r.Type == typeProjectSpecific) {
				t.Fatalf("row %+v", r)
			}
			out = append(out, r.ID)
		}
		return out
	}
	tests := []struct {
		query string
		want  []int64
	}{
		{"", []int64{tmplProjectManager, tmplIntegration, tmplSubcontractor, tmplReadOnly, tmplProjectCustom}},
		{"?filters[type]=project_tools", []int64{tmplProjectManager, tmplIntegration, tmplSubcontractor, tmplReadOnly, tmplProjectCustom}},
		{"?filters[type]=global", []int64{tmplProjectManager, tmplIntegration, tmplSubcontractor, tmplReadOnly}},
		{"?filters[type]=company_tools", []int64{tmplCompanyAdmin, tmplCompanyStandard, tmplIntegrationCompany}},
	}
	for _, tt := range tests {
		a := e.get(path+tt.query, d)
		wantStatus(t, a, 200)
		wantKeys(t, a, "id", "name", "project_specific", "type", "category")
		wantHeader(t, a, "Link", "") // not paginated
		if got := ids(a); !slices.Equal(got, tt.want) {
			t.Errorf("%q: %v, want %v", tt.query, got, tt.want)
		}
	}
	wantStatus(t, e.get(path+"?filters[type]=bogus", d), 400)
	a := e.get(path+"?view=with_permissions&filters[type]=global", d)
	wantKeys(t, a, "id", "name", "project_specific", "type", "category", "user_access_levels", "permissions")

	// One template.
	a = e.get(fmt.Sprintf("%s/%d", path, tmplIntegrationCompany), d)
	wantStatus(t, a, 200)
	wantKeys(t, a, "id", "company_id", "name", "provider_type", "type", "provider_id", "category", "user_access_levels", "permissions", "project_id")
	var det templateDetail
	a.json(t, &det)
	if det.UserAccessLevels["directory"] != "read_only" || det.Type != typeCompanyTools || det.ProviderType != "Company" {
		t.Fatalf("detail %s", a.body)
	}
	e.get(fmt.Sprintf("%s/%d", path, tmplProjectCustom), d).json(t, &det)
	if det.ProviderType != "Project" || det.ProjectID == nil || *det.ProjectID != projectBase+1 {
		t.Fatalf("project-specific detail %+v", det)
	}
	wantStatus(t, e.get(path+"/42", d), 404)

	// Project templates: the Global ones and the project's own.
	adm := e.admin().AccessToken
	a = e.get(fmt.Sprintf("/rest/v1.0/projects/%d/permission_templates", projectBase+1), adm)
	if got := ids(a); len(got) != 5 {
		t.Fatalf("project 1 templates: %v", got)
	}
	if got := ids(e.get(fmt.Sprintf("/rest/v1.0/projects/%d/permission_templates", projectBase+2), adm)); len(got) != 4 {
		t.Fatalf("project 2 templates: %v", got)
	}
	wantStatus(t, e.get("/rest/v1.0/projects/5/permission_templates", adm), 404)
	wantStatus(t, e.get(fmt.Sprintf("/rest/v1.0/projects/%d/permission_templates", projectBase+2), d), 403)
}

func TestCreatePermissionTemplate(t *testing.T) {
	e := newEnv(t, nil)
	adm := e.admin().AccessToken
	path := fmt.Sprintf("/rest/v1.0/companies/%d/permission_templates", e.fx.CompanyID)
	tmpl := func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return map[string]any{"permission_template": m}
	}
	tests := []struct {
		name   string
		body   any
		status int
		want   string
	}{
		{"missing", map[string]any{}, 400, `{"errors":{"permission_template":["is missing"]}}`},
		{"no name", tmpl("type", "global"), 400, `{"errors":{"name":["can't be blank"]}}`},
		{"bad type", tmpl("name", "X", "type", "project_tools"), 400, `{"errors":{"type":["must be one of company_tools, global, project_specific"]}}`},
		{"taken", tmpl("name", "read only", "type", "global"), 400, `{"errors":{"name":["has already been taken"]}}`},
		{"unknown tool", tmpl("name", "X", "type", "global", "user_access_levels", map[string]any{"portfolio": "admin"}), 400,
			`{"errors":{"user_access_levels":["unknown tool or level: portfolio"]}}`},
		{"unknown level", tmpl("name", "X", "type", "global", "user_access_levels", map[string]any{"admin": "owner"}), 400,
			`{"errors":{"user_access_levels":["unknown tool or level: admin"]}}`},
		{"no project", tmpl("name", "X", "type", "project_specific", "project_id", 5), 400, `{"errors":{"project_id":["is invalid"]}}`},
		{"company tools", tmpl("name", "DMSA Directory", "type", "company_tools",
			"user_access_levels", map[string]any{"directory": "Admin", "portfolio": 1}), 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := e.req("POST", path, adm, e.fx.CompanyID, tt.body)
			wantStatus(t, a, tt.status)
			if tt.want != "" {
				wantBody(t, a, tt.want)
				return
			}
			var det templateDetail
			a.json(t, &det)
			if det.ID != templateBase+9 || det.UserAccessLevels["directory"] != "admin" || det.UserAccessLevels["portfolio"] != "read_only" || det.UserAccessLevels["admin"] != "none" {
				t.Fatalf("created %s", a.body)
			}
		})
	}
	// The new company template makes a user a Directory Admin.
	user := fmt.Sprintf("/rest/v1.3/companies/%d/users/%d", e.fx.CompanyID, e.fx.DMSAUserID)
	wantStatus(t, e.req("PATCH", user, adm, e.fx.CompanyID, map[string]any{"user": map[string]any{
		"last_name": "(DMSA)", "email_address": e.fx.DMSALogin, "company_permission_template_id": templateBase + 9}}), 200)
	wantStatus(t, e.req("PATCH", user, e.dmsa(), e.fx.CompanyID, map[string]any{"user": map[string]any{
		"last_name": "(DMSA)", "email_address": e.fx.DMSALogin, "job_title": "Bot"}}), 200)
}

func TestSettingsPermissions(t *testing.T) {
	e := newEnv(t, nil)
	adm, d := e.admin().AccessToken, e.dmsa()
	type perms struct {
		Tools []struct {
			Name            string `json:"name"`
			UserAccessLevel struct {
				ID   int    `json:"id"`
				Name string `json:"name"`
			} `json:"user_access_level"`
			PermittedActions []map[string]any `json:"permitted_actions"`
		} `json:"tools"`
	}
	levels := func(a answer) map[string]string {
		var p perms
		a.json(t, &p)
		m := map[string]string{}
		for _, tl := range p.Tools {
			m[tl.Name] = tl.UserAccessLevel.Name
		}
		return m
	}
	base := "/rest/v1.0/settings/permissions"
	pid := e.s.ActiveProjectIDs()[0]
	company := fmt.Sprintf("?company_id=%d", e.fx.CompanyID)
	project := fmt.Sprintf("?project_id=%d", pid)
	a := e.get(base+company, d)
	wantStatus(t, a, 200)
	wantKeys(t, a, "tools")
	if got := levels(a); len(got) != 2 || got["directory"] != "Read Only" || got["portfolio"] != "Read Only" {
		t.Fatalf("DMSA company tools %v", got)
	}
	if got := levels(e.get(base+company, adm)); got["directory"] != "Admin" || got["admin"] != "Admin" {
		t.Fatalf("admin company tools %v", got)
	}
	// A project the DMSA may not reach, then one its user was added to.
	wantStatus(t, e.get(base+project, d), 403)
	wantStatus(t, e.req("POST", fmt.Sprintf("/rest/v1.0/projects/%d/users/%d/actions/add", pid, e.fx.DMSAUserID), adm, e.fx.CompanyID,
		map[string]any{"user": map[string]any{"permission_template_id": tmplSubcontractor}}), 201)
	if got := levels(e.get(base+project, d)); len(got) != 3 || got["rfi"] != "Standard" || got["documents"] != "Read Only" {
		t.Fatalf("DMSA project tools %v", got)
	}
	for _, q := range []string{"", company + "&project_id=1", "?company_id=x"} {
		a := e.get(base+q, d)
		wantStatus(t, a, 400)
		var body struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		a.json(t, &body)
		if body.Error.Code == "" || body.Error.Message == "" {
			t.Fatalf("400 body %s", a.body)
		}
	}
}

func TestAppInstallations(t *testing.T) {
	e := newEnv(t, nil)
	path := fmt.Sprintf("/rest/v1.0/app_installations?company_id=%d", e.fx.CompanyID)
	a := e.get(path, e.admin().AccessToken)
	wantStatus(t, a, 200)
	wantKeys(t, a, "id", "app_uid", "components", "developer_app", "installed_at", "installer", "semantic_version", "status",
		"uninstalled_at", "uninstaller", "updatable_app_version_id")
	var rows []map[string]any
	a.json(t, &rows)
	if len(rows) != 2 || rows[1]["developer_app"].(map[string]any)["name"] != helperAppName || rows[0]["app_uid"] != e.fx.DMSAClientID || rows[0]["status"] != "installed" ||
		rows[0]["developer_app"].(map[string]any)["name"] != appName || rows[0]["installer"].(map[string]any)["id"] != float64(e.fx.AdminUserID) {
		t.Fatalf("installations %s", a.body)
	}
	wantStatus(t, e.get(path, e.dmsa()), 403)
	wantStatus(t, e.get("/rest/v1.0/app_installations", e.admin().AccessToken), 400)
}
