package root

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/state"
)

// appCred is a DMSA credential of app id with secret s.
func appCred(id, s string) credstore.Credential {
	return credstore.Credential{Version: 1, Kind: credstore.KindClientCredentials, Environment: "production", CompanyID: 7,
		ClientID: id, ClientSecret: secret.New(s), Guide: "dmsa"}
}

// held is the secret or refresh token profile holds, read straight from
// the keychain.
func (c *credApp) held(t *testing.T, profile string) string {
	t.Helper()
	got, err := c.store.Load(context.Background(), profile, false)
	if err != nil {
		t.Fatalf("load %s: %v", profile, err)
	}
	return got.ClientSecret.Reveal() + "|" + got.RefreshToken.Reveal() + "|" + got.Password.Reveal()
}

// auditEntries is the audit log's entries.
func auditEntries(t *testing.T) []state.AuditEntry {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(os.Getenv("XDG_STATE_HOME"), "procore-sa", "audit.jsonl"))
	if err != nil {
		t.Fatalf("read the audit log: %v", err)
	}
	var out []state.AuditEntry
	for line := range strings.SplitSeq(strings.TrimSpace(string(raw)), "\n") {
		var e state.AuditEntry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		out = append(out, e)
	}
	return out
}

// TestLoginNeverReplacesACapture: after a DMSA capture into default,
// 'procore-sa login' (with no terminal to ask in) saves the sign-in beside
// it as admin, says so, and the audit line names what went where and what
// was kept.
func TestLoginNeverReplacesACapture(t *testing.T) {
	guidesEnv(t)
	r, fx, at := testSim(t)
	t.Setenv("PROCORE_CLIENT_SECRET", fx.AdminClientSecret)
	c := newCredApp(t, "")
	c.save(t, "default", appCred("captured-app", "captured-secret-do-not-print"))
	for i, want := range []string{"admin", "admin-2"} {
		code0, err := r.IssueCode(fx.AdminClientID, procore.OOBRedirect)
		if err != nil {
			t.Fatal(err)
		}
		c.Factory.IOStreams.In = strings.NewReader(code0 + "\n")
		if i == 1 {
			// admin now holds the first sign-in of another app: the
			// next one, through a different app, goes to admin-2.
			if err := c.store.Delete(context.Background(), "admin"); err != nil {
				t.Fatal(err)
			}
			c.save(t, "admin", credstore.Credential{Version: 1, Kind: credstore.KindAdminOAuth, ClientID: "other-app", RefreshToken: secret.New("other-refresh")})
		}
		out, errOut, code := c.run(t, append(at, "login", "--client-id", fx.AdminClientID)...)
		if code != exitOK {
			t.Fatalf("login %d: exit %d\n%s%s", i, code, out, errOut)
		}
		if !strings.Contains(out, `as profile "`+want+`"`) || !strings.Contains(out+errOut, `profile default holds a client_credentials credential`) {
			t.Errorf("login %d does not say where the sign-in went and what was kept:\n%s%s", i, out, errOut)
		}
		if got, err := c.store.Load(context.Background(), want, false); err != nil || got.Kind != credstore.KindAdminOAuth || got.ClientID != fx.AdminClientID {
			t.Errorf("login %d: profile %s holds %v (%v)", i, want, got.Kind, err)
		}
	}
	if h := c.held(t, "default"); h != "captured-secret-do-not-print||" {
		t.Fatalf("the captured secret was replaced: default now holds %q", h)
	}
	var login *state.AuditEntry
	for _, e := range auditEntries(t) {
		if e.Action == "login" {
			login = &e
		}
	}
	if login == nil || login.Profile != "admin-2" || !strings.Contains(login.Detail, "admin_oauth") ||
		!strings.Contains(login.Detail, "default") || !strings.Contains(login.Detail, "kept") {
		t.Errorf("the audit line does not say what was saved, where, and what was kept: %+v", login)
	}
}

