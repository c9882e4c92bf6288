package addall_test

import (
	"bytes"
	"context"
	"errors"
	"iter"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/addall"
	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/internal/simtest"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/procore/sim"
)

// restRequests is the API requests the simulator answered (or dropped):
// every request but the token grants, which the rate limits do not count.
func restRequests(st sim.Stats) int {
	return st.Requests - st.ByRoute["POST /oauth/token"]
}

// minRequests is the fewest requests an add-all can take with the documented
// endpoints and page sizes: the template list (when a template is given;
// else the user's row, for its default template), the assignment pages,
// one bulk_add per 1000 projects, the pages of the re-read that confirms
// them (the projects the user is then in), and for add_to_new_projects the
// user's row (the update must send its last name and email) and the update.
func minRequests(template bool, projects, toAdd int, newProjects bool) int {
	pages := func(rows int) int {
		return max(1, (rows+procore.AssignmentsMaxPerPage-1)/procore.AssignmentsMaxPerPage)
	}
	n := 1 + pages(projects)
	n += (toAdd + procore.BulkAddLimit - 1) / procore.BulkAddLimit
	if toAdd > 0 {
		n += pages(toAdd)
	}
	if newProjects {
		n += 2
	}
	return n
}

// events collects add-all events, from RunAddAll and from the client.
type events struct {
	mu  sync.Mutex
	all []addall.Event
}

func (e *events) add(ev addall.Event) {
	e.mu.Lock()
	e.all = append(e.all, ev)
	e.mu.Unlock()
}

func (e *events) count(kind string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, ev := range e.all {
		if ev.Kind == kind {
			n++
		}
	}
	return n
}

// addAllClient is the admin's own sign-in (directory changes are the
// admin's), whose client events also reach evs, wired as the CLI wires it.
func addAllClient(w *simtest.World, evs *events, mod func(*procore.Config)) *procore.Client {
	return w.AdminClient(w.Fx.CompanyID, func(cfg *procore.Config) {
		prev := cfg.OnEvent
		cfg.OnEvent = func(e procore.Event) {
			prev(e)
			evs.add(addall.EventFromClient(e))
		}
		if mod != nil {
			mod(cfg)
		}
	})
}

