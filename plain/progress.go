package plain

import (
	"context"
	"sync"
	"time"

	"github.com/procore-sa/procore-sa/internal/addall"
	"github.com/procore-sa/procore-sa/internal/app"
)

// progressEvery is how often a progress line is printed while adding.
const progressEvery = 2 * time.Second

// planEvery is how often a line says that planning is still going on.
const planEvery = 5 * time.Second

// plan reads the plan, printing a line every few seconds while Procore is
// being read (10,000 projects are some 34 listing pages).
func (r *Runner) plan(ctx context.Context, u app.Using) (*addall.Plan, string, error) {
	type result struct {
		plan *addall.Plan
		who  string
		err  error
	}
	ch := make(chan result, 1)
	var mu sync.Mutex
	planning := app.StartPlanning(time.Now())
	go func() {
		var p *addall.Plan
		var who string
		var err error
		if pr, ok := r.AddAll.(app.PlanReporter); ok {
			p, who, err = pr.PlanEmitting(ctx, u, func(e addall.Event) {
				mu.Lock()
				defer mu.Unlock()
				planning.Apply(e)
				if e.Kind == "wait" || e.Kind == "retry" {
					r.printf("  %s\n", e.Reason) // a wait is said at once
				}
			})
		} else {
			p, who, err = r.AddAll.Plan(ctx, u)
		}
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
			mu.Lock()
			line := planning.Line(now)
			mu.Unlock()
			if _, ok := r.AddAll.(app.PlanReporter); ok {
				r.printf("  still planning: %s\n", line)
			} else {
				r.printf("  still planning: reading projects and memberships from Procore (%s so far)\n", addall.RoundLeft(now.Sub(start)))
			}
		}
	}
}

// progress prints a line every few seconds with the counts, the rate and
// the time left, and each wait, retry and failure as it happens, from the
// protocol's reducer (app.Progress), as the full screen draws it. It may be
// called from several goroutines (a client's waits and retries).
func (r *Runner) progress(plan *addall.Plan) func(addall.Event) {
	var (
		mu   sync.Mutex
		last time.Time
		p    = app.StartProgress(plan)
	)
	return func(e addall.Event) {
		mu.Lock()
		defer mu.Unlock()
		if e.At.IsZero() {
			e.At = r.Now()
		}
		p.Apply(e)
		switch e.Kind {
		case "planned":
			r.printf("  Starting: %d projects in the plan.\n", e.Total)
		case "wait", "retry", "fallback":
			r.printf("  %s\n", e.Reason)
		case "failed":
			if e.Project != nil {
				r.printf("  failed: %s (%d): %s\n", e.Project.Name, e.Project.ID, e.Reason)
			}
		case "added", "already":
			if e.At.Sub(last) >= progressEvery || (e.Total > 0 && e.Done == e.Total) {
				last = e.At
				r.printf("  %s\n", p.Line(e.At))
			}
		}
	}
}
