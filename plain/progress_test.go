package plain

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/addall"
	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/steps"
)

// eventsAddAll plays events; Plan takes planDelay.
type eventsAddAll struct {
	planDelay time.Duration
	events    []addall.Event
}

func (f *eventsAddAll) Plan(ctx context.Context, _ app.Using) (*addall.Plan, string, error) {
	select {
	case <-time.After(f.planDelay):
	case <-ctx.Done():
		return nil, "", ctx.Err()
	}
	p := &addall.Plan{}
	for i := range 9000 {
		p.ToAdd = append(p.ToAdd, addall.ProjectRef{ID: int64(i + 1)})
	}
	return p, "for user 7", nil
}

func (f *eventsAddAll) Run(_ context.Context, _ string, p *addall.Plan, emit func(addall.Event)) (*addall.Report, error) {
	for _, e := range f.events {
		emit(e)
	}
	rep := &addall.Report{}
	for _, ref := range p.ToAdd {
		rep.Results = append(rep.Results, addall.ProjectResult{ProjectRef: ref, Outcome: addall.OutcomeAdded})
	}
	return rep, nil
}

func addAllGuide() *steps.Guide {
	return &steps.Guide{ID: "aa", Title: "Add all", AccountModel: steps.DMSA, Steps: []steps.Step{
		{ID: "add", Kind: steps.KindAddAll, Title: "Add to all projects", Checklist: []string{"Click Add All"}},
	}}
}

func TestPlainProgressShowsRateAndTimeLeft(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	ev := func(kind string, ms, done int) addall.Event {
		return addall.Event{Kind: kind, Done: done, Total: 9000, Added: done, At: t0.Add(time.Duration(ms) * time.Millisecond)}
	}
	f := &eventsAddAll{planDelay: 60 * time.Millisecond, events: []addall.Event{
		{Kind: "planned", Total: 9000, At: t0},
		// The first bulk_add confirms a thousand at once: a burst, not a rate.
		ev("added", 400, 1), ev("added", 400, 500), ev("added", 401, 1000),
		ev("added", 1400, 2000), // under the two seconds between lines
		{Kind: "wait", Reason: "waiting 2 s for Procore's rate limit", At: t0.Add(3 * time.Second)},
		ev("added", 6170, 4000),
		ev("added", 7000, 5000), // under the two seconds between lines
		ev("added", 9000, 7000),
		ev("added", 10500, 9000),
	}}
	out := &syncBuffer{}
	r := &Runner{In: strings.NewReader(lines("y")), Out: out, AddAll: f, planTick: 10 * time.Millisecond}
	if err := r.Run(context.Background(), addAllGuide()); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	got := out.String()
	want := []string{
		"  Starting: 9000 projects in the plan.",
		"  1 of 9000 projects done",
		"  waiting 2 s for Procore's rate limit",
		"  4000 of 9000 projects done (520/s, about 10 s left)",
		"  7000 of 9000 projects done (698/s, about 3 s left)",
		"  9000 of 9000 projects done (792/s)",
		"9000 added, 0 already a member, 0 failed.",
	}
	at := 0
	for _, w := range want {
		i := strings.Index(got[at:], w+"\n")
		if i < 0 {
			t.Fatalf("output lacks %q (in order) after offset %d:\n%s", w, at, got)
		}
		at += i + len(w)
	}
	for _, no := range []string{"2000 of 9000", "5000 of 9000", "1000 of 9000"} {
		if strings.Contains(got, no) {
			t.Errorf("a line came sooner than every two seconds (%s):\n%s", no, got)
		}
	}
	if !strings.Contains(got, "  still planning: reading projects and memberships from Procore (") {
		t.Errorf("no line while planning:\n%s", got)
	}
}

// Waits and retries come from the client's goroutines.
func TestPlainProgressFromManyGoroutines(t *testing.T) {
	out := &syncBuffer{}
	r := &Runner{Out: out, Now: time.Now}
	emit := r.progress(&addall.Plan{})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				emit(addall.Event{Kind: "retry", Reason: "retrying"})
				emit(addall.Event{Kind: "added", Done: g*50 + i + 1, Total: 400, At: time.Now()})
			}
		}()
	}
	wg.Wait()
	if n := strings.Count(out.String(), "retrying\n"); n != 400 {
		t.Errorf("%d retry lines, want 400", n)
	}
}
