package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/procore-sa/procore-sa/internal/walkthrough"
	"github.com/procore-sa/procore-sa/steps"
)

// TestGuidesDoTheirActionsInTmux walks guides under --demo in a real
// terminal with every action done by procore-sa through the simulator, as
// a person would: the plan read, enter, the outcome read back. Each ends
// on its audit, which reads every check of the guide from the simulator:
// nothing may need fixing. The transcript records each action as done by
// procore-sa and the audit's summary.
func TestGuidesDoTheirActionsInTmux(t *testing.T) {
	cat, problems := steps.LoadCatalog(t.TempDir())
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	// The guides whose every step the demo's simulator can do or read;
	// TestWalkGuideInTmux walks the others with their actions too.
	for _, id := range []string{"dmsa", "syncezy"} {
		t.Run(id, func(t *testing.T) {
			g, ok := cat.Get(id)
			if !ok {
				t.Fatalf("no built-in guide %q", id)
			}
			var actions int
			for _, st := range g.Steps {
				if st.Action != nil {
					actions++
				}
			}
			if n := len(g.Steps); n == 0 || g.Steps[n-1].Kind != steps.KindAudit {
				t.Fatalf("guide %s does not end on an audit step", id)
			}
			home := t.TempDir()
			tm := newTerm(t, home, 120, 40, "--demo", g.ID)
			run := demoRun()
			var audit string
			for _, st := range walkthrough.ScriptWith(g, run) {
				tm.waitFor(fmt.Sprintf("Step %d of %d", st.Index+1, len(g.Steps)))
				if g.Steps[st.Index].Kind != steps.KindAudit {
					tm.do(st.Actions...)
					continue
				}
				// All but the last enter: the audit stays on screen to read.
				tm.do(st.Actions[:len(st.Actions)-1]...)
				audit = tm.screen()
				tm.do(st.Actions[len(st.Actions)-1])
			}
			if !strings.Contains(audit, " hold") {
				t.Fatalf("the audit has no summary of what holds:\n%s", audit)
			}
			for _, l := range strings.Split(audit, "\n") {
				if strings.Contains(l, " hold") {
					if i := strings.LastIndex(l, "│"); i >= 0 {
						l = l[i+len("│"):] // past the sidebar
					}
					t.Logf("%s audit: %s", id, strings.TrimSpace(l))
					break
				}
			}
			for _, bad := range []string{"need fixing", "needs fixing", "✗"} {
				if strings.Contains(audit, bad) {
					t.Fatalf("the audit found something to fix after the guide's actions:\n%s", audit)
				}
			}
			tm.waitFor("Press enter to exit")
			tm.press("enter")
			if code := tm.exitCode(); code != "0" {
				t.Fatalf("exit code %s", code)
			}

			found, _ := filepath.Glob(filepath.Join(home, "state", "procore-sa", "demo", "transcripts", g.ID+"-*.md"))
			if len(found) != 1 {
				t.Fatalf("transcripts %v", found)
			}
			b, err := os.ReadFile(found[0])
			if err != nil {
				t.Fatal(err)
			}
			transcript := string(b)
			if n := strings.Count(transcript, "Done by procore-sa"); n < actions+1 {
				t.Errorf("the transcript records %d steps done by procore-sa; the guide has %d actions and an audit:\n%s", n, actions, transcript)
			}
			if !strings.Contains(transcript, "audited in Procore: ") || strings.Contains(transcript, "fixing") {
				t.Errorf("the transcript lacks a clean audit:\n%s", transcript)
			}
			checkModes(t, filepath.Join(home, "state", "procore-sa"))
		})
	}
}
