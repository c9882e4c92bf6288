package automate

import (
	"context"
	"strings"
	"testing"

	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/steps"
)

// TestChecks reads each check against the simulator's fresh company, where
// it fails (or cannot be read) with the fix in Procore's words, and again
// after the change that makes it hold.
func TestChecks(t *testing.T) {
	ctx := context.Background()
	dmsa := func(w *world) int64 { return w.Fx.DMSAUserID }
	svc := func(w *world) int64 { return w.Fx.ServiceUserID }
	tests := []struct {
		name   string
		check  steps.Check
		values map[steps.Role]string
		user   func(*world) int64
		fresh  string // what the fresh company says: "ok", "unknown", or the fix's words
		state  string // in State, fresh
		fix    func(t *testing.T, w *world)
	}{
		{"user_exists", chk("user_exists"), map[steps.Role]string{steps.RoleAccountEmail: newEmail}, nil,
			"Company Directory > Add User", "no an active user with the email address", func(t *testing.T, w *world) {
				mustDo(t, w, act("create_user", "last_name", "Robot"), w.env(map[steps.Role]string{steps.RoleAccountEmail: newEmail}))
			}},
		{"user_exists like", chk("user_exists", "email_like", "admin-actions-*@procore.com"), nil, nil, "ok", "found admin-actions-", nil},
		{"user_name", chk("user_name", "first_name", "[Technical Account]", "last_name", "ADMIN HELPER"), nil, dmsa,
			"First Name: [Technical Account], Last Name: ADMIN HELPER", `is named "Admin Actions (DMSA)"`, func(t *testing.T, w *world) {
				e := w.env(nil)
				e.UserID = w.Fx.DMSAUserID
				mustDo(t, w, act("rename_user", "first_name", "[Technical Account]", "last_name", "ADMIN HELPER"), e)
			}},
		{"user_name from the fields", chk("user_name"), map[steps.Role]string{steps.RoleFirstName: "Integration", steps.RoleLastName: "Service"}, svc,
			"ok", `"Integration Service"`, nil},
		{"user_templates", chk("user_templates", "company_template", "Integration Company Tools", "project_template", "Read Only"), nil, svc,
			"Permissions: Company Permission Template: Integration Company Tools, Default Permission Template: Read Only",
			`company permission template none, default permission template "Integration Service Account"`, func(t *testing.T, w *world) {
				e := w.env(nil)
				e.UserID = w.Fx.ServiceUserID
				mustDo(t, w, act("assign_templates", "company_template", "Integration Company Tools", "project_template", "Read Only"), e)
			}},
		{"company_not_admin", chk("company_not_admin"), nil, func(w *world) int64 { return w.Fx.AdminUserID },
			"without Admin on the Company Admin tool", `"Company Admin", Admin on the Company Admin tool`, func(t *testing.T, w *world) {
				e := w.env(nil)
				e.UserID = w.Fx.AdminUserID
				mustDo(t, w, act("assign_templates", "company_template", "Company Standard"), e)
			}},
		{"company_not_admin of the DMSA", chk("company_not_admin"), nil, dmsa, "ok", "None on the Company Admin tool", nil},
		{"template_levels", chk("template_levels", "template", "Project Manager", "levels", "Documents=admin,RFIs=admin"), nil, nil,
			"Permission Templates > Project Manager > Edit: set RFIs to Admin", "Documents Admin, RFIs Standard", nil},
		{"template_levels missing", chk("template_levels", "template", "[TECHNICAL] Service Account", "levels", "Submittals=admin"), nil, nil,
			`Create: name it "[TECHNICAL] Service Account"`, "no permission template named", func(t *testing.T, w *world) {
				e := w.env(nil)
				e.UserID = w.Fx.ServiceUserID
				mustDo(t, w, act("assign_templates", "project_template", "[TECHNICAL] Service Account", "project_levels", "Submittals=admin"), e)
			}},
		{"template_levels of the account's company permissions", chk("template_levels", "levels", "Directory=admin"), nil, svc,
			"choose a Company Permission Template that grants Directory Admin", "has no company permission template", func(t *testing.T, w *world) {
				e := w.env(nil)
				e.UserID = w.Fx.ServiceUserID
				mustDo(t, w, act("assign_templates", "company_template", "Company Admin"), e)
			}},
		{"template_levels of every tool", chk("template_levels", "template", "Read Only", "levels", "*=standard,Documents=admin"), nil, nil,
			"Read Only > Edit: set Documents to Admin, Admin to Standard, Daily Log to Standard, Directory to Standard", "Documents Read Only, Admin Read Only", nil},
		{"template_levels of every tool, template missing", chk("template_levels", "template", "Standard", "levels", "*=standard"), nil, nil,
			`Create: name it "Standard" and set every tool Standard`, `no permission template named "Standard"`, func(t *testing.T, w *world) {
				mustDo(t, w, act("create_template", "template", "Standard", "type", "project", "levels", "*=standard"), w.env(nil))
			}},
		{"template_levels of the DMSA's company permissions", chk("template_levels", "levels", "Directory=admin"), nil, dmsa,
			"Integration Company Tools > Edit: set Directory to Admin", "Directory Read Only", nil},
		{"invitation_sent", chk("invitation_sent"), nil, svc, "Send Invite", "no invitation sent", func(t *testing.T, w *world) {
			e := w.env(nil)
			e.UserID = w.Fx.ServiceUserID
			mustDo(t, w, act("invite_user"), e)
		}},
		{"add_to_new_projects", chk("add_to_new_projects"), nil, dmsa, `tick "Add Admin Actions (DMSA) to all new projects"`, "off", func(t *testing.T, w *world) {
			e := w.env(nil)
			e.UserID = w.Fx.DMSAUserID
			mustDo(t, w, act("add_to_new_projects"), e)
		}},
		{"add_to_new_projects of another user", chk("add_to_new_projects"), nil, svc, "unknown", "only for the signed-in user itself", nil},
		{"project_membership", chk("project_membership"), nil, dmsa, "Projects: Add All", "on 0 of 27 projects; not on", func(t *testing.T, w *world) {
			e := w.env(nil)
			e.UserID = w.Fx.DMSAUserID
			mustDo(t, w, act("add_to_projects"), e)
		}},
		{"project_assignments", chk("project_assignments"), nil, dmsa, "ok", "is on no active project, so it can act on none yet", nil},
		{"installation by name", chk("installation"), map[steps.Role]string{steps.RoleAppName: "Riverside Integration (DMSA)"}, nil, "ok", "version 1.0.0, installed", nil},
		{"installation by client ID", chk("installation"), nil, nil, "ok", "installed", nil},
		{"installation of another app", chk("installation"), map[steps.Role]string{steps.RoleAppName: "Someone Else's App"}, nil,
			"Install Custom App with the App Version Key", "not among the 2 installed apps", nil},
		{"permitted_projects", chk("permitted_projects"), nil, nil, "App Management > the app > Permissions", "sees 0 of 27 projects", func(t *testing.T, w *world) {
			e := w.env(nil)
			e.UserID = w.Fx.DMSAUserID
			mustDo(t, w, act("add_to_projects"), e)
		}},
		{"integration_permissions", chk("integration_permissions", "levels", "Directory=read_only,project.Documents=read_only"), nil, nil,
			"unknown", "it sees no project", func(t *testing.T, w *world) {
				e := w.env(nil)
				e.UserID = w.Fx.DMSAUserID
				mustDo(t, w, act("add_to_projects", "projects", itoa(w.S.ActiveProjectIDs()[0])), e)
			}},
		{"integration_permissions short", chk("integration_permissions", "levels", "Directory=admin"), nil, nil,
			"grant Directory Admin", "has Directory Read Only", nil},
		{"integration_permissions none named", chk("integration_permissions"), nil, nil,
			"ok", "no levels were named to prove; in the company it holds Directory Read Only, Portfolio Read Only", nil},
		{"credential_works", chk("credential_works"), nil, nil, "ok", "token works: user admin-actions-", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			read := func() Requirement {
				e := w.env(tt.values)
				if tt.user != nil {
					e.UserID = tt.user(w)
				}
				return Check(ctx, "step", tt.check, e)
			}
			r := read()
			if r.ID != "step/"+tt.check.Name || r.Text == "" || !strings.Contains(r.State, tt.state) {
				t.Errorf("fresh: %+v; want state with %q", r, tt.state)
			}
			switch tt.fresh {
			case "ok":
				if !r.OK || r.Unknown || r.Fix != "" {
					t.Errorf("fresh: %+v, want it held", r)
				}
			case "unknown":
				if r.OK || !r.Unknown {
					t.Errorf("fresh: %+v, want it unknown", r)
				}
			default:
				if r.OK || r.Unknown || !strings.Contains(r.Fix, tt.fresh) || !strings.HasPrefix(r.Fix, "In ") {
					t.Errorf("fresh: %+v; want a fix with %q", r, tt.fresh)
				}
			}
			if tt.fix == nil {
				return
			}
			tt.fix(t, w)
			if r := read(); !r.OK || r.Unknown || r.Fix != "" {
				t.Errorf("after the fix: %+v", r)
			}
		})
	}
}

