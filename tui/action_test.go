package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/walkthrough"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/steps"
)

// fakeAutomator plans and does actions from a script: Plan answers with
// PlanAs (or PlanErr), Do with DoErr once, then with Done.
type fakeAutomator struct {
	mu      sync.Mutex
	PlanAs  app.ActionPlan
	PlanErr error
	DoErr   error
	Done    steps.Outcome

	Plans, Dos int
	Did        []steps.Action
	// DoNews is what the client says while Do works (a rate-limit wait).
	DoNews *procore.Event
}

var _ app.Automator = (*fakeAutomator)(nil)

func (f *fakeAutomator) Plan(_ context.Context, a steps.Action, _ app.Using) (app.ActionPlan, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Plans++
	if err := f.PlanErr; err != nil {
		f.PlanErr = nil
		return app.ActionPlan{}, err
	}
	p := f.PlanAs
	p.Action = a.Name
	return p, nil
}

func (f *fakeAutomator) Do(_ context.Context, a steps.Action, _ app.ActionPlan, u app.Using) (steps.Outcome, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Dos++
	if f.DoNews != nil && u.Events != nil {
		u.Events(*f.DoNews)
	}
	if err := f.DoErr; err != nil {
		f.DoErr = nil
		return steps.Outcome{}, err
	}
	f.Did = append(f.Did, a)
	return f.Done, nil
}

// fresh is a new automator with f's script, for a run of its own.
func (f *fakeAutomator) fresh() *fakeAutomator {
	if f == nil {
		return nil
	}
	return &fakeAutomator{PlanAs: f.PlanAs, PlanErr: f.PlanErr, DoErr: f.DoErr, Done: f.Done}
}

func (f *fakeChecker) fresh() *fakeChecker {
	if f == nil {
		return nil
	}
	return &fakeChecker{Step: f.Step, StepErr: f.StepErr, Audited: f.Audited, AuditErr: f.AuditErr}
}

func (f *fakeAutomator) counts() (plans, dos int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.Plans, f.Dos
}

// fakeChecker answers every step's checks with Step (or StepErr) and the
// audit with Audited (or AuditErr).
type fakeChecker struct {
	mu       sync.Mutex
	Step     []app.Requirement
	StepErr  error
	Audited  []app.Requirement
	AuditErr error

	Checks, Audits int
}

var _ app.Checker = (*fakeChecker)(nil)

func (f *fakeChecker) Check(context.Context, []steps.Check, app.Using) ([]app.Requirement, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Checks++
	return f.Step, f.StepErr
}

func (f *fakeChecker) Audit(_ context.Context, g *steps.Guide, _ app.Using) ([]app.Requirement, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Audits++
	return f.Audited, f.AuditErr
}

func automationGuide() *steps.Guide {
	return &steps.Guide{ID: "auto", Title: "Automation fixture", AccountModel: steps.UserLogin, Steps: []steps.Step{
		{ID: "intro", Kind: steps.KindNotice, Title: "Before", Body: "Then the user."},
		{ID: "user", Kind: steps.KindInstruction, Title: "Create the user",
			Body:      "Add the sync user to the Company Directory.",
			Checklist: []string{"Open the Company Directory", "Add sync@example.com as a user"},
			Action:    &steps.Action{Name: "create_user", With: map[string]string{"email": "account_email"}},
			Checks:    []steps.Check{{Name: "user_exists"}}},
		{ID: "perms", Kind: steps.KindInstruction, Title: "Set the permissions",
			Body:      "Give the project template Admin on Documents.",
			Checklist: []string{"Set Documents to Admin on the Sync template"},
			Checks:    []steps.Check{{Name: "template_levels"}, {Name: "company_not_admin"}}},
		{ID: "audit", Kind: steps.KindAudit, Title: "Audit the setup", Body: "Everything this guide set up, read from Procore."},
	}}
}