// TestLoginSameSignInReplaces: a new sign-in through the same app replaces
// the old one in its profile: the same credential.
func TestLoginSameSignInReplaces(t *testing.T) {
	guidesEnv(t)
	r, fx, at := testSim(t)
	t.Setenv("PROCORE_CLIENT_SECRET", fx.AdminClientSecret)
	c := newCredApp(t, "")
	for i := range 2 {
		code0, err := r.IssueCode(fx.AdminClientID, procore.OOBRedirect)
		if err != nil {
			t.Fatal(err)
		}
		c.Factory.IOStreams.In = strings.NewReader(code0 + "\n")
		out, errOut, code := c.run(t, append(at, "--profile", "adm", "login", "--client-id", fx.AdminClientID)...)
		if code != exitOK || !strings.Contains(out, `as profile "adm"`) {
			t.Fatalf("login %d: exit %d\n%s%s", i, code, out, errOut)
		}
	}
	names, err := c.store.Profiles(context.Background())
	if err != nil || len(names) != 1 {
		t.Fatalf("profiles %v %v", names, err)
	}
}

// slowGets makes every read of a profile take longer than the store's
// short timeout and less than its interactive one: a keychain waiting for
// its unlock password.
func slowGets(c *credApp, d time.Duration) {
	c.kr.mu.Lock()
	defer c.kr.mu.Unlock()
	c.kr.onGet = func(account string) {
		if !strings.HasPrefix(account, "_") {
			time.Sleep(d)
		}
	}
}

// TestCaptureSlowKeychainNeverReplaces: a keychain slower than the short
// read timeout (someone typing its unlock password) must not make another
// app's secret look free: it is kept, and the new one goes beside it.
func TestCaptureSlowKeychainNeverReplaces(t *testing.T) {
	guidesEnv(t)
	c := newCredApp(t, "")
	c.save(t, "default", appCred("app-1", "first-secret"))
	slowGets(c, 200*time.Millisecond)   // the short timeout is 50 ms, the interactive one 5 s
	c.Factory.Flags.Profile = "default" // the flag's default
	k := keeperOf(t, c)
	if err := saveVia(k, appCred("app-2", "second-secret")); err != nil {
		t.Fatal(err)
	}
	slowGets(c, 0)
	if h := c.held(t, "default"); h != "first-secret||" {
		t.Fatalf("a slow keychain let app-1's secret be replaced: default holds %q", h)
	}
	if h := c.held(t, "dmsa"); h != "second-secret||" {
		t.Errorf("the new secret is not beside it: dmsa holds %q", h)
	}
}

// TestCaptureUnreadableEntryIsNotFree: an entry this version cannot parse
// (one a newer procore-sa wrote) is kept, not overwritten.
func TestCaptureUnreadableEntryIsNotFree(t *testing.T) {
	guidesEnv(t)
	c := newCredApp(t, "")
	newer := `{"version":2,"kind":"client_credentials","client_id":"app-1","client_secret":"newer-secret"}`
	if err := c.kr.MemoryKeyring.Set("procore-sa", "default", newer); err != nil {
		t.Fatal(err)
	}
	c.Factory.Flags.Profile = "default" // the flag's default
	k := keeperOf(t, c)
	if err := saveVia(k, appCred("app-1", "second-secret")); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.kr.MemoryKeyring.Get("procore-sa", "default"); got != newer {
		t.Fatalf("the entry a newer version wrote was replaced: %s", got)
	}
	if h := c.held(t, "dmsa"); h != "second-secret||" {
		t.Errorf("the new secret is not beside it: dmsa holds %q", h)
	}
}

func saveVia(k app.Keeper, cred credstore.Credential) error {
	_, err := k.Save(context.Background(), cred)
	return err
}

// TestListSaysItWaitsForTheKeychain: secret list and status, waiting on a
// keychain that asks for its unlock password, say so on stderr after a
// second instead of staying silent.
func TestListSaysItWaitsForTheKeychain(t *testing.T) {
	guidesEnv(t)
	for _, cmd := range [][]string{{"secret", "list"}, {"status"}} {
		c := newCredApp(t, "")
		c.save(t, "default", appCred("app-1", "first-secret"))
		slowGets(c, credstore.SlowAfter+300*time.Millisecond)
		out, errOut, code := c.run(t, cmd...)
		if code != exitOK || strings.Count(errOut, credstore.KeychainWait) != 1 || !strings.Contains(out, "default") {
			t.Errorf("%v: exit %d\nstdout:\n%s\nstderr:\n%s", cmd, code, out, errOut)
		}
		slowGets(c, 0)
		c.out.Reset()
		c.errb.Reset()
		if _, errOut, _ := c.run(t, cmd...); strings.Contains(errOut, "Waiting") {
			t.Errorf("%v: a quick keychain is said to be waited for: %s", cmd, errOut)
		}
	}
}
