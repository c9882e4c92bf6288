// Package addall adds a user to every active project of a company: it plans
// from Procore's state, acts with bulk_add (or one project at a time where
// that is refused), confirms by re-reading the user's project assignments
// whatever the answers said, journals every confirmed project so that a
// stopped run resumes without doing anything twice, and reports on every
// project.
package addall

import (
	"cmp"
	"context"
	"errors"
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
	UserID int64
	// Template is a project permission template's id or name; "" takes the
	// user's default project template.
	Template    string
	NewProjects bool // also set add_to_new_projects
}

// ErrNoTemplate is why a plan cannot be carried out: no template was asked
// for and the user has no default project template, and bulk_add needs
// one for every membership. A wizard asks for one; a command names its
// --template flag.
var ErrNoTemplate = errors.New("no permission template is known for the new memberships: " +
	"the user has no default project template; choose one with --template (an id or a name)")

// ProjectRef names a project.
type ProjectRef struct {
	ID   int64
	Name string
}

// Plan is what an add-all run will do, read from Procore's state.
type Plan struct {
	Request      Request
	TemplateID   int64 // 0: none known (see NoTemplate)
	TemplateName string
	// TemplateDefault: the template is the user's default project
	// template, not one the person named.
	TemplateDefault bool
	// NoTemplate is ErrNoTemplate when no template is known and there are
	// projects to add; Run refuses such a plan.
	NoTemplate error

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
// resolves the permission template: the one asked for, else the user's
// default project template from its directory row, else none (NoTemplate).
func MakePlan(ctx context.Context, c *procore.Client, req Request) (*Plan, error) {
	return MakePlanEmitting(ctx, c, req, nil)
}

// MakePlanEmitting is MakePlan telling emit (when not nil) what it has
// read, a "reading" event a page: planning a large company takes minutes,
// and a person should see it move.
func MakePlanEmitting(ctx context.Context, c *procore.Client, req Request, emit func(Event)) (*Plan, error) {
	if emit == nil {
		emit = func(Event) {}
	}
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
	} else {
		u, err := c.User(ctx, req.UserID)
		p.Requests++
		if err != nil {
			return nil, fmt.Errorf("plan adding user %d to every project: %w", req.UserID, err)
		}
		if t := u.DefaultProjectTemplate(); t != nil {
			p.TemplateID, p.TemplateName, p.TemplateDefault = t.ID, t.Name, true
		}
	}
	rows, read, last := 0, 0, procore.PageInfo{}
	seen := map[int64]bool{}
	onPage := func(pi procore.PageInfo) {
		read, last = pi.Page, pi
		emit(Event{Kind: "reading", Rows: pi.Rows, Pages: pi.Page, RowsTotal: pi.Total, PagesTotal: pi.Pages(), At: time.Now()})
	}
	for a, err := range c.ProjectAssignmentsPaged(ctx, req.UserID, procore.AssignmentFilter{}, onPage) {
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
	p.Requests += read
	emit(Event{Kind: "read", Rows: rows, Pages: read, RowsTotal: max(last.Total, rows), PagesTotal: max(last.Pages(), read), At: time.Now()})
	if p.TemplateID == 0 && len(p.ToAdd) > 0 {
		p.NoTemplate = ErrNoTemplate
	}
	return p, nil
}

func pages(rows, per int) int { return max(1, (rows+per-1)/per) }

// resolveTemplate finds a project permission template by id or by name
// (case-insensitive). An unknown one is an error naming the choices.
func resolveTemplate(ctx context.Context, c *procore.Client, want string) (procore.PermissionTemplate, int, error) {
	want = strings.TrimSpace(want)
	listed, err := procore.Collect(c.PermissionTemplates(ctx, procore.ProjectTools))
	n := 1 // Procore does not page this list
	if err != nil {
		return procore.PermissionTemplate{}, n, fmt.Errorf("find permission template %q: %w", want, err)
	}
	// A project-specific template cannot go on every project.
	var all []procore.PermissionTemplate
	for _, t := range listed {
		if !t.ProjectSpecific && t.Type != "project_specific" && t.Type != string(procore.CompanyTools) {
			all = append(all, t)
		}
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
	// Kind: planned, sent (a bulk_add answered), notice (an answer lost or
	// unreadable, settled by reading back), confirming, added, already,
	// failed, wait, retry, fallback, new_projects, done; while planning,
	// reading (a page read) and read (every page).
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
	// Sent is how many projects Procore has been asked to add so far (by
	// bulk_add or one at a time), confirmed or not: progress while the
	// confirming read is still to come.
	Sent int
	// Rows and Pages, for reading and read (planning), are the project
	// rows and pages read so far; RowsTotal and PagesTotal how many there
	// are, as Procore's Total header says (0 when it does not).
	Rows, Pages           int
	RowsTotal, PagesTotal int
	At                    time.Time
}

// EventFromClient turns a client's wait or retry into an add-all
// event. Run cannot see them itself: the caller builds the procore.Client,
// so it sets Config.OnEvent to pass EventFromClient(e) to the same
// sink it gives Run. OnEvent may be called from several goroutines
// at once (Run runs a few requests concurrently when adding one
// project at a time).
func EventFromClient(e procore.Event) Event {
	switch e.Kind {
	case procore.EventRateWait:
		return Event{Kind: "wait", Reason: e.String(), Wait: e.Wait, At: time.Now()}
	case procore.EventSlow:
		// A wait of unknown length: the screens show the reason.
		return Event{Kind: "wait", Reason: e.String(), At: time.Now()}
	}
	return Event{Kind: "retry", Reason: e.String(), Wait: e.Wait, At: time.Now()}
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
	// Notices are what the run met and went on from: an answer it could
	// not read, or one lost after Procore may have acted. Each was settled
	// by re-reading the user's project assignments.
	Notices []string

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

// Run carries out a plan: bulk_add in chunks of procore.BulkAddLimit, each
// triplet with the plan's template; then, whatever the answers said (or if
// one was lost or unreadable: that is a notice, not a stop), it re-reads the
// user's project assignments, and only what Procore lists the user in is
// added. What is not, it adds with actions/add one project at a time, as
// fast as the rate limits allow (also where bulk_add is refused with 403 or
// 404), and re-reads again. Then, when asked, add_to_new_projects, as the
// update's answer states it. Each confirmed project is journaled (j may be
// nil) before its event is emitted (emit may be nil; it is called from one
// goroutine at a time).
//
// A plan with no template (NoTemplate) is refused with ErrNoTemplate before
// anything is done. Where the caller is not a Directory Admin (its
// directory changes refused with 403), Run stops with an error wrapping
// procore.ErrNotDirectoryAdmin and the projects pending.
//
// When ctx is cancelled it stops at the next safe point, after journaling
// what was confirmed, and returns the report so far with ctx.Err(). Other
// errors (a journal that cannot be written, a confirming read failing)
// also come with the report so far; a project that could not be added is
// not an error but a "failed" result.
func Run(ctx context.Context, c *procore.Client, plan *Plan, j *Journal, emit func(Event)) (*Report, error) {
	r := &runner{c: c, plan: plan, j: j, emitFn: emit, start: time.Now(),
		results: make(map[int64]ProjectResult, plan.Total()), counts: map[Outcome]int{}}
	err := r.run(ctx)
	if err != nil && ctx.Err() != nil && r.acted() {
		// Stopped after asking Procore to act: read back what it did, so
		// that the report and the journal hold it.
		r.settle(ctx)
	}
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
	notices  []string
	sent     int // projects asked for
}

// settleTime bounds the read-back after a stop.
const settleTime = 15 * time.Second

func (r *runner) acted() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sent > 0
}

// settle confirms what Procore did before a stop, on a context of its own
// (the run's is done), briefly; failing that, the projects stay pending and
// a resumed run's plan tells.
func (r *runner) settle(parent context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), settleTime)
	defer cancel()
	_, _ = r.confirmAdded(ctx, r.plan.ToAdd, nil)
}

