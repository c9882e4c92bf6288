package app

import (
	"context"
	"fmt"
	"time"

	"github.com/procore-sa/procore-sa/internal/addall"
	"github.com/procore-sa/procore-sa/steps"
)

// Progress is an add-all run as a person follows it: counts, pace, and
// why it waits. It is a reducer over the engine's events, the one place
// that reads them, for the full screen, the plain lines and the command.
// The counts come from the events' running totals, never from counting
// events, so that collapsed or reordered progress still shows the right
// numbers; a client's wait or retry carries no totals and leaves them be.
type Progress struct {
	Done, Total            int
	Added, Already, Failed int
	Retries                int
	// WaitUntil and WaitWhy say what the run waits for (a rate-limit
	// window, a retry's pause), until WaitUntil.
	WaitUntil time.Time
	WaitWhy   string
	// Fallback is set once bulk_add was refused and projects are added one
	// at a time.
	Fallback bool

	pace addall.Pace
}

// StartProgress is the progress of a plan about to run. The pace is
// measured from the end of the run's first burst of outcomes (see
// addall.Pace): members already there, and the first bulk_add, need no
// time of their own.
func StartProgress(plan *addall.Plan) Progress {
	return Progress{Total: plan.Total()}
}

// Apply takes an event's news.
func (p *Progress) Apply(e addall.Event) {
	if e.Total > 0 {
		p.Total = e.Total
		if e.Done >= p.Done {
			p.Done, p.Added, p.Already, p.Failed = e.Done, e.Added, e.Already, e.Failed
		}
	}
	switch e.Kind {
	case "added", "already", "failed":
		p.pace.Observe(e.At, e.Done)
	case "wait":
		p.WaitUntil, p.WaitWhy = e.At.Add(e.Wait), e.Reason
	case "retry":
		p.Retries++
		p.WaitUntil, p.WaitWhy = e.At.Add(e.Wait), e.Reason
	case "fallback":
		p.Fallback = true
	}
}

// End takes the report a run ended with: its counts are the account.
func (p *Progress) End(rep *addall.Report) {
	if rep == nil {
		return
	}
	p.Added = rep.Count(addall.OutcomeAdded)
	p.Already = rep.Count(addall.OutcomeAlready)
	p.Failed = rep.Count(addall.OutcomeFailed)
	p.Done = len(rep.Results)
	p.WaitUntil, p.WaitWhy = time.Time{}, ""
}

// Fraction is how much is done, from 0 to 1.
func (p *Progress) Fraction() float64 {
	if p.Total == 0 {
		return 0
	}
	return float64(p.Done) / float64(p.Total)
}

// Pace is the rate and the time left at now, when enough is known: " (520
// projects/s, about 10 s left)", or "" until then.
func (p *Progress) Pace(now time.Time) string { return p.pace.Describe(now, p.Done, p.Total) }

// Speed is "60 projects/s, about 7 s left" at now, or "" until the rate is
// known.
func (p *Progress) Speed(now time.Time) string {
	rate, ok := p.pace.Rate(now, p.Done)
	if !ok {
		return ""
	}
	if p.Done >= p.Total {
		return addall.FormatRate(rate) + " projects/s"
	}
	left, _ := p.pace.Left(now, p.Done, p.Total)
	return fmt.Sprintf("%s projects/s, about %s left", addall.FormatRate(rate), addall.RoundLeft(left))
}

// Waiting is why the run waits at now, or "".
func (p *Progress) Waiting(now time.Time) string {
	if p.WaitUntil.After(now) {
		return p.WaitWhy
	}
	return ""
}

// Counts is "520 of 1000 done: 500 added, 20 already a member, 0 failed".
func (p *Progress) Counts() string {
	return fmt.Sprintf("%d of %d done: %d added, %d already a member, %d failed", p.Done, p.Total, p.Added, p.Already, p.Failed)
}

// Line is the line a plain front-end prints every few seconds.
func (p *Progress) Line(now time.Time) string {
	return fmt.Sprintf("%d of %d projects done%s", p.Done, p.Total, p.Pace(now))
}

// AddAllOutcome is an add-all step's outcome once every project has the
// account: "2,700 of 2,700 active projects have the account (2,650
// added, 50 already a member), run R".
func AddAllOutcome(run string, plan *addall.Plan, rep *addall.Report) steps.Outcome {
	detail := fmt.Sprintf("%d of %d active projects have the account (%d added, %d already a member), run %s",
		rep.Count(addall.OutcomeAdded)+rep.Count(addall.OutcomeAlready), plan.Total(),
		rep.Count(addall.OutcomeAdded), rep.Count(addall.OutcomeAlready), run)
	if plan.Request.NewProjects && rep.NewProjectsSet {
		detail += "; it is added to every new project"
	}
	return steps.Outcome{Kind: steps.OutcomeDone, Detail: detail, Run: run, UserID: plan.Request.UserID}
}

// PlanReporter is an AddAller whose planning says how it goes: the pages
// read and the waits, as "reading", "read", "wait" and "retry" events.
// The full screen, the plain lines and the command follow it with
// Planning.
type PlanReporter interface {
	PlanEmitting(ctx context.Context, u Using, emit func(addall.Event)) (*addall.Plan, string, error)
}

// Planning is a plan being read, as a person follows it: the project rows
// and pages read so far, and why it waits.
type Planning struct {
	Started     time.Time
	Rows, Pages int
	// RowsTotal and PagesTotal are the list's size as Procore's Total
	// header gives it; 0 when it does not.
	RowsTotal, PagesTotal int
	WaitUntil             time.Time
	WaitWhy               string
}

// StartPlanning is planning begun at now.
func StartPlanning(now time.Time) Planning { return Planning{Started: now} }

// Apply takes an event's news.
func (p *Planning) Apply(e addall.Event) {
	switch e.Kind {
	case "reading", "read":
		if e.Rows >= p.Rows {
			p.Rows, p.Pages = e.Rows, e.Pages
			p.RowsTotal, p.PagesTotal = max(e.RowsTotal, p.RowsTotal), max(e.PagesTotal, p.PagesTotal)
		}
		p.WaitUntil, p.WaitWhy = time.Time{}, ""
	case "wait", "retry":
		p.WaitUntil, p.WaitWhy = e.At.Add(e.Wait), e.Reason
	}
}

// Line is "page 14 of 67: 4200 of 20000 projects read, 12 s so far, about
// 45 s left" at now (without the totals where Procore gives none: "4200
// projects read in 14 pages, 12 s so far"), with why it waits while it
// does: "; waiting 30 s for Procore's rate limit".
func (p *Planning) Line(now time.Time) string {
	pages := "pages"
	if p.Pages == 1 {
		pages = "page"
	}
	took := now.Sub(p.Started)
	line := fmt.Sprintf("%d projects read in %d %s, %s so far", p.Rows, p.Pages, pages, addall.RoundLeft(took))
	if p.PagesTotal > 0 && p.Pages > 0 && p.Pages < p.PagesTotal && p.RowsTotal > p.Rows && p.Rows > 0 {
		left := time.Duration(float64(took) * float64(p.RowsTotal-p.Rows) / float64(p.Rows))
		line = fmt.Sprintf("page %d of %d: %d of %d projects read, %s so far, about %s left",
			p.Pages, p.PagesTotal, p.Rows, p.RowsTotal, addall.RoundLeft(took), addall.RoundLeft(left))
	}
	if p.Pages == 0 {
		line = "reading the first page, " + addall.RoundLeft(now.Sub(p.Started)) + " so far"
	}
	if p.WaitUntil.After(now) {
		line += "; " + p.WaitWhy
	}
	return line
}
