package wizard_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/cmd/cmdtest"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/steps"
)

// TestDemoTranscriptListsOutcomesNotMadeUpTicks walks the dmsa and the
// laborchart guides under --demo in plain mode to their end, and reads the
// support transcript the walk wrote: every step the tool did (the capture,
// add-all, the verification) shows its outcome as the tool recorded it and
// no ticks, and every tick it shows is one the person made (here: every
// checklist item of the steps the person did, answered y one by one).
func TestDemoTranscriptListsOutcomesNotMadeUpTicks(t *testing.T) {
	for _, c := range []struct {
		guide   string
		answers []string
		// outcomes are the steps the tool did, with what each outcome says.
		outcomes map[string]*regexp.Regexp
	}{
		{"dmsa", []string{
			"",                      // notice
			"y", "y", "y", "y", "y", // checklist
			"Acme Sync", "", "", "", "", // form: the name, then the defaults
			"y", "y", "y", // checklist
			"y", "y", "y", "y", // matrix
			"",            // form
			"y", "y", "y", // checklist
			"demo", "", // capture: the simulator's app, checked with it
			"",  // form: the app's user, found through the credential
			"",  // the admin's sign-in
			"y", // add-all
			"",  // verify, and anything after
		}, map[string]*regexp.Regexp{
			"credentials": regexp.MustCompile(`Done by procore-sa: saved to profile transcript-test and read back`),
			"admin-login": regexp.MustCompile(`Done by procore-sa: signed in as \S+`),
			"add-all":     regexp.MustCompile(`Done by procore-sa: (\d+) of \d+ active projects have the account \(\d+ added, \d+ already a member\), run \S+`),
			"verify":      regexp.MustCompile(`Done by procore-sa: verified with its own token: The token works`),
		}},
		{"laborchart", []string{
			"",         // notice
			"y",        // checklist
			"y",        // checklist
			"",         // form: the default name
			"demo", "", // capture: the simulator's app, checked with it
			"",                      // the admin's sign-in
			"sa@laborchart.example", // form: the Service Account's user
			"y", "y", "y",           // checklist
			"y", "y", // checklist
			"y", // add-all
			"",  // anything after
		}, map[string]*regexp.Regexp{
			"credentials": regexp.MustCompile(`Done by procore-sa: saved to profile transcript-test and read back`),
			"admin-login": regexp.MustCompile(`Done by procore-sa: signed in as \S+`),
			"add-all":     regexp.MustCompile(`Done by procore-sa: (\d+) of \d+ active projects have the account \(\d+ added, \d+ already a member\), run \S+`),
		}},
	} {
		t.Run(c.guide, func(t *testing.T) {
			cmdtest.Env(t)
			var out, errb bytes.Buffer
			f := cmdtest.Factory(strings.NewReader(strings.Join(c.answers, "\n")+"\n"), &out, &errb)
			f.Credentials = &credstore.Store{Service: "procore-sa-demo", Keyring: &credstore.MemoryKeyring{},
				Timeout: 5 * time.Second, InteractiveTimeout: 5 * time.Second}
			if code := cmdtest.Execute(f, "--demo", "--plain", "--profile", "transcript-test", c.guide); code != cmdutil.ExitOK {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
			}
			m, _ := filepath.Glob(filepath.Join(os.Getenv("XDG_STATE_HOME"), "procore-sa", "demo", "transcripts", c.guide+"-*.md"))
			if len(m) != 1 {
				t.Fatalf("transcripts %v\nstdout:\n%s", m, out.String())
			}
			b, err := os.ReadFile(m[0])
			if err != nil {
				t.Fatal(err)
			}
			text := string(b)
			cat, _ := steps.LoadCatalog("")
			g, ok := cat.Get(c.guide)
			if !ok {
				t.Fatalf("no guide %s", c.guide)
			}
			sections := strings.Split(text, "\n## Step ")[1:]
			if len(sections) != len(g.Steps) {
				t.Fatalf("%d step sections for %d steps:\n%s", len(sections), len(g.Steps), text)
			}
			for i, st := range g.Steps {
				sec := sections[i]
				ticks, blanks := strings.Count(sec, "\n- [x] "), strings.Count(sec, "\n- [ ] ")
				if want, tool := c.outcomes[st.ID]; tool {
					if !want.MatchString(sec) {
						t.Errorf("step %s: the tool's outcome (%s) is not listed:\n%s", st.ID, want, sec)
					}
					if ticks+blanks != 0 {
						t.Errorf("step %s, which the tool did, shows %d ticks and %d boxes:\n%s", st.ID, ticks, blanks, sec)
					}
					continue
				}
				if strings.Contains(sec, "Not completed") {
					t.Errorf("step %s is not completed:\n%s", st.ID, sec)
				}
				// The person answered y to every item of the steps they
				// did: each shows as ticked, and nothing else does.
				if ticks != len(st.Checklist) || blanks != 0 {
					t.Errorf("step %s: %d ticked and %d not, for the %d items the person ticked:\n%s", st.ID, ticks, blanks, len(st.Checklist), sec)
				}
			}
			if len(c.outcomes) == 0 || strings.Count(text, "- [x] ") == 0 {
				t.Fatalf("the walk recorded nothing to check:\n%s", text)
			}
		})
	}
}
