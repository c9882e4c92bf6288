package plain

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/app/apptest"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/explain"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/state"
	"github.com/procore-sa/procore-sa/steps"
)

const testSecret = "CS-9f8e7d6c5b4a-QUOKKA"

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

func runCapture(t *testing.T, c app.Keeper, input string) (string, string, error) {
	t.Helper()
	return runGuide(t, c, captureGuide(), input)
}

// runGuide walks g in plain mode with c as the keeper, answering input;
// it returns what was printed, the state directory and the walk's error.
func runGuide(t *testing.T, c app.Keeper, g *steps.Guide, input string) (string, string, error) {
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
	c := &apptest.Keeper{}
	got, dir, err := runCapture(t, c, lines("",
		"dmsa-client-1234", "  "+testSecret+"\t ", "42a", "4264807", "y", ""))
	if err != nil {
		t.Fatalf("%v\n%s", err, got)
	}
	if len(c.Kept) != 1 || c.Proved != 1 {
		t.Fatalf("saved %d, proved %d:\n%s", len(c.Kept), c.Proved, got)
	}
	cred := c.Kept[0]
	if cred.Kind != credstore.KindClientCredentials || cred.ClientID != "dmsa-client-1234" || cred.CompanyID != 4264807 ||
		cred.ClientSecret.Reveal() != testSecret || cred.Environment != "production" || cred.Guide != "cap" {
		t.Errorf("saved %+v (secret trimmed: %v)", cred, cred.ClientSecret.Reveal() == testSecret)
	}
	for _, want := range []string{
		"Company ID: digits only", "Procore accepted them.",
		"Saved as profile default in the keychain (test), service procore-sa and read back.", "Step 3 of 3: End", "Every step is done.",
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
		c := &apptest.Keeper{}
		got, _, err := runCapture(t, c, lines("", "id-1", testSecret, "q", "no", "b", "", "4264807", "n", ""))
		if err != nil {
			t.Fatalf("%v\n%s", err, got)
		}
		if len(c.Kept) != 1 || c.Proved != 0 || strings.Count(got, "Procore shows this secret only once") != 2 {
			t.Fatalf("saved %d, proved %d:\n%s", len(c.Kept), c.Proved, got)
		}
		noLeak(t, "the output", got, testSecret)
	})
	t.Run("discarded", func(t *testing.T) {
		c := &apptest.Keeper{}
		got, _, err := runCapture(t, c, lines("", "id-1", testSecret, "4264807", "q", "discard"))
		if !errors.Is(err, ErrQuit) || len(c.Kept) != 0 || c.Saves != 0 {
			t.Fatalf("err %v, saves %d:\n%s", err, c.Saves, got)
		}
		if !strings.Contains(got, "Type discard") || !strings.Contains(got, "is saved. Run the same command to resume") {
			t.Errorf("output:\n%s", got)
		}
	})
	t.Run("back after discard", func(t *testing.T) {
		c := &apptest.Keeper{}
		got, _, err := runCapture(t, c, lines("", "id-1", testSecret, "b", "discard", "q"))
		if !errors.Is(err, ErrQuit) || !strings.Contains(got, "Step 1 of 3: Intro\n") || strings.Count(got, "Step 1 of 3") != 2 {
			t.Fatalf("err %v:\n%s", err, got)
		}
	})
	t.Run("input ends", func(t *testing.T) {
		c := &apptest.Keeper{}
		got, _, err := runCapture(t, c, lines("", "id-1", testSecret))
		if !errors.Is(err, errUnkept) || errors.Is(err, ErrQuit) {
			t.Fatalf("err %v:\n%s", err, got)
		}
	})
	t.Run("nothing typed yet leaves freely", func(t *testing.T) {
		c := &apptest.Keeper{}
		got, _, err := runCapture(t, c, lines("", "id-1", "q"))
		if !errors.Is(err, ErrQuit) || strings.Contains(got, "Type discard") {
			t.Fatalf("err %v:\n%s", err, got)
		}
	})
}

