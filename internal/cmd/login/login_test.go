package login_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/cmd/cmdtest"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/procore/sim"
	"github.com/procore-sa/procore-sa/state"
)

// TestLoginKeychainFailureOffersAgeFile: a sign-in whose keychain save
// fails is not thrown away: the person may write it to an age file (the
// passphrase twice; a mismatch asks again), 0600, never plain text.
func TestLoginKeychainFailureOffersAgeFile(t *testing.T) {
	cmdtest.Env(t)
	r, fx, at := cmdtest.StartSim(t)
	t.Setenv("PROCORE_CLIENT_SECRET", fx.AdminClientSecret)
	code0, err := r.IssueCode(fx.AdminClientID, procore.OOBRedirect)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "signin.age")
	pass := "correct horse battery staple"
	input := strings.Join([]string{code0, "x", "a", "short", pass, pass + "!", pass, pass, path}, "\n") + "\n"
	c := cmdtest.NewCredApp(t, input)
	c.KR.Hook(func(string) error { return cmdtest.ErrLocked })
	out, errOut, code := c.Run(t, append(at, "--profile", "adm", "login", "--client-id", fx.AdminClientID)...)
	if code != cmdutil.ExitOK {
		t.Fatalf("login: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"Could not save the credential", "is locked", "write a file encrypted with a passphrase (a)",
		"Answer t, a or discard", "at least 12 characters", "The two passphrases differ"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "secret export") {
		t.Errorf("advises secret export, which reads the failing keychain:\n%s", errOut)
	}
	if !strings.Contains(out, "The refresh token is in "+path) || !strings.Contains(out, "not the keychain") {
		t.Errorf("stdout:\n%s", out)
	}
	if strings.Contains(out+errOut, fx.AdminClientSecret) || strings.Contains(out+errOut, pass) {
		t.Error("a secret or the passphrase was printed")
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the age file: %v %v", fi, err)
	}
	raw, _ := os.ReadFile(path)
	if bytes.Contains(raw, []byte("refresh_token")) || bytes.Contains(raw, []byte(fx.AdminClientSecret)) {
		t.Fatal("the file holds the sign-in in plain text")
	}
	acts := cmdtest.AuditActions(t)["adm"]
	if !cmdtest.HasAction(acts, "export") || !cmdtest.HasAction(acts, "login") {
		t.Errorf("audit %v", acts)
	}
	doc := cmdtest.AgeDecrypt(t, path, pass)
	var w map[string]any
	if err := json.Unmarshal(doc, &w); err != nil || w["kind"] != "admin_oauth" || w["refresh_token"] == "" {
		t.Errorf("decrypted %v %v", cmdtest.KeysOf(w), err)
	}

	// Discarding, or input running out, fails the login (exit 1).
	for _, tail := range []string{"discard\n", ""} {
		code1, err := r.IssueCode(fx.AdminClientID, procore.OOBRedirect)
		if err != nil {
			t.Fatal(err)
		}
		c := cmdtest.NewCredApp(t, code1+"\n"+tail)
		c.KR.Hook(func(string) error { return cmdtest.ErrLocked })
		out, errOut, code := c.Run(t, append(at, "--profile", "adm", "login", "--client-id", fx.AdminClientID)...)
		if code != cmdutil.ExitFailed || !strings.Contains(errOut, "the refresh token was not kept") {
			t.Errorf("login, then %q: exit %d\n%s%s", tail, code, out, errOut)
		}
	}
}

