package wizard_test

import (
	"strings"
	"testing"

	"github.com/procore-sa/procore-sa/internal/cmd/cmdtest"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
)

// TestWizardWithoutATerminal: with standard input and output not a
// terminal, the wizard does not try the full screen (no escapes in the
// pipe, no reader error, no hang): it says so and runs in plain mode.
// Answers piped in walk the guide; input that runs out says what to do
// and exits 2.
func TestWizardWithoutATerminal(t *testing.T) {
	cmdtest.Env(t)
	out, errOut, code := cmdtest.Run(t, "", "--demo", "dmsa")
	if code != cmdutil.ExitUsage {
		t.Fatalf("exit %d with no input\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, want := range []string{"not a terminal, so the wizard runs in plain mode", "standard input ended before the guide did", "run procore-sa in a terminal"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(out+errOut, "\x1b[?1049h") || strings.Contains(out+errOut, "cancelable reader") {
		t.Fatalf("the full screen was tried:\n%q", out+errOut)
	}
	if !strings.Contains(out, "Step 1 of") {
		t.Errorf("plain mode did not start:\n%s", out)
	}

	// The picker, with answers piped in: a number chooses, q leaves the
	// guide before its end: interrupted, as on the full screen.
	out, errOut, code = cmdtest.Run(t, "6\nq\n", "--demo")
	if code != cmdutil.ExitInterrupted || !strings.Contains(out, "Which guide? Type its number") || !strings.Contains(out, "Step 1 of") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}
