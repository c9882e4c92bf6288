package plain

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/state"
	"github.com/procore-sa/procore-sa/steps"
)

const testSecret = "CS-9f8e7d6c5b4a-QUOKKA"

// fakeCustody keeps credentials in a list; the first failSaves saves fail
// with saveErr.
type fakeCustody struct {
	mu        sync.Mutex
	failSaves int
	saveErr   error
	failProve error
	proved    int
	saves     int
	saved     []credstore.Credential
	exported  map[string]secret.Value
	// beside, when set, is where saves go: the profile in use holds
	// another credential.
	beside string
	used   string // the profile Use was last given
}

func (f *fakeCustody) Prove(context.Context, credstore.Credential) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.proved++
	err := f.failProve
	f.failProve = nil
	return err
}

func (f *fakeCustody) Save(_ context.Context, c credstore.Credential) (credstore.Saved, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.saves++
	if f.failSaves > 0 {
		f.failSaves--
		return credstore.Saved{}, f.saveErr
	}
	f.saved = append(f.saved, c)
	return f.savedAt(), nil
}

func (f *fakeCustody) Export(_ context.Context, path string, pass secret.Value, _ credstore.Credential) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.exported == nil {
		f.exported = map[string]secret.Value{}
	}
	f.exported[path] = pass
	return nil
}

// savedAt is where a save goes; the caller holds f.mu.
func (f *fakeCustody) savedAt() credstore.Saved {
	if f.beside != "" {
		return credstore.Saved{Profile: f.beside, Beside: f.profile(), Holds: "a user_login credential (login sync@example.com)"}
	}
	return credstore.Saved{Profile: f.profile()}
}

func (f *fakeCustody) profile() string {
	if f.used != "" {
		return f.used
	}
	return "default"
}

func (f *fakeCustody) Use(profile string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.used = profile
}

func (f *fakeCustody) Where() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return "the keychain (test) as procore-sa / " + f.profile()
}
func (f *fakeCustody) DefaultExportPath() string { return "/home/admin/procore-sa-default.age" }
func (f *fakeCustody) Environment() string       { return "production" }

// DemoCredential: no demo here; demoCustody (demo_test.go) offers one.
func (f *fakeCustody) DemoCredential() (credstore.Credential, bool) {
	return credstore.Credential{}, false
}

// syncBuffer is an output that the test may read while the runner writes.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func captureGuide() *steps.Guide {
	return &steps.Guide{ID: "cap", Title: "Capture", AccountModel: steps.DMSA, Steps: []steps.Step{
		{ID: "intro", Kind: steps.KindNotice, Title: "Intro"},
		{ID: "credentials", Kind: steps.KindCredential, Title: "Capture the credentials",
			Checklist: []string{"Copy the client ID", "Copy the client secret (shown once)", "Copy the company ID"}},
		{ID: "end", Kind: steps.KindNotice, Title: "End"},
	}}
}

// lines joins answers, one a line.
func lines(answers ...string) string { return strings.Join(answers, "\n") + "\n" }

// noLeak fails when the secret, or a recognisable part of it, is in text.
func noLeak(t *testing.T, where, text, secret string) {
	t.Helper()
	for _, part := range []string{secret, secret[:8], secret[len(secret)-8:]} {
		if strings.Contains(text, part) {
			t.Fatalf("the secret (or part of it) is in %s:\n%s", where, text)
		}
	}
}

