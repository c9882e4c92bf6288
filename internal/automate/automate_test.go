package automate

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/procore-sa/procore-sa/internal/simtest"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/procore/sim"
	"github.com/procore-sa/procore-sa/steps"
)

// world is a simulator with the admin's sign-in and the DMSA's own
// credential; the DMSA is not a Directory Admin, as Procore advises.
type world struct {
	*simtest.World
	admin, dmsa *procore.Client
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := simtest.New(t, sim.Config{Seed: 21, Projects: 30})
	return &world{World: w, admin: w.AdminClient(w.Fx.CompanyID, nil), dmsa: w.Client(w.Fx.CompanyID, nil)}
}

// env acts as the admin, with the DMSA's credential as the integration's.
func (w *world) env(values map[steps.Role]string) *Env {
	if values == nil {
		values = map[steps.Role]string{}
	}
	return &Env{Admin: w.admin, Integration: w.dmsa, IntegrationClientID: w.Fx.DMSAClientID, Values: values}
}

func (w *world) user(t *testing.T, id int64) *procore.User {
	t.Helper()
	u, err := w.admin.User(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func act(name string, kv ...string) steps.Action {
	a := steps.Action{Name: name, With: map[string]string{}}
	for i := 0; i+1 < len(kv); i += 2 {
		a.With[kv[i]] = kv[i+1]
	}
	return a
}

func chk(name string, kv ...string) steps.Check {
	a := act(name, kv...)
	return steps.Check{Name: a.Name, With: a.With}
}

const newEmail = "sync.robot@riversidebuilders.example"

// TestNamesMatchTheContract: every action and check the guides may name
// is carried out here, and nothing else.
func TestNamesMatchTheContract(t *testing.T) {
	var actions, checks []string
	for _, s := range steps.ActionSpecs {
		actions = append(actions, s.Name)
	}
	for _, s := range steps.CheckSpecs {
		checks = append(checks, s.Name)
	}
	slices.Sort(actions)
	slices.Sort(checks)
	if got := ActionNames(); !slices.Equal(got, actions) {
		t.Errorf("actions %v, the contract has %v", got, actions)
	}
	if got := CheckNames(); !slices.Equal(got, checks) {
		t.Errorf("checks %v, the contract has %v", got, checks)
	}
}

// TestActions plans and does each action against the simulator: the plan
// changes nothing, Do changes Procore and reads it back, and a second plan
// finds nothing left to do.
func TestActions(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		action  steps.Action
		values  map[steps.Role]string
		user    func(*world) int64 // the account, else found from values
		changes string             // in the plan
		detail  string             // in Do's outcome
		after   func(t *testing.T, w *world, d Done)
	}{
		{"create_user", act("create_user", "project_template", "Integration Service Account"),
			map[steps.Role]string{steps.RoleAccountEmail: newEmail, steps.RoleFirstName: "Sync", steps.RoleLastName: "Robot"}, nil,
			"create the user " + newEmail, "created",
			func(t *testing.T, w *world, d Done) {
				u := w.user(t, d.UserID)
				if u.EmailAddress != newEmail || u.LastName != "Robot" || u.PermissionTemplate == nil || u.PermissionTemplate.Name != "Integration Service Account" {
					t.Errorf("created %+v", u)
				}
			}},
		{"find_user by pattern", act("find_user", "email_like", "admin-actions-*@procore.com"), nil, nil,
			"", "found",
			func(t *testing.T, w *world, d Done) {
				if d.UserID != w.Fx.DMSAUserID {
					t.Errorf("found user %d, want the DMSA's %d", d.UserID, w.Fx.DMSAUserID)
				}
			}},
		{"rename_user", act("rename_user", "first_name", "[Technical Account]", "last_name", "ADMIN HELPER"), nil,
			func(w *world) int64 { return w.Fx.DMSAUserID }, `to "[Technical Account] ADMIN HELPER"`, "renamed",
			func(t *testing.T, w *world, _ Done) {
				if u := w.user(t, w.Fx.DMSAUserID); u.FirstName != "[Technical Account]" || u.LastName != "ADMIN HELPER" {
					t.Errorf("named %q %q", u.FirstName, u.LastName)
				}
			}},
		{"invite_user", act("invite_user"), nil, func(w *world) int64 { return w.Fx.ServiceUserID },
			"invitation email", "invitation sent",
			func(t *testing.T, w *world, _ Done) {
				if n := w.S.InviteCount(w.Fx.ServiceUserID); n != 1 {
					t.Errorf("%d invitations sent", n)
				}
			}},
		{"assign_templates", act("assign_templates", "company_template", "Integration Company Tools", "project_template", "Read Only"), nil,
			func(w *world) int64 { return w.Fx.ServiceUserID }, `company permission template of`, "set on",
			func(t *testing.T, w *world, _ Done) {
				u := w.user(t, w.Fx.ServiceUserID)
				if u.CompanyPermissionTemplate == nil || u.CompanyPermissionTemplate.Name != "Integration Company Tools" || u.PermissionTemplate.Name != "Read Only" {
					t.Errorf("templates %+v %+v", u.CompanyPermissionTemplate, u.PermissionTemplate)
				}
			}},
		{"assign_templates creates one", act("assign_templates", "project_template", "[TECHNICAL] Service Account", "project_levels", "Submittals=admin,Documents=read_only"), nil,
			func(w *world) int64 { return w.Fx.ServiceUserID }, `create the project permission template "[TECHNICAL] Service Account"`, "set on",
			func(t *testing.T, w *world, _ Done) {
				u := w.user(t, w.Fx.ServiceUserID)
				if u.PermissionTemplate == nil || u.PermissionTemplate.Name != "[TECHNICAL] Service Account" {
					t.Fatalf("template %+v", u.PermissionTemplate)
				}
				d, err := w.admin.PermissionTemplate(ctx, u.PermissionTemplate.ID)
				if err != nil || d.UserAccessLevels["submittals"] != "admin" || d.UserAccessLevels["documents"] != "read_only" {
					t.Errorf("levels %v, %v", d.UserAccessLevels, err)
				}
			}},
		{"create_template of every tool", act("create_template", "template", "Standard", "type", "project", "levels", "*=standard,Daily Log=admin"), nil,
			func(w *world) int64 { return w.Fx.ServiceUserID }, `create the project permission template "Standard" with Daily Log Admin, every other tool Standard`,
			`Procore holds the project permission template "Standard"`,
			func(t *testing.T, w *world, d Done) {
				pt, err := findTemplate(ctx, w.admin, procore.GlobalTools, "Standard")
				if err != nil || pt == nil {
					t.Fatal(pt, err)
				}
				got, err := w.admin.PermissionTemplate(ctx, pt.ID)
				if err != nil || len(got.UserAccessLevels) != 7 {
					t.Fatalf("levels %v, %v", got, err)
				}
				for k, v := range got.UserAccessLevels {
					if want := map[bool]string{true: "admin", false: "standard"}[k == "daily_log"]; v != want {
						t.Errorf("%s is %v, want %s", k, v, want)
					}
				}
				if !strings.Contains(d.Detail, "Daily Log Admin, Directory Standard") {
					t.Errorf("outcome %q does not say what Procore holds", d.Detail)
				}
			}},
		{"create_template company", act("create_template", "template", "HammerTech Sync Company Permissions", "type", "company", "levels", "*=standard"), nil,
			func(w *world) int64 { return w.Fx.ServiceUserID }, `create the company permission template`, `Procore holds the company permission template`,
			func(t *testing.T, w *world, _ Done) {
				pt, err := findTemplate(ctx, w.admin, procore.CompanyTools, "HammerTech Sync Company Permissions")
				if err != nil || pt == nil {
					t.Fatal(pt, err)
				}
				got, err := w.admin.PermissionTemplate(ctx, pt.ID)
				if err != nil || len(got.UserAccessLevels) != 4 || got.UserAccessLevels["directory"] != "standard" {
					t.Errorf("levels %v, %v", got, err)
				}
			}},
		{"add_to_new_projects", act("add_to_new_projects"), nil, func(w *world) int64 { return w.Fx.DMSAUserID },
			"all new projects", "every new project",
			func(t *testing.T, w *world, _ Done) {
				if !w.S.AddToNewProjects(w.Fx.DMSAUserID) {
					t.Error("add_to_new_projects is off")
				}
			}},
		{"add_to_projects", act("add_to_projects", "projects", "all"), nil, func(w *world) int64 { return w.Fx.DMSAUserID },
			"add admin-actions-", "is on all 27 projects (27 added now",
			func(t *testing.T, w *world, _ Done) {
				if got, want := w.S.DMSAProjects(), w.S.ActiveProjectIDs(); !slices.Equal(got, want) {
					t.Errorf("DMSA permitted %d projects, want the %d active", len(got), len(want))
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			e := w.env(tt.values)
			if tt.user != nil {
				e.UserID = tt.user(w)
			}
			before := w.S.Stats()
			p, err := PlanAction(ctx, tt.action, e)
			if err != nil {
				t.Fatal(err)
			}
			for route, n := range w.S.Stats().ByRoute {
				if !strings.HasPrefix(route, "GET ") && !strings.HasPrefix(route, "POST /oauth/") && n != before.ByRoute[route] {
					t.Errorf("the plan sent %s", route)
				}
			}
			if p.As != w.Fx.AdminLogin+" (user "+itoa(w.Fx.AdminUserID)+")" || p.Ask != "" || !strings.Contains(strings.Join(p.Changes, "\n"), tt.changes) {
				t.Fatalf("plan %+v", p)
			}
			d, err := Do(ctx, tt.action, p, e)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(d.Detail, tt.detail) || d.UserID == 0 {
				t.Errorf("done %+v, want %q", d, tt.detail)
			}
			tt.after(t, w, d)
			again := w.env(tt.values)
			again.UserID = e.UserID
			if p, err := PlanAction(ctx, tt.action, again); err != nil || !p.Nothing {
				t.Errorf("planned again: %+v, %v; want nothing to do", p, err)
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestRefusals: what Procore refuses, and what cannot be known, is said
// clearly, and nothing is half done without being said.
func TestRefusals(t *testing.T) {
	ctx := context.Background()
	t.Run("403: the DMSA is not a Directory Admin", func(t *testing.T) {
		w := newWorld(t)
		e := &Env{Admin: w.dmsa, Values: map[steps.Role]string{}, UserID: w.Fx.DMSAUserID}
		for _, a := range []steps.Action{act("rename_user", "first_name", "A", "last_name", "B"), act("add_to_new_projects"), act("invite_user")} {
			p, err := PlanAction(ctx, a, e)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Do(ctx, a, p, e)
			if procore.StatusOf(err) != http.StatusForbidden || !strings.Contains(err.Error(), "not a Directory Admin") {
				t.Errorf("%s: %v", a.Name, err)
			}
		}
		p, err := PlanAction(ctx, act("add_to_projects"), e)
		if err != nil {
			// The DMSA sees none of the projects, so it plans nothing to add.
			t.Fatal(err)
		}
		if !p.Nothing {
			t.Errorf("the DMSA planned %+v over projects it cannot see", p)
		}
		if w.S.InviteCount(w.Fx.DMSAUserID) != 0 || w.S.AddToNewProjects(w.Fx.DMSAUserID) {
			t.Error("a refused change took effect")
		}
	})
	t.Run("403 part way: every project reported", func(t *testing.T) {
		w := newWorld(t)
		e := w.env(nil)
		e.UserID = w.Fx.ServiceUserID
		a := act("add_to_projects")
		p, err := PlanAction(ctx, a, e)
		if err != nil {
			t.Fatal(err)
		}
		// bulk_add is refused after its first five memberships.
		w.SetIntercept(func(rw http.ResponseWriter, r *http.Request) bool {
			if !strings.HasSuffix(r.URL.Path, "/bulk_add") {
				return false
			}
			for _, pid := range w.S.ActiveProjectIDs()[:5] {
				ok := w.admin.AddToProject(r.Context(), pid, w.Fx.ServiceUserID, w.Fx.TemplateID)
				if ok != nil {
					t.Error(ok)
				}
			}
			rw.Header().Set("Content-Type", "application/json")
			rw.WriteHeader(http.StatusForbidden)
			_, _ = rw.Write([]byte(`{"errors":"You do not have permission to make changes to the company directory."}`))
			return true
		})
		_, err = Do(ctx, a, p, e)
		if err == nil || !strings.Contains(err.Error(), "is on 5 of 27 projects (5 added now); not on") || !strings.Contains(err.Error(), "not a Directory Admin") {
			t.Errorf("err %v", err)
		}
	})
	t.Run("409: a user already there is found", func(t *testing.T) {
		w := newWorld(t)
		e := w.env(map[steps.Role]string{steps.RoleAccountEmail: w.Fx.ServiceUserEmail, steps.RoleLastName: "Service"})
		d, err := doCreateUser(ctx, act("create_user"), Plan{}, e)
		if err != nil || d.UserID != w.Fx.ServiceUserID || !strings.Contains(d.Detail, "409") {
			t.Errorf("done %+v, %v", d, err)
		}
	})
	t.Run("400: Procore refuses the values", func(t *testing.T) {
		w := newWorld(t)
		e := w.env(map[steps.Role]string{steps.RoleAccountEmail: "not an address", steps.RoleLastName: "Robot"})
		a := act("create_user")
		p, err := PlanAction(ctx, a, e)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Do(ctx, a, p, e); procore.StatusOf(err) != http.StatusBadRequest || !strings.Contains(err.Error(), "refused the values") || !strings.Contains(err.Error(), "email_address is invalid") {
			t.Errorf("err %v", err)
		}
	})
	t.Run("422: Procore refuses the values", func(t *testing.T) {
		w := newWorld(t)
		e := w.env(nil)
		e.UserID = w.Fx.ServiceUserID
		w.SetIntercept(func(rw http.ResponseWriter, r *http.Request) bool {
			if r.Method != http.MethodPatch {
				return false
			}
			rw.Header().Set("Content-Type", "application/json")
			rw.WriteHeader(http.StatusUnprocessableEntity)
			_, _ = rw.Write([]byte(`{"errors":{"first_name":["is too long"]}}`))
			return true
		})
		a := act("rename_user", "first_name", strings.Repeat("x", 300), "last_name", "Robot")
		p, err := PlanAction(ctx, a, e)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Do(ctx, a, p, e); procore.StatusOf(err) != http.StatusUnprocessableEntity || !strings.Contains(err.Error(), "first_name is too long") {
			t.Errorf("err %v", err)
		}
		if u := w.user(t, w.Fx.ServiceUserID); u.LastName != "Service" {
			t.Errorf("renamed to %q", u.LastName)
		}
	})
	t.Run("create_template: 403 for a non Directory Admin, 400 for an unknown tool, nothing made", func(t *testing.T) {
		w := newWorld(t)
		dm := &Env{Admin: w.dmsa, Values: map[steps.Role]string{}, UserID: w.Fx.DMSAUserID}
		a := act("create_template", "template", "Made By The DMSA", "type", "project", "levels", "*=admin")
		p, err := PlanAction(ctx, a, dm)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Do(ctx, a, p, dm); procore.StatusOf(err) != http.StatusForbidden || !strings.Contains(err.Error(), "not a Directory Admin") {
			t.Errorf("DMSA: %v", err)
		}
		e := w.env(nil)
		bad := act("create_template", "template", "Odd Tools", "type", "company", "levels", "Nonsense=admin")
		if p, err = PlanAction(ctx, bad, e); err != nil {
			t.Fatal(err)
		}
		if _, err := Do(ctx, bad, p, e); procore.StatusOf(err) != http.StatusBadRequest || !strings.Contains(err.Error(), "refused the values") || !strings.Contains(err.Error(), "nonsense") {
			t.Errorf("unknown tool: %v", err)
		}
		for _, n := range []string{"Made By The DMSA", "Odd Tools"} {
			for _, typ := range []procore.TemplateType{procore.CompanyTools, procore.GlobalTools} {
				if pt, err := findTemplate(ctx, w.admin, typ, n); err != nil || pt != nil {
					t.Errorf("%s: %+v, %v", n, pt, err)
				}
			}
		}
		if _, err := PlanAction(ctx, act("create_template", "template", "X", "type", "vendor", "levels", "*=admin"), e); err == nil || !strings.Contains(err.Error(), "use company or project") {
			t.Errorf("type vendor: %v", err)
		}
	})
	t.Run("a template that does not exist is asked for, and Do refuses", func(t *testing.T) {
		w := newWorld(t)
		e := w.env(nil)
		e.UserID = w.Fx.ServiceUserID
		a := act("assign_templates", "company_template", "No Such Template")
		p, err := PlanAction(ctx, a, e)
		if err != nil || !strings.Contains(p.Ask, `no company permission template named "No Such Template"`) {
			t.Fatalf("plan %+v, %v", p, err)
		}
		if _, err := Do(ctx, a, p, e); err == nil || !strings.Contains(err.Error(), "a choice is open") {
			t.Errorf("err %v", err)
		}
	})
	t.Run("chosen projects not chosen are asked for", func(t *testing.T) {
		w := newWorld(t)
		e := w.env(nil)
		e.UserID = w.Fx.ServiceUserID
		p, err := PlanAction(ctx, act("add_to_projects", "projects", "chosen"), e)
		if err != nil || p.Ask == "" || !p.ChooseProjects {
			t.Errorf("plan %+v, %v", p, err)
		}
		e.ChooseHow = "name them with --projects ID,ID"
		r := Check(ctx, "add", steps.Check{Name: "project_membership", With: map[string]string{"projects": "chosen"}}, e)
		if !r.Unknown || !strings.HasSuffix(r.State, "choose the projects the account is to be on: name them with --projects ID,ID") {
			t.Errorf("unchosen check %+v", r)
		}
		e.Projects = w.S.ActiveProjectIDs()[:3]
		a := act("add_to_projects", "projects", "chosen")
		if p, err = PlanAction(ctx, a, e); err != nil || p.Ask != "" || p.ChooseProjects {
			t.Fatalf("plan %+v, %v", p, err)
		}
		if d, err := Do(ctx, a, p, e); err != nil || !strings.Contains(d.Detail, "on all 3 projects") {
			t.Errorf("done %+v, %v", d, err)
		}
	})
	t.Run("no admin's sign-in", func(t *testing.T) {
		w := newWorld(t)
		e := &Env{Integration: w.dmsa, AdminWhy: "profile admin is empty"}
		if _, err := PlanAction(ctx, act("invite_user"), e); err == nil || !strings.Contains(err.Error(), "procore-sa login") || !strings.Contains(err.Error(), "profile admin is empty") {
			t.Errorf("err %v", err)
		}
	})
	t.Run("several users like the pattern", func(t *testing.T) {
		w := newWorld(t)
		e := w.env(nil)
		p, err := PlanAction(ctx, act("find_user", "email_like", "*@riversidebuilders.example"), e)
		if err != nil || !strings.Contains(p.Ask, "give the email address of the one to use") {
			t.Errorf("plan %+v, %v", p, err)
		}
	})
}
