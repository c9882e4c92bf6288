package tui

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/procore-sa/procore-sa/internal/addall"
	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/app/apptest"
	"github.com/procore-sa/procore-sa/steps"
)

func addAllGuide() *steps.Guide {
	return &steps.Guide{ID: "adds", Title: "Add-all fixture", AccountModel: steps.DMSA, Steps: []steps.Step{
		{ID: "intro", Kind: steps.KindNotice, Title: "Before", Body: "Then add to every project."},
		{ID: "add", Kind: steps.KindAddAll, Title: "Add the account to all projects",
			Body: "Add the account to every active project.", Checklist: []string{"Click Add All"}},
	}}
}

type tick struct{ t time.Time }

func (c *tick) now() time.Time { return c.t }

func addAllDriver(t *testing.T, f *apptest.AddAll, clk *tick, w, h int) *driver {
	d := newDriver(t, Options{Guides: []*steps.Guide{addAllGuide()}, GuideID: "adds", Now: clk.now, Services: app.Services{Sessions: openStore(t), AddAll: f}}, w, h)
	d.press("enter") // past the notice
	return d
}

func ref(id int64, name string) *addall.ProjectRef { return &addall.ProjectRef{ID: id, Name: name} }

func TestAddAllScreens(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	failedRun := []addall.ProjectResult{
		{ProjectRef: addall.ProjectRef{ID: 1, Name: "Riverside Clinic"}, Outcome: addall.OutcomeAdded},
		{ProjectRef: addall.ProjectRef{ID: 2, Name: "Harbor Tower"}, Outcome: addall.OutcomeFailed, Reason: "403 Forbidden: the app may not add users to this project"},
		{ProjectRef: addall.ProjectRef{ID: 3, Name: "Summit School"}, Outcome: addall.OutcomeAdded},
		{ProjectRef: addall.ProjectRef{ID: 4, Name: "Bayfront"}, Outcome: addall.OutcomeAlready},
	}
	cases := []struct {
		name string
		f    *apptest.AddAll
		do   func(d *driver, clk *tick)
	}{
		{"idle", &apptest.AddAll{}, func(d *driver, clk *tick) {}},
		{"plan-failed", &apptest.AddAll{PlanErr: errors.New("no credential to add with: profile \"default\" not found")}, func(d *driver, clk *tick) { d.press("enter") }},
		{"planned", &apptest.AddAll{}, func(d *driver, clk *tick) { d.press("enter") }},
		{"running-waiting", &apptest.AddAll{Events: []addall.Event{
			{Kind: "already", Project: ref(4, "Bayfront"), Done: 1, Total: 4, Already: 1, At: t0.Add(2 * time.Second)},
			{Kind: "added", Project: ref(1, "Riverside Clinic"), Done: 2, Total: 4, Added: 1, Already: 1, At: t0.Add(2 * time.Second)},
			{Kind: "wait", Reason: "waiting 14 s for Procore's rate limit", Wait: 14 * time.Second, At: t0.Add(2 * time.Second)},
		}}, func(d *driver, clk *tick) {
			d.press("enter")
			d.hold = true
			d.press("enter")
			clk.t = t0.Add(2 * time.Second)
			d.release(isEvents)
		}},
		{"done-with-failure", &apptest.AddAll{Results: failedRun}, func(d *driver, clk *tick) { d.press("enter", "enter") }},
		// ctrl+c while the run goes on asks first, naming the one command.
		{"stop-asked", &apptest.AddAll{Stopped: true}, func(d *driver, clk *tick) {
			d.press("enter")
			d.hold = true
			d.press("enter", "ctrl+c")
		}},
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/%dx%d", c.name, size[0], size[1]), func(t *testing.T) {
				clk := &tick{t: t0}
				d := addAllDriver(t, c.f, clk, size[0], size[1])
				c.do(d, clk)
				checkFits(t, d.text(), size[0], size[1])
				golden.RequireEqual(t, d.screen())
			})
		}
	}
}

