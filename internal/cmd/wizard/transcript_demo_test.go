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
	"github.com/procore-sa/procore-sa/procore/sim"
	"github.com/procore-sa/procore-sa/steps"
	"io"
	"sync"
)

// TestDemoTranscriptListsOutcomesNotMadeUpTicks walks the dmsa and the
// laborchart guides under --demo in plain mode to their end, and reads the
// support transcript the walk wrote: every step the tool did (the capture,
// add-all, the verification) shows its outcome as the tool recorded it and
// no ticks, and every tick it shows is one the person made (here: every
// checklist item of the steps the person did, answered y one by one).
// The person answers each prompt as it comes (see person), so that the
// walk follows the guide as it is.
func TestDemoTranscriptListsOutcomesNotMadeUpTicks(t *testing.T) {
	serviceUser := sim.New(sim.Config{Seed: 1}).Fixtures().ServiceUserEmail // the demo's simulator is seeded alike
	// What the tool's outcome says, by the kind of step it did.
	outcome := map[steps.Kind]*regexp.Regexp{
		steps.KindCredential: regexp.MustCompile(`Done by procore-sa: saved to profile transcript-test and read back`),
		steps.KindAdminLogin: regexp.MustCompile(`Done by procore-sa: signed in as \S+@`),
		steps.KindAddAll:     regexp.MustCompile(`Done by procore-sa: (\d+) of \d+ active projects have the account \(\d+ added, \d+ already a member\)`),
		steps.KindVerify:     regexp.MustCompile(`Done by procore-sa: verified with its own token: The token works`),
	}
	for _, guide := range []string{"dmsa", "laborchart"} {
		t.Run(guide, func(t *testing.T) {
			cmdtest.Env(t)
			out, errb := &transcriptOut{}, &transcriptOut{}
			f := cmdtest.Factory(&person{out: out, serviceUser: serviceUser}, out, errb)
			f.Credentials = &credstore.Store{Service: "procore-sa-demo", Keyring: &credstore.MemoryKeyring{},
				Timeout: 5 * time.Second, InteractiveTimeout: 5 * time.Second}
			if code := cmdtest.Execute(f, "--demo", "--plain", "--profile", "transcript-test", guide); code != cmdutil.ExitOK {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
			}
			m, _ := filepath.Glob(filepath.Join(os.Getenv("XDG_STATE_HOME"), "procore-sa", "demo", "transcripts", guide+"-*.md"))
			if len(m) != 1 {
				t.Fatalf("transcripts %v\nstdout:\n%s", m, out.String())
			}
			b, err := os.ReadFile(m[0])
			if err != nil {
				t.Fatal(err)
			}
			text := string(b)
			cat, _ := steps.LoadCatalog("")
			g, ok := cat.Get(guide)
			if !ok {
				t.Fatalf("no guide %s", guide)
			}
			sections := strings.Split(text, "\n## Step ")[1:]
			if len(sections) != len(g.Steps) {
				t.Fatalf("%d step sections for %d steps:\n%s", len(sections), len(g.Steps), text)
			}
			did := 0
			for i, st := range g.Steps {
				sec := sections[i]
				ticks, blanks := strings.Count(sec, "\n- [x] "), strings.Count(sec, "\n- [ ] ")
				if strings.Contains(sec, "Not completed") {
					t.Errorf("step %s is not completed:\n%s", st.ID, sec)
				}
				if st.Automated() && strings.Contains(sec, "Done by procore-sa") {
					did++
					if want, ok := outcome[st.Kind]; ok && !want.MatchString(sec) {
						t.Errorf("step %s: the tool's outcome (%s) is not listed:\n%s", st.ID, want, sec)
					}
					if ticks+blanks != 0 {
						t.Errorf("step %s, which the tool did, shows %d ticks and %d boxes:\n%s", st.ID, ticks, blanks, sec)
					}
					continue
				}
				if _, ok := outcome[st.Kind]; ok {
					t.Errorf("step %s (%s) has no outcome of the tool's:\n%s", st.ID, st.Kind, sec)
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
		})
	}
}

// transcriptOut is an output the person reads while the walk writes it.
type transcriptOut struct {
	mu sync.Mutex
	b  strings.Builder
}

func (o *transcriptOut) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.Write(p)
}

func (o *transcriptOut) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}

// person answers the plain wizard's prompts as they come: every checklist
// item ticked (y), every yes-or-no question that defaults to yes taken, the
// capture filled with the simulator's own app (demo), a required email
// with the account the simulator has, a required text with a name, and
// enter for anything else (a default, a notice, a sign-in). A prompt asked
// again and again ends the input.
type person struct {
	out         *transcriptOut
	serviceUser string
	seen        int    // how much output the last answer followed
	last        string // the last prompt answered
	again       int
}

func (p *person) Read(b []byte) (int, error) {
	deadline := time.Now().Add(10 * time.Second)
	var text string
	for {
		// A new prompt: the output grew and then stayed still a moment.
		text = p.out.String()
		if len(text) > p.seen {
			time.Sleep(20 * time.Millisecond)
			if p.out.String() == text {
				break
			}
			continue
		}
		if time.Now().After(deadline) {
			return 0, io.EOF
		}
		time.Sleep(5 * time.Millisecond)
	}
	p.seen = len(text)
	lines := strings.Split(strings.TrimRight(text, " "), "\n")
	prompt := lines[len(lines)-1]
	// The prompt with the line before it: a checklist asks "Done?" of each
	// item, and only a refusal asks the very same again.
	if key := strings.Join(lines[max(0, len(lines)-2):], "\n"); key == p.last {
		if p.again++; p.again > 3 {
			return 0, io.EOF
		}
	} else {
		p.last, p.again = key, 0
	}
	answer := ""
	switch {
	case strings.Contains(prompt, "[y/n]"), strings.Contains(prompt, "[y/N]"):
		answer = "y"
	case strings.HasPrefix(prompt, "Client ID"):
		answer = "demo"
	case strings.Contains(prompt, "email *:"):
		answer = p.serviceUser
	case strings.HasSuffix(strings.TrimRight(prompt, " "), "*:"):
		answer = "Acme Sync"
	}
	return copy(b, answer+"\n"), nil
}
