package root

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/procore/sim"
	"github.com/procore-sa/procore-sa/state"
)

// hookKeyring is an in-memory keychain whose Set can be made to fail or to
// wait, as a locked keychain does while the OS asks the person to unlock it.
type hookKeyring struct {
	credstore.MemoryKeyring
	mu      sync.Mutex
	onSet   func(account string) error // nil: store as asked
	onGet   func(account string)       // nil: answer at once
	setsFor map[string]int
}

func (k *hookKeyring) Get(service, account string) (string, error) {
	k.mu.Lock()
	hook := k.onGet
	k.mu.Unlock()
	if hook != nil {
		hook(account)
	}
	return k.MemoryKeyring.Get(service, account)
}

func (k *hookKeyring) Set(service, account, value string) error {
	k.mu.Lock()
	hook := k.onSet
	if k.setsFor == nil {
		k.setsFor = map[string]int{}
	}
	k.setsFor[account]++
	k.mu.Unlock()
	if hook != nil {
		if err := hook(account); err != nil {
			return err
		}
	}
	return k.MemoryKeyring.Set(service, account, value)
}

func (k *hookKeyring) hook(f func(account string) error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.onSet = f
}

// errLocked is what go-keyring returns for a locked login keyring.
var errLocked = errors.New("failed to unlock correct collection '/org/freedesktop/secrets/collection/login'")

// credApp is an app over an in-memory keychain (service procore-sa), with
// the clock now, reading stdin; out and errb collect its output.
type credApp struct {
	*cmdutil.Factory
	kr        *hookKeyring
	store     *credstore.Store
	out, errb *bytes.Buffer
}

func newCredApp(t *testing.T, stdin string) *credApp {
	t.Helper()
	var out, errb bytes.Buffer
	a := newCLI(strings.NewReader(stdin), &out, &errb)
	kr := &hookKeyring{}
	store := &credstore.Store{Service: "procore-sa", Keyring: kr, Timeout: 50 * time.Millisecond, InteractiveTimeout: 5 * time.Second}
	a.Credentials = store
	return &credApp{Factory: a, kr: kr, store: store, out: &out, errb: &errb}
}

// keeperOf is the wizard's keeper of the prepared app, as runWizard makes
// it, over its in-memory keychain.
func keeperOf(t *testing.T, c *credApp) app.Keeper {
	t.Helper()
	c.Factory.Start()
	k, err := c.Factory.App().Keeper()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// run runs the command line on the prepared app, as run would.
func (c *credApp) run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	code = execute(c.Factory, args...)
	return c.out.String(), c.errb.String(), code
}

func (c *credApp) save(t *testing.T, profile string, cred credstore.Credential) {
	t.Helper()
	if _, err := c.store.Save(context.Background(), credstore.Placement{Profile: profile}, cred, false); err != nil {
		t.Fatal(err)
	}
}

func testSim(t *testing.T) (*app.Sim, sim.Fixtures, []string) {
	t.Helper()
	r, err := app.StartSim("127.0.0.1:0", sim.Config{Seed: 4, Projects: 5}, sim.Faults{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Stop)
	fx := r.Fixtures()
	return r, fx, []string{"--api-url", r.URL, "--login-url", r.URL, "--company", strconv.FormatInt(fx.CompanyID, 10)}
}

func dmsaCred(fx sim.Fixtures, clientSecret string) credstore.Credential {
	return credstore.Credential{Version: 1, Kind: credstore.KindClientCredentials, Environment: "custom", CompanyID: fx.CompanyID,
		ClientID: fx.DMSAClientID, ClientSecret: secret.New(clientSecret), CreatedAt: time.Now().UTC()}
}

// auditActions is the actions of audit.jsonl by profile.
func auditActions(t *testing.T) map[string][]string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(os.Getenv("XDG_STATE_HOME"), "procore-sa", "audit.jsonl"))
	if err != nil {
		t.Fatalf("read the audit log: %v", err)
	}
	got := map[string][]string{}
	for line := range strings.SplitSeq(strings.TrimSpace(string(raw)), "\n") {
		var e state.AuditEntry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		if e.User == "" || e.Time.IsZero() {
			t.Errorf("audit line without who or when: %s", line)
		}
		got[e.Profile] = append(got[e.Profile], e.Action)
	}
	return got
}

