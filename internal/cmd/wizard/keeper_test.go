package wizard_test

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/cmd/cmdtest"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/secret"
)

// TestCaptureNeverReplacesAnotherCredential: a guide's capture saves to
// the profile unless it holds another credential (another kind, app or
// login); then to the guide's id, then numbered names, and says so. A new
// secret for the same app replaces the old one.
func TestCaptureNeverReplacesAnotherCredential(t *testing.T) {
	cmdtest.Env(t)
	c := cmdtest.NewCredApp(t, "")
	login := credstore.Credential{Version: 1, Kind: credstore.KindUserLogin, Environment: "production", CompanyID: 7,
		Login: "sync@example.com", Password: secret.New("first-password-1A!"), Guide: "syncezy"}
	c.Save(t, "default", login)
	c.Factory.Flags.Profile = "default" // the flag's default
	k := cmdtest.KeeperOf(t, c)
	ctx := context.Background()
	steps := []struct {
		cred        credstore.Credential
		wantProfile string
		wantNote    string
	}{
		{cmdtest.AppCred("app-1", "secret-one"), "dmsa", "profile default holds a user_login credential (login sync@example.com, production), which is kept; this one is saved beside it as profile dmsa"},
		// A new secret of the same app replaces the old one, beside default.
		{cmdtest.AppCred("app-1", "secret-two"), "dmsa", "profile default holds a user_login credential (login sync@example.com, production), which is kept; this one replaces the older entry of the same credential in profile dmsa"},
		{cmdtest.AppCred("app-2", "secret-three"), "dmsa-2", "profile default holds a user_login credential (login sync@example.com, production), which is kept; this one is saved beside it as profile dmsa-2"},
	}
	for i, st := range steps {
		saved, err := k.Save(ctx, st.cred)
		if err != nil {
			t.Fatalf("save %d: %v", i, err)
		}
		if saved.Profile != st.wantProfile || saved.Note() != st.wantNote {
			t.Errorf("save %d: %+v, note %q; want %q, %q", i, saved, saved.Note(), st.wantProfile, st.wantNote)
		}
	}
	for profile, want := range map[string]string{"default": "first-password-1A!", "dmsa": "secret-two", "dmsa-2": "secret-three"} {
		got, err := c.Store.Load(ctx, profile, false)
		if err != nil {
			t.Fatalf("load %s: %v", profile, err)
		}
		if s := got.Password.Reveal() + got.ClientSecret.Reveal(); s != want {
			t.Errorf("profile %s holds %q, want %q", profile, s, want)
		}
	}
}

// TestCaptureSlowKeychainNeverReplaces: a keychain slower than the short
// read timeout (someone typing its unlock password) must not make another
// app's secret look free: it is kept, and the new one goes beside it.
func TestCaptureSlowKeychainNeverReplaces(t *testing.T) {
	cmdtest.Env(t)
	c := cmdtest.NewCredApp(t, "")
	c.Save(t, "default", cmdtest.AppCred("app-1", "first-secret"))
	cmdtest.SlowGets(c, 200*time.Millisecond) // the short timeout is 50 ms, the interactive one 5 s
	c.Factory.Flags.Profile = "default"       // the flag's default
	k := cmdtest.KeeperOf(t, c)
	if err := cmdtest.SaveVia(k, cmdtest.AppCred("app-2", "second-secret")); err != nil {
		t.Fatal(err)
	}
	cmdtest.SlowGets(c, 0)
	if h := c.Held(t, "default"); h != "first-secret||" {
		t.Fatalf("a slow keychain let app-1's secret be replaced: default holds %q", h)
	}
	if h := c.Held(t, "dmsa"); h != "second-secret||" {
		t.Errorf("the new secret is not beside it: dmsa holds %q", h)
	}
}

// TestCaptureUnreadableEntryIsNotFree: an entry this version cannot parse
// (one a newer procore-sa wrote) is kept, not overwritten.
func TestCaptureUnreadableEntryIsNotFree(t *testing.T) {
	cmdtest.Env(t)
	c := cmdtest.NewCredApp(t, "")
	newer := `{"version":2,"kind":"client_credentials","client_id":"app-1","client_secret":"newer-secret"}`
	if err := c.KR.MemoryKeyring.Set("procore-sa", "default", newer); err != nil {
		t.Fatal(err)
	}
	c.Factory.Flags.Profile = "default" // the flag's default
	k := cmdtest.KeeperOf(t, c)
	if err := cmdtest.SaveVia(k, cmdtest.AppCred("app-1", "second-secret")); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.KR.MemoryKeyring.Get("procore-sa", "default"); got != newer {
		t.Fatalf("the entry a newer version wrote was replaced: %s", got)
	}
	if h := c.Held(t, "dmsa"); h != "second-secret||" {
		t.Errorf("the new secret is not beside it: dmsa holds %q", h)
	}
}

// TestCustodyDemoCredential: the keeper offers the simulator's own app
// under --demo only.
func TestCustodyDemoCredential(t *testing.T) {
	cmdtest.Env(t)
	a := cmdtest.Factory(strings.NewReader(""), io.Discard, io.Discard)
	a.Start()
	k, err := a.App().Keeper()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := k.DemoCredential(); ok {
		t.Fatal("a demo credential is offered outside --demo")
	}
	a.Flags.Demo = true
	a.Start()
	defer a.App().Close()
	if k, err = a.App().Keeper(); err != nil {
		t.Fatal(err)
	}
	cred, ok := k.DemoCredential()
	s, err := a.App().Sim()
	if err != nil {
		t.Fatal(err)
	}
	fx := s.Fixtures()
	if !ok || cred.ClientID != fx.DMSAClientID || cred.ClientSecret.Reveal() != fx.DMSAClientSecret ||
		cred.CompanyID != fx.CompanyID || cred.Kind != credstore.KindClientCredentials || cred.Environment != "demo" {
		t.Fatalf("offered %+v, %v", cred, ok)
	}
}
