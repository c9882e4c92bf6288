package plain

import (
	"context"
	"sync"
	"time"

	"github.com/procore-sa/procore-sa/internal/addall"
	"github.com/procore-sa/procore-sa/steps"
)

// progressEvery is how often a progress line is printed while adding.
const progressEvery = 2 * time.Second

// planEvery is how often a line says that planning is still going on.
const planEvery = 5 * time.Second

// plan reads the plan, printing a line every few seconds while Procore is
// being read (10,000 projects are some 34 listing pages).
func (r *Runner) plan(ctx context.Context, values map[steps.Role]string) (*addall.Plan, string, error) {
	type result struct {
		plan *addall.Plan
		who  string
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		p, who, err := r.AddAll.Plan(ctx, values)
		ch <- result{p, who, err}
	}()
	every := r.planTick
	if every <= 0 {
		every = planEvery
	}
	t := time.NewTicker(every)
	defer t.Stop()
	start := time.Now()
	for {
		select {
		case res := <-ch:
			return res.plan, res.who, res.err
		case now := <-t.C:
			r.printf("  still planning: reading projects and memberships from Procore (%s so far)\n", addall.RoundLeft(now.Sub(start)))
		}
	}
}

// progress prints a line every few seconds with the counts, the rate and
// the time left, and each wait, retry and failure as it happens. The
// engine's running totals (Done, Total) are used, so a dropped or
// reordered event cannot skew the count. It may be called from several
// goroutines (a client's waits and retries).
func (r *Runner) progress() func(addall.Event) {
	var (
		mu   sync.Mutex
		last time.Time
		p    addall.Pace
	)
	return func(e addall.Event) {
		mu.Lock()
		defer mu.Unlock()
		at := e.At
		if at.IsZero() {
			at = r.Now()
		}
		switch e.Kind {
		case "planned":
			r.printf("  Starting: %d projects in the plan.\n", e.Total)
		case "wait", "retry", "fallback":
			r.printf("  %s\n", e.Reason)
		case "failed":
			p.Observe(at, e.Done)
			if e.Project != nil {
				r.printf("  failed: %s (%d): %s\n", e.Project.Name, e.Project.ID, e.Reason)
			}
		case "added", "already":
			p.Observe(at, e.Done)
			if at.Sub(last) >= progressEvery || (e.Total > 0 && e.Done == e.Total) {
				last = at
				r.printf("  %d of %d projects done%s\n", e.Done, e.Total, p.Describe(at, e.Done, e.Total))
			}
		}
	}
}
