package plain

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/procore-sa/procore-sa/procore"
)

// progressEvery is how often a progress line is printed while adding.
const progressEvery = 2 * time.Second

// planEvery is how often a line says that planning is still going on.
const planEvery = 5 * time.Second

// burst is how close together events count as one burst (bulk_add confirms
// up to a thousand projects at once).
const burst = 100 * time.Millisecond

// plan reads the plan, printing a line every few seconds while Procore is
// being read (10,000 projects are some 34 listing pages).
func (r *Runner) plan(ctx context.Context, values map[string]string) (*procore.Plan, string, error) {
	type result struct {
		plan *procore.Plan
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
			r.printf("  still planning: reading projects and memberships from Procore (%s so far)\n", roundLeft(now.Sub(start)))
		}
	}
}

// pace measures the rate of adding. It starts at the end of the first
// burst of outcomes: projects confirmed at once (members already, or added
// by an earlier run and confirmed on resume) and the first bulk_add's
// thousand would otherwise inflate it.
type pace struct {
	first time.Time // the first outcome
	start time.Time // the last outcome of the first burst
	base  int       // outcomes by then
}

func (p *pace) observe(at time.Time, done int) {
	if p.first.IsZero() {
		p.first = at
	}
	if at.Sub(p.first) < burst {
		p.start, p.base = at, done
	}
}

// describe is " (520/s, about 10 s left)", or "" until there is a second's
// worth of measurement.
func (p *pace) describe(at time.Time, done, total int) string {
	el := at.Sub(p.start)
	if p.start.IsZero() || el < time.Second || done <= p.base {
		return ""
	}
	rate := float64(done-p.base) / el.Seconds()
	rs := fmt.Sprintf("%.0f/s", rate)
	if rate < 10 {
		rs = fmt.Sprintf("%.1f/s", rate)
	}
	if done >= total {
		return " (" + rs + ")"
	}
	left := time.Duration(float64(total-done) / rate * float64(time.Second))
	return fmt.Sprintf(" (%s, about %s left)", rs, roundLeft(left))
}

// roundLeft rounds a duration to what a person reads: seconds under a
// minute, then minutes, then hours and minutes.
func roundLeft(d time.Duration) string {
	switch {
	case d < time.Second:
		return "1 s"
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Seconds()+0.5))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()+0.5))
	default:
		h := int(d.Hours())
		return fmt.Sprintf("%d h %d min", h, int((d-time.Duration(h)*time.Hour).Minutes()+0.5))
	}
}

// progress prints a line every few seconds with the counts, the rate and
// the time left, and each wait, retry and failure as it happens. The
// engine's running totals (Done, Total) are used, so a dropped or
// reordered event cannot skew the count. It may be called from several
// goroutines (a client's waits and retries).
func (r *Runner) progress() func(procore.AddAllEvent) {
	var (
		mu   sync.Mutex
		last time.Time
		p    pace
	)
	return func(e procore.AddAllEvent) {
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
			p.observe(at, e.Done)
			if e.Project != nil {
				r.printf("  failed: %s (%d): %s\n", e.Project.Name, e.Project.ID, e.Reason)
			}
		case "added", "already":
			p.observe(at, e.Done)
			if at.Sub(last) >= progressEvery || (e.Total > 0 && e.Done == e.Total) {
				last = at
				r.printf("  %d of %d projects done%s\n", e.Done, e.Total, p.describe(at, e.Done, e.Total))
			}
		}
	}
}