func TestAddAllFlow(t *testing.T) {
	clk := &tick{t: time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)}
	ok := []addall.ProjectResult{
		{ProjectRef: addall.ProjectRef{ID: 1, Name: "Riverside Clinic"}, Outcome: addall.OutcomeAdded},
		{ProjectRef: addall.ProjectRef{ID: 2, Name: "Harbor Tower"}, Outcome: addall.OutcomeFailed, Reason: "500"},
	}
	f := &apptest.AddAll{Results: ok}
	d := addAllDriver(t, f, clk, 80, 24)
	d.press("enter")
	d.contains("3 projects to add", "1 already a member", "2 inactive, skipped", "sync@example.com")
	d.press("enter")
	d.contains("1 failed", "Harbor Tower", "r retry the failed ones")
	d.press("enter")
	if d.m.Walker().Finished() {
		t.Fatal("went on with a project failed")
	}
	// r re-plans (only what is still missing) and runs again.
	f.Results = []addall.ProjectResult{{ProjectRef: addall.ProjectRef{ID: 2, Name: "Harbor Tower"}, Outcome: addall.OutcomeAdded}}
	d.press("r")
	if f.Plans != 2 {
		t.Fatalf("r planned %d times in all, want 2", f.Plans)
	}
	d.press("enter") // confirm the new plan
	d.contains("Every project has the account as a member")
	d.press("enter")
	if !d.m.Walker().Finished() {
		t.Fatal("the step did not complete after every project was added")
	}
	if strings.Contains(d.text(), "Click Add All") {
		t.Fatal("still showing the manual checklist")
	}
}

// TestAddAllProgressFromTotals sends a thousand-project burst the way the
// engine does, one event a project with running totals, and a wait at the
// end: the screen shows the totals of the latest event, the wait is not
// lost, and the burst reaches the screen as a handful of events.
func TestAddAllProgressFromTotals(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	at := t0.Add(10 * time.Second)
	evs := []addall.Event{{Kind: "planned", Total: 1001, At: t0},
		{Kind: "already", Project: ref(4, "Bayfront"), Done: 1, Total: 1001, Already: 1, At: t0}}
	added := 0
	for i := range 601 {
		e := addall.Event{Kind: "added", Project: ref(int64(10+i), "P"), Total: 1001, Already: 1, At: at}
		if i == 300 {
			e.Kind, e.Reason, e.Failed = "failed", "403 Forbidden", 1
		} else {
			added++
		}
		e.Done, e.Added = 2+i, added
		if i > 300 {
			e.Failed = 1
		}
		evs = append(evs, e)
	}
	evs = append(evs, addall.Event{Kind: "wait", Reason: "waiting 14 s for Procore's rate limit", Wait: 14 * time.Second, At: at})

	clk := &tick{t: t0}
	d := addAllDriver(t, &apptest.AddAll{Events: evs}, clk, 80, 24)
	d.press("enter")
	d.hold = true
	d.press("enter")
	clk.t = at
	var got []addall.Event
	for _, msg := range d.held {
		if m, ok := msg.(addAllEventMsg); ok {
			got = append(got, m.evs...)
		}
	}
	if len(got) > 8 || len(got) == 0 || got[len(got)-1].Kind != "wait" {
		t.Fatalf("the burst reached the screen as %d events, last %+v; want at most 8 (the first and the newest of each run, and the rest), ending with the wait", len(got), got[len(got)-1])
	}
	failed := 0
	for _, e := range got {
		if e.Kind == "failed" {
			failed++
		}
	}
	if failed != 1 {
		t.Fatalf("%d failed events reached the screen, want 1", failed)
	}
	d.release(isEvents)
	d.contains("602 of 1001 done: 600 added, 1 already a member, 1 failed",
		"60 projects/s, about 7 s left", "waiting 14 s for Procore's rate limit")
	checkFits(t, d.text(), 80, 24)
}

