package wizard_test

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/cmd/cmdtest"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/walkthrough"
	"github.com/procore-sa/procore-sa/procore/sim"
	"github.com/procore-sa/procore-sa/steps"
)

// TestPlainWizardKeepsCapturedCredentials walks the DMSA guide in plain
// mode to its end, answering each prompt as it comes: at the capture step
// the answer demo fills in the simulator's own app, which the simulator
// accepts, so that the sign-in, add-all, verify and audit steps after it
// work. The plain wizard must have the same keeper as the full-screen one
// (the keychain, read back), and the secret must appear on no output and
// in no state file.
func TestPlainWizardKeepsCapturedCredentials(t *testing.T) {
	cmdtest.Env(t)
	// The demo's simulator is seeded the same way: the same app secret.
	secret := sim.New(sim.Config{Seed: 1}).Fixtures().DMSAClientSecret
	if len(secret) < 16 {
		t.Fatalf("the simulator's app secret is %d characters", len(secret))
	}
	cat, _ := steps.LoadCatalog("")
	g, _ := cat.Get("dmsa")
	p := cmdtest.NewPerson(g, walkthrough.Demo()) // demo at the capture step
	defer p.Close()
	var errb strings.Builder
	f := cmdtest.Factory(p.In(), p.Out(), &errb)
	// A keychain of its own: the session's Secret Service is shared with
	// the tmux tests, whose demo runs keep their admin's sign-in under the
	// same name, and a demo's sign-in is its own simulator's alone.
	f.Credentials = &credstore.Store{Service: "procore-sa-demo", Keyring: &credstore.MemoryKeyring{},
		Timeout: 5 * time.Second, InteractiveTimeout: 5 * time.Second}
	code := cmdtest.Execute(f, "--demo", "--plain", "--profile", "plain-test", "dmsa")
	out, errOut := p.String(), errb.String()
	if code != cmdutil.ExitOK || p.Err() != nil {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s\nanswers:\n%s", code, out, errOut, p.Transcript())
	}
	// What each step the tool does says, in the order of the guide.
	says := map[steps.Kind][]string{
		steps.KindCredential: {"The secret is never shown", "Demo: type demo at Client ID",
			"Using the simulator's app", "Procore accepted them.", "and read back."},
		steps.KindAdminLogin: {"Signed in as"},
		steps.KindAddAll:     {" added, 0 already a member, 0 failed."},
		steps.KindVerify:     {"ok  The token works"},
		steps.KindAudit:      {" hold."},
	}
	shown := cmdtest.Steps(out)
	for i, st := range g.Steps {
		for _, want := range says[st.Kind] {
			if !strings.Contains(shown[i], want) {
				t.Errorf("step %d (%s) lacks %q:\n%s", i+1, st.ID, want, shown[i])
			}
		}
		delete(says, st.Kind)
	}
	if len(says) != 0 {
		t.Errorf("the guide has no steps of kinds %v", slices.Collect(maps.Keys(says)))
	}
	audit := shown[len(g.Steps)-1]
	for _, q := range cmdtest.Requirements(audit) {
		if q.Verdict != "Holds" {
			t.Errorf("the audit says %s: %s\n%s", q.Verdict, q.Text, audit)
		}
	}
	if !strings.Contains(out, "Every step is done.") {
		t.Errorf("stdout lacks %q:\n%s", "Every step is done.", out)
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
