package wizard_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/cmd/cmdtest"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/walkthrough"
	"github.com/procore-sa/procore-sa/steps"
)

// TestDemoTranscriptListsOutcomesNotMadeUpTicks walks the dmsa and the
// laborchart guides under --demo in plain mode to their end, and reads the
// support transcript the walk wrote: every step the tool did (the capture,
// the sign-in, each step's action, add-all, the verification, the audit)
// shows its outcome as the tool recorded it and no ticks, and every tick it
// shows is one the person made (here: every checklist item of the steps the
// person did, answered y one by one). Under --demo the tool does every step
// it can, so the audit at the end finds everything in place, but for the
// checks of a step the tool left to the person (demoLeaves) and the person
// only ticked. The person answers each prompt as it comes
// (cmdtest.Person), so that the walk follows the guide as it is.
func TestDemoTranscriptListsOutcomesNotMadeUpTicks(t *testing.T) {
	// What the tool's outcome says, by the kind of step it did.
	outcome := map[steps.Kind]*regexp.Regexp{
		steps.KindCredential: regexp.MustCompile(`Done by procore-sa: saved to profile transcript-test and read back`),
		steps.KindPassword:   regexp.MustCompile(`Done by procore-sa: saved to profile transcript-test and read back`),
		steps.KindAdminLogin: regexp.MustCompile(`Done by procore-sa: signed in as \S+@`),
		steps.KindAddAll:     regexp.MustCompile(`Done by procore-sa: (\d+) of \d+ active projects have the account \(\d+ added, \d+ already a member\)`),
		steps.KindVerify:     regexp.MustCompile(`Done by procore-sa: verified with its own token: The token works`),
		steps.KindAudit:      regexp.MustCompile(`Done by procore-sa: audited in Procore: \d+ of \d+ (hold|needs? fixing)`),
	}
	for _, guide := range []string{"spectrum", "syncezy", "laborchart", "hammertech", "admin-helper", "dmsa"} {
		t.Run(guide, func(t *testing.T) {
			cmdtest.Env(t)
			cat, _ := steps.LoadCatalog("")
			g, ok := cat.Get(guide)
			if !ok {
				t.Fatalf("no guide %s", guide)
			}
			p := cmdtest.NewPerson(g, walkthrough.Demo())
			defer p.Close()
			errb := &strings.Builder{}
			f := cmdtest.Factory(p.In(), p.Out(), errb)
			f.Credentials = &credstore.Store{Service: "procore-sa-demo", Keyring: &credstore.MemoryKeyring{},
				Timeout: 5 * time.Second, InteractiveTimeout: 5 * time.Second}
			code := cmdtest.Execute(f, "--demo", "--plain", "--profile", "transcript-test", guide)
			out := p.String()
			if code != cmdutil.ExitOK || p.Err() != nil {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s\nanswers:\n%s", code, out, errb.String(), p.Transcript())
			}
			m, _ := filepath.Glob(filepath.Join(os.Getenv("XDG_STATE_HOME"), "procore-sa", "demo", "transcripts", guide+"-*.md"))
			if len(m) != 1 {
				t.Fatalf("transcripts %v\nstdout:\n%s\nanswers:\n%s", m, out, p.Transcript())
			}
			b, err := os.ReadFile(m[0])
			if err != nil {
				t.Fatal(err)
			}
			text := string(b)
			sections := strings.Split(text, "\n## Step ")[1:]
			if len(sections) != len(g.Steps) {
				t.Fatalf("%d step sections for %d steps:\n%s", len(sections), len(g.Steps), text)
			}
			// What the tool left to the person: each as the demo leaves it.
			left := map[string]string{}
			for _, a := range p.Asks() {
				left[a.Step] = a.Text
				if want, ok := demoLeaves[guide+"/"+a.Step]; !ok || !strings.Contains(a.Text, want) {
					t.Errorf("step %s: the tool left a choice to the person under --demo: %s", a.Step, a.Text)
				}
			}
			for k := range demoLeaves {
				if id, ok := strings.CutPrefix(k, guide+"/"); ok && left[id] == "" {
					t.Errorf("step %s: the demo no longer leaves %q to the person: take it out of demoLeaves", id, demoLeaves[k])
				}
			}
			did := 0
			for i, st := range g.Steps {
				sec := sections[i]
				ticks, blanks := strings.Count(sec, "\n- [x] "), strings.Count(sec, "\n- [ ] ")
				if strings.Contains(sec, "Not completed") {
					t.Errorf("step %s is not completed:\n%s", st.ID, sec)
				}
				if strings.Contains(sec, "Does not apply: ") {
					if st.SkipIf == nil || ticks+blanks != 0 {
						t.Errorf("step %s reads as not applying:\n%s", st.ID, sec)
					}
					continue
				}
				// A user login's password is kept in the keychain, as
				// the account's credential: an outcome of the tool's.
				keeps := st.Kind == steps.KindPassword && g.AccountModel == steps.UserLogin
				toolDoes := st.Automated() || st.Kind == steps.KindAudit || keeps
				if strings.Contains(sec, "Done by procore-sa") {
					did++
					if !toolDoes {
						t.Errorf("step %s (%s), which the tool cannot do, shows an outcome of the tool's:\n%s", st.ID, st.Kind, sec)
					}
					if want, ok := outcome[st.Kind]; ok && !want.MatchString(sec) {
						t.Errorf("step %s: the tool's outcome (%s) is not listed:\n%s", st.ID, want, sec)
					}
					if ticks+blanks != 0 {
						t.Errorf("step %s, which the tool did, shows %d ticks and %d boxes:\n%s", st.ID, ticks, blanks, sec)
					}
					continue
				}
				if _, ok := left[st.ID]; toolDoes && !ok {
					t.Errorf("step %s (%s), which the tool does under --demo, has no outcome of the tool's:\n%s", st.ID, st.Kind, sec)
				}
				// The person answered y to every item of the steps they
				// did: each shows as ticked, and nothing else does.
				if ticks != len(st.Checklist) || blanks != 0 {
					t.Errorf("step %s: %d ticked and %d not, for the %d items the person ticked:\n%s", st.ID, ticks, blanks, len(st.Checklist), sec)
				}
			}
			if did < 3 || strings.Count(text, "- [x] ") == 0 {
				t.Fatalf("the walk recorded %d outcomes and %d ticks:\n%s", did, strings.Count(text, "- [x] "), text)
			}
			// The audit: every requirement holds, but those the checks of
			// a step left to the person read as needing fixing there.
			shown := cmdtest.Steps(out)
			excused := map[string]bool{}
			for i, st := range g.Steps {
				if _, ok := left[st.ID]; ok {
					for _, q := range cmdtest.Requirements(shown[i]) {
						excused[q.Text] = q.Verdict == "Needs fixing"
					}
				}
			}
			rows := cmdtest.Requirements(shown[len(g.Steps)-1])
			if len(rows) == 0 {
				t.Fatalf("the audit read nothing:\n%s", shown[len(g.Steps)-1])
			}
			for _, q := range rows {
				if q.Verdict != "Holds" && !excused[q.Text] {
					t.Errorf("the audit of a demo walk that did every step it could says %s: %s\n%s", q.Verdict, q.Text, shown[len(g.Steps)-1])
				}
			}
		})
	}
}

// demoLeaves is what the demo company lacks for the tool to do a step,
// by guide/step: the tool says so, and the person does the step by hand.
var demoLeaves = map[string]string{}
