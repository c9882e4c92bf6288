package tui

import (
	"context"
	"strings"
	"testing"

	"github.com/procore-sa/procore-sa/steps"
)

type fakeLogin struct{ got string }

func (f *fakeLogin) Start(context.Context) (string, string, error) {
	return "https://login.procore.com/oauth/authorize?client_id=app-1&redirect_uri=urn%3Aietf%3Awg%3Aoauth%3A2.0%3Aoob&response_type=code&state=9", "", nil
}

func (f *fakeLogin) Finish(_ context.Context, code string) (string, error) {
	f.got = code
	return `Signed in. The refresh token is in the keychain as profile "admin".`, nil
}

func loginGuide() *steps.Guide {
	return &steps.Guide{ID: "login", Title: "Login", AccountModel: steps.UserLogin, Steps: []steps.Step{
		{ID: "in", Kind: steps.KindAdminLogin, Title: "Sign in as a company admin", Checklist: []string{"Sign in"}},
	}}
}

func TestAdminLoginScreen(t *testing.T) {
	f := &fakeLogin{}
	d := newDriver(t, Options{Guides: []*steps.Guide{loginGuide()}, GuideID: "login", Store: openStore(t), Login: f}, 80, 24)
	d.press("enter")
	// The address is plain text, whole (wrapped, never cut).
	if !strings.Contains(strings.Join(strings.Fields(d.text()), ""), "response_type=code&state=9") {
		t.Fatalf("the address is not whole:\n%s", d.text())
	}
	d.typ("CODE-SECRET-123").press("enter")
	if strings.Contains(d.screen(), "CODE-SECRET") {
		t.Fatal("the code was drawn")
	}
	if f.got != "CODE-SECRET-123" {
		t.Fatalf("finished with %q", f.got)
	}
	d.contains("Signed in")
	d.press("enter")
	if !d.m.Walker().Finished() {
		t.Fatal("the step did not complete")
	}
}

func TestAdminLoginByHand(t *testing.T) {
	d := newDriver(t, Options{Guides: []*steps.Guide{loginGuide()}, GuideID: "login", Store: openStore(t), Login: &fakeLogin{}}, 80, 24)
	d.press("h")
	d.contains("[ ] Sign in")
	d.press("space", "enter")
	if !d.m.Walker().Finished() {
		t.Fatal("the step by hand did not complete")
	}
}