// sentMore counts projects asked for and emits a sent event.
func (r *runner) sentMore(n int, p *ProjectRef, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent += n
	r.emitLocked(Event{Kind: "sent", Project: p, Reason: reason})
}

func (r *runner) run(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	req := r.plan.Request
	if r.plan.NoTemplate != nil || (r.plan.TemplateID == 0 && len(r.plan.ToAdd) > 0) {
		return fmt.Errorf("add user %d to every project: %w", req.UserID, ErrNoTemplate)
	}
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

	todo := r.plan.ToAdd
	if len(todo) > 0 {
		said, refused, err := r.bulk(ctx)
		if err != nil {
			return err
		}
		if refused != nil {
			// Refused before anything was done: is the caller allowed to
			// change the directory at all?
			if admin, perr := r.c.DirectoryAdmin(ctx); perr == nil && !admin {
				r.count()
				return r.notAdmin(ctx, refused)
			}
			r.count()
			r.emit(Event{Kind: "fallback", Reason: refused.Error()})
		}
		// Procore's state is the record: re-read before reporting.
		left, err := r.confirmAdded(ctx, todo, nil)
		if err != nil {
			return err
		}
		if len(left) > 0 {
			tried, forbidden, err := r.each(ctx, left, said)
			if err != nil {
				return err
			}
			if forbidden == len(left) && len(left) > 0 {
				if admin, perr := r.c.DirectoryAdmin(ctx); perr == nil && !admin {
					r.count()
					return r.notAdmin(ctx, errors.New("every project was refused with 403"))
				}
			}
			if _, err := r.confirmAdded(ctx, left, tried); err != nil {
				return err
			}
		}
	}

	if req.NewProjects {
		if err := ctx.Err(); err != nil {
			return err
		}
		_, err := r.c.SetAddToNewProjects(ctx, req.UserID, true)
		r.mu.Lock()
		r.requests += 2 // the user read, then the update
		r.mu.Unlock()
		if err != nil && ctx.Err() != nil {
			return ctx.Err()
		}
		why := ""
		if err != nil {
			why = err.Error()
			if procore.StatusOf(err) == http.StatusForbidden {
				why += " (" + procore.ErrNotDirectoryAdmin.Error() + ")"
			}
		}
		r.mu.Lock()
		r.newSet, r.newWhy = err == nil, why
		r.mu.Unlock()
		r.emit(Event{Kind: "new_projects", Reason: why})
	}
	return ctx.Err()
}