// noLeakInDir fails when any file under dir holds the secret.
func noLeakInDir(t *testing.T, dir, secret string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		noLeak(t, path, string(b), secret)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func runCapture(t *testing.T, c Custody, input string) (string, string, error) {
	t.Helper()
	return runGuide(t, c, captureGuide(), input)
}

// runGuide walks g in plain mode with c as the keeper, answering input;
// it returns what was printed, the state directory and the walk's error.
func runGuide(t *testing.T, c Custody, g *steps.Guide, input string) (string, string, error) {
	t.Helper()
	dir := t.TempDir()
	st, err := state.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := &syncBuffer{}
	r := &Runner{In: strings.NewReader(input), Out: out, Store: st, Custody: c}
	err = r.Run(context.Background(), g)
	return out.String(), dir, err
}

func TestPlainCaptureSavesAndReadsBackBeforeGoingOn(t *testing.T) {
	c := &fakeCustody{}
	got, dir, err := runCapture(t, c, lines("",
		"dmsa-client-1234", "  "+testSecret+"\t ", "42a", "4264807", "y", ""))
	if err != nil {
		t.Fatalf("%v\n%s", err, got)
	}
	if len(c.saved) != 1 || c.proved != 1 {
		t.Fatalf("saved %d, proved %d:\n%s", len(c.saved), c.proved, got)
	}
	cred := c.saved[0]
	if cred.Kind != credstore.KindClientCredentials || cred.ClientID != "dmsa-client-1234" || cred.CompanyID != 4264807 ||
		cred.ClientSecret.Reveal() != testSecret || cred.Environment != "production" || cred.Guide != "cap" {
		t.Errorf("saved %+v (secret trimmed: %v)", cred, cred.ClientSecret.Reveal() == testSecret)
	}
	for _, want := range []string{
		"Company ID: digits only", "Procore accepted them.",
		"Saved to the keychain (test) as procore-sa / default and read back.", "Step 3 of 3: End", "Every step is done.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Copy the client secret") {
		t.Errorf("the manual checklist was asked for:\n%s", got)
	}
	noLeak(t, "the output", got, testSecret)
	noLeakInDir(t, dir, testSecret)
}

func TestPlainCaptureLeavingNeedsTypedDiscard(t *testing.T) {
	t.Run("kept, then saved", func(t *testing.T) {
		c := &fakeCustody{}
		got, _, err := runCapture(t, c, lines("", "id-1", testSecret, "q", "no", "b", "", "4264807", "n", ""))
		if err != nil {
			t.Fatalf("%v\n%s", err, got)
		}
		if len(c.saved) != 1 || c.proved != 0 || strings.Count(got, "Procore shows this secret only once") != 2 {
			t.Fatalf("saved %d, proved %d:\n%s", len(c.saved), c.proved, got)
		}
		noLeak(t, "the output", got, testSecret)
	})
	t.Run("discarded", func(t *testing.T) {
		c := &fakeCustody{}
		got, _, err := runCapture(t, c, lines("", "id-1", testSecret, "4264807", "q", "discard"))
		if !errors.Is(err, ErrQuit) || len(c.saved) != 0 || c.saves != 0 {
			t.Fatalf("err %v, saves %d:\n%s", err, c.saves, got)
		}
		if !strings.Contains(got, "Type discard") || !strings.Contains(got, "is saved. Run the same command to resume") {
			t.Errorf("output:\n%s", got)
		}
	})
	t.Run("back after discard", func(t *testing.T) {
		c := &fakeCustody{}
		got, _, err := runCapture(t, c, lines("", "id-1", testSecret, "b", "discard", "q"))
		if !errors.Is(err, ErrQuit) || !strings.Contains(got, "Step 1 of 3: Intro\n") || strings.Count(got, "Step 1 of 3") != 2 {
			t.Fatalf("err %v:\n%s", err, got)
		}
	})
	t.Run("input ends", func(t *testing.T) {
		c := &fakeCustody{}
		got, _, err := runCapture(t, c, lines("", "id-1", testSecret))
		if !errors.Is(err, errUnkept) || errors.Is(err, ErrQuit) {
			t.Fatalf("err %v:\n%s", err, got)
		}
	})
	t.Run("nothing typed yet leaves freely", func(t *testing.T) {
		c := &fakeCustody{}
		got, _, err := runCapture(t, c, lines("", "id-1", "q"))
		if !errors.Is(err, ErrQuit) || strings.Contains(got, "Type discard") {
			t.Fatalf("err %v:\n%s", err, got)
		}
	})
}

func TestPlainCaptureKeychainFailure(t *testing.T) {
	down := errors.New("no Secret Service is running on the D-Bus session bus; install and start gnome-keyring")
	t.Run("retry", func(t *testing.T) {
		c := &fakeCustody{failSaves: 1, saveErr: down}
		got, _, err := runCapture(t, c, lines("", "id-1", testSecret, "4264807", "n", "t", ""))
		if err != nil || len(c.saved) != 1 || c.saves != 2 {
			t.Fatalf("err %v, saves %d:\n%s", err, c.saves, got)
		}
		if !strings.Contains(got, "It could not be saved: "+down.Error()) {
			t.Errorf("the reason is not shown:\n%s", got)
		}
	})
	t.Run("age file", func(t *testing.T) {
		c := &fakeCustody{failSaves: 9, saveErr: down}
		const pass = "correct horse battery"
		got, dir, err := runCapture(t, c, lines("", "id-1", testSecret, "4264807", "n",
			"x", "a", "short", pass, pass+"!", pass, pass, "", ""))
		if err != nil {
			t.Fatalf("%v\n%s", err, got)
		}
		p, ok := c.exported["/home/admin/procore-sa-default.age"]
		if !ok || p.Reveal() != pass || len(c.saved) != 0 {
			t.Fatalf("exported %v:\n%s", c.exported, got)
		}
		for _, want := range []string{
			"Answer t, a or discard", "at least 12 characters", "The two passphrases differ",
			"Written to /home/admin/procore-sa-default.age", "age -d /home/admin/procore-sa-default.age", "Every step is done.",
		} {
			if !strings.Contains(got, want) {
				t.Errorf("output lacks %q:\n%s", want, got)
			}
		}
		noLeak(t, "the output", got, testSecret)
		noLeak(t, "the output", got, pass)
		noLeakInDir(t, dir, pass)
	})
	t.Run("discard at the menu starts the step over", func(t *testing.T) {
		c := &fakeCustody{failSaves: 1, saveErr: down}
		got, _, err := runCapture(t, c, lines("", "id-1", testSecret, "4264807", "n", "discard",
			"id-2", testSecret+"2", "4264807", "n", ""))
		if err != nil || len(c.saved) != 1 || c.saved[0].ClientID != "id-2" {
			t.Fatalf("err %v, saved %+v:\n%s", err, c.saved, got)
		}
		if !strings.Contains(got, "The secret was discarded.") {
			t.Errorf("output:\n%s", got)
		}
	})
}

func TestPlainCaptureProveRefused(t *testing.T) {
	c := &fakeCustody{failProve: errors.New("invalid_client: the client ID or secret is wrong")}
	got, _, err := runCapture(t, c, lines("", "id-1", testSecret, "4264807", "y",
		"id-9", "", "", "y", ""))
	if err != nil || c.proved != 2 || len(c.saved) != 1 {
		t.Fatalf("err %v, proved %d:\n%s", err, c.proved, got)
	}
	cred := c.saved[0]
	if cred.ClientID != "id-9" || cred.ClientSecret.Reveal() != testSecret || cred.CompanyID != 4264807 {
		t.Errorf("saved %+v", cred)
	}
	if !strings.Contains(got, "Procore refused the credentials: invalid_client") {
		t.Errorf("output:\n%s", got)
	}
}

func TestPlainCaptureInterruptKeepsTheSecret(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	out := &syncBuffer{}
	c := &fakeCustody{}
	r := &Runner{In: pr, Out: out, Custody: c}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- r.Run(ctx, captureGuide()) }()
	if _, err := io.WriteString(pw, lines("", "id-1", testSecret)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, out, "Company ID: ")
	cancel()
	waitFor(t, out, "Interrupted.")
	if _, err := io.WriteString(pw, lines("4264807", "n")); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) || len(c.saved) != 1 {
			t.Fatalf("err %v, saved %d:\n%s", err, len(c.saved), out)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("the run did not end:\n%s", out)
	}
}

