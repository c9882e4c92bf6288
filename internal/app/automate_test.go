package app

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/internal/simtest"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/procore/sim"
	"github.com/procore-sa/procore-sa/steps"
)

// dmsaGuide is the shape of the dmsa guide's automation: the DMSA's user
// added to every project and to new ones by the admin, then proved with
// its own token.
func dmsaGuide() *steps.Guide {
	return &steps.Guide{ID: "dmsa", Steps: []steps.Step{
		{ID: "install", Kind: steps.KindInstruction, Checks: steps.CheckList{{Name: "installation"}}},
		{ID: "add-all", Kind: steps.KindAddAll, Checks: steps.CheckList{{Name: "project_membership"}, {Name: "add_to_new_projects"}}},
		{ID: "verify", Kind: steps.KindVerify, Checks: steps.CheckList{{Name: "credential_works"}, {Name: "permitted_projects"},
			{Name: "integration_permissions", With: map[string]string{"levels": "Directory=read_only"}}}},
	}}
}

// storedApp is an App pointed at w whose keychain (in memory) holds the
// admin's sign-in as profile admin and the DMSA's credential as default.
func storedApp(t *testing.T, w *simtest.World, admin bool) *App {
	t.Helper()
	store := credstore.NewStore("procore-sa-test")
	store.Keyring = &credstore.MemoryKeyring{}
	ctx := context.Background()
	if admin {
		code, err := w.S.IssueCode(w.Fx.AdminClientID, procore.OOBRedirect)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := procore.Exchange(ctx, nil, w.Env, w.Fx.AdminClientID, secret.New(w.Fx.AdminClientSecret), code)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.Save(ctx, credstore.Placement{Profile: AdminProfile}, credstore.Credential{Kind: credstore.KindAdminOAuth, CompanyID: w.Fx.CompanyID,
			ClientID: w.Fx.AdminClientID, ClientSecret: secret.New(w.Fx.AdminClientSecret), RefreshToken: secret.New(tok.RefreshToken)}, false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := store.Save(ctx, credstore.Placement{Profile: "default"}, credstore.Credential{Kind: credstore.KindClientCredentials, CompanyID: w.Fx.CompanyID,
		ClientID: w.Fx.DMSAClientID, ClientSecret: secret.New(w.Fx.DMSAClientSecret)}, false); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	return New(Config{APIURL: w.Env.APIURL, LoginURL: w.Env.LoginURL, Credentials: store,
		Getenv: func(string) string { return "" }})
}

// TestAuditThenActAsTheAdmin: the dmsa guide's audit fails on the fresh
// company with each fix named; the admin's sign-in adds the DMSA's user
// (found through its own credential) to every project and to new ones;
// the audit then holds on every row; and the DMSA itself was never asked
// to change the directory (it may not).
func TestAuditThenActAsTheAdmin(t *testing.T) {
	w := simtest.New(t, sim.Config{Seed: 31, Projects: 20})
	a := storedApp(t, w, true)
	ctx := context.Background()
	g := dmsaGuide()
	u := Using{Guide: g}
	rs, err := a.Check().Audit(ctx, g, u)
	if err != nil {
		t.Fatal(err)
	}
	failing := map[string]bool{}
	for _, r := range rs {
		if !r.OK {
			failing[r.ID] = true
			if r.Unknown || !strings.HasPrefix(r.Fix, "In ") {
				t.Errorf("%s: %+v", r.ID, r)
			}
		}
	}
	for _, id := range []string{"add-all/project_membership", "add-all/add_to_new_projects", "verify/permitted_projects"} {
		if !failing[id] {
			t.Errorf("%s holds on the fresh company", id)
		}
	}
	if len(failing) != 3 {
		t.Errorf("failing %v", failing)
	}
	for _, name := range []string{"add_to_projects", "add_to_new_projects"} {
		act := steps.Action{Name: name}
		p, err := a.Automate().Plan(ctx, act, u)
		if err != nil || p.Nothing || !strings.Contains(p.As, w.Fx.AdminLogin) {
			t.Fatalf("%s: plan %+v, %v", name, p, err)
		}
		o, err := a.Automate().Do(ctx, act, p, u)
		if err != nil || o.Kind != steps.OutcomeDone || o.UserID != w.Fx.DMSAUserID || !strings.Contains(o.Detail, "as "+w.Fx.AdminLogin) {
			t.Fatalf("%s: outcome %+v, %v", name, o, err)
		}
	}
	rs, err = a.Check().Audit(ctx, g, u)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if !r.OK {
			t.Errorf("after the actions %s: %+v", r.ID, r)
		}
	}
	if st := w.S.Stats(); st.Status[403] != 0 {
		t.Errorf("%d requests were refused", st.Status[403])
	}
	step := a.Check()
	got, err := step.Check(ctx, g.Steps[1].Checks, u)
	if err != nil || len(got) != 2 || got[0].ID != "add-all/project_membership" || !got[0].OK {
		t.Errorf("one step's checks: %+v, %v", got, err)
	}
}

// TestNoAdminSignIn: without the admin's sign-in an action says how to
// sign in, and the checks that need it are unknown, never passed; the
// integration is still proved with its own token.
func TestNoAdminSignIn(t *testing.T) {
	w := simtest.New(t, sim.Config{Seed: 32, Projects: 5})
	a := storedApp(t, w, false)
	ctx := context.Background()
	if _, err := a.Automate().Plan(ctx, steps.Action{Name: "add_to_new_projects"}, Using{}); err == nil || !strings.Contains(err.Error(), "procore-sa login") {
		t.Errorf("plan without the admin: %v", err)
	}
	rs, err := a.Check().Audit(ctx, dmsaGuide(), Using{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.OK != (r.ID == "verify/credential_works" || r.ID == "verify/integration_permissions") || !r.OK && !r.Unknown {
			t.Errorf("%s: %+v", r.ID, r)
		}
	}
	if _, err := a.Check().Audit(ctx, &steps.Guide{ID: "x"}, Using{}); err != ErrNothingToCheck {
		t.Errorf("a guide without checks: %v", err)
	}
}

// TestDemoDMSAIsNoDirectoryAdmin: under --demo the simulator's DMSA may
// not change the directory, and the guide's work is still done: the
// admin acts, the DMSA is proved with its own token.
func TestDemoDMSAIsNoDirectoryAdmin(t *testing.T) {
	store := credstore.NewStore("procore-sa-demo-test")
	store.Keyring = &credstore.MemoryKeyring{}
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	a := New(Config{Demo: true, Credentials: store, Getenv: func(string) string { return "" }})
	defer a.Close()
	ctx := context.Background()
	ic, _, why := a.IntegrationClient(ctx, "")
	if ic == nil {
		t.Fatal(why)
	}
	if isAdmin, err := ic.DirectoryAdmin(ctx); err != nil || isAdmin {
		t.Fatalf("the demo's DMSA is a Directory Admin: %v, %v", isAdmin, err)
	}
	act := steps.Action{Name: "add_to_new_projects"}
	p, err := a.Automate().Plan(ctx, act, Using{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Automate().Do(ctx, act, p, Using{}); err != nil {
		t.Fatal(err)
	}
	s, _ := a.Sim()
	if !s.AddToNewProjects(s.Fixtures().DMSAUserID) {
		t.Error("add_to_new_projects is off")
	}
	facts, err := a.Verify().Verify(ctx, Using{})
	if err != nil || len(facts) != 3 || !strings.Contains(facts[2], "Directory Read Only") {
		t.Errorf("verify: %v, %v", facts, err)
	}
}

// TestAuditFindsTheAccount: outside a walk the guide's find_user action,
// which only reads, says whose setup the audit reads.
func TestAuditFindsTheAccount(t *testing.T) {
	w := simtest.New(t, sim.Config{Seed: 33, Projects: 5})
	a := storedApp(t, w, true)
	g := &steps.Guide{ID: "x", Steps: []steps.Step{
		{ID: "find", Kind: steps.KindInstruction, Action: &steps.Action{Name: "find_user", With: map[string]string{"email_like": "integration.service@*"}}},
		{ID: "rights", Kind: steps.KindInstruction, Checks: steps.CheckList{{Name: "company_not_admin"}}},
	}}
	rs, err := a.Check().Audit(context.Background(), g, Using{})
	if err != nil || len(rs) != 1 || !rs[0].OK || !strings.Contains(rs[0].State, w.Fx.ServiceUserEmail) {
		t.Fatalf("audit %+v, %v", rs, err)
	}
	before := w.S.Stats()
	if before.ByRoute["PATCH /rest/v1.3/companies/{cid}/users/{id}"] != 0 {
		t.Error("the audit changed a user")
	}
}

// TestAuditLeavesOutWhatDoesNotApply: a vendor's app has no credential of
// the company's to prove, so the built-in dmsa guide's verify checks are
// not read when the walk says the app is a vendor's.
func TestAuditLeavesOutWhatDoesNotApply(t *testing.T) {
	w := simtest.New(t, sim.Config{Seed: 34, Projects: 5})
	a := storedApp(t, w, true)
	cat, problems := steps.LoadCatalog(t.TempDir())
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	g, ok := cat.Get("dmsa")
	if !ok {
		t.Fatal("no dmsa guide")
	}
	var vendor string
	for _, st := range g.Steps {
		for _, f := range st.Fields {
			if f.ID == "owner" {
				vendor = f.Options[len(f.Options)-1]
			}
		}
	}
	ctx := context.Background()
	all, err := a.Check().Audit(ctx, g, Using{Guide: g})
	if err != nil {
		t.Fatal(err)
	}
	some, err := a.Check().Audit(ctx, g, Using{Guide: g, Answers: map[string]string{"owner": vendor}})
	if err != nil {
		t.Fatal(err)
	}
	if len(some) >= len(all) || slices.ContainsFunc(some, func(r Requirement) bool { return r.Step == "verify" }) {
		t.Errorf("a vendor's app: %d of %d requirements read, verify's among them: %+v", len(some), len(all), some)
	}
}