var (
	createPlan = app.ActionPlan{As: "morgan.reyes@example.com (user 14100001)", Changes: []string{
		"Create the user sync@example.com (Sync Account) in the Company Directory",
		"Give it the company permission template Standard Employee",
	}}
	createdOutcome = steps.Outcome{Kind: steps.OutcomeDone, Detail: "user 14100003 (sync@example.com) is in the Company Directory, active", UserID: 14100003}
	errForbidden   = fmt.Errorf("create the user: %w", &procore.Error{Method: "POST", Path: "/rest/v1.0/companies/4/users", Status: 403, Message: "You do not have permission to perform this action"})

	stepReqs = []app.Requirement{
		{ID: "perms/template_levels", Step: "perms", Text: "The Sync template grants Admin on Documents", OK: false, State: "Documents: Read Only", Fix: "Company Admin > Permission Templates > Sync: set Documents to Admin"},
		{ID: "perms/company_not_admin", Step: "perms", Text: "The user's company template is not Company Admin", OK: true, State: "Standard Employee"},
	}
)

// longPlanOf is a plan that adds the user to n projects, one line each.
func longPlanOf(n int) app.ActionPlan {
	p := app.ActionPlan{As: createPlan.As}
	for i := range n {
		p.Changes = append(p.Changes, fmt.Sprintf("Add the user to project %d (Riverside Clinic phase %d)", 2700+i, i+1))
	}
	return p
}

// auditReqs is a guide's audit of twelve rows: n of them do not hold, and
// one could not be read when unknown is set.
func auditReqs(bad int, unknown bool) []app.Requirement {
	texts := []string{
		"Account user exists in the directory", "First and last name are Sync / Account",
		"Company template is Standard Employee", "Project template is Sync",
		"Company template is not Company Admin", "Sync template grants Admin on Documents",
		"Invitation sent", "Added to new projects", "On every active project",
		"The app is installed", "The integration's token sees the projects", "The credential works",
	}
	out := make([]app.Requirement, len(texts))
	for i, t := range texts {
		out[i] = app.Requirement{ID: fmt.Sprintf("s%d/c%d", i, i), Step: fmt.Sprintf("s%d", i), Text: t, OK: true, State: "as required"}
	}
	for i := range bad {
		r := &out[2+i*4]
		r.OK, r.State, r.Fix = false, "Company Admin", "Company Directory > the user > General: set Permission Template to Standard Employee"
	}
	if unknown {
		r := &out[9]
		r.OK, r.Unknown, r.State = false, true, "403 Forbidden reading /app_installations: the admin may not list installed apps"
	}
	return out
}

func autoDriver(t *testing.T, a *fakeAutomator, c *fakeChecker, w, h int) *driver {
	t.Helper()
	svc := app.Services{Sessions: openStore(t)}
	if a != nil {
		svc.Automate = a
	}
	if c != nil {
		svc.Check = c
	}
	d := newDriver(t, Options{Guides: []*steps.Guide{automationGuide()}, GuideID: "auto", Services: svc}, w, h)
	d.press("enter") // past the notice
	return d
}

// goTo moves the walk to the step with id, recording the steps before it as
// skipped, and draws that step's screen.
func (d *driver) goTo(id string) {
	d.t.Helper()
	w := d.m.Walker()
	for w.Current().ID != id {
		w.Record(w.Current().ID, steps.Outcome{Kind: steps.OutcomeSkipped})
		if err := w.Next(); err != nil {
			d.t.Fatal(err)
		}
	}
	d.m.screen = newScreen(d.m.sh, d.m.mainWidth())
}