func hasAction(actions []string, want string) bool {
	for _, a := range actions {
		if a == want {
			return true
		}
	}
	return false
}

// TestVerifyUserLoginSaysWhatWasChecked: a user_login profile cannot be
// proven through the API; verify must say that it checked the admin's
// sign-in instead, name that profile, and not pass the user's login off as
// verified. With no admin sign-in it fails.
func TestVerifyUserLoginSaysWhatWasChecked(t *testing.T) {
	guidesEnv(t)
	_, fx, at := testSim(t)
	c := newCredApp(t, "")
	c.save(t, "robot", credstore.Credential{Version: 1, Kind: credstore.KindUserLogin, Environment: "custom", CompanyID: fx.CompanyID,
		Login: "robot@example.com", Password: secret.New("Robot-pass-do-not-print-1")})

	out, errOut, code := c.run(t, append(at, "verify", "--profile", "robot")...)
	if code != exitFailed || !strings.Contains(errOut, `profile "robot" holds the login and password of a user`) ||
		!strings.Contains(errOut, `'procore-sa login --profile admin'`) {
		t.Fatalf("verify with no admin sign-in: exit %d\n%s%s", code, out, errOut)
	}

	c = newCredApp(t, "")
	c.save(t, "robot", credstore.Credential{Version: 1, Kind: credstore.KindUserLogin, Environment: "custom", CompanyID: fx.CompanyID,
		Login: "robot@example.com", Password: secret.New("Robot-pass-do-not-print-1")})
	c.save(t, app.AdminProfile, dmsaCred(fx, fx.DMSAClientSecret))
	out, errOut, code = c.run(t, append(at, "verify", "--profile", "robot")...)
	if code != exitOK {
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
	acts := auditActions(t)
	if !hasAction(acts["robot"], "read") || !hasAction(acts[app.AdminProfile], "read") {
		t.Errorf("audit reads %v", acts)
	}
	help, _, _ := c.run(t, "verify", "--help")
	if !strings.Contains(help, "user_login") || !strings.Contains(help, "not verified") {
		t.Errorf("verify's help does not say what happens to a user_login profile:\n%s", help)
	}
}

// TestVerifyRefusedCredentialExits1: a credential Procore refuses is a job
// failed (exit 1), and each use is a "read" in the audit log.
func TestVerifyRefusedCredentialExits1(t *testing.T) {
	guidesEnv(t)
	_, fx, at := testSim(t)
	c := newCredApp(t, "")
	c.save(t, "good", dmsaCred(fx, fx.DMSAClientSecret))
	c.save(t, "bad", dmsaCred(fx, "not-the-secret-do-not-print"))
	out, errOut, code := c.run(t, append(at, "verify", "--profile", "good")...)
	if code != exitOK || !strings.Contains(out, "ok  The token works") {
		t.Fatalf("verify good: exit %d\n%s%s", code, out, errOut)
	}
	c.out.Reset()
	c.errb.Reset()
	out, errOut, code = c.run(t, append(at, "verify", "--profile", "bad")...)
	if code != exitFailed {
		t.Fatalf("verify of a refused credential: exit %d, want 1\n%s%s", code, out, errOut)
	}
	if strings.Contains(out, "ok  ") || strings.Contains(out+errOut, "do-not-print") {
		t.Errorf("verify of a refused credential:\n%s%s", out, errOut)
	}
	acts := auditActions(t)
	if !hasAction(acts["good"], "read") || !hasAction(acts["bad"], "read") {
		t.Errorf("audit reads %v", acts)
	}
}

// TestCredentialEnvironmentIsUsed: a stored credential goes to the
// environment it was made in, not to --env's default; an explicit --env
// that disagrees is refused before anything is sent; --api-url wins.
func TestCredentialEnvironmentIsUsed(t *testing.T) {
	guidesEnv(t)
	c := newCredApp(t, "")
	sandbox := credstore.Credential{Version: 1, Kind: credstore.KindClientCredentials, Environment: "sandbox", CompanyID: 7,
		ClientID: "id", ClientSecret: secret.New("sandbox-secret-do-not-print")}
	c.Flags.Env = "production" // the flag's default
	env, err := envFor(c, sandbox, "sb")
	if err != nil || env != procore.Sandbox {
		t.Fatalf("default --env: %+v %v, want sandbox", env, err)
	}
	if !strings.Contains(c.errb.String(), `using the sandbox environment, where profile "sb"'s credential was made`) {
		t.Errorf("did not say which environment it used: %q", c.errb.String())
	}
	c.Flags.Env = "sandbox"
	if env, err := envFor(c, sandbox, "sb"); err != nil || env != procore.Sandbox {
		t.Errorf("--env sandbox: %+v %v", env, err)
	}
	c.Flags.Env = "monthly"
	if _, err := envFor(c, sandbox, "sb"); err == nil || !strings.Contains(err.Error(), "--env monthly, but profile \"sb\" holds a credential made for sandbox") {
		t.Errorf("--env monthly on a sandbox credential: %v", err)
	}
	c.Flags.Env, c.Flags.APIURL, c.Flags.LoginURL = "production", "http://127.0.0.1:9", "http://127.0.0.1:9"
	if env, err := envFor(c, sandbox, "sb"); err != nil || env.APIURL != "http://127.0.0.1:9" {
		t.Errorf("--api-url: %+v %v", env, err)
	}
	c.Flags.APIURL, c.Flags.LoginURL = "", ""
	custom := sandbox
	custom.Environment = "custom"
	if _, err := envFor(c, custom, "sim"); err == nil || !strings.Contains(err.Error(), "--api-url") {
		t.Errorf("a credential made with --api-url, used without: %v", err)
	}

	// Through the command: refused with exit 2, nothing sent.
	c = newCredApp(t, "")
	c.save(t, "sb", sandbox)
	out, errOut, code := c.run(t, "--env", "monthly", "verify", "--profile", "sb")
	if code != exitUsage || !strings.Contains(errOut, "works only in the environment it was made in") {
		t.Fatalf("verify --env monthly on a sandbox profile: exit %d\n%s%s", code, out, errOut)
	}
	// An explicit --env production is as explicit as any other.
	c = newCredApp(t, "")
	c.save(t, "sb", sandbox)
	out, errOut, code = c.run(t, "verify", "--env", "production", "--profile", "sb")
	if code != exitUsage || !strings.Contains(errOut, "--env production, but profile \"sb\" holds a credential made for sandbox") {
		t.Fatalf("verify --env production on a sandbox profile: exit %d\n%s%s", code, out, errOut)
	}
	// And so for every command that uses a credential, not only verify.
	c = newCredApp(t, "")
	c.save(t, "sb", sandbox)
	out, errOut, code = c.run(t, "--env", "production", "add-all", "--user", "1", "--dry-run", "--profile", "sb")
	if code != exitUsage || !strings.Contains(errOut, "--env production, but profile \"sb\" holds a credential made for sandbox") {
		t.Fatalf("add-all --env production on a sandbox profile: exit %d\n%s%s", code, out, errOut)
	}
}

// TestRefreshTokenSaveWaitsAndRetries: after a refresh the old refresh
// token is spent, so the new one must be stored even when the keychain
// asks the person to unlock it (a wait longer than the short timeout) or
// fails once.
func TestRefreshTokenSaveWaitsAndRetries(t *testing.T) {
	guidesEnv(t)
	old := app.RefreshSavePause
	app.RefreshSavePause = 10 * time.Millisecond
	t.Cleanup(func() { app.RefreshSavePause = old })
	r, fx, at := testSim(t)

	signIn := func(c *credApp) {
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
		c.save(t, "adm", credstore.Credential{Version: 1, Kind: credstore.KindAdminOAuth, Environment: "custom", CompanyID: fx.CompanyID,
			ClientID: fx.AdminClientID, ClientSecret: secret.New(fx.AdminClientSecret), RefreshToken: secret.New(tok.RefreshToken)})
	}
	stored := func(c *credApp) string {
		t.Helper()
		cred, err := c.store.Load(context.Background(), "adm", false)
		if err != nil {
			t.Fatal(err)
		}
		return cred.RefreshToken.Reveal()
	}

	cases := map[string]func(*credApp) func(string) error{
		// The OS shows an unlock prompt: longer than the short timeout.
		"unlock prompt": func(*credApp) func(string) error {
			return func(account string) error {
				if account == "adm" {
					time.Sleep(300 * time.Millisecond)
				}
				return nil
			}
		},
		// The keychain is locked the first time, unlocked the second.
		"locked once": func(c *credApp) func(string) error {
			return func(account string) error {
				c.kr.mu.Lock()
				n := c.kr.setsFor[account]
				c.kr.mu.Unlock()
				if account == "adm" && n == 1 {
					return errLocked
				}
				return nil
			}
		},
	}
	for name, hook := range cases {
		t.Run(name, func(t *testing.T) {
			c := newCredApp(t, "")
			signIn(c)
			before := stored(c)
			c.kr.mu.Lock()
			c.kr.setsFor = nil
			c.kr.mu.Unlock()
			c.kr.hook(hook(c))
			out, errOut, code := c.run(t, append(at, "verify", "--profile", "adm")...)
			if code != exitOK {
				t.Fatalf("verify: exit %d\n%s%s", code, out, errOut)
			}
			if after := stored(c); after == before || after == "" {
				t.Error("the new refresh token was not stored")
			}
			if !hasAction(auditActions(t)["adm"], "refresh") {
				t.Error("no refresh in the audit log")
			}
		})
	}

	// A keychain that never takes it: the error says the sign-in must be
	// made again, and the audit log says the token was not stored.
	c := newCredApp(t, "")
	signIn(c)
	c.kr.mu.Lock()
	c.kr.setsFor = nil
	c.kr.mu.Unlock()
	c.kr.hook(func(account string) error {
		if account == "adm" {
			return errLocked
		}
		return nil
	})
	out, errOut, code := c.run(t, append(at, "verify", "--profile", "adm")...)
	if code != exitFailed || !strings.Contains(errOut, "procore-sa login --profile adm") || strings.Contains(errOut, "secret export") {
		t.Fatalf("verify with a keychain that refuses: exit %d\n%s%s", code, out, errOut)
	}
	c.kr.mu.Lock()
	n := c.kr.setsFor["adm"]
	c.kr.mu.Unlock()
	if n != app.RefreshSaveAttempts {
		t.Errorf("%d attempts to store the new refresh token, want %d", n, app.RefreshSaveAttempts)
	}
}

// TestLoginKeychainFailureOffersAgeFile: a sign-in whose keychain save
// fails is not thrown away: the person may write it to an age file (the
// passphrase twice; a mismatch asks again), 0600, never plain text.
func TestLoginKeychainFailureOffersAgeFile(t *testing.T) {
	guidesEnv(t)
	r, fx, at := testSim(t)
	t.Setenv("PROCORE_CLIENT_SECRET", fx.AdminClientSecret)
	code0, err := r.IssueCode(fx.AdminClientID, procore.OOBRedirect)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "signin.age")
	pass := "correct horse battery staple"
	input := strings.Join([]string{code0, "x", "a", "short", pass, pass + "!", pass, pass, path}, "\n") + "\n"
	c := newCredApp(t, input)
	c.kr.hook(func(string) error { return errLocked })
	out, errOut, code := c.run(t, append(at, "--profile", "adm", "login", "--client-id", fx.AdminClientID)...)
	if code != exitOK {
		t.Fatalf("login: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"could not save the credential", "is locked", "write a file encrypted with a passphrase (a)",
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
	acts := auditActions(t)["adm"]
	if !hasAction(acts, "export") || !hasAction(acts, "login") {
		t.Errorf("audit %v", acts)
	}
	doc := ageDecrypt(t, path, pass)
	var w map[string]any
	if err := json.Unmarshal(doc, &w); err != nil || w["kind"] != "admin_oauth" || w["refresh_token"] == "" {
		t.Errorf("decrypted %v %v", keysOf(w), err)
	}

	// Discarding, or input running out, fails the login (exit 1).
	for _, tail := range []string{"discard\n", ""} {
		code1, err := r.IssueCode(fx.AdminClientID, procore.OOBRedirect)
		if err != nil {
			t.Fatal(err)
		}
		c := newCredApp(t, code1+"\n"+tail)
		c.kr.hook(func(string) error { return errLocked })
		out, errOut, code := c.run(t, append(at, "--profile", "adm", "login", "--client-id", fx.AdminClientID)...)
		if code != exitFailed || !strings.Contains(errOut, "the refresh token was not kept") {
			t.Errorf("login, then %q: exit %d\n%s%s", tail, code, out, errOut)
		}
	}
}

// ageDecrypt decrypts an age file with the age command, given a terminal
// by script(1) since age reads a passphrase only from one; it skips when
// either is missing (outside CI).
func ageDecrypt(t *testing.T, path, pass string) []byte {
	t.Helper()
	for _, tool := range []string{"age", "script"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is not installed; scripts/test installs it", tool)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
	out := filepath.Join(t.TempDir(), "plain.json")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "script", "-qec", "age -d -o "+out+" "+path, "/dev/null")
	cmd.Stdin = strings.NewReader(pass + "\n")
	if log, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("age -d: %v\n%s", err, log)
	}
	doc, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestSecretExport: the passphrase twice on standard input, a mismatch
// refused with nothing written, a 0600 file that age decrypts to the
// keychain's document, and "export" in the audit log.
func TestSecretExport(t *testing.T) {
	guidesEnv(t)
	const canary = "export-secret-do-not-print"
	pass := "correct horse battery staple"
	cred := credstore.Credential{Version: 1, Kind: credstore.KindClientCredentials, Environment: "sandbox", CompanyID: 42,
		ClientID: "cid", ClientSecret: secret.New(canary), CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	dir := t.TempDir()

	mismatch := filepath.Join(dir, "mismatch.age")
	c := newCredApp(t, pass+"\n"+pass+"x\n")
	c.save(t, "acme", cred)
	out, errOut, code := c.run(t, "secret", "export", "acme", "--to", mismatch)
	if code != exitFailed || !strings.Contains(errOut, "the two passphrases differ; nothing was written") {
		t.Fatalf("mismatch: exit %d\n%s%s", code, out, errOut)
	}
	if _, err := os.Stat(mismatch); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a file was written on a mismatch: %v", err)
	}

	path := filepath.Join(dir, "acme.age")
	c = newCredApp(t, pass+"\n"+pass+"\n")
	c.save(t, "acme", cred)
	out, errOut, code = c.run(t, "secret", "export", "acme", "--to", path)
	if code != exitOK || !strings.Contains(out, "age -d "+path) {
		t.Fatalf("export: exit %d\n%s%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, canary) || strings.Contains(out+errOut, pass) {
		t.Error("export printed the secret or the passphrase")
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("file: %v %v", fi, err)
	}
	raw, _ := os.ReadFile(path)
	if bytes.Contains(raw, []byte(canary)) {
		t.Fatal("the file holds the secret in plain text")
	}
	if !hasAction(auditActions(t)["acme"], "export") {
		t.Errorf("no export in the audit log: %v", auditActions(t))
	}
	// Not over an existing file.
	c = newCredApp(t, pass+"\n"+pass+"\n")
	c.save(t, "acme", cred)
	if _, errOut, code := c.run(t, "secret", "export", "acme", "--to", path); code != exitFailed || !strings.Contains(errOut, "already exists") {
		t.Errorf("export over a file: exit %d %s", code, errOut)
	}
	doc := ageDecrypt(t, path, pass)
	want := `{"version":1,"kind":"client_credentials","environment":"sandbox","company_id":42,"client_id":"cid","client_secret":"` + canary + `","created_at":"2026-01-02T03:04:05Z"}`
	if string(doc) != want {
		t.Errorf("decrypted\n%s\nwant\n%s", doc, want)
	}
}

// TestStatusFlagsRotationByTheAppsClock: a credential older than 180 days
// by the app's clock is flagged for rotation, and one younger is not.
func TestStatusFlagsRotationByTheAppsClock(t *testing.T) {
	guidesEnv(t)
	now := time.Date(2031, 6, 1, 12, 0, 0, 0, time.UTC) // not today: the app's clock must be used
	c := newCredApp(t, "")
	c.Now = func() time.Time { return now }
	mk := func(age time.Duration) credstore.Credential {
		return credstore.Credential{Version: 1, Kind: credstore.KindClientCredentials, Environment: "production", CompanyID: 1,
			ClientID: "id", ClientSecret: secret.New("s-do-not-print"), CreatedAt: now.Add(-age)}
	}
	c.save(t, "old", mk(181*24*time.Hour))
	c.save(t, "young", mk(179*24*time.Hour))
	out, errOut, code := c.run(t, "status", "--json")
	if code != exitOK {
		t.Fatalf("status: exit %d\n%s%s", code, out, errOut)
	}
	var st struct {
		Profiles []cmdutil.ProfileRow `json:"profiles"`
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatal(err)
	}
	got := map[string]cmdutil.ProfileRow{}
	for _, r := range st.Profiles {
		got[r.Profile] = r
	}
	if r := got["old"]; !r.Rotate || r.AgeDays != 181 {
		t.Errorf("old: %+v", r)
	}
	if r := got["young"]; r.Rotate || r.AgeDays != 179 {
		t.Errorf("young: %+v", r)
	}
	c.out.Reset()
	out, _, _ = c.run(t, "status")
	for line := range strings.SplitSeq(out, "\n") {
		if strings.HasPrefix(line, "old ") != strings.Contains(line, "rotate: older than 180 days") {
			t.Errorf("status line: %q", line)
		}
	}
	if strings.Contains(out, "do-not-print") {
		t.Error("status printed a secret")
	}
}

// TestDoctorUnreachableKeychain: doctor names the backend, says why the
// keychain cannot be reached, lists the variables that override a stored
// credential (never their values), and exits 1.
func TestDoctorUnreachableKeychain(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the session-bus check is Linux's")
	}
	guidesEnv(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/procore-sa-bus")
	t.Setenv("PROCORE_CLIENT_ID", "env-client-id")
	t.Setenv("PROCORE_CLIENT_SECRET", "env-secret-do-not-print")
	c := newCredApp(t, "")
	out, errOut, code := c.run(t, "doctor")
	if code != exitFailed {
		t.Fatalf("doctor: exit %d, want 1\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"keychain:  Secret Service (D-Bus), service procore-sa",
		"NOT reachable:",
		"/nonexistent/procore-sa-bus does not exist",
		"override:  PROCORE_CLIENT_ID is set and overrides the stored credential",
		"override:  PROCORE_CLIENT_SECRET is set and overrides the stored credential",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out+errOut, "env-secret-do-not-print") || strings.Contains(out, "secret export") {
		t.Errorf("doctor:\n%s%s", out, errOut)
	}
}

// TestDoctorReachableKeychain: on the Secret Service scripts/test starts,
// doctor says it is reachable, lists no override, and exits 0.
func TestDoctorReachableKeychain(t *testing.T) {
	needKeyring(t)
	guidesEnv(t)
	t.Setenv("PROCORE_CLIENT_ID", "")
	t.Setenv("PROCORE_CLIENT_SECRET", "")
	c := newCredApp(t, "")
	out, errOut, code := c.run(t, "doctor")
	if code != exitOK || !strings.Contains(out, "reachable") || strings.Contains(out, "NOT reachable") || strings.Contains(out, "override:") {
		t.Fatalf("doctor: exit %d\n%s%s", code, out, errOut)
	}
}

func TestBrowserGetsNoCredentials(t *testing.T) {
	env := app.BrowserEnv([]string{"HOME=/home/a", "PROCORE_CLIENT_SECRET=s3cret", "PROCORE_CLIENT_ID=id", "DISPLAY=:0", "PROCORE_CLIENT_SECRETS=x"})
	if want := []string{"HOME=/home/a", "DISPLAY=:0", "PROCORE_CLIENT_SECRETS=x"}; !slices.Equal(env, want) {
		t.Errorf("browser environment %q, want %q", env, want)
	}
}

// TestCaptureNeverReplacesAnotherCredential: a guide's capture saves to
// the profile unless it holds another credential (another kind, app or
// login); then to the guide's id, then numbered names, and says so. A new
// secret for the same app replaces the old one.
func TestCaptureNeverReplacesAnotherCredential(t *testing.T) {
	guidesEnv(t)
	c := newCredApp(t, "")
	login := credstore.Credential{Version: 1, Kind: credstore.KindUserLogin, Environment: "production", CompanyID: 7,
		Login: "sync@example.com", Password: secret.New("first-password-1A!"), Guide: "syncezy"}
	c.save(t, "default", login)
	c.Factory.Flags.Profile = "default" // the flag's default
	k := keeperOf(t, c)
	ctx := context.Background()
	appCred := func(id, s string) credstore.Credential {
		return credstore.Credential{Version: 1, Kind: credstore.KindClientCredentials, Environment: "production", CompanyID: 7,
			ClientID: id, ClientSecret: secret.New(s), Guide: "dmsa"}
	}
	steps := []struct {
		cred        credstore.Credential
		wantProfile string
		wantNote    string
	}{
		{appCred("app-1", "secret-one"), "dmsa", "profile default holds a user_login credential (login sync@example.com, production), which is kept; this one is saved beside it as profile dmsa"},
		// A new secret of the same app replaces the old one, beside default.
		{appCred("app-1", "secret-two"), "dmsa", "profile default holds a user_login credential (login sync@example.com, production), which is kept; this one replaces the older entry of the same credential in profile dmsa"},
		{appCred("app-2", "secret-three"), "dmsa-2", "profile default holds a user_login credential (login sync@example.com, production), which is kept; this one is saved beside it as profile dmsa-2"},
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
		got, err := c.store.Load(ctx, profile, false)
		if err != nil {
			t.Fatalf("load %s: %v", profile, err)
		}
		if s := got.Password.Reveal() + got.ClientSecret.Reveal(); s != want {
			t.Errorf("profile %s holds %q, want %q", profile, s, want)
		}
	}
}

// envFor is where the application layer sends cred of profile, with the
// app's flags as they are now.
func envFor(c *credApp, cred credstore.Credential, profile string) (procore.Environment, error) {
	c.Factory.Start()
	return c.Factory.App().EnvironmentFor(cred, profile)
}
