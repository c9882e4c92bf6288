package tui

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/procore-sa/procore-sa/internal/addall"
	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/app/apptest"
	"github.com/procore-sa/procore-sa/internal/credstore"
)

// TestStopMidCaptureNamesTheLostSecret: a wizard ended from outside with a
// typed client secret not yet kept asks nothing (nobody can answer), saves
// the walk, quits, and names the secret as unkept; it never draws it.
func TestStopMidCaptureNamesTheLostSecret(t *testing.T) {
	c := &apptest.Keeper{}
	o := captureOpts(t, c)
	d := newDriver(t, o, 80, 24)
	completeFixtureTo(d, 5)
	d.fillCapture(testSecret)
	d.send(StopMsg{Why: "SIGTERM"})
	if d.quits != 1 {
		t.Fatalf("did not quit; quits=%d\n%s", d.quits, d.text())
	}
	if strings.Contains(d.text(), "Type discard") {
		t.Error("asked a question nobody can answer")
	}
	if got := d.m.Unkept(); got != credstore.UnkeptClientSecret {
		t.Errorf("Unkept %q", got)
	}
	if len(c.Kept) != 0 {
		t.Error("saved a secret nobody confirmed")
	}
	s, err := o.Services.Sessions.LoadSession("fixture")
	if err != nil || s == nil || s.Step != 5 {
		t.Fatalf("the walk was not saved at the capture step: %+v %v", s, err)
	}
	noSecret(t, d)
	// Nothing typed afterwards acts.
	d.press("enter").typ("discard").press("enter")
	if d.quits != 1 || len(c.Kept) != 0 {
		t.Error("a key acted after the stop")
	}
}

// TestStopWaitsForASaveUnderWay: a save already under way is seen through,
// since its answer says whether the secret is kept; then the wizard quits
// with nothing unkept.
func TestStopWaitsForASaveUnderWay(t *testing.T) {
	c := &apptest.Keeper{}
	d := toCapture(t, c, 80, 24)
	d.hold = true
	d.fillCapture(testSecret).press("enter")
	d.send(StopMsg{Why: "SIGHUP"})
	if d.quits != 0 {
		t.Fatal("left with the save under way")
	}
	for len(d.held) > 0 {
		d.release(func(tea.Msg) bool { return true })
	}
	if d.quits != 1 {
		t.Fatalf("did not quit once the save answered; quits=%d", d.quits)
	}
	if got := d.m.Unkept(); got != "" || len(c.Kept) != 1 {
		t.Errorf("Unkept %q after a save that landed; saved %d", got, len(c.Kept))
	}
}

// TestStopDuringACheckStopsIt: a check with Procore before the save is
// stopped, not waited for; the secret, never saved, is named.
func TestStopDuringACheckStopsIt(t *testing.T) {
	c := &apptest.Keeper{}
	d := toCapture(t, c, 80, 24)
	d.hold = true
	d.fillCapture(testSecret).press("enter")
	k := d.m.screen.(*captureScreen)
	if !k.keeping() || k.stopCheck == nil {
		t.Fatal("no check under way")
	}
	d.send(StopMsg{Why: "SIGINT"})
	d.held = nil
	// The check's answer once stopped.
	d.send(captureDoneMsg{res: app.CaptureResult{ProveErr: errors.New("context canceled")}})
	if d.quits != 1 || d.m.Unkept() != credstore.UnkeptClientSecret {
		t.Fatalf("quits=%d unkept=%q", d.quits, d.m.Unkept())
	}
}

// TestStopDuringRunStopsAtItsSafePoint: an add-all run is asked to stop and
// the wizard leaves once it has, knowing the run to resume.
func TestStopDuringRunStopsAtItsSafePoint(t *testing.T) {
	clk := &tick{t: time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)}
	f := &apptest.AddAll{Stopped: true, Results: []addall.ProjectResult{
		{ProjectRef: addall.ProjectRef{ID: 1, Name: "Riverside Clinic"}, Outcome: addall.OutcomeAdded}}}
	d := addAllDriver(t, f, clk, 80, 24)
	d.press("enter")
	d.hold = true
	d.press("enter")
	d.send(StopMsg{Why: "SIGTERM"})
	if d.quits != 0 {
		t.Fatal("left with the run under way")
	}
	d.contains("Stopping at the next safe point")
	d.release(func(tea.Msg) bool { return true })
	if d.quits != 1 || d.m.UnfinishedRun() == "" || d.m.UnfinishedRun() != f.Runs[0] {
		t.Fatalf("quits=%d, unfinished run %q, runs %q", d.quits, d.m.UnfinishedRun(), f.Runs)
	}
}

// TestStopWithGeneratedPasswordNamesIt: a generated password not yet kept
// is named as what was lost.
func TestStopWithGeneratedPasswordNamesIt(t *testing.T) {
	for _, tc := range []struct {
		keys []string
		want string
	}{
		{[]string{"ctrl+g"}, credstore.UnkeptGeneratedPassword},
		{[]string{"ctrl+g", "enter"}, credstore.UnkeptGeneratedPassword}, // accepted, its save failed
	} {
		c := (&apptest.Keeper{}).FailAlways(errors.New("the keyring is locked"))
		d := newDriver(t, userLoginOpts(t, c), 80, 24)
		completeFixtureTo(d, 3)
		d.press(tc.keys...)
		d.send(StopMsg{Why: "SIGHUP"})
		if d.quits != 1 || d.m.Unkept() != tc.want {
			t.Fatalf("%v: quits=%d unkept=%q", tc.keys, d.quits, d.m.Unkept())
		}
	}
	// A password typed and kept: nothing lost.
	c := &apptest.Keeper{}
	d := newDriver(t, userLoginOpts(t, c), 80, 24)
	completeFixtureTo(d, 3)
	d.typ("Str0ng!pw").press("tab").typ("Str0ng!pw").press("enter")
	d.send(StopMsg{Why: "SIGTERM"})
	if d.quits != 1 || d.m.Unkept() != "" {
		t.Fatalf("kept password: quits=%d unkept=%q", d.quits, d.m.Unkept())
	}
}
