package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
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

// TestWalkSpecificProjectsInTmux walks the hammertech guide under --demo in
// a real terminal answering "Specific ones": the every-project step is
// passed over, the specific step offers the list of the demo company's
// projects, two are ticked, the plan adds the account to those two, and
// the audit it ends on, which checks the same two, holds on every row. The
// transcript lists the projects chosen.
func TestWalkSpecificProjectsInTmux(t *testing.T) {
	g := builtin(t, "hammertech")
	home := t.TempDir()
	tm := newTerm(t, home, 100, 30, "--demo", g.ID)
	run := demoRun()
	run.Choose, run.PickProjects = map[string]string{"existing": "Specific ones"}, 2
	var audit, plan string
	for _, st := range walkthrough.ScriptWith(g, run) {
		tm.waitFor(fmt.Sprintf("Step %d of %d", st.Index+1, len(g.Steps)))
		switch g.Steps[st.Index].ID {
		case "add-all":
			t.Fatal("the every-project step is walked though specific ones were chosen")
		case "add-specific":
			// Up to the plan of the choice: it stays on screen to read.
			i := slices.IndexFunc(st.Actions, func(a walkthrough.Action) bool { return a.Wait == "The plan" })
			tm.do(st.Actions[:i+1]...)
			plan = tm.screen()
			tm.do(st.Actions[i+1:]...)
			continue
		}
		if g.Steps[st.Index].Kind == steps.KindAudit {
			tm.do(st.Actions[:len(st.Actions)-1]...)
			audit = tm.screen()
			for range 12 {
				tm.press("down") // the rows below the fold
			}
			audit += tm.screen()
			tm.do(st.Actions[len(st.Actions)-1])
			continue
		}
		tm.do(st.Actions...)
	}
	if !strings.Contains(plan, "to 2 of 2 projects") || !strings.Contains(plan, "Projects chosen:") {
		t.Errorf("the plan is not of the two projects chosen:\n%s", plan)
	}
	for _, bad := range []string{"need fixing", "needs fixing", "✗", "every active project"} {
		if strings.Contains(audit, bad) {
			t.Fatalf("the audit says %q:\n%s", bad, audit)
		}
	}
	if !strings.Contains(audit, "chosen projects") {
		t.Errorf("the audit does not check the chosen projects:\n%s", audit)
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
	if !regexp.MustCompile(`- Projects chosen: \d+, \d+\n`).MatchString(transcript) {
		t.Errorf("the transcript lacks the two projects chosen:\n%s", transcript)
	}
	if m := regexp.MustCompile(`Done by procore-sa: audited in Procore: (.*?) \(`).FindStringSubmatch(transcript); m == nil {
		t.Errorf("the transcript records no audit:\n%s", transcript)
	} else if n := strings.Fields(m[1]); len(n) != 4 || n[0] != n[2] || n[3] != "hold" {
		t.Errorf("the audit says %q, want every requirement to hold", m[1])
	}
	checkModes(t, filepath.Join(home, "state", "procore-sa"))
}