func TestAutomationScreens(t *testing.T) {
	cases := []struct {
		name string
		a    *fakeAutomator
		c    *fakeChecker
		do   func(d *driver)
	}{
		{"offer", &fakeAutomator{PlanAs: createPlan}, nil, func(d *driver) {}},
		{"plan", &fakeAutomator{PlanAs: createPlan}, nil, func(d *driver) { d.press("enter") }},
		{"plan-long", &fakeAutomator{PlanAs: longPlanOf(14)}, nil, func(d *driver) { d.press("enter", "down", "down", "down", "down", "down", "down", "down", "down") }},
		{"plan-nothing", &fakeAutomator{PlanAs: app.ActionPlan{As: createPlan.As, Nothing: true}}, nil, func(d *driver) { d.press("enter") }},
		{"plan-ask", &fakeAutomator{PlanAs: app.ActionPlan{As: createPlan.As, Ask: "No project template named Sync exists, and none is known to give it: choose one in Company Admin > Permission Templates."}}, nil, func(d *driver) { d.press("enter") }},
		{"working", &fakeAutomator{PlanAs: createPlan, Done: createdOutcome}, nil, func(d *driver) { d.press("enter"); d.hold = true; d.press("y") }},
		{"outcome", &fakeAutomator{PlanAs: createPlan, Done: createdOutcome},
			&fakeChecker{Step: []app.Requirement{{ID: "user/user_exists", Text: "Account user exists in the directory", OK: true, State: "user 14100003, active"}}},
			func(d *driver) { d.press("enter", "enter") }},
		{"refusal", &fakeAutomator{PlanAs: createPlan, DoErr: errForbidden}, nil, func(d *driver) { d.press("enter", "enter") }},
		{"byhand", &fakeAutomator{PlanAs: createPlan}, nil, func(d *driver) { d.press("h") }},
		{"check", nil, &fakeChecker{Step: stepReqs}, func(d *driver) { d.goTo("perms"); d.press("r") }},
		{"check-unread", nil, &fakeChecker{StepErr: fmt.Errorf("read the templates: %w", &procore.Error{Method: "GET", Path: "/rest/v1.0/companies/4/permission_templates", Status: 403})}, func(d *driver) { d.goTo("perms"); d.press("r") }},
		{"audit-holds", nil, &fakeChecker{Audited: auditReqs(0, false)}, func(d *driver) { d.goTo("audit"); d.press("enter") }},
		{"audit-fails", nil, &fakeChecker{Audited: auditReqs(2, true)}, func(d *driver) { d.goTo("audit"); d.press("enter") }},
		{"audit-unread", nil, &fakeChecker{AuditErr: errors.New("the guide declares no checks, so there is nothing to read from Procore")}, func(d *driver) { d.goTo("audit"); d.press("enter") }},
		{"audit-scrolled", nil, &fakeChecker{Audited: auditReqs(2, true)}, func(d *driver) {
			d.goTo("audit")
			d.press("enter")
			for range 9 {
				d.press("down")
			}
		}},
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/%dx%d", c.name, size[0], size[1]), func(t *testing.T) {
				d := autoDriver(t, c.a.fresh(), c.c.fresh(), size[0], size[1])
				c.do(d)
				checkFits(t, d.text(), size[0], size[1])
				golden.RequireEqual(t, d.screen())
			})
		}
	}
}

// TestActionRecordsWhatProcoreReadsBack: the plan changes nothing; y does
// it; the outcome Procore read back is recorded and no box is ticked.
func TestActionRecordsWhatProcoreReadsBack(t *testing.T) {
	a := &fakeAutomator{PlanAs: createPlan, Done: createdOutcome}
	d := autoDriver(t, a, nil, 80, 24)
	d.contains("procore-sa can do this step for you", "h do it by hand", "s skip")
	d.press("enter")
	d.contains("The plan", "as morgan.reyes@example.com", "Create the user sync@example.com", "enter/y do it")
	if _, dos := a.counts(); dos != 0 {
		t.Fatal("the plan changed Procore")
	}
	if _, ok := d.m.Walker().Outcome("user"); ok {
		t.Fatal("an outcome was recorded before anything was done")
	}
	d.hold = true
	d.press("y")
	d.contains("Changing Procore as morgan.reyes@example.com")
	d.press("esc", "enter") // nothing is taken while Procore answers
	if plans, dos := a.counts(); plans != 1 || dos != 1 || d.m.Walker().Index() != 1 {
		t.Fatalf("%d plans, %d changes, at step %d", plans, dos, d.m.Walker().Index()+1)
	}
	d.hold = false
	d.release(func(tea.Msg) bool { return true })
	d.contains("✓ done: user 14100003 (sync@example.com) is in the Company Directory")
	w := d.m.Walker()
	if o, _ := w.Outcome("user"); o.Kind != steps.OutcomeDone || o.UserID != 14100003 {
		t.Fatalf("outcome %+v", o)
	}
	if w.Checked(0) || w.Checked(1) {
		t.Fatal("ticks were made up for a step the tool did")
	}
	d.press("enter")
	if w.Index() != 2 || !w.Done("user") {
		t.Fatalf("enter after the outcome did not go on: step %d", w.Index()+1)
	}
	// Back on it, the step says what was done and does not do it again.
	d.press("esc")
	d.contains("✓ done: user 14100003")
	if _, dos := a.counts(); dos != 1 {
		t.Fatal("coming back did it again")
	}
}

