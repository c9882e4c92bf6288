package wizard

import (
	"strings"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/steps"
	"github.com/procore-sa/procore-sa/tui"
)

type fakeEnd struct {
	outcome tui.Outcome
	walker  *steps.Walker
	work    bool
	run     string
}

func (f fakeEnd) Outcome() tui.Outcome  { return f.outcome }
func (f fakeEnd) Walker() *steps.Walker { return f.walker }
func (f fakeEnd) HoldsWork() bool       { return f.work }
func (f fakeEnd) UnfinishedRun() string { return f.run }

func TestLeavingNotesNameTheRunToResume(t *testing.T) {
	g := &steps.Guide{ID: "dmsa", Title: "DMSA", Steps: []steps.Step{
		{ID: "a", Kind: steps.KindNotice, Title: "A"}, {ID: "b", Kind: steps.KindAddAll, Title: "B"}}}
	w := steps.NewWalker(g, &steps.Session{GuideID: "dmsa", Step: 1}, time.Now)
	f := cmdutil.New(nil, cmdutil.BuildInfo{})
	f.Flags.Env, f.Flags.Profile = "sandbox", "dmsa" // a capture moved to profile dmsa
	args := f.TargetArgs()
	got := leavingNotes(args, fakeEnd{outcome: tui.OutcomeQuit, walker: w, work: true, run: "20261123T101500Z-ab12"})
	for _, want := range []string{
		"Resume it with: procore-sa --env sandbox --profile dmsa add-all --resume 20261123T101500Z-ab12\n",
		"Progress saved at step 2 of 2. Resume with: procore-sa --env sandbox --profile dmsa dmsa\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("notes lack %q:\n%s", want, got)
		}
	}

	// A run the walk started: one command, the guide's, which resumes it.
	held := steps.NewWalker(g, &steps.Session{GuideID: "dmsa", Step: 1}, time.Now)
	held.Record("b", steps.Outcome{Kind: steps.OutcomeStarted, Run: "20261123T101500Z-ab12"})
	got = leavingNotes(args, fakeEnd{outcome: tui.OutcomeQuit, walker: held, work: true, run: "20261123T101500Z-ab12"})
	if want := "Add-all run 20261123T101500Z-ab12 stopped at a safe point; every project Procore confirmed is journaled. Progress saved at step 2 of 2. Resume the guide and its run with: procore-sa --env sandbox --profile dmsa dmsa\n"; got != want {
		t.Errorf("notes for a run the walk holds:\n%q\nwant one command:\n%q", got, want)
	}
	if !leftMidGuide(fakeEnd{outcome: tui.OutcomeQuit, walker: held}) || leftMidGuide(fakeEnd{outcome: tui.OutcomeQuit}) {
		t.Error("leaving mid-guide is not an interrupted exit, or leaving the picker is")
	}

	// Nothing to take up: nothing said.
	if got := leavingNotes(args, fakeEnd{outcome: tui.OutcomeFinished, walker: w, work: true}); got != "" {
		t.Errorf("a finished wizard said %q", got)
	}
	// A first step with values holds work too; the rule is the model's.
	if got := leavingNotes(args, fakeEnd{outcome: tui.OutcomeQuit, walker: steps.NewWalker(g, nil, time.Now), work: true}); !strings.Contains(got, "step 1 of 2") {
		t.Errorf("work on the first step was not offered: %q", got)
	}
}
