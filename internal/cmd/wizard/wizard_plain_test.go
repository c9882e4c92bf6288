package wizard_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/procore-sa/procore-sa/internal/cmd/cmdtest"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/procore/sim"
)

// TestPlainWizardKeepsCapturedCredentials walks the DMSA guide in plain
// mode to its end: at the capture step the answer demo fills in the
// simulator's own app, which the simulator accepts, so that the add-all and
// verify steps after it work. The plain wizard must have the same keeper as
// the full-screen one (the keychain, read back), and the secret must appear
// on no output and in no state file.
func TestPlainWizardKeepsCapturedCredentials(t *testing.T) {
	cmdtest.Env(t)
	// The demo's simulator is seeded the same way: the same app secret.
	secret := sim.New(sim.Config{Seed: 1}).Fixtures().DMSAClientSecret
	if len(secret) < 16 {
		t.Fatalf("the simulator's app secret is %d characters", len(secret))
	}
	answers := []string{
		"",                      // 1 notice
		"y", "y", "y", "y", "y", // 2 checklist
		"Acme Sync", "", "", "", "", // 3 form: the name, then the defaults
		"y", "y", "y", // 4 checklist
		"",                 // 4 the installation read from Procore
		"y", "y", "y", "y", // 5 matrix
		"",            // 6 form
		"y", "y", "y", // 7 checklist
		"demo", "", // 8 capture: the simulator's app, checked with it
		"",  // 9 form: the app's user, found through the credential
		"",  // 10 admin sign-in
		"y", // 11 add-all
		"",  // 12 verify, and anything after
	}
	out, errOut, code := cmdtest.Run(t, strings.Join(answers, "\n")+"\n",
		"--demo", "--plain", "--profile", "plain-test", "dmsa")
	if code != cmdutil.ExitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"Step 8 of 13", "The secret is never shown", "Demo: type demo at Client ID",
		"Using the simulator's app", "Procore accepted them.", "and read back.",
		"Step 10 of 13", "Signed in as",
		"Step 11 of 13", " added, 0 already a member, 0 failed.",
		"Step 12 of 13", "ok  The token works", "Step 13 of 13", "Every step is done.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Client secret") {
		t.Errorf("the secret was asked for after demo:\n%s", out)
	}
	for _, part := range []string{secret, secret[:8], secret[len(secret)-8:]} {
		if strings.Contains(out+errOut, part) {
			t.Fatal("the client secret (or part of it) reached the output")
		}
	}
	state := os.Getenv("XDG_STATE_HOME")
	filepath.WalkDir(state, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if b, _ := os.ReadFile(p); strings.Contains(string(b), secret) {
			t.Errorf("the client secret is in %s", p)
		}
		return nil
	})
}