// TestActionRefusalRecordsNothing: a 403 is said in words, the step stays
// to do, and r reads again.
func TestActionRefusalRecordsNothing(t *testing.T) {
	a := &fakeAutomator{PlanAs: createPlan, DoErr: errForbidden, Done: createdOutcome}
	d := autoDriver(t, a, nil, 80, 24)
	d.press("enter", "enter")
	d.contains("✗ Procore refused: the signed-in admin may not make this change", "403", "Nothing was recorded")
	w := d.m.Walker()
	if _, ok := w.Outcome("user"); ok || w.Done("user") {
		t.Fatal("a refused change was recorded")
	}
	d.press("enter") // enter does not go on past a refusal
	if w.Index() != 1 {
		t.Fatal("went on past a refusal")
	}
	d.press("r")
	d.contains("The plan")
	d.press("enter")
	d.contains("✓ done:")
}

// TestActionPlanStates: a plan with nothing to change still records through
// Do; one that asks a choice is not carried out.
func TestActionPlanStates(t *testing.T) {
	a := &fakeAutomator{PlanAs: app.ActionPlan{Ask: "choose a project template"}, Done: createdOutcome}
	d := autoDriver(t, a, nil, 80, 24)
	d.press("enter")
	d.contains("A choice only you can make: choose a project template")
	d.press("enter", "y")
	if _, dos := a.counts(); dos != 0 {
		t.Fatal("a plan that asks was carried out")
	}
	a.mu.Lock()
	a.PlanAs = app.ActionPlan{Nothing: true}
	a.mu.Unlock()
	d.press("r")
	d.contains("Already so in Procore: nothing to change")
	d.press("enter")
	if _, dos := a.counts(); dos != 1 {
		t.Fatal("nothing-to-change was not recorded through Do")
	}
	d.contains("✓ done:")
}

// TestChecksReadAgain: r reads the step's checks from Procore; they show
// what holds and how to fix the rest, and change nothing in the walk.
func TestChecksReadAgain(t *testing.T) {
	c := &fakeChecker{Step: stepReqs}
	d := autoDriver(t, nil, c, 80, 24)
	d.goTo("perms")
	d.contains("procore-sa can read 2 checks of this step", "r read Procore")
	d.press("r")
	d.contains("✗ The Sync template grants Admin on Documents", "Procore says: Documents: Read Only",
		"To fix: Company Admin > Permission Templates", "✓ The user's company template is not Company Admin", "1 of 2 needs fixing")
	c.mu.Lock()
	c.Step = []app.Requirement{{Text: "The Sync template grants Admin on Documents", OK: true}, stepReqs[1]}
	c.mu.Unlock()
	d.press("r")
	d.contains("2 of 2 hold")
	w := d.m.Walker()
	if _, ok := w.Outcome("perms"); ok || w.Checked(0) {
		t.Fatal("reading the checks changed the walk")
	}
	d.press("enter")
	if w.Index() != 2 {
		t.Fatal("went on with the checklist unticked")
	}
	d.press("space", "enter")
	if w.Index() != 3 {
		t.Fatal("did not go on once ticked")
	}
}

// TestAuditIsTheOutcome: the audit's reading is recorded, with its summary,
// and enter finishes.
func TestAuditIsTheOutcome(t *testing.T) {
	c := &fakeChecker{Audited: auditReqs(2, false)}
	d := autoDriver(t, nil, c, 120, 40)
	d.goTo("audit")
	d.press("enter")
	d.contains("✗ 2 of 12 need fixing", "Requirement", "Procore says", "How to fix")
	o, _ := d.m.Walker().Outcome("audit")
	if o.Kind != steps.OutcomeDone || o.Detail != "audited in Procore: 2 of 12 need fixing" {
		t.Fatalf("outcome %+v", o)
	}
	d.press("r")
	if c.Audits != 2 {
		t.Fatalf("%d audits", c.Audits)
	}
	d.press("enter")
	if !d.m.Walker().Finished() {
		t.Fatal("enter on the audit did not finish")
	}
}

// TestNoAutomatorIsAChecklist: without the ports the steps are the
// checklists they always were.
func TestNoAutomatorIsAChecklist(t *testing.T) {
	d := autoDriver(t, nil, nil, 80, 24)
	if _, ok := d.m.screen.(*checklistScreen); !ok {
		t.Fatalf("the action step without an automator is a %T", d.m.screen)
	}
	d.goTo("audit")
	if _, ok := d.m.screen.(*checklistScreen); !ok {
		t.Fatalf("the audit without a checker is a %T", d.m.screen)
	}
}