// count counts one request the run made.
func (r *runner) count() {
	r.mu.Lock()
	r.requests++
	r.mu.Unlock()
}

// notAdmin ends a run whose caller may not change the directory: what an
// earlier chunk may have done is confirmed, the rest left pending.
func (r *runner) notAdmin(ctx context.Context, cause error) error {
	if _, err := r.confirmAdded(ctx, r.plan.ToAdd, nil); err != nil {
		return err
	}
	return fmt.Errorf("add user %d to every project: %w (Procore: %w)", r.plan.Request.UserID, procore.ErrNotDirectoryAdmin, cause)
}

// notice records something the run met and went on from.
func (r *runner) notice(msg string) {
	r.mu.Lock()
	r.notices = append(r.notices, msg)
	r.mu.Unlock()
	r.emit(Event{Kind: "notice", Reason: msg})
}

// bulk sends the plan's projects to bulk_add, at most BulkAddLimit a call.
// It stops sending only when ctx is done or bulk_add is refused (403 or
// 404: refused is that error); an answer lost or unreadable is a notice,
// and the next chunk goes. said is what the answers said of projects they
// did not list as done, for the report.
func (r *runner) bulk(ctx context.Context) (said map[int64]string, refused error, err error) {
	todo := r.plan.ToAdd
	uid := r.plan.Request.UserID
	said = map[int64]string{}
	calls := (len(todo) + procore.BulkAddLimit - 1) / procore.BulkAddLimit
	for i, call := 0, 1; i < len(todo); i, call = i+procore.BulkAddLimit, call+1 {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		chunk := todo[i:min(i+procore.BulkAddLimit, len(todo))]
		ms := make([]procore.Membership, len(chunk))
		for k, p := range chunk {
			ms[k] = procore.Membership{UserID: uid, ProjectID: p.ID, PermissionTemplateID: r.plan.TemplateID}
		}
		res, err := r.c.BulkAdd(ctx, ms)
		r.count()
		if err == nil || procore.StatusOf(err) == 0 || procore.StatusOf(err) >= 500 {
			// Procore may have acted (an answer, or none).
			r.mu.Lock()
			r.sent += len(chunk)
			r.mu.Unlock()
		}
		if err != nil {
			if ctx.Err() != nil {
				// The chunk may or may not have been done: it is not
				// journaled, and a resumed run's plan will tell.
				return nil, nil, ctx.Err()
			}
			if s := procore.StatusOf(err); s == http.StatusForbidden || s == http.StatusNotFound {
				return said, err, nil
			}
			// Procore may have acted: the re-read will tell.
			r.notice(fmt.Sprintf("bulk_add call %d of %d (%d projects) got no usable answer; what Procore did is read back: %s", call, calls, len(chunk), err))
			for _, p := range chunk {
				said[p.ID] = "bulk_add got no usable answer"
			}
			continue
		}
		if res.Unread != "" {
			r.notice(fmt.Sprintf("bulk_add call %d of %d answered %d in a shape not fully read (%s); what Procore did is read back", call, calls, res.Status, res.Unread))
		}
		done := map[int64]bool{}
		for _, pid := range res.Done[uid] {
			done[pid] = true
		}
		for _, f := range res.Failed {
			if f.UserID == uid || f.UserID == 0 {
				said[f.ProjectID] = "bulk_add: " + cmp.Or(f.Message, "listed as failed")
			}
		}
		for _, p := range chunk {
			if _, failed := said[p.ID]; !failed && !done[p.ID] {
				said[p.ID] = "bulk_add did not list it as done"
			}
		}
		r.sentMore(0, nil, fmt.Sprintf("bulk_add call %d of %d answered %d", call, calls, res.Status))
	}
	return said, nil, nil
}

