package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/procore-sa/procore-sa/internal/walkthrough"
	"github.com/procore-sa/procore-sa/procore/sim"
	"github.com/procore-sa/procore-sa/steps"
)

// TestDemoFillInTmux walks the DMSA guide under --demo in a real terminal
// and, at the capture step, presses ctrl+o instead of typing: the fields
// take the simulator's own app, it is checked with the simulator and kept,
// and the sign-in, actions, add-all, verify and audit steps after it work
// (walkthrough.Demo: the demo company's answers). The secret is never on
// the screen.
func TestDemoFillInTmux(t *testing.T) {
	g := builtin(t, "dmsa")
	secret := sim.New(sim.Config{Seed: 1}).Fixtures().DMSAClientSecret
	home := t.TempDir()
	tm := newTerm(t, home, 100, 30, "--demo", g.ID)
	filled := false
	for _, st := range walkthrough.ScriptWith(g, walkthrough.Demo()) {
		tm.waitFor(fmt.Sprintf("Step %d of %d", st.Index+1, len(g.Steps)))
		switch g.Steps[st.Index].Kind {
		case steps.KindAudit:
			// The audit of a walk that did every step: all holds.
			tm.do(st.Actions[:len(st.Actions)-1]...)
			if s := tm.screen(); !strings.Contains(s, " hold") || strings.Contains(s, "fixing") || strings.Contains(s, "could not be read") {
				t.Errorf("the audit does not hold:\n%s", s)
			}
			tm.do(st.Actions[len(st.Actions)-1])
			continue
		case steps.KindCredential:
		default:
			tm.do(st.Actions...)
			continue
		}
		tm.waitFor("Demo: ctrl+o fills in the simulator's app")
		tm.press("C-o")
		tm.waitFor("(entered, hidden)")
		if s := tm.screen(); strings.Contains(s, secret[:8]) || strings.Contains(s, secret[len(secret)-8:]) {
			t.Fatalf("the secret is on the screen:\n%s", s)
		}
		tm.press("enter")
		tm.waitFor("Press enter to keep it and continue")
		tm.press("enter")
		filled = true
	}
	if !filled {
		t.Fatal("the guide has no capture step")
	}
	tm.waitFor("Press enter to exit")
	scrollback := tm.tmux("capture-pane", "-p", "-S", "-", "-t", "e2e")
	tm.press("enter")
	if code := tm.exitCode(); code != "0" {
		t.Fatalf("exit code %s", code)
	}
	if strings.Contains(scrollback, secret[:8]) || strings.Contains(scrollback, secret[len(secret)-8:]) {
		t.Fatal("the secret is in the terminal's scrollback")
	}
}
