package plain

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/addall"
	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/state"
	"github.com/procore-sa/procore-sa/steps"
)

// heldAddAll is a run that adds the first project, then waits for release
// or for its context: a stop lands between two projects, at a safe point.
type heldAddAll struct {
	started, release chan struct{}
}

func newHeldAddAll() *heldAddAll {
	return &heldAddAll{started: make(chan struct{}), release: make(chan struct{})}
}

func (f *heldAddAll) Plan(context.Context, app.Using) (*addall.Plan, string, error) {
	return &addall.Plan{ToAdd: []addall.ProjectRef{{ID: 1, Name: "A"}, {ID: 2, Name: "B"}}}, "for user 7", nil
}

func (f *heldAddAll) Run(ctx context.Context, _ string, p *addall.Plan, emit func(addall.Event)) (*addall.Report, error) {
	rep := &addall.Report{Results: []addall.ProjectResult{{ProjectRef: p.ToAdd[0], Outcome: addall.OutcomeAdded}}}
	emit(addall.Event{Kind: "added", Project: &p.ToAdd[0], Done: 1, Total: 2})
	close(f.started)
	select {
	case <-f.release:
	case <-ctx.Done():
		return rep, ctx.Err()
	}
	rep.Results = append(rep.Results, addall.ProjectResult{ProjectRef: p.ToAdd[1], Outcome: addall.OutcomeAdded})
	return rep, nil
}

// startHeldRun walks guide() with answers on a pipe up to its add-all run,
// and waits until the run is under way.
func startHeldRun(t *testing.T) (*Runner, *heldAddAll, io.Writer, *syncBuffer, chan error, *state.Store) {
	t.Helper()
	st, err := state.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.Close() })
	out := &syncBuffer{}
	f := newHeldAddAll()
	r := &Runner{In: pr, Out: out, Store: st, AddAll: f}
	errc := make(chan error, 1)
	go func() { errc <- r.Run(context.Background(), guide()) }()
	if _, err := io.WriteString(pw, lines("sync@example.com", "y")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-f.started:
	case <-time.After(5 * time.Second):
		t.Fatalf("the run did not start:\n%s", out)
	}
	return r, f, pw, out, errc, st
}

func TestInterruptDuringARunAsksAndLetsItGoOn(t *testing.T) {
	if (&Runner{}).Interrupt() {
		t.Fatal("an interrupt with no run under way was taken")
	}
	r, f, in, out, errc, _ := startHeldRun(t)
	if !r.Interrupt() {
		t.Fatal("the run did not take the interrupt")
	}
	waitFor(t, out, "Stop the run and leave?")
	io.WriteString(in, lines("n"))
	waitFor(t, out, "The run goes on.")
	close(f.release)
	waitFor(t, out, "2 added, 0 already a member, 0 failed.")
	io.WriteString(in, lines("y")) // the verify step's checklist, by hand
	if err := waitErr(t, errc, out); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if r.Interrupt() {
		t.Error("an interrupt after the run was taken by it")
	}
}

func TestInterruptDuringARunStopsItAtASafePoint(t *testing.T) {
	for _, tt := range []struct {
		name string
		stop func(r *Runner, in io.Writer)
	}{
		{"answered y", func(_ *Runner, in io.Writer) { io.WriteString(in, lines("y")) }},
		{"ctrl+c again", func(r *Runner, _ io.Writer) { r.Interrupt() }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, _, in, out, errc, st := startHeldRun(t)
			r.Interrupt()
			waitFor(t, out, "Stop the run and leave?")
			tt.stop(r, in)
			err := waitErr(t, errc, out)
			if !errors.Is(err, ErrQuit) {
				t.Fatalf("got %v, want a quit\n%s", err, out)
			}
			got := out.String()
			for _, want := range []string{"Stopping the run at its next safe point", "1 added, 0 already a member, 0 failed.",
				"The run stopped at a safe point; every project Procore confirmed is journaled.",
				"Your place (step 2 of 3) and the stopped run are saved. Run the same command to take them up again."} {
				if !strings.Contains(got, want) {
					t.Errorf("output lacks %q:\n%s", want, got)
				}
			}
			if n := strings.Count(got, "Run the same command"); n != 1 || strings.Contains(got, "Try again") {
				t.Errorf("%d resume lines, or it offered to try again:\n%s", n, got)
			}
			// Resuming the guide resumes the run: its start is recorded.
			s, _ := st.LoadSession("g")
			if o, ok := s.Outcomes["add"]; !ok || o.Kind != steps.OutcomeStarted || o.Run == "" {
				t.Errorf("saved outcome %+v", s.Outcomes)
			}
			if r.Interrupt() {
				t.Error("an interrupt after the stop was taken by the run")
			}
		})
	}
}

func TestARunThatEndsBeforeTheAnswerIsNotStopped(t *testing.T) {
	r, f, in, out, errc, _ := startHeldRun(t)
	r.Interrupt()
	waitFor(t, out, "Stop the run and leave?")
	close(f.release)
	waitFor(t, out, "The run ended before you answered, so it was not stopped. Press enter to go on.")
	// The line typed to the question answers it, not the next one.
	io.WriteString(in, lines("y", "y"))
	if err := waitErr(t, errc, out); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got := out.String(); !strings.Contains(got, "2 added") || !strings.Contains(got, "Every step is done.") {
		t.Errorf("output:\n%s", got)
	}
}