// checkMembers checks that the user is in every active project, each
// membership created exactly once, and in no inactive project.
func checkMembers(t *testing.T, s *sim.Server, user int64, projects int) {
	t.Helper()
	active := s.ActiveProjectIDs()
	if len(active) != projects-projects/10 {
		t.Fatalf("%d active projects of %d", len(active), projects)
	}
	bad := 0
	for _, pid := range active {
		if n := s.AddCount(user, pid); n != 1 {
			bad++
			if bad < 5 {
				t.Errorf("project %d: membership created %d times, want 1", pid, n)
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%d of %d active projects not added exactly once", bad, len(active))
	}
}

// checkReport checks that the report accounts for every active project as
// a member.
func checkReport(t *testing.T, s *sim.Server, rep *addall.Report) {
	t.Helper()
	var ids []int64
	for _, r := range rep.Results {
		if r.Outcome == addall.OutcomeFailed {
			t.Errorf("project %d failed: %s", r.ID, r.Reason)
		}
		ids = append(ids, r.ID)
	}
	if want := s.ActiveProjectIDs(); !slices.Equal(ids, want) {
		t.Fatalf("report has %d projects, want the %d active ones", len(ids), len(want))
	}
	if !rep.OK() {
		var why []string
		for _, r := range rep.Results {
			if r.Outcome == addall.OutcomeFailed {
				why = append(why, r.Reason)
			}
		}
		t.Fatalf("report not OK: %d pending, new projects set %v (%s), failed: %q", len(rep.Pending), rep.NewProjectsSet, rep.NewProjectsReason, why)
	}
}

func TestPlanAddAll(t *testing.T) {
	w := simtest.New(t, sim.Config{Seed: 3, Projects: 40})
	ctx := context.Background()
	c := w.AdminClient(w.Fx.CompanyID, nil)
	user := w.Fx.ServiceUserID
	// Three active projects and one inactive one already.
	active := w.S.ActiveProjectIDs()
	for _, pid := range []int64{active[0], active[5], active[10]} {
		if err := c.AddToProject(ctx, pid, user, 0); err != nil {
			t.Fatal(err)
		}
	}
	inactive := int64(0)
	for _, p := range mustCollect(t, c.Projects(ctx, procore.ProjectFilter{Status: "Inactive"})) {
		inactive = p.ID
	}
	if err := c.AddToProject(ctx, inactive, user, 0); err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		name, template string
		wantID         int64
		requests       int
	}{
		{"the user's default", "", w.Fx.TemplateID, 2},
		{"by id", strconv.FormatInt(w.Fx.TemplateID, 10), w.Fx.TemplateID, 2},
		{"by name", strings.ToUpper(w.Fx.TemplateName), w.Fx.TemplateID, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w.S.ResetStats()
			p, err := addall.MakePlan(ctx, c, addall.Request{UserID: user, Template: tt.template})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.ToAdd) != len(active)-3 || len(p.Already) != 3 || p.Inactive != 4 || p.Total() != len(active) {
				t.Errorf("to add %d, already %d, inactive %d; want %d, 3, 4", len(p.ToAdd), len(p.Already), p.Inactive, len(active)-3)
			}
			for _, r := range p.Already {
				if !slices.Contains(w.S.ProjectMembers(r.ID), user) {
					t.Errorf("project %d planned as already, but the user is not a member", r.ID)
				}
			}
			if p.TemplateID != tt.wantID || (tt.wantID != 0 && p.TemplateName != w.Fx.TemplateName) || p.TemplateDefault != (tt.template == "") || p.NoTemplate != nil {
				t.Errorf("template %d %q (default %t, %v), want %d %q", p.TemplateID, p.TemplateName, p.TemplateDefault, p.NoTemplate, tt.wantID, w.Fx.TemplateName)
			}
			if n := restRequests(w.S.Stats()); p.Requests != tt.requests || n != tt.requests {
				t.Errorf("plan took %d requests (counted %d), want %d", n, p.Requests, tt.requests)
			}
		})
	}
	t.Run("unknown template", func(t *testing.T) {
		_, err := addall.MakePlan(ctx, c, addall.Request{UserID: user, Template: "Superintendent"})
		if err == nil || !strings.Contains(err.Error(), `"Superintendent" not found`) ||
			!strings.Contains(err.Error(), w.Fx.TemplateName) || !strings.Contains(err.Error(), strconv.FormatInt(w.Fx.TemplateID, 10)) {
			t.Fatalf("got %v; want an error naming the choices", err)
		}
		// A company_tools template is not a project template, nor is a
		// project-specific one usable on every project.
		for _, name := range []string{"Company Admin", "Project 0001 Custom"} {
			if _, err := addall.MakePlan(ctx, c, addall.Request{UserID: user, Template: name}); err == nil {
				t.Fatalf("%q was accepted", name)
			}
		}
	})
	t.Run("no template known", func(t *testing.T) {
		// A user with no default project template, and none asked for: the
		// plan says so, and Run refuses it before doing anything.
		nu, err := c.CreateUser(ctx, procore.NewUser{LastName: "Plain", EmailAddress: "plain@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		p, err := addall.MakePlan(ctx, c, addall.Request{UserID: nu.ID})
		if err != nil || !errors.Is(p.NoTemplate, addall.ErrNoTemplate) || p.TemplateID != 0 || len(p.ToAdd) != len(active) {
			t.Fatalf("plan %+v, %v", p, err)
		}
		w.S.ResetStats()
		_, err = addall.Run(ctx, c, p, nil, nil)
		if !errors.Is(err, addall.ErrNoTemplate) || !strings.Contains(err.Error(), "--template") {
			t.Fatalf("Run = %v", err)
		}
		if n := restRequests(w.S.Stats()); n != 0 {
			t.Fatalf("%d requests after refusing", n)
		}
	})
	t.Run("unknown user", func(t *testing.T) {
		_, err := addall.MakePlan(ctx, c, addall.Request{UserID: 424242})
		if procore.StatusOf(err) != http.StatusNotFound || !strings.Contains(err.Error(), "user 424242") {
			t.Fatalf("got %v", err)
		}
	})
}

func mustCollect[T any](t *testing.T, seq iter.Seq2[T, error]) []T {
	t.Helper()
	out, err := procore.Collect(seq)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRunAddAllBulk(t *testing.T) {
	for _, n := range []int{250, 2500} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			w := simtest.New(t, sim.Config{Seed: 7, Projects: n})
			ctx := context.Background()
			var evs events
			c := addAllClient(w, &evs, nil)
			user := w.Fx.ServiceUserID
			req := addall.Request{UserID: user, Template: w.Fx.TemplateName, NewProjects: true}
			plan, err := addall.MakePlan(ctx, c, req)
			if err != nil {
				t.Fatal(err)
			}
			var journal bytes.Buffer
			j := addall.NewJournal(&journal, addall.NewRunID(time.Now()))
			rep, err := addall.Run(ctx, c, plan, j, evs.add)
			if err != nil {
				t.Fatal(err)
			}
			st := w.S.Stats()
			checkMembers(t, w.S, user, n)
			checkReport(t, w.S, rep)
			active := len(w.S.ActiveProjectIDs())
			if rep.Count(addall.OutcomeAdded) != active || !rep.NewProjectsSet {
				t.Errorf("added %d of %d, new projects %v", rep.Count(addall.OutcomeAdded), active, rep.NewProjectsSet)
			}
			if want, got := minRequests(true, n, active, true), restRequests(st); got != want || plan.Requests+rep.Requests != want {
				t.Errorf("%d requests (counted %d+%d), want the minimum %d: %v", got, plan.Requests, rep.Requests, want, st.ByRoute)
			}
			if st.TooMany != 0 {
				t.Errorf("%d 429s", st.TooMany)
			}
			if !w.S.AddToNewProjects(user) {
				t.Error("add_to_new_projects not set")
			}
			for _, pid := range w.S.ActiveProjectIDs()[:5] {
				if got := w.S.ProjectMembers(pid); !slices.Contains(got, user) {
					t.Errorf("project %d members %v", pid, got)
				}
			}
			if evs.count("planned") != 1 || evs.count("added") != active || evs.count("new_projects") != 1 || evs.count("done") != 1 {
				t.Errorf("events: planned %d, added %d, new_projects %d, done %d", evs.count("planned"),
					evs.count("added"), evs.count("new_projects"), evs.count("done"))
			}
			h, confirmed, err := addall.ReadJournal(&journal)
			if err != nil {
				t.Fatal(err)
			}
			if h.UserID != user || h.Template != w.Fx.TemplateName || !h.NewProjects || h.CompanyID != w.Fx.CompanyID ||
				h.Run != j.Run() || h.StartedAt.IsZero() || len(confirmed) != active {
				t.Errorf("journal header %+v with %d projects", h, len(confirmed))
			}
		})
	}
}