func TestSummary(t *testing.T) {
	for _, c := range []struct {
		reqs []app.Requirement
		want string
	}{
		{auditReqs(0, false), "12 of 12 hold"},
		{auditReqs(2, false), "2 of 12 need fixing"},
		{auditReqs(1, false), "1 of 12 needs fixing"},
		{auditReqs(2, true), "2 of 12 need fixing; 1 could not be read"},
		{auditReqs(0, true), "11 of 12 hold; 1 could not be read"},
		{nil, "There is nothing to check"},
	} {
		if got := capital(app.Summary(c.reqs)); got != c.want {
			t.Errorf("summary = %q, want %q", got, c.want)
		}
	}
}

// autoFlow runs the fixture guide in a real program from its action step.
func autoFlow(t *testing.T, a *fakeAutomator, c *fakeChecker) (*teatest.TestModel, <-chan probeState, func(string) func(probeState) bool) {
	t.Helper()
	svc := app.Services{Sessions: openStore(t), Automate: a}
	if c != nil {
		svc.Check = c
	}
	at := make(chan probeState, 4096)
	m := probe{Model: New(Options{Guides: []*steps.Guide{automationGuide()}, GuideID: "auto", Now: fixedNow, Services: svc}), at: at}
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	shows := func(text string) func(probeState) bool {
		return func(p probeState) bool { return strings.Contains(p.view, text) }
	}
	waitFor(t, at, shows("Then the user."))
	tm.Send(keyPress("enter"))
	waitFor(t, at, shows("procore-sa can do this step for you"))
	return tm, at, shows
}

func finalWalker(t *testing.T, tm *teatest.TestModel, at <-chan probeState) *steps.Walker {
	t.Helper()
	tm.Send(keyPress("ctrl+c"))
	waitFor(t, at, func(p probeState) bool { return strings.Contains(p.view, "Leave the guide?") })
	tm.Send(keyPress("y"))
	return tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(probe).Walker()
}

func TestFlowActionPlanDoOutcome(t *testing.T) {
	a := &fakeAutomator{PlanAs: createPlan, Done: createdOutcome}
	c := &fakeChecker{Step: []app.Requirement{{Text: "Account user exists in the directory", OK: true, State: "user 14100003, active"}}}
	tm, at, shows := autoFlow(t, a, c)
	tm.Send(keyPress("enter"))
	waitFor(t, at, shows("Create the user sync@example.com"))
	tm.Send(keyPress("y"))
	waitFor(t, at, shows("✓ done: user 14100003"))
	waitFor(t, at, shows("1 of 1 hold"))
	tm.Send(keyPress("enter"))
	waitFor(t, at, func(p probeState) bool { return p.step == 2 })
	w := finalWalker(t, tm, at)
	if o, _ := w.Outcome("user"); o.Kind != steps.OutcomeDone || o.UserID != 14100003 || !w.Done("user") {
		t.Fatalf("outcome %+v, done %v", o, w.Done("user"))
	}
	if len(a.Did) != 1 || a.Did[0].Name != "create_user" {
		t.Fatalf("did %+v", a.Did)
	}
}

func TestFlowActionByHand(t *testing.T) {
	a := &fakeAutomator{PlanAs: createPlan, Done: createdOutcome}
	tm, at, shows := autoFlow(t, a, nil)
	tm.Send(keyPress("h"))
	waitFor(t, at, shows("Done by hand: tick each item"))
	tm.Send(keyPress("enter")) // not yet: nothing is ticked
	waitFor(t, at, shows("Not yet: 0 of 2 items ticked"))
	tm.Send(keyPress("space"))
	tm.Send(keyPress("down"))
	tm.Send(keyPress("space"))
	tm.Send(keyPress("enter"))
	waitFor(t, at, func(p probeState) bool { return p.step == 2 })
	w := finalWalker(t, tm, at)
	if o, _ := w.Outcome("user"); o.Kind != steps.OutcomeByHand || !w.Done("user") {
		t.Fatalf("outcome %+v, done %v", o, w.Done("user"))
	}
	if _, dos := a.counts(); dos != 0 {
		t.Fatal("by hand, the tool changed Procore")
	}
}

