package verify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/cmd/cmdtest"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/procore"
)

// TestVerifyUserLoginSaysWhatWasChecked: a user_login profile cannot be
// proven through the API; verify must say that it checked the admin's
// sign-in instead, name that profile, and not pass the user's login off as
// verified. With no admin sign-in it fails.
func TestVerifyUserLoginSaysWhatWasChecked(t *testing.T) {
	cmdtest.Env(t)
	_, fx, at := cmdtest.StartSim(t)
	c := cmdtest.NewCredApp(t, "")
	c.Save(t, "robot", credstore.Credential{Version: 1, Kind: credstore.KindUserLogin, Environment: "custom", CompanyID: fx.CompanyID,
		Login: "robot@example.com", Password: secret.New("Robot-pass-do-not-print-1")})

	out, errOut, code := c.Run(t, append(at, "verify", "--profile", "robot")...)
	if code != cmdutil.ExitFailed || !strings.Contains(errOut, `profile "robot" holds the login and password of a user`) ||
		!strings.Contains(errOut, `'procore-sa login --profile admin'`) {
		t.Fatalf("verify with no admin sign-in: exit %d\n%s%s", code, out, errOut)
	}

	c = cmdtest.NewCredApp(t, "")
	c.Save(t, "robot", credstore.Credential{Version: 1, Kind: credstore.KindUserLogin, Environment: "custom", CompanyID: fx.CompanyID,
		Login: "robot@example.com", Password: secret.New("Robot-pass-do-not-print-1")})
	c.Save(t, app.AdminProfile, cmdtest.DMSACred(fx, fx.DMSAClientSecret))
	out, errOut, code = c.Run(t, append(at, "verify", "--profile", "robot")...)
	if code != cmdutil.ExitOK {
		t.Fatalf("verify: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		`profile "robot" holds the login of a user (robot@example.com)`,
		`cannot sign in with`,
		`Checking the admin's sign-in instead, profile "admin"`,
		`not verified: profile "robot" itself`,
		`the checks above are of the admin's sign-in, profile "admin"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("verify output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out+errOut, "do-not-print") {
		t.Error("verify printed the user's password")
	}
	// The "ok" lines are the admin's, after the note that says so.
	if strings.Index(out, "ok  ") < strings.Index(out, "Checking the admin's sign-in") {
		t.Errorf("an ok line comes before the note that it is the admin's:\n%s", out)
	}
	acts := cmdtest.AuditActions(t)
	if !cmdtest.HasAction(acts["robot"], "read") || !cmdtest.HasAction(acts[app.AdminProfile], "read") {
		t.Errorf("audit reads %v", acts)
	}
	help, _, _ := c.Run(t, "verify", "--help")
	if !strings.Contains(help, "user_login") || !strings.Contains(help, "not verified") {
		t.Errorf("verify's help does not say what happens to a user_login profile:\n%s", help)
	}
}

// TestVerifyRefusedCredentialExits1: a credential Procore refuses is a job
// failed (exit 1), and each use is a "read" in the audit log.
func TestVerifyRefusedCredentialExits1(t *testing.T) {
	cmdtest.Env(t)
	_, fx, at := cmdtest.StartSim(t)
	c := cmdtest.NewCredApp(t, "")
	c.Save(t, "good", cmdtest.DMSACred(fx, fx.DMSAClientSecret))
	c.Save(t, "bad", cmdtest.DMSACred(fx, "not-the-secret-do-not-print"))
	out, errOut, code := c.Run(t, append(at, "verify", "--profile", "good")...)
	if code != cmdutil.ExitOK || !strings.Contains(out, "ok  The token works") {
		t.Fatalf("verify good: exit %d\n%s%s", code, out, errOut)
	}
	c.Out.Reset()
	c.Errb.Reset()
	out, errOut, code = c.Run(t, append(at, "verify", "--profile", "bad")...)
	if code != cmdutil.ExitFailed {
		t.Fatalf("verify of a refused credential: exit %d, want 1\n%s%s", code, out, errOut)
	}
	if strings.Contains(out, "ok  ") || strings.Contains(out+errOut, "do-not-print") {
		t.Errorf("verify of a refused credential:\n%s%s", out, errOut)
	}
	acts := cmdtest.AuditActions(t)
	if !cmdtest.HasAction(acts["good"], "read") || !cmdtest.HasAction(acts["bad"], "read") {
		t.Errorf("audit reads %v", acts)
	}
}

// TestCredentialEnvironmentIsUsed: a stored credential goes to the
// environment it was made in, not to --env's default; an explicit --env
// that disagrees is refused before anything is sent; --api-url wins.
func TestCredentialEnvironmentIsUsed(t *testing.T) {
	cmdtest.Env(t)
	c := cmdtest.NewCredApp(t, "")
	sandbox := credstore.Credential{Version: 1, Kind: credstore.KindClientCredentials, Environment: "sandbox", CompanyID: 7,
		ClientID: "id", ClientSecret: secret.New("sandbox-secret-do-not-print")}
	c.Flags.Env = "production" // the flag's default
	env, err := cmdtest.EnvFor(c, sandbox, "sb")
	if err != nil || env != procore.Sandbox {
		t.Fatalf("default --env: %+v %v, want sandbox", env, err)
	}
	if !strings.Contains(c.Errb.String(), `using the sandbox environment, where profile "sb"'s credential was made`) {
		t.Errorf("did not say which environment it used: %q", c.Errb.String())
	}
	c.Flags.Env = "sandbox"
	if env, err := cmdtest.EnvFor(c, sandbox, "sb"); err != nil || env != procore.Sandbox {
		t.Errorf("--env sandbox: %+v %v", env, err)
	}
	c.Flags.Env = "monthly"
	if _, err := cmdtest.EnvFor(c, sandbox, "sb"); err == nil || !strings.Contains(err.Error(), "--env monthly, but profile \"sb\" holds a credential made for sandbox") {
		t.Errorf("--env monthly on a sandbox credential: %v", err)
	}
	c.Flags.Env, c.Flags.APIURL, c.Flags.LoginURL = "production", "http://127.0.0.1:9", "http://127.0.0.1:9"
	if env, err := cmdtest.EnvFor(c, sandbox, "sb"); err != nil || env.APIURL != "http://127.0.0.1:9" {
		t.Errorf("--api-url: %+v %v", env, err)
	}
	c.Flags.APIURL, c.Flags.LoginURL = "", ""
	custom := sandbox
	custom.Environment = "custom"
	if _, err := cmdtest.EnvFor(c, custom, "sim"); err == nil || !strings.Contains(err.Error(), "--api-url") {
		t.Errorf("a credential made with --api-url, used without: %v", err)
	}

	// Through the command: refused with exit 2, nothing sent.
	c = cmdtest.NewCredApp(t, "")
	c.Save(t, "sb", sandbox)
	out, errOut, code := c.Run(t, "--env", "monthly", "verify", "--profile", "sb")
	if code != cmdutil.ExitUsage || !strings.Contains(errOut, "works only in the environment it was made in") {
		t.Fatalf("verify --env monthly on a sandbox profile: exit %d\n%s%s", code, out, errOut)
	}
	// An explicit --env production is as explicit as any other.
	c = cmdtest.NewCredApp(t, "")
	c.Save(t, "sb", sandbox)
	out, errOut, code = c.Run(t, "verify", "--env", "production", "--profile", "sb")
	if code != cmdutil.ExitUsage || !strings.Contains(errOut, "--env production, but profile \"sb\" holds a credential made for sandbox") {
		t.Fatalf("verify --env production on a sandbox profile: exit %d\n%s%s", code, out, errOut)
	}
	// And so for every command that uses a credential, not only verify.
	c = cmdtest.NewCredApp(t, "")
	c.Save(t, "sb", sandbox)
	out, errOut, code = c.Run(t, "--env", "production", "add-all", "--user", "1", "--dry-run", "--profile", "sb")
	if code != cmdutil.ExitUsage || !strings.Contains(errOut, "--env production, but profile \"sb\" holds a credential made for sandbox") {
		t.Fatalf("add-all --env production on a sandbox profile: exit %d\n%s%s", code, out, errOut)
	}
}

// TestRefreshTokenSaveWaitsAndRetries: after a refresh the old refresh
// token is spent, so the new one must be stored even when the keychain
// asks the person to unlock it (a wait longer than the short timeout) or
// fails once.
func TestRefreshTokenSaveWaitsAndRetries(t *testing.T) {
	cmdtest.Env(t)
	old := app.RefreshSavePause
	app.RefreshSavePause = 10 * time.Millisecond
	t.Cleanup(func() { app.RefreshSavePause = old })
	r, fx, at := cmdtest.StartSim(t)

	signIn := func(c *cmdtest.CredApp) {
		t.Helper()
		env := r.Environment()
		code, err := r.IssueCode(fx.AdminClientID, procore.OOBRedirect)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := procore.Exchange(context.Background(), nil, env, fx.AdminClientID, secret.New(fx.AdminClientSecret), code)
		if err != nil {
			t.Fatal(err)
		}
		c.Save(t, "adm", credstore.Credential{Version: 1, Kind: credstore.KindAdminOAuth, Environment: "custom", CompanyID: fx.CompanyID,
			ClientID: fx.AdminClientID, ClientSecret: secret.New(fx.AdminClientSecret), RefreshToken: secret.New(tok.RefreshToken)})
	}
	stored := func(c *cmdtest.CredApp) string {
		t.Helper()
		cred, err := c.Store.Load(context.Background(), "adm", false)
		if err != nil {
			t.Fatal(err)
		}
		return cred.RefreshToken.Reveal()
	}

	cases := map[string]func(*cmdtest.CredApp) func(string) error{
		// The OS shows an unlock prompt: longer than the short timeout.
		"unlock prompt": func(*cmdtest.CredApp) func(string) error {
			return func(account string) error {
				if account == "adm" {
					time.Sleep(300 * time.Millisecond)
				}
				return nil
			}
		},
		// The keychain is locked the first time, unlocked the second.
		"locked once": func(c *cmdtest.CredApp) func(string) error {
			return func(account string) error {
				c.KR.Mu.Lock()
				n := c.KR.SetsFor[account]
				c.KR.Mu.Unlock()
				if account == "adm" && n == 1 {
					return cmdtest.ErrLocked
				}
				return nil
			}
		},
	}
	for name, hook := range cases {
		t.Run(name, func(t *testing.T) {
			c := cmdtest.NewCredApp(t, "")
			signIn(c)
			before := stored(c)
			c.KR.Mu.Lock()
			c.KR.SetsFor = nil
			c.KR.Mu.Unlock()
			c.KR.Hook(hook(c))
			out, errOut, code := c.Run(t, append(at, "verify", "--profile", "adm")...)
			if code != cmdutil.ExitOK {
				t.Fatalf("verify: exit %d\n%s%s", code, out, errOut)
			}
			if after := stored(c); after == before || after == "" {
				t.Error("the new refresh token was not stored")
			}
			if !cmdtest.HasAction(cmdtest.AuditActions(t)["adm"], "refresh") {
				t.Error("no refresh in the audit log")
			}
		})
	}

	// A keychain that never takes it: the error says the sign-in must be
	// made again, and the audit log says the token was not stored.
	c := cmdtest.NewCredApp(t, "")
	signIn(c)
	c.KR.Mu.Lock()
	c.KR.SetsFor = nil
	c.KR.Mu.Unlock()
	c.KR.Hook(func(account string) error {
		if account == "adm" {
			return cmdtest.ErrLocked
		}
		return nil
	})
	out, errOut, code := c.Run(t, append(at, "verify", "--profile", "adm")...)
	if code != cmdutil.ExitFailed || !strings.Contains(errOut, "procore-sa login --profile adm") || strings.Contains(errOut, "secret export") {
		t.Fatalf("verify with a keychain that refuses: exit %d\n%s%s", code, out, errOut)
	}
	c.KR.Mu.Lock()
	n := c.KR.SetsFor["adm"]
	c.KR.Mu.Unlock()
	if n != app.RefreshSaveAttempts {
		t.Errorf("%d attempts to store the new refresh token, want %d", n, app.RefreshSaveAttempts)
	}
}
