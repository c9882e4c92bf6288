// Package addall adds a user to every active project of a company: it plans
// from Procore's state, acts with bulk_add (or one project at a time where
// that is refused), journals every confirmed project so that a stopped run
// resumes without doing anything twice, and reports on every project.
package addall

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/procore-sa/procore-sa/procore"
)

// Request is what the person asked for.
type Request struct {
	UserID      int64
	Template    string // a project permission template's id or name; "" for none
	NewProjects bool   // also set add_to_new_projects
}

// ProjectRef names a project.
type ProjectRef struct {
	ID   int64
	Name string
}

// Plan is what an add-all run will do, read from Procore's state.
type Plan struct {
	Request      Request
	TemplateID   int64 // 0: none
	TemplateName string

	ToAdd    []ProjectRef // active projects the user is not in
	Already  []ProjectRef // active projects the user is in
	Inactive int          // inactive projects, skipped whether the user is in them or not

	// Requests is the requests the plan took (pages read; the client's
	// retries of one page are not counted).
	Requests int
}

// Total is the number of projects the plan accounts for.
func (p *Plan) Total() int { return len(p.ToAdd) + len(p.Already) }

// MakePlan reads the user's project assignments (one row per project the
// caller sees, with is_assigned and active, 300 a page: that one listing
// gives both the projects and the memberships, the fewest requests) and
// resolves the permission template when one is given.
func MakePlan(ctx context.Context, c *procore.Client, req Request) (*Plan, error) {
	if req.UserID <= 0 {
		return nil, fmt.Errorf("plan add-all: no user given")
	}
	p := &Plan{Request: req}
	// The template first: a wrong one should fail before a long listing.
	if strings.TrimSpace(req.Template) != "" {
		t, pages, err := resolveTemplate(ctx, c, req.Template)
		p.Requests += pages
		if err != nil {
			return nil, err
		}
		p.TemplateID, p.TemplateName = t.ID, t.Name
	}
	rows := 0
	seen := map[int64]bool{}
	for a, err := range c.ProjectAssignments(ctx, req.UserID) {
		if err != nil {
			return nil, fmt.Errorf("plan adding user %d to every project: %w", req.UserID, err)
		}
		rows++
		// A project created while the pages are read can shift a row onto
		// the next page; count it once.
		if seen[a.ProjectID] {
			continue
		}
		seen[a.ProjectID] = true
		ref := ProjectRef{ID: a.ProjectID, Name: a.Name}
		switch {
		case !a.Active:
			p.Inactive++
		case a.IsAssigned:
			p.Already = append(p.Already, ref)
		default:
			p.ToAdd = append(p.ToAdd, ref)
		}
	}
	p.Requests += pages(rows, procore.AssignmentsMaxPerPage)
	return p, nil
}

func pages(rows, per int) int { return max(1, (rows+per-1)/per) }

// resolveTemplate finds a project permission template by id or by name
// (case-insensitive). An unknown one is an error naming the choices.
func resolveTemplate(ctx context.Context, c *procore.Client, want string) (procore.PermissionTemplate, int, error) {
	want = strings.TrimSpace(want)
	all, err := procore.Collect(c.PermissionTemplates(ctx, procore.ProjectTools))
	n := pages(len(all), procore.DefaultMaxPerPage)
	if err != nil {
		return procore.PermissionTemplate{}, n, fmt.Errorf("find permission template %q: %w", want, err)
	}
	if id, err := strconv.ParseInt(want, 10, 64); err == nil {
		for _, t := range all {
			if t.ID == id {
				return t, n, nil
			}
		}
	}
	var found []procore.PermissionTemplate
	for _, t := range all {
		if strings.EqualFold(strings.TrimSpace(t.Name), want) {
			found = append(found, t)
		}
	}
	switch len(found) {
	case 1:
		return found[0], n, nil
	case 0:
		if len(all) == 0 {
			return procore.PermissionTemplate{}, n, fmt.Errorf("permission template %q: the company has no project permission templates", want)
		}
		return procore.PermissionTemplate{}, n, fmt.Errorf("permission template %q not found; choose one of: %s", want, templateChoices(all))
	}
	return procore.PermissionTemplate{}, n, fmt.Errorf("permission template %q names %d templates; give the id of one: %s", want, len(found), templateChoices(found))
}

func templateChoices(ts []procore.PermissionTemplate) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = fmt.Sprintf("%q (id %d)", t.Name, t.ID)
	}
	return strings.Join(s, ", ")
}

// Outcome is how a project ended.
type Outcome string

