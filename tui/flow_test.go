package tui

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/procore-sa/procore-sa/internal/addall"
	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/app/apptest"
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
	view  string // the frame's text, without escapes
}

func (p probe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := p.Model.Update(msg)
	at := probeState{phase: p.phase, view: ansi.Strip(p.Model.View().Content)}
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
	m := probe{Model: New(Options{Guides: cat.List(), GuideID: g.ID, Now: fixedNow, Services: app.Services{Sessions: store}}), at: at}
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

// TestFlowCaptureThenAddAll walks a guide with a credential step and an
// add-all step in a real Bubble Tea program: the secret is kept before the
// wizard goes on, then the plan is confirmed and the run reported.
func TestFlowCaptureThenAddAll(t *testing.T) {
	g := &steps.Guide{ID: "flow", Title: "Flow", AccountModel: steps.DMSA, Steps: []steps.Step{
		{ID: "capture", Kind: steps.KindCredential, Title: "Capture", Body: "Paste them."},
		addAllGuide().Steps[1],
	}}
	custody := &apptest.Keeper{}
	adds := &apptest.AddAll{Results: []addall.ProjectResult{
		{ProjectRef: addall.ProjectRef{ID: 1, Name: "Riverside Clinic"}, Outcome: addall.OutcomeAdded},
	}}
	at := make(chan probeState, 4096)
	m := probe{Model: New(Options{Guides: []*steps.Guide{g}, GuideID: g.ID, Now: fixedNow, Services: app.Services{Sessions: openStore(t), Keeper: custody, AddAll: adds}}), at: at}
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	shows := func(text string) func(probeState) bool {
		return func(p probeState) bool { return strings.Contains(p.view, text) }
	}
	waitFor(t, at, shows("Client secret"))
	tm.Type("dmsa-client-1")
	tm.Send(keyPress("tab"))
	tm.Type(testSecret)
	tm.Send(keyPress("tab"))
	tm.Type("42")
	tm.Send(keyPress("enter"))
	waitFor(t, at, shows("Press enter to keep it and continue"))
	tm.Send(keyPress("enter"))
	waitFor(t, at, shows("Press enter to read the projects"))
	tm.Send(keyPress("enter"))
	waitFor(t, at, shows("3 projects to add"))
	tm.Send(keyPress("enter"))
	waitFor(t, at, shows("Every project has the account as a member"))
	tm.Send(keyPress("enter"))
	waitFor(t, at, func(p probeState) bool { return p.phase == phaseDone })
	tm.Send(keyPress("enter"))
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(probe)
	if final.Outcome() != OutcomeFinished || len(custody.Kept) != 1 {
		t.Fatalf("outcome %v, %d saved", final.Outcome(), len(custody.Kept))
	}
	out, _ := io.ReadAll(tm.FinalOutput(t))
	if bytes.Contains(out, []byte(testSecret)) {
		t.Fatal("the secret reached the terminal")
	}
}

// TestFlowQuitDuringRun presses ctrl+c in a real program while a run is
// under way: the program stays until the run has stopped, then quits, and
// names the run to resume.
func TestFlowQuitDuringRun(t *testing.T) {
	adds := &apptest.AddAll{Started: make(chan struct{}), Release: make(chan struct{})}
	at := make(chan probeState, 4096)
	m := probe{Model: New(Options{Guides: []*steps.Guide{addAllGuide()}, GuideID: "adds", Now: fixedNow, Services: app.Services{Sessions: openStore(t), AddAll: adds}}), at: at}
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	shows := func(text string) func(probeState) bool {
		return func(p probeState) bool { return strings.Contains(p.view, text) }
	}
	waitFor(t, at, shows("Then add to every project"))
	tm.Send(keyPress("enter"))
	waitFor(t, at, shows("Press enter to read the projects"))
	tm.Send(keyPress("enter"))
	waitFor(t, at, shows("3 projects to add"))
	tm.Send(keyPress("enter"))
	<-adds.Started
	tm.Send(keyPress("ctrl+c"))
	waitFor(t, at, shows("Stop the run and leave?"))
	tm.Send(keyPress("y"))
	waitFor(t, at, shows("Stopping at the next safe point"))
	// The run has been told to stop but has not yet: the program is still
	// there, answering messages.
	for len(at) > 0 {
		<-at
	}
	tm.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
	waitFor(t, at, shows("Stopping at the next safe point"))
	close(adds.Release)
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(probe)
	if final.Outcome() != OutcomeQuit || final.UnfinishedRun() == "" || final.UnfinishedRun() != adds.Runs[0] {
		t.Fatalf("outcome %v, unfinished run %q, runs %q", final.Outcome(), final.UnfinishedRun(), adds.Runs)
	}
}