func TestFlowActionRefused(t *testing.T) {
	a := &fakeAutomator{PlanAs: createPlan, DoErr: errForbidden}
	tm, at, shows := autoFlow(t, a, nil)
	tm.Send(keyPress("enter"))
	waitFor(t, at, shows("Create the user sync@example.com"))
	tm.Send(keyPress("enter"))
	waitFor(t, at, shows("Nothing was recorded"))
	w := finalWalker(t, tm, at)
	if _, ok := w.Outcome("user"); ok || w.Done("user") || w.Index() != 1 {
		t.Fatalf("a refusal was recorded or moved the walk: at %d", w.Index()+1)
	}
}

func TestFlowActionSkipped(t *testing.T) {
	a := &fakeAutomator{PlanAs: createPlan}
	tm, at, _ := autoFlow(t, a, nil)
	tm.Send(keyPress("s"))
	waitFor(t, at, func(p probeState) bool { return p.step == 2 })
	w := finalWalker(t, tm, at)
	if o, _ := w.Outcome("user"); o.Kind != steps.OutcomeSkipped || w.Done("user") {
		t.Fatalf("outcome %+v, done %v", o, w.Done("user"))
	}
}

// TestFlowWalkthroughLive walks the fixture with the keys the walkthrough
// gives a wizard that does actions and the audit for real, as the terminal
// tests do under the demo.
func TestFlowWalkthroughLive(t *testing.T) {
	g := automationGuide()
	a := &fakeAutomator{PlanAs: createPlan, Done: createdOutcome}
	c := &fakeChecker{Step: stepReqs, Audited: auditReqs(0, false)}
	at := make(chan probeState, 4096)
	m := probe{Model: New(Options{Guides: []*steps.Guide{g}, GuideID: g.ID, Now: fixedNow, Services: app.Services{Sessions: openStore(t), Automate: a, Check: c}}), at: at}
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	waitFor(t, at, func(p probeState) bool { return p.phase == phaseStep })
	for _, st := range walkthrough.ScriptWith(g, walkthrough.Options{LiveActions: true, LiveAudit: true}) {
		for _, act := range st.Actions {
			switch {
			case act.Wait != "":
				waitFor(t, at, func(p probeState) bool { return strings.Contains(p.view, act.Wait) })
			case act.Text != "":
				tm.Type(act.Text)
			default:
				tm.Send(keyPress(act.Key))
			}
		}
		want := st.Index + 1
		waitFor(t, at, func(p probeState) bool {
			return p.step == want || (want == len(g.Steps) && p.phase >= phaseFinishing)
		})
	}
	waitFor(t, at, func(p probeState) bool { return p.phase == phaseDone })
	tm.Send(keyPress("enter"))
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(probe)
	if final.Outcome() != OutcomeFinished {
		t.Fatal("the guide did not finish")
	}
	w := final.Walker()
	if o, _ := w.Outcome("user"); o.Kind != steps.OutcomeDone {
		t.Fatalf("the action step's outcome is %+v", o)
	}
	if o, _ := w.Outcome("audit"); o.Detail != "audited in Procore: 12 of 12 hold" {
		t.Fatalf("the audit's outcome is %+v", o)
	}
}