const (
	OutcomeAdded   Outcome = "added"
	OutcomeAlready Outcome = "already"
	OutcomeFailed  Outcome = "failed"
)

// ProjectResult is how one project ended; Reason says why it failed (or,
// for one added by an earlier run of a resumed journal, says so).
type ProjectResult struct {
	ProjectRef
	Outcome Outcome
	Reason  string
}

// Event is progress for a screen: counts from Done and Total, and
// rate and ETA from the At of "added" events.
type Event struct {
	// Kind: planned, added, already, failed, wait, retry, fallback,
	// new_projects, done.
	Kind    string
	Project *ProjectRef // for added, already, failed
	Reason  string
	Wait    time.Duration // for wait and retry
	// Done of Total planned projects have an outcome, of which Added,
	// Already and Failed are running totals (not set on events from the
	// client). A screen that drops events still shows the right counts
	// from the latest one.
	Done, Total            int
	Added, Already, Failed int
	At                     time.Time
}

// EventFromClient turns a client's wait or retry into an add-all
// event. Run cannot see them itself: the caller builds the procore.Client,
// so it sets Config.OnEvent to pass EventFromClient(e) to the same
// sink it gives Run. OnEvent may be called from several goroutines
// at once (Run runs a few requests concurrently when adding one
// project at a time).
func EventFromClient(e procore.Event) Event {
	kind := "retry"
	if e.Kind == procore.EventRateWait {
		kind = "wait"
	}
	return Event{Kind: kind, Reason: e.String(), Wait: e.Wait, At: time.Now()}
}

// Report accounts for every planned project.
type Report struct {
	Results           []ProjectResult // by project ID
	NewProjectsSet    bool
	NewProjectsReason string // why add_to_new_projects could not be set
	// Requests is the requests the run made (one per bulk_add, add or
	// update; the client's retries of one are not counted).
	Requests int
	Elapsed  time.Duration

	// Pending is the planned projects with no outcome yet, because the run
	// stopped early; a resumed run takes them up.
	Pending []ProjectRef

	newProjects bool // asked for
}

// OK reports whether every planned project ended with the user a member
// (added or already) and, when asked, add_to_new_projects was set.
func (r *Report) OK() bool {
	return len(r.Pending) == 0 && r.Count(OutcomeFailed) == 0 && (!r.newProjects || r.NewProjectsSet)
}

// Count is how many results have the outcome.
func (r *Report) Count(o Outcome) int {
	n := 0
	for _, res := range r.Results {
		if res.Outcome == o {
			n++
		}
	}
	return n
}

// fallbackWorkers is how many adds may be in flight at once when adding
// one project at a time. The pacer lets through only what the current
// window has left (it counts requests in flight against what remains), so
// more workers never draw a 429; they let a fresh window's allowance go
// out at once rather than a latency at a time, which matters most in the
// last window, where nothing follows to make up the time.
const fallbackWorkers = 32

// Run carries out a plan: bulk_add in chunks of procore.BulkAddLimit; where
// bulk_add is refused (403 or 404), actions/add one project at a time, as
// fast as the rate limits allow; the failures of a 207 retried once each
// with actions/add; then, when asked, add_to_new_projects. Each confirmed
// project is journaled (j may be nil) before its event is emitted (emit may
// be nil; it is called from one goroutine at a time).
//
// When ctx is cancelled it stops at the next safe point, after journaling
// what was confirmed, and returns the report so far with ctx.Err(). Other
// errors (a journal that cannot be written, bulk_add failing outright) also
// come with the report so far; a project that could not be added is not an
// error but a "failed" result.
func Run(ctx context.Context, c *procore.Client, plan *Plan, j *Journal, emit func(Event)) (*Report, error) {
	r := &runner{c: c, plan: plan, j: j, emitFn: emit, start: time.Now(),
		results: make(map[int64]ProjectResult, plan.Total()), counts: map[Outcome]int{}}
	err := r.run(ctx)
	rep := r.report()
	if err == nil {
		r.emit(Event{Kind: "done"})
	}
	return rep, err
}

type runner struct {
	c      *procore.Client
	plan   *Plan
	j      *Journal
	emitFn func(Event)
	start  time.Time

	mu       sync.Mutex // guards what follows, and serialises emit
	results  map[int64]ProjectResult
	counts   map[Outcome]int // of results
	requests int
	newSet   bool
	newWhy   string
}