func mustDo(t *testing.T, _ *world, a steps.Action, e *Env) {
	t.Helper()
	ctx := context.Background()
	p, err := PlanAction(ctx, a, e)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Do(ctx, a, p, e); err != nil {
		t.Fatal(err)
	}
}

// TestChecksWithoutCredentials: a check that needs a sign-in or a
// credential not at hand is unknown, and says which.
func TestChecksWithoutCredentials(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	noAdmin := &Env{Integration: w.dmsa, AdminWhy: "no admin profile"}
	if r := Check(ctx, "s", chk("invitation_sent"), noAdmin); !r.Unknown || !strings.Contains(r.State, "procore-sa login") {
		t.Errorf("without the admin: %+v", r)
	}
	noInt := &Env{Admin: w.admin, IntegrationWhy: "profile default holds a user's login"}
	for _, c := range []string{"permitted_projects", "credential_works"} {
		if r := Check(ctx, "s", chk(c), noInt); !r.Unknown || !strings.Contains(r.State, "profile default holds a user's login") {
			t.Errorf("%s without the integration: %+v", c, r)
		}
	}
	bad := w.Client(w.Fx.CompanyID, func(cfg *procore.Config) {
		cfg.Auth = procore.ClientCredentials(w.Env, nil, w.Fx.DMSAClientID, secretOf("wrong"))
	})
	if r := Check(ctx, "s", chk("credential_works"), &Env{Admin: w.admin, Integration: bad}); r.OK || r.Unknown || !strings.Contains(r.Fix, "Developer Portal") {
		t.Errorf("a wrong secret: %+v", r)
	}
	like := &Env{Admin: w.admin, AccountLike: "admin-actions-*@procore.com"}
	if r := Check(ctx, "s", chk("company_not_admin"), like); !r.OK || !strings.Contains(r.State, w.Fx.DMSALogin) {
		t.Errorf("the account found by its address alone: %+v", r)
	}
	rs := Checks(ctx, "s", []steps.Check{chk("credential_works"), chk("credential_works")}, w.env(nil))
	if len(rs) != 2 || rs[0].ID != "s/credential_works" || rs[1].ID != "s/credential_works-2" {
		t.Errorf("ids %+v", rs)
	}
	if r := Check(ctx, "s", chk("no_such_check"), w.env(nil)); !r.Unknown {
		t.Errorf("an unknown check: %+v", r)
	}
}

func secretOf(s string) secret.Value { return secret.New(s) }

// TestProjectAssignmentsListsTheProjects: the report names the projects
// the user is on, each with its template, clipped to a few.
func TestProjectAssignmentsListsTheProjects(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	e := w.env(nil)
	e.UserID = w.Fx.ServiceUserID
	ids := w.S.ActiveProjectIDs()[:4]
	mustDo(t, w, act("add_to_projects", "projects", itoa(ids[0])+","+itoa(ids[1])+","+itoa(ids[2])+","+itoa(ids[3])), e)
	again := w.env(nil)
	again.UserID = w.Fx.ServiceUserID
	r := Check(ctx, "rights", chk("project_assignments"), again)
	if !r.OK || !strings.Contains(r.State, "is on 4 active projects: Project 0001") || !strings.Contains(r.State, "(Integration Service Account)") {
		t.Errorf("%+v", r)
	}
}