func TestRunAddAllFallbackPaced(t *testing.T) {
	const n = 50
	w := simtest.New(t, sim.Config{Seed: 8, Projects: n, SpikeLimit: 20, SpikeWindow: time.Second})
	w.S.SetFaults(sim.Faults{BulkAddRefused: true})
	ctx := context.Background()
	var evs events
	c := addAllClient(w, &evs, nil)
	user := w.Fx.ServiceUserID
	plan, err := addall.MakePlan(ctx, c, addall.Request{UserID: user, Template: strconv.FormatInt(w.Fx.TemplateID, 10), NewProjects: true})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := addall.Run(ctx, c, plan, nil, evs.add)
	if err != nil {
		t.Fatal(err)
	}
	st := w.S.Stats()
	checkMembers(t, w.S, user, n)
	checkReport(t, w.S, rep)
	if st.TooMany != 0 {
		t.Errorf("%d 429s", st.TooMany)
	}
	active := len(w.S.ActiveProjectIDs())
	// The plan (template, assignments); the refused bulk_add, the
	// caller's permissions (a Directory Admin: so one at a time), the
	// re-read (nothing yet), one add per project, the re-read that confirms
	// them; the user's row and its update.
	if want, got := 2+1+1+1+active+1+2, restRequests(st); got != want || plan.Requests+rep.Requests != want {
		t.Errorf("%d requests (counted %d+%d), want %d", got, plan.Requests, rep.Requests, want)
	}
	if st.ByRoute["POST /rest/v1.0/projects/{pid}/users/{id}/actions/add"] != active {
		t.Errorf("adds: %v", st.ByRoute)
	}
	if evs.count("fallback") != 1 || evs.count("wait") == 0 {
		t.Errorf("%d fallback and %d wait events", evs.count("fallback"), evs.count("wait"))
	}
}