func (r *runner) run(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	req := r.plan.Request
	if r.j != nil {
		if err := r.j.start(req, r.plan.ToAdd, r.c.CompanyID(), r.start); err != nil {
			return err
		}
	}
	r.emit(Event{Kind: "planned"})

	// Members already: confirmed by the plan. One an earlier run of this
	// journal added is reported as added; so is one it set out to add and
	// was stopped before recording (Procore acted, the journal did not).
	var already []ProjectResult
	for _, p := range r.plan.Already {
		if e, ok := r.j.earlier(p.ID); ok && e.Outcome == OutcomeAdded {
			r.confirmQuiet(ProjectResult{ProjectRef: p, Outcome: OutcomeAdded, Reason: "added by an earlier run"})
			continue
		}
		if r.j.intended(p.ID) {
			already = append(already, ProjectResult{ProjectRef: p, Outcome: OutcomeAdded, Reason: "added by an earlier run; confirmed on resume"})
			continue
		}
		already = append(already, ProjectResult{ProjectRef: p, Outcome: OutcomeAlready})
	}
	if err := r.confirm(already); err != nil {
		return err
	}

	retry, fallback, err := r.bulk(ctx)
	if err != nil {
		return err
	}
	if len(fallback) > 0 {
		if err := r.each(ctx, fallback, nil); err != nil {
			return err
		}
	}
	if len(retry) > 0 {
		refs := make([]ProjectRef, 0, len(retry))
		why := make(map[int64]string, len(retry))
		for _, f := range retry {
			refs = append(refs, f.ProjectRef)
			why[f.ID] = f.Reason
		}
		if err := r.each(ctx, refs, why); err != nil {
			return err
		}
	}

	if req.NewProjects {
		if err := ctx.Err(); err != nil {
			return err
		}
		_, err := r.c.SetAddToNewProjects(ctx, req.UserID, true)
		r.mu.Lock()
		r.requests++
		r.mu.Unlock()
		if err != nil && ctx.Err() != nil {
			return ctx.Err()
		}
		why := ""
		if err != nil {
			why = err.Error()
		}
		r.mu.Lock()
		r.newSet, r.newWhy = err == nil, why
		r.mu.Unlock()
		r.emit(Event{Kind: "new_projects", Reason: why})
	}
	return ctx.Err()
}

// bulk adds the plan's projects with bulk_add. It returns the projects a
// 207 did not confirm (with bulk_add's reason) and, if bulk_add was
// refused, the projects left to add one at a time.
func (r *runner) bulk(ctx context.Context) (retry []ProjectResult, fallback []ProjectRef, err error) {
	todo := r.plan.ToAdd
	uid := r.plan.Request.UserID
	key := strconv.FormatInt(uid, 10)
	for i := 0; i < len(todo); i += procore.BulkAddLimit {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		chunk := todo[i:min(i+procore.BulkAddLimit, len(todo))]
		ms := make([]procore.Membership, len(chunk))
		for k, p := range chunk {
			ms[k] = procore.Membership{UserID: uid, ProjectID: p.ID, PermissionTemplateID: r.plan.TemplateID}
		}
		res, err := r.c.BulkAdd(ctx, ms)
		r.mu.Lock()
		r.requests++
		r.mu.Unlock()
		if err != nil {
			if ctx.Err() != nil {
				// The chunk may or may not have been done: it is not
				// journaled, and a resumed run's plan will tell.
				return nil, nil, ctx.Err()
			}
			if s := procore.StatusOf(err); s == http.StatusForbidden || s == http.StatusNotFound {
				r.emit(Event{Kind: "fallback", Reason: err.Error()})
				return retry, todo[i:], nil
			}
			return nil, nil, fmt.Errorf("add user %d to %d projects: %w", uid, len(chunk), err)
		}
		done := make(map[int64]bool, len(res.Entities[key]))
		for _, pid := range res.Entities[key] {
			done[pid] = true
		}
		failed := map[int64]string{}
		for _, f := range res.Errors {
			if f.UserID == uid || f.UserID == 0 {
				failed[f.ProjectID] = cmp.Or(procore.Clip(f.Message), "no reason given")
			}
		}
		var added []ProjectResult
		for _, p := range chunk {
			why, bad := failed[p.ID]
			switch {
			case bad:
				retry = append(retry, ProjectResult{ProjectRef: p, Outcome: OutcomeFailed, Reason: "bulk_add: " + why})
			case done[p.ID]:
				added = append(added, ProjectResult{ProjectRef: p, Outcome: OutcomeAdded})
			default:
				// Neither done nor failed in the answer: add it alone to be sure.
				retry = append(retry, ProjectResult{ProjectRef: p, Outcome: OutcomeFailed, Reason: "bulk_add did not confirm it"})
			}
		}
		if err := r.confirm(added); err != nil {
			return nil, nil, err
		}
	}
	return retry, nil, nil
}

