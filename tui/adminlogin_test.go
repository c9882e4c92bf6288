package tui

import (
	"strings"
	"testing"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/app/apptest"
	"github.com/procore-sa/procore-sa/steps"
)

func loginGuide() *steps.Guide {
	return &steps.Guide{ID: "login", Title: "Login", AccountModel: steps.UserLogin, Steps: []steps.Step{
		{ID: "in", Kind: steps.KindAdminLogin, Title: "Sign in as a company admin", Checklist: []string{"Sign in"}},
	}}
}

func TestAdminLoginScreen(t *testing.T) {
	f, k := &apptest.SignIn{}, &apptest.Keeper{}
	d := newDriver(t, Options{Guides: []*steps.Guide{loginGuide()}, GuideID: "login", Services: app.Services{Sessions: openStore(t), SignIn: f, Keeper: k}}, 80, 24)
	d.press("enter")
	// The address is plain text, whole (wrapped, never cut).
	if !strings.Contains(strings.Join(strings.Fields(d.text()), ""), "response_type=code&state=9") {
		t.Fatalf("the address is not whole:\n%s", d.text())
	}
	d.typ("CODE-SECRET-123").press("enter")
	if strings.Contains(d.screen(), "CODE-SECRET") {
		t.Fatal("the code was drawn")
	}
	if len(f.Got) != 1 || f.Got[0] != "CODE-SECRET-123" {
		t.Fatalf("finished with %q", f.Got)
	}
	// The sign-in Procore issued is kept like a one-time secret.
	d.contains("Signed in as morgan.reyes@example.com", "saved to profile", "read back")
	if kept, _ := k.Snapshot(); len(kept) != 1 || kept[0].RefreshToken.Reveal() != "refresh-XYZ" {
		t.Fatalf("kept %v", kept)
	}
	d.press("enter")
	if !d.m.Walker().Finished() {
		t.Fatal("the step did not complete")
	}
	if o, _ := d.m.Walker().Outcome("in"); o.Kind != steps.OutcomeDone || !strings.Contains(o.Detail, "signed in as morgan.reyes@example.com") || o.Profile != "default" {
		t.Fatalf("outcome %+v", o)
	}
	if d.m.Walker().Checked(0) {
		t.Fatal("a tick was made up for the sign-in")
	}
}

func TestAdminLoginByHand(t *testing.T) {
	d := newDriver(t, Options{Guides: []*steps.Guide{loginGuide()}, GuideID: "login", Services: app.Services{Sessions: openStore(t), SignIn: &apptest.SignIn{}, Keeper: &apptest.Keeper{}}}, 80, 24)
	d.press("h")
	d.contains("[ ] Sign in")
	d.press("space", "enter")
	if !d.m.Walker().Finished() {
		t.Fatal("the step by hand did not complete")
	}
}