// TestRunAddAll207 makes bulk_add fail for five projects (the DMSA may not
// see them while it runs); three of them are permitted again before the
// one-by-one retry, two stay refused.
func TestRunAddAll207(t *testing.T) {
	const n = 60
	// The DMSA, made a Directory Admin, sees only its permitted projects.
	w := simtest.New(t, sim.Config{Seed: 4, Projects: n, DMSADirectoryAdmin: true, DMSAPermitAll: true})
	// The shape whose failures carry a message, for the report to quote.
	w.S.SetFaults(sim.Faults{BulkAddShape: sim.BulkShapeProjectObjects})
	active := w.S.ActiveProjectIDs()
	hidden := []int64{active[1], active[7], active[20], active[33], active[40]}
	stillHidden := hidden[3:]
	var mu sync.Mutex
	adds := map[int64]int{}
	ts := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.S.ServeHTTP(rw, r)
		if strings.HasSuffix(r.URL.Path, "/bulk_add") {
			var permit []int64
			for _, id := range w.S.ActiveProjectIDs() {
				if !slices.Contains(stillHidden, id) {
					permit = append(permit, id)
				}
			}
			w.S.SetPermittedProjects(permit)
		}
		if strings.HasSuffix(r.URL.Path, "/actions/add") {
			pid, _ := strconv.ParseInt(strings.Split(r.URL.Path, "/")[4], 10, 64)
			mu.Lock()
			adds[pid]++
			mu.Unlock()
		}
	}))
	defer ts.Close()
	env := procore.Environment{Name: "sim", LoginURL: ts.URL, APIURL: ts.URL}
	var evs events
	c := w.Client(w.Fx.CompanyID, func(cfg *procore.Config) {
		cfg.Env = env
		cfg.Auth = procore.ClientCredentials(env, nil, w.Fx.DMSAClientID, secret.New(w.Fx.DMSAClientSecret))
		cfg.OnEvent = func(e procore.Event) { evs.add(addall.EventFromClient(e)) }
	})
	ctx := context.Background()
	user := w.Fx.ServiceUserID
	plan, err := addall.MakePlan(ctx, c, addall.Request{UserID: user})
	if err != nil {
		t.Fatal(err)
	}
	var keep []int64
	for _, id := range active {
		if !slices.Contains(hidden, id) {
			keep = append(keep, id)
		}
	}
	w.S.SetPermittedProjects(keep)
	rep, err := addall.Run(ctx, c, plan, nil, evs.add)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() || rep.Count(addall.OutcomeFailed) != 2 || rep.Count(addall.OutcomeAdded) != len(active)-2 {
		t.Fatalf("OK %v, failed %d, added %d", rep.OK(), rep.Count(addall.OutcomeFailed), rep.Count(addall.OutcomeAdded))
	}
	for _, r := range rep.Results {
		if slices.Contains(stillHidden, r.ID) {
			if r.Outcome != addall.OutcomeFailed || !strings.Contains(r.Reason, "bulk_add: Project not found or not permitted") ||
				!strings.Contains(r.Reason, "403") || !strings.Contains(r.Reason, "add user") {
				t.Errorf("project %d: %s %q", r.ID, r.Outcome, r.Reason)
			}
		} else if n := w.S.AddCount(user, r.ID); n != 1 {
			t.Errorf("project %d added %d times", r.ID, n)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(adds) != len(hidden) {
		t.Errorf("retried %d projects one by one, want the %d bulk_add failed", len(adds), len(hidden))
	}
	for _, id := range hidden {
		if adds[id] != 1 {
			t.Errorf("project %d retried %d times, want once", id, adds[id])
		}
	}
	if evs.count("failed") != 2 {
		t.Errorf("%d failed events", evs.count("failed"))
	}
}

// TestRunAddAllFaults runs through server errors, dropped connections (some
// after the request took effect) and every token expiring mid-run.
func TestRunAddAllFaults(t *testing.T) {
	for _, tt := range []struct {
		name     string
		projects int
		refused  bool
	}{
		{"bulk", 3000, false},
		{"one by one", 250, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := simtest.New(t, sim.Config{Seed: 21, Projects: tt.projects})
			w.S.SetFaults(sim.Faults{ErrorRate: 0.1, DropRate: 0.05, DropOnly: "/rest/", BulkAddRefused: tt.refused})
			ctx := context.Background()
			var evs events
			c := addAllClient(w, &evs, func(cfg *procore.Config) { cfg.MaxRetries = 20 })
			user := w.Fx.ServiceUserID
			plan, err := addall.MakePlan(ctx, c, addall.Request{UserID: user, Template: w.Fx.TemplateName, NewProjects: true})
			if err != nil {
				t.Fatal(err)
			}
			expired := false
			emit := func(e addall.Event) {
				evs.add(e)
				if e.Kind == "added" && e.Done >= plan.Total()/3 && !expired {
					expired = true
					w.S.ExpireTokens()
				}
			}
			rep, err := addall.Run(ctx, c, plan, nil, emit)
			if err != nil {
				t.Fatal(err)
			}
			checkMembers(t, w.S, user, tt.projects)
			checkReport(t, w.S, rep)
			st := w.S.Stats()
			if !expired || w.EventCount(procore.EventRefresh) == 0 {
				t.Errorf("tokens expired %v; %d refreshes", expired, w.EventCount(procore.EventRefresh))
			}
			if st.Dropped == 0 || st.Status[500]+st.Status[503] == 0 || evs.count("retry") == 0 {
				t.Errorf("faults not exercised: %d dropped, statuses %v, %d retry events", st.Dropped, st.Status, evs.count("retry"))
			}
		})
	}
}

