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

// TestDemoPlainChoosesSpecificProjects walks the hammertech guide under
// --demo in plain mode answering "Specific ones": the every-project step
// does not apply, the specific step lists the demo company's projects,
// two are ticked, the account is added to those two, and the audit at the
// end, which checks the same two, holds on every row. The transcript lists
// the projects chosen.
func TestDemoPlainChoosesSpecificProjects(t *testing.T) {
	cmdtest.Env(t)
	cat, _ := steps.LoadCatalog("")
	g, _ := cat.Get("hammertech")
	o := walkthrough.Demo()
	o.Choose, o.PickProjects = map[string]string{"existing": "Specific ones"}, 2
	p := cmdtest.NewPerson(g, o)
	defer p.Close()
	errb := &strings.Builder{}
	f := cmdtest.Factory(p.In(), p.Out(), errb)
	f.Credentials = &credstore.Store{Service: "procore-sa-demo", Keyring: &credstore.MemoryKeyring{},
		Timeout: 5 * time.Second, InteractiveTimeout: 5 * time.Second}
	code := cmdtest.Execute(f, "--demo", "--plain", "--profile", "specific-test", "hammertech")
	out := p.String()
	if code != cmdutil.ExitOK || p.Err() != nil {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s\nanswers:\n%s", code, out, errb.String(), p.Transcript())
	}
	shown := cmdtest.Steps(out)
	idx := func(id string) int {
		for i, st := range g.Steps {
			if st.ID == id {
				return i
			}
		}
		t.Fatalf("no step %s", id)
		return -1
	}
	specific := shown[idx("add-specific")]
	for _, want := range []string{"Choose the projects the account is to be on.", "active projects; 0 chosen. Projects 1 to 20:",
		"You chose 2 projects: ", "to 2 of 2 projects", "Done: "} {
		if !strings.Contains(specific, want) {
			t.Errorf("the specific step lacks %q:\n%s", want, specific)
		}
	}
	if s, ok := shown[idx("add-all")]; ok {
		t.Errorf("the every-project step was walked:\n%s", s)
	}
	audit := shown[len(g.Steps)-1]
	rows := cmdtest.Requirements(audit)
	chosen := false
	for _, q := range rows {
		if q.Verdict != "Holds" {
			t.Errorf("the audit says %s: %s", q.Verdict, q.Text)
		}
		chosen = chosen || strings.HasPrefix(q.Text, "The account's user is on the chosen projects")
		if strings.HasPrefix(q.Text, "The account's user is on every active project") {
			t.Errorf("the audit checks every project though specific ones were chosen")
		}
	}
	if !chosen {
		t.Errorf("the audit does not check the chosen projects:\n%s", audit)
	}
	m, _ := filepath.Glob(filepath.Join(os.Getenv("XDG_STATE_HOME"), "procore-sa", "demo", "transcripts", "hammertech-*.md"))
	if len(m) != 1 {
		t.Fatalf("transcripts %v", m)
	}
	b, err := os.ReadFile(m[0])
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`- Projects chosen: \d+, \d+\n`).Match(b) || !strings.Contains(string(b), "Does not apply: You chose specific existing projects") {
		t.Errorf("the transcript lacks the projects chosen or the step passed over:\n%s", b)
	}
}
