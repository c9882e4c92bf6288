package login_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/cmd/cmdtest"

	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/state"
)

// TestWizardSignInNeverReplacesACapture: the wizard's admin-login step
// keeps its sign-in in profile admin; when admin already holds a client
// secret (a capture made with --profile admin) or another app's sign-in,
// or the keychain does not say in time what it holds, the sign-in goes
// beside it, the note says what was kept, the audit line says so, and
// what was there is never replaced.
func TestWizardSignInNeverReplacesACapture(t *testing.T) {
	signIn := credstore.Credential{Version: 1, Kind: credstore.KindAdminOAuth, Environment: "production", ClientID: "admin-app",
		RefreshToken: secret.New("new-refresh-do-not-print")}
	for name, tc := range map[string]struct {
		before credstore.Credential
		slow   bool
		want   string
	}{
		"a client secret":                {before: cmdtest.AppCred("captured-app", "captured-secret-do-not-print"), want: "admin-2"},
		"another app's sign-in":          {before: credstore.Credential{Version: 1, Kind: credstore.KindAdminOAuth, Environment: "production", ClientID: "other-app", RefreshToken: secret.New("other-refresh-do-not-print")}, want: "admin-2"},
		"a client secret, slow keychain": {before: cmdtest.AppCred("captured-app", "captured-secret-do-not-print"), slow: true, want: "admin-2"},
	} {
		t.Run(name, func(t *testing.T) {
			cmdtest.Env(t)
			c := cmdtest.NewCredApp(t, "")
			c.Save(t, "admin", tc.before)
			was := c.Held(t, "admin")
			if tc.slow {
				slowGets(c, 200*time.Millisecond) // past the short timeout, within the interactive one
			}
			saved, err := cmdtest.KeeperOf(t, c).Save(context.Background(), signIn)
			slowGets(c, 0)
			if err != nil {
				t.Fatal(err)
			}
			if saved.Profile != tc.want || saved.Beside != "admin" || !strings.Contains(saved.Note(), "which is kept") {
				t.Errorf("saved %+v, note %q; want it beside admin as %s", saved, saved.Note(), tc.want)
			}
			if h := c.Held(t, "admin"); h != was {
				t.Fatalf("what admin held was replaced: now %q", h)
			}
			if h := c.Held(t, tc.want); h != "|new-refresh-do-not-print|" {
				t.Errorf("%s holds %q, not the sign-in", tc.want, h)
			}
			var login *state.AuditEntry
			for _, e := range cmdtest.AuditEntries(t) {
				if e.Action == "login" {
					login = &e
				}
			}
			if login == nil || login.Profile != tc.want || !strings.Contains(login.Detail, "kept") || strings.Contains(login.Detail, "do-not-print") {
				t.Errorf("audit line %+v", login)
			}
		})
	}
}

// slowGets makes every keychain read of a profile wait d, as a keychain
// does while someone types its unlock password.
func slowGets(c *cmdtest.CredApp, d time.Duration) {
	c.KR.Mu.Lock()
	defer c.KR.Mu.Unlock()
	c.KR.OnGet = func(account string) {
		if !strings.HasPrefix(account, "_") {
			time.Sleep(d)
		}
	}
}