// TestCancelAndResume stops a run mid-way, as ctrl+c does, and resumes it
// from its journal with a fresh plan.
func TestCancelAndResume(t *testing.T) {
	for _, tt := range []struct {
		name     string
		projects int
		refused  bool
		after    int // sent events before the cancel
		added    int // projects the first run confirms at least
	}{
		{"bulk", 2500, false, 1, 1000},
		{"one by one", 120, true, 30, 30},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := simtest.New(t, sim.Config{Seed: 31, Projects: tt.projects})
			w.S.SetFaults(sim.Faults{BulkAddRefused: tt.refused})
			user := w.Fx.ServiceUserID
			c := w.AdminClient(w.Fx.CompanyID, nil)
			// One project has the user before the run: it stays "already".
			before := w.S.ActiveProjectIDs()[0]
			if err := c.AddToProject(context.Background(), before, user, 0); err != nil {
				t.Fatal(err)
			}
			req := addall.Request{UserID: user, Template: w.Fx.TemplateName, NewProjects: true}
			plan, err := addall.MakePlan(context.Background(), c, req)
			if err != nil {
				t.Fatal(err)
			}
			var journal bytes.Buffer
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			sent := 0
			emit := func(e addall.Event) {
				if e.Kind == "sent" {
					if sent++; sent == tt.after {
						cancel()
					}
				}
			}
			rep1, err := addall.Run(ctx, c, plan, addall.NewJournal(&journal, "run-1"), emit)
			if !errors.Is(err, context.Canceled) || rep1 == nil {
				t.Fatalf("got %v; want the cancellation with a report", err)
			}
			// What was done before the stop is read back and reported.
			if rep1.OK() || rep1.Count(addall.OutcomeAdded) < tt.added || rep1.Count(addall.OutcomeAdded) == plan.Total() {
				t.Fatalf("first run: OK %v, %d added of %d", rep1.OK(), rep1.Count(addall.OutcomeAdded), plan.Total())
			}
			// The report accounts for every planned project: an outcome, or
			// pending.
			if len(rep1.Results)+len(rep1.Pending) != plan.Total() || len(rep1.Pending) == 0 {
				t.Fatalf("first run: %d results and %d pending for %d planned", len(rep1.Results), len(rep1.Pending), plan.Total())
			}
			header, confirmed, err := addall.ReadJournal(bytes.NewReader(journal.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			// The journal holds exactly what the report says was confirmed.
			if len(confirmed) != len(rep1.Results) {
				t.Fatalf("journal has %d projects, report %d", len(confirmed), len(rep1.Results))
			}
			for _, r := range rep1.Results {
				if confirmed[r.ID].Outcome != r.Outcome {
					t.Errorf("project %d: journal %q, report %q", r.ID, confirmed[r.ID].Outcome, r.Outcome)
				}
			}
			if header.Run != "run-1" || header.Request() != req {
				t.Fatalf("header %+v", header)
			}

			// Resume: plan again from Procore, append to the same journal.
			plan2, err := addall.MakePlan(context.Background(), c, header.Request())
			if err != nil {
				t.Fatal(err)
			}
			if len(plan2.Already) < len(confirmed) {
				t.Fatalf("the new plan sees %d members, the journal %d", len(plan2.Already), len(confirmed))
			}
			rep2, err := addall.Run(context.Background(), c, plan2, addall.ResumeJournal(&journal, header, confirmed), nil)
			if err != nil {
				t.Fatal(err)
			}
			checkMembers(t, w.S, user, tt.projects)
			checkReport(t, w.S, rep2)
			// Everything the first run confirmed is reported as added, and so
			// are adds in flight at the cancel (done by Procore, not
			// journaled): the journal's header names what the first plan
			// set out to add.
			for id, c := range confirmed {
				if c.Outcome != addall.OutcomeAdded {
					continue
				}
				if i := slices.IndexFunc(rep2.Results, func(r addall.ProjectResult) bool { return r.ID == id }); i < 0 ||
					rep2.Results[i].Outcome != addall.OutcomeAdded {
					t.Errorf("project %d added by the first run is not reported as added", id)
				}
			}
			if already := rep2.Count(addall.OutcomeAlready); already != 1 {
				t.Errorf("%d projects reported as already; the user was a member of one at the start", already)
			}
			if !rep2.NewProjectsSet {
				t.Error("add_to_new_projects not set by the resumed run")
			}
			_, all, err := addall.ReadJournal(bytes.NewReader(journal.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			if len(all) != len(w.S.ActiveProjectIDs()) {
				t.Errorf("journal accounts for %d projects, want %d", len(all), len(w.S.ActiveProjectIDs()))
			}
		})
	}
}

func TestReadJournalTorn(t *testing.T) {
	const head = `{"run":"20261123T101500Z-abcd","user_id":7,"template":"PM","new_projects":true,"company_id":9,"started_at":"2026-11-23T10:15:00Z"}` + "\n"
	tests := []struct {
		name    string
		text    string
		want    map[int64]addall.Outcome
		wantErr string
	}{
		{"whole", head + `{"project_id":1,"outcome":"added"}` + "\n" + `{"project_id":2,"outcome":"already"}` + "\n",
			map[int64]addall.Outcome{1: "added", 2: "already"}, ""},
		{"torn last line", head + `{"project_id":1,"outcome":"added"}` + "\n" + `{"project_id":2,"outc`,
			map[int64]addall.Outcome{1: "added"}, ""},
		{"last line whole but no newline", head + `{"project_id":1,"outcome":"added"}`,
			map[int64]addall.Outcome{1: "added"}, ""},
		{"torn then resumed", head + `{"project_id":1,"outcome":"added"}` + "\n" + `{"project_id":2,"ou` +
			"\n" + `{"resumed_at":"2026-11-23T11:00:00Z"}` + "\n" + `{"project_id":1,"outcome":"already"}` + "\n" +
			`{"project_id":2,"outcome":"added"}` + "\n" + `{"project_id":3,"outcome":"failed","reason":"403"}` + "\n",
			map[int64]addall.Outcome{1: "added", 2: "added", 3: "failed"}, ""},
		{"bad middle line", head + `{"project_id":1,"outc` + "\n" + `{"project_id":2,"outcome":"added"}` + "\n", nil, "line 2"},
		{"unknown outcome", head + `{"project_id":1,"outcome":"maybe"}` + "\n", nil, "unknown outcome"},
		{"torn header", head[:40], nil, "no complete header"},
		{"empty", "", nil, "no complete header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, got, err := addall.ReadJournal(strings.NewReader(tt.text))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want an error with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if h.Run != "20261123T101500Z-abcd" || h.UserID != 7 || h.CompanyID != 9 || h.Template != "PM" || !h.NewProjects {
				t.Errorf("header %+v", h)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for id, o := range tt.want {
				if got[id].Outcome != o || got[id].ID != id {
					t.Errorf("project %d: %+v, want %s", id, got[id], o)
				}
			}
		})
	}
}

// TestJournalKilledMidWrite cuts a real run's journal at every byte of its
// last chunk, as a kill -9 could, and resumes from each cut once.
func TestJournalKilledMidWrite(t *testing.T) {
	w := simtest.New(t, sim.Config{Seed: 41, Projects: 30})
	w.S.SetFaults(sim.Faults{BulkAddRefused: true})
	c := w.AdminClient(w.Fx.CompanyID, nil)
	user := w.Fx.ServiceUserID
	plan, err := addall.MakePlan(context.Background(), c, addall.Request{UserID: user})
	if err != nil {
		t.Fatal(err)
	}
	var journal bytes.Buffer
	if _, err := addall.Run(context.Background(), c, plan, addall.NewJournal(&journal, "run-k"), nil); err != nil {
		t.Fatal(err)
	}
	full := journal.Bytes()
	lines := bytes.Count(full, []byte("\n"))
	for cut := bytes.IndexByte(full, '\n') + 1; cut <= len(full); cut++ {
		_, confirmed, err := addall.ReadJournal(bytes.NewReader(full[:cut]))
		if err != nil {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		whole := bytes.Count(full[:cut], []byte("\n")) - 1 // less the header
		if cut < len(full) && full[cut-1] != '\n' && bytes.HasSuffix(full[:cut], []byte("}")) {
			whole++ // a complete last line without its newline
		}
		if len(confirmed) != whole {
			t.Fatalf("cut at %d: %d confirmed, want %d", cut, len(confirmed), whole)
		}
	}
	if lines != 1+len(plan.ToAdd) {
		t.Errorf("%d journal lines, want %d", lines, 1+len(plan.ToAdd))
	}
	// Appending a resumed run after a torn line keeps the journal readable.
	torn := append(bytes.Clone(full[:len(full)-7]), []byte{}...)
	buf := bytes.NewBuffer(torn)
	h, confirmed, err := addall.ReadJournal(bytes.NewReader(torn))
	if err != nil {
		t.Fatal(err)
	}
	plan2, err := addall.MakePlan(context.Background(), c, h.Request())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := addall.Run(context.Background(), c, plan2, addall.ResumeJournal(buf, h, confirmed), nil)
	// The project whose line was torn was added by Procore: the header's
	// plan says this run set out to add it, so it is reported as added.
	if err != nil || !rep.OK() || rep.Count(addall.OutcomeAdded) != len(plan.ToAdd) {
		t.Fatalf("resumed: %v, OK %v, %d added of %d", err, rep.OK(), rep.Count(addall.OutcomeAdded), len(plan.ToAdd))
	}
	onResume := 0
	for _, r := range rep.Results {
		if strings.Contains(r.Reason, "confirmed on resume") {
			onResume++
		}
	}
	if onResume != 1 {
		t.Errorf("%d projects confirmed on resume, want the torn one", onResume)
	}
	if _, all, err := addall.ReadJournal(buf); err != nil || len(all) != len(plan.ToAdd) {
		t.Fatalf("after the resume: %d projects, %v", len(all), err)
	}
}

func TestJournalWrongUser(t *testing.T) {
	w := simtest.New(t, sim.Config{Seed: 2, Projects: 10})
	c := w.AdminClient(w.Fx.CompanyID, nil)
	plan, err := addall.MakePlan(context.Background(), c, addall.Request{UserID: w.Fx.ServiceUserID})
	if err != nil {
		t.Fatal(err)
	}
	h := addall.JournalHeader{Run: "r", UserID: w.Fx.AdminUserID, CompanyID: w.Fx.CompanyID}
	_, err = addall.Run(context.Background(), c, plan, addall.ResumeJournal(&bytes.Buffer{}, h, nil), nil)
	if err == nil || !strings.Contains(err.Error(), "journal of run r is for user") {
		t.Fatalf("got %v", err)
	}
	if w.S.AddCount(w.Fx.ServiceUserID, w.S.ActiveProjectIDs()[0]) != 0 {
		t.Fatal("acted with the wrong journal")
	}
}

func TestNewRunID(t *testing.T) {
	at := time.Date(2026, 11, 23, 11, 15, 0, 0, time.FixedZone("CET", 3600))
	id := addall.NewRunID(at)
	if !regexp.MustCompile(`^20261123T101500Z-[0-9a-f]{4}$`).MatchString(id) {
		t.Fatalf("run ID %q", id)
	}
}

func TestAddAllEventFromClient(t *testing.T) {
	e := addall.EventFromClient(procore.Event{Kind: procore.EventRateWait, Wait: 3 * time.Second})
	if e.Kind != "wait" || e.Wait != 3*time.Second || !strings.Contains(e.Reason, "rate limit") || e.At.IsZero() {
		t.Errorf("%+v", e)
	}
	e = addall.EventFromClient(procore.Event{Kind: procore.EventRetry, Attempt: 2, Reason: "connection dropped"})
	if e.Kind != "retry" || !strings.Contains(e.Reason, "connection dropped") {
		t.Errorf("%+v", e)
	}
	if e := addall.EventFromClient(procore.Event{Kind: procore.EventRefresh}); e.Kind != "retry" || !strings.Contains(e.Reason, "renewing") {
		t.Errorf("%+v", e)
	}
	if e := addall.EventFromClient(procore.Event{Kind: procore.EventSlow, Wait: 30 * time.Second}); e.Kind != "wait" || e.Wait != 0 ||
		e.Reason != "Procore has not answered for 30 s; still trying, ctrl+c to stop" {
		t.Errorf("%+v", e)
	}
}

// TestLostRefreshAnswer: Procore's refresh tokens are single-use, so a
// refresh whose answer is lost after Procore rotated the token ends the
// sign-in. The run must stop saying so, report what it confirmed, and be
// resumable from its journal with a new sign-in, creating nothing twice.
func TestLostRefreshAnswer(t *testing.T) {
	w := simtest.New(t, sim.Config{Seed: 41, Projects: 40})
	user := w.Fx.ServiceUserID
	c := w.AdminClient(w.Fx.CompanyID, nil)
	w.S.SetFaults(sim.Faults{BulkAddRefused: true, DropAnswers: map[string]int{"POST /oauth/token": 1}})
	req := addall.Request{UserID: user, Template: w.Fx.TemplateName, NewProjects: true}
	plan, err := addall.MakePlan(context.Background(), c, req)
	if err != nil {
		t.Fatal(err)
	}
	var journal bytes.Buffer
	sent := 0
	emit := func(e addall.Event) {
		if e.Kind == "sent" {
			if sent++; sent == 10 {
				w.S.ExpireTokens()
			}
		}
	}
	rep1, err := addall.Run(context.Background(), c, plan, addall.NewJournal(&journal, "run-1"), emit)
	if err == nil && rep1.OK() {
		t.Fatal("the run went on after its sign-in was lost")
	}
	msg := rep1.NewProjectsReason
	if err != nil {
		msg = err.Error()
	}
	for _, r := range rep1.Results {
		msg += r.Reason
	}
	if !strings.Contains(msg, "Sign in again") {
		t.Errorf("the stop does not say to sign in again: %q (err %v, %d pending, new projects %q, %d results)", msg, err, len(rep1.Pending), rep1.NewProjectsReason, len(rep1.Results))
	}
	// What was sent cannot be read back without a sign-in: it stays
	// pending, for the resumed run's fresh plan to find.
	if rep1 == nil || len(rep1.Results)+len(rep1.Pending) != plan.Total() || len(rep1.Pending) == 0 {
		t.Fatalf("the report does not account for the plan: %+v", rep1)
	}
	header, confirmed, err := addall.ReadJournal(bytes.NewReader(journal.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	c2 := w.AdminClient(w.Fx.CompanyID, nil) // the person signs in again
	plan2, err := addall.MakePlan(context.Background(), c2, header.Request())
	if err != nil {
		t.Fatal(err)
	}
	rep2, err := addall.Run(context.Background(), c2, plan2, addall.ResumeJournal(&journal, header, confirmed), nil)
	if err != nil {
		t.Fatal(err)
	}
	checkMembers(t, w.S, user, 40)
	checkReport(t, w.S, rep2)
}

// TestPlanningSaysHowFarAlong: planning emits a "reading" event a page,
// with the list's size from Procore's Total header, and a "read" at the end.
func TestPlanningSaysHowFarAlong(t *testing.T) {
	w := simtest.New(t, sim.Config{Seed: 5, Projects: 700})
	c := w.AdminClient(w.Fx.CompanyID, nil)
	var got []addall.Event
	p, err := addall.MakePlanEmitting(context.Background(), c, addall.Request{UserID: w.Fx.ServiceUserID}, func(e addall.Event) { got = append(got, e) })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Fatalf("events %+v", got)
	}
	for i, e := range got[:3] {
		if e.Kind != "reading" || e.Pages != i+1 || e.PagesTotal != 3 || e.RowsTotal != 700 || e.Rows != min(700, 300*(i+1)) {
			t.Errorf("event %d: %+v", i, e)
		}
	}
	if last := got[3]; last.Kind != "read" || last.Rows != 700 || last.Pages != 3 || last.PagesTotal != 3 {
		t.Errorf("last %+v", last)
	}
	if p.Requests != 4 { // the user, and three pages
		t.Errorf("%d requests", p.Requests)
	}
}