func TestPlainCaptureKeychainFailure(t *testing.T) {
	down := errors.New("no Secret Service is running on the D-Bus session bus; install and start gnome-keyring")
	t.Run("retry", func(t *testing.T) {
		c := &apptest.Keeper{FailSaves: 1, SaveErr: down}
		got, _, err := runCapture(t, c, lines("", "id-1", testSecret, "4264807", "n", "t", ""))
		if err != nil || len(c.Kept) != 1 || c.Saves != 2 {
			t.Fatalf("err %v, saves %d:\n%s", err, c.Saves, got)
		}
		if !strings.Contains(got, explain.Sentence(down.Error())) {
			t.Errorf("the reason is not shown:\n%s", got)
		}
	})
	t.Run("age file", func(t *testing.T) {
		c := &apptest.Keeper{FailSaves: 9, SaveErr: down}
		const pass = "correct horse battery"
		got, dir, err := runCapture(t, c, lines("", "id-1", testSecret, "4264807", "n",
			"x", "a", "short", pass, pass+"!", pass, pass, "", ""))
		if err != nil {
			t.Fatalf("%v\n%s", err, got)
		}
		p, ok := c.Exported["/home/admin/procore-sa-default.age"]
		if !ok || p.Reveal() != pass || len(c.Kept) != 0 {
			t.Fatalf("exported %v:\n%s", c.Exported, got)
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
		c := &apptest.Keeper{FailSaves: 1, SaveErr: down}
		got, _, err := runCapture(t, c, lines("", "id-1", testSecret, "4264807", "n", "discard",
			"id-2", testSecret+"2", "4264807", "n", ""))
		if err != nil || len(c.Kept) != 1 || c.Kept[0].ClientID != "id-2" {
			t.Fatalf("err %v, saved %+v:\n%s", err, c.Kept, got)
		}
		if !strings.Contains(got, "The secret was discarded.") {
			t.Errorf("output:\n%s", got)
		}
	})
}

func TestPlainCaptureProveRefused(t *testing.T) {
	c := &apptest.Keeper{ProveErr: fmt.Errorf("check the credentials: %w", &procore.Error{Method: "POST", Path: "/oauth/token", Status: 401, Code: "invalid_client"})}
	got, _, err := runCapture(t, c, lines("", "id-1", testSecret, "4264807", "y",
		"id-9", "", "", "y", ""))
	if err != nil || c.Proved != 2 || len(c.Kept) != 1 {
		t.Fatalf("err %v, proved %d:\n%s", err, c.Proved, got)
	}
	cred := c.Kept[0]
	if cred.ClientID != "id-9" || cred.ClientSecret.Reveal() != testSecret || cred.CompanyID != 4264807 {
		t.Errorf("saved %+v", cred)
	}
	if !strings.Contains(got, "Procore refused the client ID and secret") || !strings.Contains(got, "Correct them below") {
		t.Errorf("output:\n%s", got)
	}
}

func TestPlainCaptureInterruptKeepsTheSecret(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	out := &syncBuffer{}
	c := &apptest.Keeper{}
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
		if !errors.Is(err, context.Canceled) || len(c.Kept) != 1 {
			t.Fatalf("err %v, saved %d:\n%s", err, len(c.Kept), out)
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

func runUserLogin(t *testing.T, c *apptest.Keeper, input string) (string, string, error) {
	t.Helper()
	return runGuide(t, c, userLoginGuide(), input)
}

func TestPlainGeneratedPasswordIsKept(t *testing.T) {
	c := &apptest.Keeper{}
	got, dir, err := runUserLogin(t, c, lines("sync@example.com", "g", ""))
	if err != nil {
		t.Fatalf("%v\n%s", err, got)
	}
	if len(c.Kept) != 1 {
		t.Fatalf("saved %d:\n%s", len(c.Kept), got)
	}
	cred := c.Kept[0]
	pw := cred.Password.Reveal()
	if cred.Kind != credstore.KindUserLogin || cred.Login != "sync@example.com" || !steps.AllMet(userLoginGuide().Policy().Check(pw)) {
		t.Fatalf("saved %+v", cred)
	}
	if !strings.Contains(got, "Saved as profile default in the keychain (test), service procore-sa and read back.") {
		t.Errorf("output:\n%s", got)
	}
	noLeak(t, "the output", got, pw)
	noLeakInDir(t, dir, pw)
}

func TestPlainTypedUserLoginPasswordIsKept(t *testing.T) {
	const pw = "Quokka#2026x"
	down := errors.New("the keychain is locked; unlock it and try again")
	c := &apptest.Keeper{FailSaves: 1, SaveErr: down}
	got, _, err := runUserLogin(t, c, lines("sync@example.com", pw, pw, "q", "", "t", ""))
	if err != nil || len(c.Kept) != 1 || c.Kept[0].Password.Reveal() != pw {
		t.Fatalf("err %v, saved %d:\n%s", err, len(c.Kept), got)
	}
	if !strings.Contains(got, "The password is not saved anywhere yet") || !strings.Contains(got, explain.Sentence(down.Error())) {
		t.Errorf("output:\n%s", got)
	}
	noLeak(t, "the output", got, pw)
}

func TestPlainDiscardedPasswordAsksForAnother(t *testing.T) {
	c := &apptest.Keeper{FailSaves: 1, SaveErr: errors.New("timed out")}
	got, _, err := runUserLogin(t, c, lines("sync@example.com", "g", "discard", "g", ""))
	if err != nil || len(c.Kept) != 1 || !strings.Contains(got, "The password was discarded; choose another.") {
		t.Fatalf("err %v, saved %d:\n%s", err, len(c.Kept), got)
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

func loginGuide() *steps.Guide {
	return &steps.Guide{ID: "lg", Title: "Login", AccountModel: steps.UserLogin, Steps: []steps.Step{
		{ID: "admin-login", Kind: steps.KindAdminLogin, Title: "Sign in", Checklist: []string{"Sign in to Procore as a company admin."}},
	}}
}

func TestPlainAdminLogin(t *testing.T) {
	const code = "AUTHCODE-77-WOMBAT"
	l := &apptest.SignIn{FinishErr: fmt.Errorf("finish the sign-in: %w", &procore.Error{Method: "POST", Path: "/oauth/token", Status: 400, Code: "invalid_grant"})}
	out := &syncBuffer{}
	r := &Runner{In: strings.NewReader(lines("", code, "t", "  "+code+" ")), Out: out, Login: l, Custody: &apptest.Keeper{}}
	if err := r.Run(context.Background(), loginGuide()); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	got := out.String()
	if len(l.Got) != 2 || l.Got[1] != code {
		t.Fatalf("codes %q:\n%s", l.Got, got)
	}
	for _, want := range []string{
		"\n\n" + apptest.URL + "\n\n",
		"The sign-in failed. Procore refused the code or sign-in: it is used up or expired.", "Signed in as morgan.reyes@example.com (user 14100001).",
		"Saved as profile default in the keychain (test), service procore-sa and read back.", "Every step is done.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Have you done this?") {
		t.Errorf("the manual checklist was asked for:\n%s", got)
	}
	noLeak(t, "the output", got, code)
}

func TestPlainAdminLoginByHand(t *testing.T) {
	out := &syncBuffer{}
	r := &Runner{In: strings.NewReader(lines("h", "y")), Out: out, Login: &apptest.SignIn{}, Custody: &apptest.Keeper{}}
	if err := r.Run(context.Background(), loginGuide()); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out.String(), "Sign in to Procore as a company admin.\n  Have you done this?") {
		t.Errorf("output:\n%s", out)
	}
}

func TestPlainAdminLoginDemoCode(t *testing.T) {
	l := &apptest.SignIn{Code: "demo-code"}
	out := &syncBuffer{}
	r := &Runner{In: strings.NewReader(lines("")), Out: out, Login: l, Custody: &apptest.Keeper{}}
	if err := r.Run(context.Background(), loginGuide()); err != nil || len(l.Got) != 1 || l.Got[0] != "demo-code" {
		t.Fatalf("%v %q\n%s", err, l.Got, out)
	}
}

// TestPlainCaptureSavedBesideSaysSo: as the full screen does, the plain
// wizard says where a save beside another credential went and hands that
// profile on.
func TestPlainCaptureSavedBesideSaysSo(t *testing.T) {
	c := &apptest.Keeper{Beside: "cap"}
	got, dir, err := runCapture(t, c, lines("", "dmsa-client-1234", testSecret, "4264807", "n", ""))
	if err != nil {
		t.Fatalf("%v\n%s", err, got)
	}
	for _, want := range []string{"Saved as profile cap in the keychain (test), service procore-sa and read back.",
		"Note: profile default holds a user_login credential (login sync@example.com), which is kept; this one is saved beside it as profile cap."} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	// The walk records where it went, for the later steps: the transcript
	// says the tool's outcome.
	tr := transcriptOf(t, dir)
	if !strings.Contains(tr, "Done by procore-sa: saved to profile cap and read back") {
		t.Errorf("the transcript lacks the outcome:\n%s", tr)
	}
}

// transcriptOf is the one transcript a finished walk wrote under dir.
func transcriptOf(t *testing.T, dir string) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "transcripts", "*.md"))
	if err != nil || len(files) != 1 {
		t.Fatalf("transcripts: %v %v", files, err)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