// TestProgressBoxKeepsWhatMatters puts events from several goroutines, as
// the engine's client does, while a reader takes them: no wait is lost and
// the last totals arrive.
func TestProgressBoxKeepsWhatMatters(t *testing.T) {
	b := newProgressBox()
	const writers, each = 4, 500
	done := make(chan struct{})
	go func() {
		defer close(done)
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					b.put(addall.Event{Kind: "added", Done: w*each + i})
					if i%100 == 0 {
						b.put(addall.Event{Kind: "wait", Reason: fmt.Sprint(w, i)})
					}
				}
			}()
		}
		wg.Wait()
		b.put(addall.Event{Kind: "done", Done: writers * each})
		b.close()
	}()
	waits, last := 0, addall.Event{}
	for {
		evs, ok := b.take()
		if !ok {
			break
		}
		for _, e := range evs {
			if e.Kind == "wait" {
				waits++
			}
			last = e
		}
	}
	<-done
	if waits != writers*each/100 {
		t.Fatalf("%d waits arrived, want %d", waits, writers*each/100)
	}
	if last.Kind != "done" || last.Done != writers*each {
		t.Fatalf("last event %+v, want the done", last)
	}
}

// TestQuitDuringRunWaitsForIt presses ctrl+c while a run is under way: the
// run is asked to stop, the screen says so, and the wizard leaves only once
// the run's done message is in, knowing the run to resume.
func TestQuitDuringRunWaitsForIt(t *testing.T) {
	clk := &tick{t: time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)}
	f := &apptest.AddAll{Stopped: true, Results: []addall.ProjectResult{
		{ProjectRef: addall.ProjectRef{ID: 1, Name: "Riverside Clinic"}, Outcome: addall.OutcomeAdded}}}
	d := addAllDriver(t, f, clk, 80, 24)
	d.press("enter")
	d.hold = true
	d.press("enter") // the run's done message is held: it is still under way
	d.press("ctrl+c")
	d.contains("Stop the run and leave?")
	d.contains("procore-sa adds")
	d.press("n") // keep running: nothing stops
	if d.quits != 0 || strings.Contains(d.text(), "Stopping at the next safe point") {
		t.Fatal("n stopped the run")
	}
	d.press("ctrl+c", "y")
	if d.quits != 0 {
		t.Fatal("left with the run still under way")
	}
	d.contains("Stopping at the next safe point")
	if strings.Contains(d.text(), "Leave the guide?") {
		t.Fatal("asked to leave instead of stopping the run")
	}
	d.press("y", "enter", "esc") // nothing else is taken meanwhile
	if d.quits != 0 {
		t.Fatal("a key other than ctrl+c left while stopping")
	}
	d.release(func(tea.Msg) bool { return true })
	if d.quits != 1 {
		t.Fatalf("did not leave once the run stopped; quits=%d", d.quits)
	}
	if len(f.Runs) != 1 || d.m.UnfinishedRun() != f.Runs[0] || f.Runs[0] == "" {
		t.Fatalf("unfinished run %q, runs %q", d.m.UnfinishedRun(), f.Runs)
	}
}

// TestQuitTwiceDuringRunLeavesAtOnce: a second ctrl+c does not wait.
func TestQuitTwiceDuringRunLeavesAtOnce(t *testing.T) {
	clk := &tick{t: time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)}
	f := &apptest.AddAll{Stopped: true}
	d := addAllDriver(t, f, clk, 80, 24)
	d.press("enter")
	d.hold = true
	d.press("enter", "ctrl+c", "ctrl+c", "ctrl+c") // ask, insist, leave at once
	if d.quits != 1 {
		t.Fatalf("quits=%d after a second ctrl+c", d.quits)
	}
	if d.m.UnfinishedRun() == "" || d.m.UnfinishedRun() != f.Runs[0] {
		t.Fatalf("unfinished run %q, runs %q", d.m.UnfinishedRun(), f.Runs)
	}
}

// TestFinishedRunLeavesNothingToResume: a run that ended with every
// project done is not offered for resume.
func TestFinishedRunLeavesNothingToResume(t *testing.T) {
	clk := &tick{t: time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)}
	d := addAllDriver(t, &apptest.AddAll{}, clk, 80, 24)
	d.press("enter", "enter")
	d.contains("Every project has the account as a member")
	if run := d.m.UnfinishedRun(); run != "" {
		t.Fatalf("a finished run left %q to resume", run)
	}
}