func TestPlainInterruptEndsAWaitingPrompt(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	out := &syncBuffer{}
	r := &Runner{In: pr, Out: out}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- r.Run(ctx, captureGuide()) }()
	waitFor(t, out, "Press enter")
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the prompt kept waiting after the interrupt")
	}
}

func waitFor(t *testing.T, out *syncBuffer, s string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in:\n%s", s, out)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func userLoginGuide() *steps.Guide {
	return &steps.Guide{ID: "ul", Title: "User login", AccountModel: steps.UserLogin, Steps: []steps.Step{
		{ID: "who", Kind: steps.KindForm, Title: "Who", Fields: []steps.Field{{ID: "email", Label: "Email", Type: steps.FieldEmail, Role: steps.RoleAccountEmail, Required: true}}},
		{ID: "password", Kind: steps.KindPassword, Title: "Password", For: "the sync account"},
		{ID: "end", Kind: steps.KindNotice, Title: "End"},
	}}
}

func runUserLogin(t *testing.T, c *fakeCustody, input string) (string, string, error) {
	t.Helper()
	return runGuide(t, c, userLoginGuide(), input)
}

func TestPlainGeneratedPasswordIsKept(t *testing.T) {
	c := &fakeCustody{}
	got, dir, err := runUserLogin(t, c, lines("sync@example.com", "g", ""))
	if err != nil {
		t.Fatalf("%v\n%s", err, got)
	}
	if len(c.saved) != 1 {
		t.Fatalf("saved %d:\n%s", len(c.saved), got)
	}
	cred := c.saved[0]
	pw := cred.Password.Reveal()
	if cred.Kind != credstore.KindUserLogin || cred.Login != "sync@example.com" || !steps.AllMet(userLoginGuide().Policy().Check(pw)) {
		t.Fatalf("saved %+v", cred)
	}
	if !strings.Contains(got, "Saved to the keychain (test) as procore-sa / default and read back.") {
		t.Errorf("output:\n%s", got)
	}
	noLeak(t, "the output", got, pw)
	noLeakInDir(t, dir, pw)
}