// TestLoginStoresRefreshToken signs in to a simulator as a person would
// (the code pasted on standard input), reads the entry back with an
// independent client, secret-tool, and checks the refresh token is replaced
// each time it is used.
func TestLoginStoresRefreshToken(t *testing.T) {
	cmdtest.NeedKeyring(t)
	cmdtest.Env(t)
	r, err := app.StartSim("127.0.0.1:0", sim.Config{Seed: 4, Projects: 20}, sim.Faults{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop()
	fx := r.Fixtures()
	code0, err := r.IssueCode(fx.AdminClientID, procore.OOBRedirect)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("PROCORE_CLIENT_SECRET", fx.AdminClientSecret)
	profile := "test-login"
	at := []string{"--api-url", r.URL, "--login-url", r.URL, "--company", strconv.FormatInt(fx.CompanyID, 10), "--profile", profile}
	out, errOut, code := cmdtest.Run(t, code0+"\n", append(at, "login", "--client-id", fx.AdminClientID)...)
	if code != cmdutil.ExitOK {
		t.Fatalf("login: exit %d\n%s%s", code, out, errOut)
	}
	t.Cleanup(func() { cmdtest.Run(t, "", "secret", "delete", "--yes", profile) })
	if strings.Contains(out+errOut, fx.AdminClientSecret) {
		t.Fatal("login printed the client secret")
	}
	if !strings.Contains(out, "keychain") || strings.Contains(out, "memory only") {
		t.Fatalf("login did not use the keychain:\n%s", out)
	}
	raw, err := exec.Command("secret-tool", "lookup", "service", "procore-sa", "username", profile).Output()
	if err != nil {
		t.Fatalf("secret-tool lookup: %v", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("the entry is not JSON: %v", err)
	}
	if doc["kind"] != "admin_oauth" || doc["refresh_token"] == "" || doc["version"] != float64(1) {
		t.Fatalf("entry %v", cmdtest.KeysOf(doc))
	}
	// The refresh token is single use: verify uses it, stores the new one.
	first := doc["refresh_token"]
	if out, errOut, code := cmdtest.Run(t, "", append(at, "verify")...); code != cmdutil.ExitOK {
		t.Fatalf("verify: exit %d\n%s%s", code, out, errOut)
	}
	raw, _ = exec.Command("secret-tool", "lookup", "service", "procore-sa", "username", profile).Output()
	_ = json.Unmarshal(raw, &doc)
	if doc["refresh_token"] == first {
		t.Error("the refresh token was not replaced after use")
	}

	out, _, code = cmdtest.Run(t, "", "status", "--json")
	if code != cmdutil.ExitOK || !strings.Contains(out, `"profile": "`+profile+`"`) || strings.Contains(out, first.(string)) {
		t.Fatalf("status --json (exit %d):\n%s", code, out)
	}
	out, _, _ = cmdtest.Run(t, "", "secret", "list")
	if !strings.Contains(out, profile) || !strings.Contains(out, "admin_oauth") || strings.Contains(out, first.(string)) {
		t.Fatalf("secret list:\n%s", out)
	}
	if _, _, code := cmdtest.Run(t, "", "secret", "delete", "--yes", profile); code != cmdutil.ExitOK {
		t.Fatal("delete failed")
	}
	if err := exec.Command("secret-tool", "lookup", "service", "procore-sa", "username", profile).Run(); err == nil {
		t.Fatal("the entry is still there after delete")
	}
	audit, _ := os.ReadFile(os.Getenv("XDG_STATE_HOME") + "/procore-sa/audit.jsonl")
	for _, action := range []string{`"login"`, `"refresh"`, `"delete"`} {
		if !strings.Contains(string(audit), action) {
			t.Errorf("audit log lacks %s:\n%s", action, audit)
		}
	}
}

// TestLoginNeverReplacesACapture: after a DMSA capture into default,
// 'procore-sa login' (with no terminal to ask in) saves the sign-in beside
// it as admin, says so, and the audit line names what went where and what
// was kept.
func TestLoginNeverReplacesACapture(t *testing.T) {
	cmdtest.Env(t)
	r, fx, at := cmdtest.StartSim(t)
	t.Setenv("PROCORE_CLIENT_SECRET", fx.AdminClientSecret)
	c := cmdtest.NewCredApp(t, "")
	c.Save(t, "default", cmdtest.AppCred("captured-app", "captured-secret-do-not-print"))
	for i, want := range []string{"admin", "admin-2"} {
		code0, err := r.IssueCode(fx.AdminClientID, procore.OOBRedirect)
		if err != nil {
			t.Fatal(err)
		}
		c.Factory.IOStreams.In = strings.NewReader(code0 + "\n")
		if i == 1 {
			// admin now holds the first sign-in of another app: the
			// next one, through a different app, goes to admin-2.
			if err := c.Store.Delete(context.Background(), "admin"); err != nil {
				t.Fatal(err)
			}
			c.Save(t, "admin", credstore.Credential{Version: 1, Kind: credstore.KindAdminOAuth, ClientID: "other-app", RefreshToken: secret.New("other-refresh")})
		}
		out, errOut, code := c.Run(t, append(at, "login", "--client-id", fx.AdminClientID)...)
		if code != cmdutil.ExitOK {
			t.Fatalf("login %d: exit %d\n%s%s", i, code, out, errOut)
		}
		if !strings.Contains(out, `as profile "`+want+`"`) || !strings.Contains(out+errOut, `profile default holds a client_credentials credential`) {
			t.Errorf("login %d does not say where the sign-in went and what was kept:\n%s%s", i, out, errOut)
		}
		if got, err := c.Store.Load(context.Background(), want, false); err != nil || got.Kind != credstore.KindAdminOAuth || got.ClientID != fx.AdminClientID {
			t.Errorf("login %d: profile %s holds %v (%v)", i, want, got.Kind, err)
		}
	}
	if h := c.Held(t, "default"); h != "captured-secret-do-not-print||" {
		t.Fatalf("the captured secret was replaced: default now holds %q", h)
	}
	var login *state.AuditEntry
	for _, e := range cmdtest.AuditEntries(t) {
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
	cmdtest.Env(t)
	r, fx, at := cmdtest.StartSim(t)
	t.Setenv("PROCORE_CLIENT_SECRET", fx.AdminClientSecret)
	c := cmdtest.NewCredApp(t, "")
	for i := range 2 {
		code0, err := r.IssueCode(fx.AdminClientID, procore.OOBRedirect)
		if err != nil {
			t.Fatal(err)
		}
		c.Factory.IOStreams.In = strings.NewReader(code0 + "\n")
		out, errOut, code := c.Run(t, append(at, "--profile", "adm", "login", "--client-id", fx.AdminClientID)...)
		if code != cmdutil.ExitOK || !strings.Contains(out, `as profile "adm"`) {
			t.Fatalf("login %d: exit %d\n%s%s", i, code, out, errOut)
		}
	}
	names, err := c.Store.Profiles(context.Background())
	if err != nil || len(names) != 1 {
		t.Fatalf("profiles %v %v", names, err)
	}
}

func TestBrowserGetsNoCredentials(t *testing.T) {
	env := app.BrowserEnv([]string{"HOME=/home/a", "PROCORE_CLIENT_SECRET=s3cret", "PROCORE_CLIENT_ID=id", "DISPLAY=:0", "PROCORE_CLIENT_SECRETS=x"})
	if want := []string{"HOME=/home/a", "DISPLAY=:0", "PROCORE_CLIENT_SECRETS=x"}; !slices.Equal(env, want) {
		t.Errorf("browser environment %q, want %q", env, want)
	}
}
