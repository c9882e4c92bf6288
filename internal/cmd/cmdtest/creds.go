package cmdtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
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

// HookKeyring is an in-memory keychain whose Set can be made to fail or to
// wait, as a locked keychain does while the OS asks the person to unlock it.
type HookKeyring struct {
	credstore.MemoryKeyring
	Mu      sync.Mutex
	OnSet   func(account string) error // nil: store as asked
	OnGet   func(account string)       // nil: answer at once
	SetsFor map[string]int             // the writes of each account
}

// Get answers as the memory keychain does, once OnGet has run.
func (k *HookKeyring) Get(service, account string) (string, error) {
	k.Mu.Lock()
	hook := k.OnGet
	k.Mu.Unlock()
	if hook != nil {
		hook(account)
	}
	return k.MemoryKeyring.Get(service, account)
}

// Set counts the write and stores it, unless OnSet fails it.
func (k *HookKeyring) Set(service, account, value string) error {
	k.Mu.Lock()
	hook := k.OnSet
	if k.SetsFor == nil {
		k.SetsFor = map[string]int{}
	}
	k.SetsFor[account]++
	k.Mu.Unlock()
	if hook != nil {
		if err := hook(account); err != nil {
			return err
		}
	}
	return k.MemoryKeyring.Set(service, account, value)
}

// Hook makes every Set call f first.
func (k *HookKeyring) Hook(f func(account string) error) {
	k.Mu.Lock()
	defer k.Mu.Unlock()
	k.OnSet = f
}

// ErrLocked is what go-keyring returns for a locked login keyring.
var ErrLocked = errors.New("failed to unlock correct collection '/org/freedesktop/secrets/collection/login'")

// CredApp is the command tree over an in-memory keychain (service
// procore-sa), reading stdin; Out and Errb collect its output.
type CredApp struct {
	*cmdutil.Factory
	KR        *HookKeyring
	Store     *credstore.Store
	Out, Errb *bytes.Buffer
}

// NewCredApp is the tree over a fresh in-memory keychain, reading stdin.
func NewCredApp(t *testing.T, stdin string) *CredApp {
	t.Helper()
	var out, errb bytes.Buffer
	a := Factory(strings.NewReader(stdin), &out, &errb)
	kr := &HookKeyring{}
	store := &credstore.Store{Service: "procore-sa", Keyring: kr, Timeout: 50 * time.Millisecond, InteractiveTimeout: 5 * time.Second}
	a.Credentials = store
	return &CredApp{Factory: a, KR: kr, Store: store, Out: &out, Errb: &errb}
}

// KeeperOf is the wizard's keeper of the prepared app, as the wizard makes
// it, over its in-memory keychain.
func KeeperOf(t *testing.T, c *CredApp) app.Keeper {
	t.Helper()
	c.Factory.Start()
	k, err := c.Factory.App().Keeper()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Run runs the command line on the prepared app, as run would.
func (c *CredApp) Run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	code = Execute(c.Factory, args...)
	return c.Out.String(), c.Errb.String(), code
}

// Save stores cred as profile, straight into the keychain.
func (c *CredApp) Save(t *testing.T, profile string, cred credstore.Credential) {
	t.Helper()
	if _, err := c.Store.Save(context.Background(), credstore.Placement{Profile: profile}, cred, false); err != nil {
		t.Fatal(err)
	}
}

// Held is the secret or refresh token profile holds, read straight from
// the keychain.
func (c *CredApp) Held(t *testing.T, profile string) string {
	t.Helper()
	got, err := c.Store.Load(context.Background(), profile, false)
	if err != nil {
		t.Fatalf("load %s: %v", profile, err)
	}
	return got.ClientSecret.Reveal() + "|" + got.RefreshToken.Reveal() + "|" + got.Password.Reveal()
}

// StartSim is a small simulator and the flags that point a run at it.
func StartSim(t *testing.T) (*app.Sim, sim.Fixtures, []string) {
	t.Helper()
	r, err := app.StartSim("127.0.0.1:0", sim.Config{Seed: 4, Projects: 5}, sim.Faults{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Stop)
	fx := r.Fixtures()
	return r, fx, []string{"--api-url", r.URL, "--login-url", r.URL, "--company", strconv.FormatInt(fx.CompanyID, 10)}
}

// DMSACred is the simulator's DMSA app with clientSecret.
func DMSACred(fx sim.Fixtures, clientSecret string) credstore.Credential {
	return credstore.Credential{Version: 1, Kind: credstore.KindClientCredentials, Environment: "custom", CompanyID: fx.CompanyID,
		ClientID: fx.DMSAClientID, ClientSecret: secret.New(clientSecret), CreatedAt: time.Now().UTC()}
}

// AuditActions is the actions of audit.jsonl by profile.
func AuditActions(t *testing.T) map[string][]string {
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

// HasAction reports whether want is among actions.
func HasAction(actions []string, want string) bool {
	for _, a := range actions {
		if a == want {
			return true
		}
	}
	return false
}

// AgeDecrypt decrypts an age file with the age command, given a terminal
// by script(1) since age reads a passphrase only from one; it skips when
// either is missing (outside CI).
func AgeDecrypt(t *testing.T, path, pass string) []byte {
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

// EnvFor is where the application layer sends cred of profile, with the
// app's flags as they are now.
func EnvFor(c *CredApp, cred credstore.Credential, profile string) (procore.Environment, error) {
	c.Factory.Start()
	return c.Factory.App().EnvironmentFor(cred, profile)
}

// NeedKeyring skips unless the test command started a real Secret Service
// (scripts/test does); under CI its absence is a failure.
func NeedKeyring(t *testing.T) {
	t.Helper()
	if os.Getenv("PROCORE_SA_KEYRING_READY") != "1" {
		if os.Getenv("CI") != "" {
			t.Fatal("no Secret Service: run the tests with scripts/test")
		}
		t.Skip("no Secret Service; scripts/test starts one")
	}
}

// KeysOf is the keys of m.
func KeysOf(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

// AppCred is a DMSA credential of app id with secret s.
func AppCred(id, s string) credstore.Credential {
	return credstore.Credential{Version: 1, Kind: credstore.KindClientCredentials, Environment: "production", CompanyID: 7,
		ClientID: id, ClientSecret: secret.New(s), Guide: "dmsa"}
}

// AuditEntries is the audit log's entries.
func AuditEntries(t *testing.T) []state.AuditEntry {
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

// SlowGets makes every read of a profile take longer than the store's
// short timeout and less than its interactive one: a keychain waiting for
// its unlock password.
func SlowGets(c *CredApp, d time.Duration) {
	c.KR.Mu.Lock()
	defer c.KR.Mu.Unlock()
	c.KR.OnGet = func(account string) {
		if !strings.HasPrefix(account, "_") {
			time.Sleep(d)
		}
	}
}

// SaveVia saves cred with the keeper k.
func SaveVia(k app.Keeper, cred credstore.Credential) error {
	_, err := k.Save(context.Background(), cred)
	return err
}