func TestPlainTypedUserLoginPasswordIsKept(t *testing.T) {
	const pw = "Quokka#2026x"
	down := errors.New("the keychain is locked; unlock it and try again")
	c := &fakeCustody{failSaves: 1, saveErr: down}
	got, _, err := runUserLogin(t, c, lines("sync@example.com", pw, pw, "q", "", "t", ""))
	if err != nil || len(c.saved) != 1 || c.saved[0].Password.Reveal() != pw {
		t.Fatalf("err %v, saved %d:\n%s", err, len(c.saved), got)
	}
	if !strings.Contains(got, "The password is not saved anywhere yet") || !strings.Contains(got, down.Error()) {
		t.Errorf("output:\n%s", got)
	}
	noLeak(t, "the output", got, pw)
}

func TestPlainDiscardedPasswordAsksForAnother(t *testing.T) {
	c := &fakeCustody{failSaves: 1, saveErr: errors.New("timed out")}
	got, _, err := runUserLogin(t, c, lines("sync@example.com", "g", "discard", "g", ""))
	if err != nil || len(c.saved) != 1 || !strings.Contains(got, "The password was discarded; choose another.") {
		t.Fatalf("err %v, saved %d:\n%s", err, len(c.saved), got)
	}
}

func TestPlainNoGeneratorWithoutCustody(t *testing.T) {
	const pw = "Quokka#2026x"
	out := &syncBuffer{}
	r := &Runner{In: strings.NewReader(lines("sync@example.com", "g", pw, pw, "")), Out: out}
	if err := r.Run(context.Background(), userLoginGuide()); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if strings.Contains(out.String(), "was generated") {
		t.Errorf("a password was generated with nowhere to keep it:\n%s", out)
	}
}