// TestUnreadSaysWhyOnce: a reason that already says it could not be read
// is not said twice.
func TestUnreadSaysWhyOnce(t *testing.T) {
	for in, want := range map[string]string{
		"could not be read: the admin may not list apps": "the admin may not list apps",
		"Could not be read: 403":                         "403",
		"403 reading /app_installations":                 "403 reading /app_installations",
		"":                                               "no reason given",
	} {
		if got := unread(in); got != want {
			t.Errorf("unread(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestAuditUnreadCanBeSkipped: an audit that cannot be read does not hold
// the guide hostage; skipped, it is recorded so.
func TestAuditUnreadCanBeSkipped(t *testing.T) {
	c := &fakeChecker{AuditErr: errors.New("no admin's sign-in")}
	d := autoDriver(t, nil, c, 80, 24)
	d.goTo("audit")
	d.press("enter")
	d.contains("? The audit could not be read: no admin's sign-in", "s to finish without the audit")
	d.press("enter") // not a way out: it reads again
	if c.Audits != 2 || d.m.Walker().Finished() {
		t.Fatalf("%d audits, finished %v", c.Audits, d.m.Walker().Finished())
	}
	d.press("s")
	w := d.m.Walker()
	if o, _ := w.Outcome("audit"); o.Kind != steps.OutcomeSkipped || !w.Finished() || w.Done("audit") {
		t.Fatalf("outcome %+v, finished %v", o, w.Finished())
	}
}

// TestActionOnAForm: a form step's action takes what the form asks, so the
// form comes first and going on from it reads the plan; esc from the offer
// goes back to the form.
func TestActionOnAForm(t *testing.T) {
	g := &steps.Guide{ID: "form", Title: "Form fixture", AccountModel: steps.UserLogin, Steps: []steps.Step{
		{ID: "who", Kind: steps.KindForm, Title: "The account", Fields: []steps.Field{
			{ID: "email", Label: "Email", Type: steps.FieldEmail, Role: steps.RoleAccountEmail, Required: true}},
			Action: &steps.Action{Name: "create_user"}},
		{ID: "after", Kind: steps.KindNotice, Title: "After", Body: "Done."},
	}}
	a := &fakeAutomator{PlanAs: createPlan, Done: createdOutcome}
	d := newDriver(t, Options{Guides: []*steps.Guide{g}, GuideID: "form", Services: app.Services{Sessions: openStore(t), Automate: a}}, 80, 24)
	d.press("enter")
	if plans, _ := a.counts(); plans != 0 {
		t.Fatal("a plan was read for a form not filled in")
	}
	d.contains("✗ ") // the error beside the field; enter stays on it
	d.typ("sync@example.com").press("enter")
	d.contains("The plan", "Create the user sync@example.com")
	d.press("esc", "esc")
	d.contains("> sync@example.com")
	d.press("enter", "y")
	d.contains("✓ done: user 14100003")
	d.press("enter")
	if w := d.m.Walker(); w.Index() != 1 || w.Value("email") != "sync@example.com" {
		t.Fatalf("at step %d with %q", w.Index()+1, w.Value("email"))
	}
}

// TestQuitWhileChangingWaitsForTheAnswer: ctrl+c while Procore is being
// changed leaves once it answers, with what it did recorded.
func TestQuitWhileChangingWaitsForTheAnswer(t *testing.T) {
	a := &fakeAutomator{PlanAs: createPlan, Done: createdOutcome}
	d := autoDriver(t, a, nil, 80, 24)
	d.press("enter")
	d.hold = true
	d.press("y", "ctrl+c")
	d.contains("Leaving once Procore answers")
	if d.quits != 0 {
		t.Fatal("left before Procore answered")
	}
	d.hold = false
	d.release(func(tea.Msg) bool { return true })
	if d.quits != 1 {
		t.Fatalf("%d quits once Procore answered", d.quits)
	}
	if o, _ := d.m.Walker().Outcome("user"); o.Kind != steps.OutcomeDone {
		t.Fatalf("what Procore did was not recorded: %+v", o)
	}
}

// TestActionSaysWhyItWaits: a rate-limit wait while Procore is changed is
// said under the spinner, so a long step is not a silent one.
func TestActionSaysWhyItWaits(t *testing.T) {
	a := &fakeAutomator{PlanAs: createPlan, Done: createdOutcome,
		DoNews: &procore.Event{Kind: procore.EventRateWait, Wait: 8 * time.Second}}
	d := autoDriver(t, a, nil, 80, 24)
	d.press("enter")
	d.contains("The plan")
	d.hold = true
	d.press("y")
	d.release(func(m tea.Msg) bool { _, ok := m.(newsMsg); return ok })
	d.contains("Changing Procore as morgan.reyes@example.com", "Waiting 8 s for Procore's rate limit")
	d.hold = false
	d.release(func(tea.Msg) bool { return true })
	d.contains("✓ done: user 14100003")
	if strings.Contains(d.text(), "rate limit") {
		t.Error("the wait is still said once the step is done")
	}
}

// TestNewsAfterTheWorkIsDropped: a word after the work ended neither
// blocks nor panics, and the listener then ends.
func TestNewsAfterTheWorkIsDropped(t *testing.T) {
	n := newNews()
	n.send(procore.Event{Kind: procore.EventRateWait, Wait: time.Second})
	n.close()
	n.send(procore.Event{Kind: procore.EventRateWait, Wait: time.Second})
	n.close()
	if m, ok := n.listen("s", 1)().(newsMsg); !ok || m.text != "waiting 1 s for Procore's rate limit" {
		t.Fatalf("first word %+v", m)
	}
	if m := n.listen("s", 1)(); m != nil {
		t.Fatalf("after the end %+v", m)
	}
}
