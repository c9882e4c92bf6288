package steps

import (
	"strings"
	"testing"
	"time"
)

const automatedGuide = `id: auto
title: Automated
account_model: dmsa
steps:
  - id: login
    kind: admin_login
    title: Sign in as an admin
    body: Adding to projects takes the admin's own sign-in.
  - id: capture
    kind: credential_capture
    title: Capture
    checklist: [Copy the client ID, Copy the client secret]
  - id: add
    kind: add_all
    title: Add to every project
    checklist: [Click Add All]
  - id: verify
    kind: verify
    title: Verify
    checklist: [It works]
`

func automatedWalker(t *testing.T) *Walker {
	t.Helper()
	g, err := Parse("auto.yaml", []byte(automatedGuide))
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	w := NewWalker(g, nil, func() time.Time { clock = clock.Add(time.Minute); return clock })
	// The admin's sign-in, which adding to projects takes, comes first.
	w.Record("login", Outcome{Kind: OutcomeDone, Detail: "signed in", Profile: "admin"})
	must(t, w.Next())
	return w
}

// TestOutcomesCompleteAutomatedSteps: a step the tool can do is complete
// with an outcome of done (no tick needed, none made), or by hand with its
// checklist ticked (recorded so); a skipped step moves on without counting
// as completed.
func TestOutcomesCompleteAutomatedSteps(t *testing.T) {
	w := automatedWalker(t)
	if err := w.Next(); err == nil || !strings.Contains(err.Error(), "0 of 2 items ticked") {
		t.Fatalf("an automated step with no outcome and no ticks went on: %v", err)
	}
	w.Record("capture", Outcome{Kind: OutcomeDone, Detail: "saved to profile dmsa-2", Profile: "dmsa-2"})
	if err := w.Next(); err != nil {
		t.Fatalf("a done capture could not go on: %v", err)
	}
	if w.Checked(0) || w.Session.Checked["capture"][0] {
		t.Fatal("a tick appeared that nobody made")
	}
	if o, ok := w.Latest(KindCredential); !ok || o.Profile != "dmsa-2" {
		t.Fatalf("Latest(capture) = %+v, %v", o, ok)
	}
	// By hand: the person ticks.
	w.Toggle(0)
	if err := w.Next(); err != nil {
		t.Fatalf("ticked by hand: %v", err)
	}
	if o, _ := w.Outcome("add"); o.Kind != OutcomeByHand {
		t.Fatalf("a step ticked by hand is recorded as %+v", o)
	}
	w.Record("verify", Outcome{Kind: OutcomeSkipped, Detail: "went on without it"})
	if err := w.Next(); err != nil || !w.Finished() {
		t.Fatalf("skip: %v, finished %v", err, w.Finished())
	}
	if w.Done("verify") {
		t.Fatal("a skipped step counts as completed")
	}
	// The session keeps them through a copy (a save in the background).
	if c := w.Session.Clone(); c.Outcomes["capture"].Profile != "dmsa-2" || len(c.Outcomes) != 4 {
		t.Fatalf("Clone lost outcomes: %+v", c.Outcomes)
	}
}

// TestTranscriptListsOutcomesNotMadeUpTicks: the transcript says what the
// tool did and shows only the ticks the person made.
func TestTranscriptListsOutcomesNotMadeUpTicks(t *testing.T) {
	w := automatedWalker(t)
	w.Record("capture", Outcome{Kind: OutcomeDone, Detail: "saved to profile dmsa-2", Profile: "dmsa-2"})
	must(t, w.Next())
	w.Toggle(0)
	must(t, w.Next())
	w.Record("verify", Outcome{Kind: OutcomeSkipped})
	must(t, w.Next())
	tr := string(Transcript(w.Guide, w.Session))
	for _, want := range []string{
		"Done by procore-sa: saved to profile dmsa-2",
		"Done by hand in Procore: done by hand",
		"- [x] Click Add All",
		"Skipped",
	} {
		if !strings.Contains(tr, want) {
			t.Errorf("transcript lacks %q:\n%s", want, tr)
		}
	}
	for _, never := range []string{"Copy the client ID", "Copy the client secret", "[x] It works", "- [ ] It works"} {
		if strings.Contains(tr, never) {
			t.Errorf("transcript shows %q for a step the person did not tick:\n%s", never, tr)
		}
	}
}

// TestForgetLetsAStepBeDoneAgain: forgetting an outcome makes the step
// incomplete again, for a person who chose to do it over.
func TestForgetLetsAStepBeDoneAgain(t *testing.T) {
	w := automatedWalker(t)
	w.Record("capture", Outcome{Kind: OutcomeDone})
	w.Forget("capture")
	if err := w.Problem(); err == nil {
		t.Fatal("a forgotten outcome still completes the step")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestChosenProjectsAreKeptAndCopied: the projects chosen for a step are
// the session's (a resumed walk has them), make the walk worth resuming,
// survive a copy unshared, go to the transcript as ids, and are forgotten
// when the choice is emptied.
func TestChosenProjectsAreKeptAndCopied(t *testing.T) {
	w := automatedWalker(t)
	fresh := NewWalker(w.Guide, nil, nil)
	fresh.Choose("add", []int64{12, 34})
	if !fresh.Dirty() {
		t.Fatal("a walk with projects chosen is not worth resuming")
	}
	ids := []int64{12, 34}
	w.Choose("add", ids)
	ids[0] = 99
	if got := w.Chosen("add"); len(got) != 2 || got[0] != 12 {
		t.Fatalf("chosen %v: the walk shares the caller's slice", got)
	}
	c := w.Session.Clone()
	c.Chosen["add"][1] = 0
	if w.Chosen("add")[1] != 34 {
		t.Fatal("Clone shares the chosen projects")
	}
	again := NewWalker(w.Guide, w.Session.Clone(), nil)
	if got := again.Chosen("add"); len(got) != 2 || got[1] != 34 {
		t.Fatalf("a resumed walk chose %v", got)
	}
	if tr := string(Transcript(w.Guide, w.Session)); !strings.Contains(tr, "- Projects chosen: 12, 34") {
		t.Errorf("the transcript lacks the projects chosen:\n%s", tr)
	}
	w.Choose("add", nil)
	if _, ok := w.Session.Chosen["add"]; ok || w.Chosen("add") != nil {
		t.Fatal("an emptied choice is still kept")
	}
}