type fakeLogin struct {
	code string // Start's code (the demo's)
	startErr,
	finishErr error
	got []string
}

func (f *fakeLogin) Start(context.Context) (string, string, error) {
	return "https://login.procore.com/oauth/authorize?client_id=admin-app&response_type=code&redirect_uri=urn:ietf:wg:oauth:2.0:oob", f.code, f.startErr
}

func (f *fakeLogin) Finish(_ context.Context, code string) (string, error) {
	f.got = append(f.got, code)
	if err := f.finishErr; err != nil {
		f.finishErr = nil
		return "", err
	}
	return `Signed in. The refresh token is in the keychain as profile "admin".`, nil
}

func loginGuide() *steps.Guide {
	return &steps.Guide{ID: "lg", Title: "Login", AccountModel: steps.UserLogin, Steps: []steps.Step{
		{ID: "admin-login", Kind: steps.KindAdminLogin, Title: "Sign in", Checklist: []string{"Sign in to Procore as a company admin."}},
	}}
}

func TestPlainAdminLogin(t *testing.T) {
	const code = "AUTHCODE-77-WOMBAT"
	l := &fakeLogin{finishErr: errors.New("invalid_grant: the code has expired")}
	out := &syncBuffer{}
	r := &Runner{In: strings.NewReader(lines("", code, "t", "  "+code+" ")), Out: out, Login: l}
	if err := r.Run(context.Background(), loginGuide()); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	got := out.String()
	if len(l.got) != 2 || l.got[1] != code {
		t.Fatalf("codes %q:\n%s", l.got, got)
	}
	for _, want := range []string{
		"\n\nhttps://login.procore.com/oauth/authorize?client_id=admin-app&response_type=code&redirect_uri=urn:ietf:wg:oauth:2.0:oob\n\n",
		"The sign-in failed: invalid_grant", `Signed in. The refresh token is in the keychain as profile "admin".`, "Every step is done.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Done? [y/n]") {
		t.Errorf("the manual checklist was asked for:\n%s", got)
	}
	noLeak(t, "the output", got, code)
}

func TestPlainAdminLoginByHand(t *testing.T) {
	out := &syncBuffer{}
	r := &Runner{In: strings.NewReader(lines("h", "y")), Out: out, Login: &fakeLogin{}}
	if err := r.Run(context.Background(), loginGuide()); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out.String(), "Sign in to Procore as a company admin.\n        Done?") {
		t.Errorf("output:\n%s", out)
	}
}

func TestPlainAdminLoginDemoCode(t *testing.T) {
	l := &fakeLogin{code: "demo-code"}
	out := &syncBuffer{}
	r := &Runner{In: strings.NewReader(lines("")), Out: out, Login: l}
	if err := r.Run(context.Background(), loginGuide()); err != nil || len(l.got) != 1 || l.got[0] != "demo-code" {
		t.Fatalf("%v %q\n%s", err, l.got, out)
	}
}

// TestPlainCaptureSavedBesideSaysSo: as the full screen does, the plain
// wizard says where a save beside another credential went and hands that
// profile on.
func TestPlainCaptureSavedBesideSaysSo(t *testing.T) {
	c := &fakeCustody{beside: "cap"}
	got, _, err := runCapture(t, c, lines("", "dmsa-client-1234", testSecret, "4264807", "n", ""))
	if err != nil {
		t.Fatalf("%v\n%s", err, got)
	}
	for _, want := range []string{"Saved to the keychain (test) as procore-sa / cap and read back.",
		"Note: profile default holds a user_login credential (login sync@example.com), which is kept; this one is saved beside it as profile cap."} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if c.used != "cap" {
		t.Errorf("the later steps use %q", c.used)
	}
}
