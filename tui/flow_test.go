package tui

import (
	"bytes"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/procore-sa/procore-sa/internal/walkthrough"
	"github.com/procore-sa/procore-sa/steps"
)

// probe reports where the wizard is after every message, so a test can
// wait on the model rather than on fragments of a diffed screen.
type probe struct {
	*Model
	at chan<- probeState
}

type probeState struct {
	phase phase
	step  int
}

func (p probe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := p.Model.Update(msg)
	at := probeState{phase: p.phase}
	if w := p.Walker(); w != nil {
		at.step = w.Index()
	}
	select {
	case p.at <- at:
	default: // the test reads only the latest; never block the program
	}
	return p, cmd
}

func waitFor(t *testing.T, at <-chan probeState, ok func(probeState) bool) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case p := <-at:
			if ok(p) {
				return
			}
		case <-deadline:
			t.Fatal("timed out waiting for the wizard")
		}
	}
}

// TestFlowWholeGuide walks the spectrum guide from its first step to its
// last in a real Bubble Tea program, as a person at the keyboard would.
func TestFlowWholeGuide(t *testing.T) {
	cat, problems := steps.LoadCatalog(t.TempDir())
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	g, ok := cat.Get("spectrum")
	if !ok {
		t.Fatal("no spectrum guide")
	}
	store := openStore(t)
	at := make(chan probeState, 1024)
	m := probe{Model: New(Options{Guides: cat.List(), GuideID: g.ID, Store: store, Now: fixedNow}), at: at}
	tm := teatest.NewTestModel(t, m,
		teatest.WithInitialTermSize(80, 24),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))

	waitFor(t, at, func(p probeState) bool { return p.phase == phaseStep })
	for _, st := range walkthrough.Script(g) {
		for _, a := range st.Actions {
			if a.Text != "" {
				tm.Type(a.Text)
			} else {
				tm.Send(keyPress(a.Key))
			}
		}
		want := st.Index + 1
		waitFor(t, at, func(p probeState) bool {
			return p.step == want || (want == len(g.Steps) && p.phase >= phaseFinishing)
		})
	}
	waitFor(t, at, func(p probeState) bool { return p.phase == phaseDone })
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("transcript")) },
		teatest.WithDuration(5*time.Second))
	tm.Send(keyPress("enter"))
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(probe)
	if final.Outcome() != OutcomeFinished {
		t.Fatal("the guide did not finish")
	}
	if final.transcript == "" {
		t.Fatalf("no transcript written: %s", final.status)
	}
	if s, err := store.LoadSession(g.ID); err != nil || s != nil {
		t.Fatalf("a finished guide left a session behind: %v, %v", s, err)
	}
}
