package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/steps"
)

func addAllGuide() *steps.Guide {
	return &steps.Guide{ID: "adds", Title: "Add-all fixture", AccountModel: steps.DMSA, Steps: []steps.Step{
		{ID: "intro", Kind: steps.KindNotice, Title: "Before", Body: "Then add to every project."},
		{ID: "add", Kind: steps.KindAddAll, Title: "Add the account to all projects",
			Body: "Add the account to every active project.", Checklist: []string{"Click Add All"}},
	}}
}

// fakeAddAll plans three projects to add and one already a member, and
// runs by emitting the events it is given.
type fakeAddAll struct {
	planErr error
	events  []procore.AddAllEvent
	results []procore.ProjectResult
	plans   int
}

func (f *fakeAddAll) Plan(context.Context, map[string]string) (*procore.Plan, string, error) {
	f.plans++
	if f.planErr != nil {
		return nil, "", f.planErr
	}
	return &procore.Plan{
		Request: procore.AddAllRequest{UserID: 7, NewProjects: true},
		ToAdd:   []procore.ProjectRef{{ID: 1, Name: "Riverside Clinic"}, {ID: 2, Name: "Harbor Tower"}, {ID: 3, Name: "Summit School"}},
		Already: []procore.ProjectRef{{ID: 4, Name: "Bayfront"}}, Inactive: 2,
		TemplateName: "Integration Service Account",
	}, "for sync@example.com (user 7) in company 42", nil
}

func (f *fakeAddAll) Run(_ context.Context, plan *procore.Plan, emit func(procore.AddAllEvent)) (*procore.Report, error) {
	for _, e := range f.events {
		emit(e)
	}
	return reportOf(f.results), nil
}

// reportOf builds a report through the engine's own type.
func reportOf(rs []procore.ProjectResult) *procore.Report {
	return &procore.Report{Results: rs, NewProjectsSet: true, Requests: 4, Elapsed: 1200 * time.Millisecond}
}

type tick struct{ t time.Time }

func (c *tick) now() time.Time { return c.t }

func addAllDriver(t *testing.T, f *fakeAddAll, clk *tick, w, h int) *driver {
	d := newDriver(t, Options{Guides: []*steps.Guide{addAllGuide()}, GuideID: "adds", Store: openStore(t), AddAll: f, Now: clk.now}, w, h)
	d.press("enter") // past the notice
	return d
}

func ref(id int64, name string) *procore.ProjectRef { return &procore.ProjectRef{ID: id, Name: name} }

func TestAddAllScreens(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	failedRun := []procore.ProjectResult{
		{ProjectRef: procore.ProjectRef{ID: 1, Name: "Riverside Clinic"}, Outcome: procore.OutcomeAdded},
		{ProjectRef: procore.ProjectRef{ID: 2, Name: "Harbor Tower"}, Outcome: procore.OutcomeFailed, Reason: "403 Forbidden: the app may not add users to this project"},
		{ProjectRef: procore.ProjectRef{ID: 3, Name: "Summit School"}, Outcome: procore.OutcomeAdded},
		{ProjectRef: procore.ProjectRef{ID: 4, Name: "Bayfront"}, Outcome: procore.OutcomeAlready},
	}
	cases := []struct {
		name string
		f    *fakeAddAll
		do   func(d *driver, clk *tick)
	}{
		{"idle", &fakeAddAll{}, func(d *driver, clk *tick) {}},
		{"plan-failed", &fakeAddAll{planErr: errors.New("no credential to add with: profile \"default\" not found")}, func(d *driver, clk *tick) { d.press("enter") }},
		{"planned", &fakeAddAll{}, func(d *driver, clk *tick) { d.press("enter") }},
		{"running-waiting", &fakeAddAll{}, func(d *driver, clk *tick) {
			d.press("enter")
			d.hold = true
			d.press("enter")
			clk.t = t0.Add(2 * time.Second)
			d.send(addAllEventMsg{procore.AddAllEvent{Kind: "added", Project: ref(1, "Riverside Clinic"), Done: 2, Total: 4, At: clk.t}})
			d.send(addAllEventMsg{procore.AddAllEvent{Kind: "wait", Reason: "waiting 14 s for Procore's rate limit", Wait: 14 * time.Second, At: clk.t}})
		}},
		{"done-with-failure", &fakeAddAll{results: failedRun}, func(d *driver, clk *tick) { d.press("enter", "enter") }},
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
	ok := []procore.ProjectResult{
		{ProjectRef: procore.ProjectRef{ID: 1, Name: "Riverside Clinic"}, Outcome: procore.OutcomeAdded},
		{ProjectRef: procore.ProjectRef{ID: 2, Name: "Harbor Tower"}, Outcome: procore.OutcomeFailed, Reason: "500"},
	}
	f := &fakeAddAll{results: ok}
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
	f.results = []procore.ProjectResult{{ProjectRef: procore.ProjectRef{ID: 2, Name: "Harbor Tower"}, Outcome: procore.OutcomeAdded}}
	d.press("r")
	if f.plans != 2 {
		t.Fatalf("r planned %d times in all, want 2", f.plans)
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