// each adds projects one at a time with actions/add, a few at once. A
// project that fails (after the client's own retries) is failed, with the
// earlier reason when there was one.
func (r *runner) each(parent context.Context, refs []ProjectRef, earlier map[int64]string) error {
	// Cancelled by the caller, or here when the journal cannot be written.
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	var (
		errMu    sync.Mutex
		firstErr error
	)
	uid, tid := r.plan.Request.UserID, r.plan.TemplateID
	jobs := make(chan ProjectRef)
	var wg sync.WaitGroup
	for range min(fallbackWorkers, len(refs)) {
		wg.Go(func() {
			for p := range jobs {
				err := r.c.AddToProject(ctx, p.ID, uid, tid)
				r.mu.Lock()
				r.requests++
				r.mu.Unlock()
				if err != nil && ctx.Err() != nil {
					continue // not confirmed either way; drain the queue
				}
				res := ProjectResult{ProjectRef: p, Outcome: OutcomeAdded}
				if err != nil {
					res.Outcome, res.Reason = OutcomeFailed, err.Error()
					if e := earlier[p.ID]; e != "" {
						res.Reason = e + "; then " + err.Error()
					}
				}
				if err := r.confirm([]ProjectResult{res}); err != nil {
					errMu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					errMu.Unlock()
					cancel()
				}
			}
		})
	}
feed:
	for _, p := range refs {
		select {
		case jobs <- p:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return parent.Err()
}

// confirm journals results (one write), records them and emits their
// events.
func (r *runner) confirm(rs []ProjectResult) error {
	if len(rs) == 0 {
		return nil
	}
	if err := r.j.record(rs); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, res := range rs {
		r.setResult(res)
		ref := res.ProjectRef
		r.emitLocked(Event{Kind: string(res.Outcome), Project: &ref, Reason: res.Reason})
	}
	return nil
}

// confirmQuiet records what the journal already holds.
func (r *runner) confirmQuiet(res ProjectResult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.setResult(res)
	ref := res.ProjectRef
	r.emitLocked(Event{Kind: string(res.Outcome), Project: &ref, Reason: res.Reason})
}

// setResult records a project's outcome; called with r.mu held.
func (r *runner) setResult(res ProjectResult) {
	if old, ok := r.results[res.ID]; ok {
		r.counts[old.Outcome]--
	}
	r.results[res.ID] = res
	r.counts[res.Outcome]++
}

func (r *runner) emit(e Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.emitLocked(e)
}

func (r *runner) emitLocked(e Event) {
	if r.emitFn == nil {
		return
	}
	e.Done, e.Total, e.At = len(r.results), r.plan.Total(), time.Now()
	e.Added, e.Already, e.Failed = r.counts[OutcomeAdded], r.counts[OutcomeAlready], r.counts[OutcomeFailed]
	r.emitFn(e)
}

func (r *runner) report() *Report {
	r.mu.Lock()
	defer r.mu.Unlock()
	rep := &Report{NewProjectsSet: r.newSet, NewProjectsReason: r.newWhy, Requests: r.requests,
		Elapsed: time.Since(r.start), newProjects: r.plan.Request.NewProjects}
	for _, refs := range [][]ProjectRef{r.plan.ToAdd, r.plan.Already} {
		for _, p := range refs {
			if _, ok := r.results[p.ID]; !ok {
				rep.Pending = append(rep.Pending, p)
			}
		}
	}
	rep.Results = make([]ProjectResult, 0, len(r.results))
	for _, res := range r.results {
		rep.Results = append(rep.Results, res)
	}
	// What an earlier run added that this plan no longer lists (the project
	// was closed, or is no longer visible) still belongs in the account.
	if r.j != nil && len(r.j.prior) > 0 {
		planned := make(map[int64]bool, r.plan.Total())
		for _, p := range r.plan.ToAdd {
			planned[p.ID] = true
		}
		for _, p := range r.plan.Already {
			planned[p.ID] = true
		}
		for id, e := range r.j.prior {
			if _, ok := r.results[id]; !ok && e.Outcome == OutcomeAdded && !planned[id] {
				e.Reason = "added by an earlier run"
				rep.Results = append(rep.Results, e)
			}
		}
	}
	slices.SortFunc(rep.Results, func(a, b ProjectResult) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(rep.Pending, func(a, b ProjectRef) int { return cmp.Compare(a.ID, b.ID) })
	return rep
}