// confirmAdded re-reads the user's project assignments and records as
// added each of refs that Procore lists the user in. It reads the projects
// the user is assigned to, of every status (a project closed during the run
// still shows), and takes each row's own is_assigned: a project the reading
// does not show (the caller may no longer see it) is not confirmed. With
// tried (after adds one at a time) the unconfirmed are failed, with the
// reason of their add; without, they are returned to be added.
func (r *runner) confirmAdded(ctx context.Context, refs []ProjectRef, tried map[int64]string) ([]ProjectRef, error) {
	pending := make([]ProjectRef, 0, len(refs))
	r.mu.Lock()
	for _, p := range refs {
		if _, has := r.results[p.ID]; !has {
			pending = append(pending, p)
		}
	}
	r.mu.Unlock()
	if len(pending) == 0 {
		return nil, nil
	}
	r.emit(Event{Kind: "confirming", Reason: fmt.Sprintf("reading back the user's projects to confirm %d", len(pending))})
	member := map[int64]bool{}
	rows := 0
	for a, err := range r.c.ProjectAssignmentsWhere(ctx, r.plan.Request.UserID, procore.AssignmentFilter{Status: "All", Assigned: "assigned"}) {
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("confirm what Procore did for user %d: %w", r.plan.Request.UserID, err)
		}
		rows++
		if a.IsAssigned {
			member[a.ProjectID] = true
		}
	}
	r.mu.Lock()
	r.requests += pages(rows, procore.AssignmentsMaxPerPage)
	r.mu.Unlock()
	var added, failed []ProjectResult
	var left []ProjectRef
	for _, p := range pending {
		switch {
		case member[p.ID]:
			added = append(added, ProjectResult{ProjectRef: p, Outcome: OutcomeAdded})
		case tried != nil:
			why := cmp.Or(tried[p.ID], "Procore does not list the user in it after adding")
			failed = append(failed, ProjectResult{ProjectRef: p, Outcome: OutcomeFailed, Reason: why})
		default:
			left = append(left, p)
		}
	}
	if err := r.confirm(added); err != nil {
		return nil, err
	}
	if err := r.confirm(failed); err != nil {
		return nil, err
	}
	return left, nil
}

// each adds projects one at a time with actions/add, a few at once. It
// confirms nothing itself: it returns, for each project whose add failed
// (after the client's own retries), the reason (with what bulk_add said
// of it before, when it said something), and how many adds were refused
// with 403.
func (r *runner) each(parent context.Context, refs []ProjectRef, earlier map[int64]string) (tried map[int64]string, forbidden int, err error) {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	uid, tid := r.plan.Request.UserID, r.plan.TemplateID
	var mu sync.Mutex
	tried = map[int64]string{}
	jobs := make(chan ProjectRef)
	var wg sync.WaitGroup
	for range min(fallbackWorkers, len(refs)) {
		wg.Go(func() {
			for p := range jobs {
				err := r.c.AddToProject(ctx, p.ID, uid, tid)
				r.count()
				if err == nil {
					r.sentMore(1, &p, "")
					continue
				}
				if ctx.Err() != nil {
					continue
				}
				why := err.Error()
				if e := earlier[p.ID]; e != "" {
					why = e + "; then " + why
				}
				mu.Lock()
				tried[p.ID] = why
				if procore.StatusOf(err) == http.StatusForbidden {
					forbidden++
				}
				mu.Unlock()
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
	return tried, forbidden, parent.Err()
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
	e.Sent = r.sent
	r.emitFn(e)
}

func (r *runner) report() *Report {
	r.mu.Lock()
	defer r.mu.Unlock()
	rep := &Report{NewProjectsSet: r.newSet, NewProjectsReason: r.newWhy, Requests: r.requests,
		Elapsed: time.Since(r.start), newProjects: r.plan.Request.NewProjects, Notices: slices.Clone(r.notices)}
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
