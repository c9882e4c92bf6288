package plain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/state"
	"github.com/procore-sa/procore-sa/steps"
)

// fakeAutomator plans with PlanAs and does with DoErr once, then Done.
type fakeAutomator struct {
	PlanAs     app.ActionPlan
	DoErr      error
	Done       steps.Outcome
	Plans, Dos int
}

func (f *fakeAutomator) Plan(context.Context, steps.Action, app.Using) (app.ActionPlan, error) {
	f.Plans++
	return f.PlanAs, nil
}

func (f *fakeAutomator) Do(context.Context, steps.Action, app.ActionPlan, app.Using) (steps.Outcome, error) {
	f.Dos++
	if err := f.DoErr; err != nil {
		f.DoErr = nil
		return steps.Outcome{}, err
	}
	return f.Done, nil
}

type fakeChecker struct {
	Step, Audited  []app.Requirement
	Checks, Audits int
}

func (f *fakeChecker) Check(context.Context, []steps.Check, app.Using) ([]app.Requirement, error) {
	f.Checks++
	return f.Step, nil
}

func (f *fakeChecker) Audit(context.Context, *steps.Guide, app.Using) ([]app.Requirement, error) {
	f.Audits++
	return f.Audited, nil
}

func autoGuide() *steps.Guide {
	return &steps.Guide{ID: "auto", Title: "Auto", AccountModel: steps.UserLogin, Steps: []steps.Step{
		{ID: "user", Kind: steps.KindInstruction, Title: "Create the user",
			Checklist: []string{"Add sync@example.com in the Company Directory"},
			Action:    &steps.Action{Name: "create_user"},
			Checks:    []steps.Check{{Name: "user_exists"}}},
		{ID: "perms", Kind: steps.KindInstruction, Title: "Set the permissions",
			Checklist: []string{"Set Documents to Admin"},
			Checks:    []steps.Check{{Name: "template_levels"}}},
		{ID: "audit", Kind: steps.KindAudit, Title: "Audit the setup"},
	}}
}

var (
	plainPlan       = app.ActionPlan{As: "morgan.reyes@example.com (user 14100001)", Changes: []string{"Create the user sync@example.com in the Company Directory"}}
	plainDone       = steps.Outcome{Kind: steps.OutcomeDone, Detail: "user 14100003 is in the Company Directory, active", UserID: 14100003}
	errPlainRefused = fmt.Errorf("create the user: %w", &procore.Error{Method: "POST", Path: "/rest/v1.0/companies/4/users", Status: 422, Message: "Email address is invalid"})
	holds           = []app.Requirement{{ID: "user/user_exists", Text: "Account user exists in the directory", OK: true, State: "user 14100003, active"}}
	twoBad          = []app.Requirement{
		{Text: "Account user exists in the directory", OK: true, State: "active"},
		{Text: "Sync template grants Admin on Documents", State: "Read Only", Fix: "Company Admin > Permission Templates > Sync: set Documents to Admin"},
		{Text: "Added to new projects", State: "off", Fix: "Company Directory > the user: tick Add to all new projects"},
		{Text: "The app is installed", Unknown: true, State: "403 reading /app_installations"},
	}
)

// runAuto walks autoGuide with input; it returns what was said and the
// session saved when the walk ended before finishing.
func runAuto(t *testing.T, a *fakeAutomator, c *fakeChecker, input string) (string, *steps.Session, error) {
	t.Helper()
	st, err := state.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	r := &Runner{In: strings.NewReader(input), Out: &out, Store: st,
		Now: func() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) }}
	if a != nil {
		r.Automate = a
	}
	if c != nil {
		r.Check = c
	}
	err = r.Run(context.Background(), autoGuide())
	s, lerr := st.LoadSession("auto")
	if lerr != nil {
		t.Fatal(lerr)
	}
	return out.String(), s, err
}

func wants(t *testing.T, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("output lacks %q:\n%s", w, got)
		}
	}
}

func TestPlainActionPlanDoOutcome(t *testing.T) {
	a := &fakeAutomator{PlanAs: plainPlan, Done: plainDone}
	c := &fakeChecker{Step: holds}
	// enter reads the plan, y does it, enter goes on after the checks; q
	// leaves at the next step.
	out, s, err := runAuto(t, a, c, "\ny\n\nq\n")
	if !errors.Is(err, ErrQuit) {
		t.Fatalf("%v\n%s", err, out)
	}
	wants(t, out, "procore-sa can do this step for you: it adds the account's user to the Company Directory",
		"  1. Read Procore and see what would change", "  2. Do it by (h)and", "  3. (S)kip this step",
		"The plan, as morgan.reyes@example.com (user 14100001), 1 change:",
		"  1. Create the user sync@example.com in the Company Directory",
		"Changing Procore as morgan.reyes@example.com (user 14100001)...",
		"Done: user 14100003 is in the Company Directory, active.",
		"  1. Holds: Account user exists in the directory.", "Procore says: user 14100003, active", "Summary: 1 of 1 hold.")
	if o := s.Outcomes["user"]; o.Kind != steps.OutcomeDone || o.UserID != 14100003 {
		t.Fatalf("outcome %+v", o)
	}
	if _, ok := s.Completed["user"]; !ok || s.Checked["user"][0] {
		t.Fatalf("completed %v, ticks %v: done by the tool, no box ticked", s.Completed, s.Checked["user"])
	}
	if strings.Contains(out, "Add sync@example.com in the Company Directory") {
		t.Fatalf("the checklist was asked of a step the tool did:\n%s", out)
	}
	if a.Plans != 1 || a.Dos != 1 {
		t.Fatalf("%d plans, %d changes", a.Plans, a.Dos)
	}
}

func TestPlainActionByHand(t *testing.T) {
	a := &fakeAutomator{PlanAs: plainPlan, Done: plainDone}
	// h chooses by hand, y ticks the item; q leaves at the next step.
	out, s, err := runAuto(t, a, nil, "h\ny\nq\n")
	if !errors.Is(err, ErrQuit) {
		t.Fatalf("%v\n%s", err, out)
	}
	wants(t, out, "Do it by hand in Procore's web pages", "[1/1] Add sync@example.com in the Company Directory")
	if o := s.Outcomes["user"]; o.Kind != steps.OutcomeByHand {
		t.Fatalf("outcome %+v", o)
	}
	if _, ok := s.Completed["user"]; !ok || a.Plans != 0 || a.Dos != 0 {
		t.Fatalf("completed %v, %d plans, %d changes", s.Completed, a.Plans, a.Dos)
	}
}

func TestPlainActionRefusedRecordsNothing(t *testing.T) {
	a := &fakeAutomator{PlanAs: plainPlan, DoErr: errPlainRefused, Done: plainDone}
	// enter reads the plan, y is refused, q leaves at the choice after it.
	out, s, err := runAuto(t, a, nil, "\ny\nq\n")
	if !errors.Is(err, ErrQuit) {
		t.Fatalf("%v\n%s", err, out)
	}
	wants(t, out, "Procore would not accept the change as sent", "422", "Email address is invalid",
		"Nothing was recorded: the step is still to do", "  1. (R)ead Procore again")
	if _, ok := s.Outcomes["user"]; ok || s.Step != 0 {
		t.Fatalf("a refusal was recorded: %+v at step %d", s.Outcomes, s.Step)
	}
	if _, ok := s.Completed["user"]; ok {
		t.Fatal("a refused step was completed")
	}
}

func TestPlainActionRefusedThenReadAgain(t *testing.T) {
	a := &fakeAutomator{PlanAs: plainPlan, DoErr: errPlainRefused, Done: plainDone}
	out, s, err := runAuto(t, a, nil, "\ny\nr\ny\nq\n")
	if !errors.Is(err, ErrQuit) {
		t.Fatalf("%v\n%s", err, out)
	}
	if o := s.Outcomes["user"]; o.Kind != steps.OutcomeDone || a.Plans != 2 || a.Dos != 2 {
		t.Fatalf("outcome %+v after %d plans, %d changes", o, a.Plans, a.Dos)
	}
}

func TestPlainActionSkipped(t *testing.T) {
	a := &fakeAutomator{PlanAs: plainPlan}
	out, s, err := runAuto(t, a, nil, "s\nq\n")
	if !errors.Is(err, ErrQuit) {
		t.Fatalf("%v\n%s", err, out)
	}
	wants(t, out, "Skipped: this step is not done.")
	if o := s.Outcomes["user"]; o.Kind != steps.OutcomeSkipped {
		t.Fatalf("outcome %+v", o)
	}
	if _, ok := s.Completed["user"]; ok || s.Step != 1 {
		t.Fatalf("a skipped step was completed, or the walk did not move on: step %d", s.Step)
	}
}

func TestPlainNothingToChange(t *testing.T) {
	a := &fakeAutomator{PlanAs: app.ActionPlan{As: "morgan", Nothing: true}, Done: plainDone}
	out, s, err := runAuto(t, a, nil, "\n\nq\n")
	if !errors.Is(err, ErrQuit) {
		t.Fatalf("%v\n%s", err, out)
	}
	wants(t, out, "The plan, as morgan: it is already so in Procore; there is nothing to change.", "  1. Record it as done")
	if o := s.Outcomes["user"]; o.Kind != steps.OutcomeDone || a.Dos != 1 {
		t.Fatalf("outcome %+v, %d changes", o, a.Dos)
	}
}

func TestPlainAskIsNotCarriedOut(t *testing.T) {
	a := &fakeAutomator{PlanAs: app.ActionPlan{Ask: "choose a project template"}}
	out, _, err := runAuto(t, a, nil, "\n\n\nq\n")
	if !errors.Is(err, ErrQuit) {
		t.Fatalf("%v\n%s", err, out)
	}
	wants(t, out, "A choice only you can make: choose a project template")
	if a.Dos != 0 || a.Plans != 3 {
		t.Fatalf("%d plans, %d changes", a.Plans, a.Dos)
	}
}

// TestPlainChecksAndAudit walks the whole guide: the checks of a step done
// by hand, then the audit, whose summary is the outcome of the last step.
func TestPlainChecksAndAudit(t *testing.T) {
	a := &fakeAutomator{PlanAs: plainPlan, Done: plainDone}
	c := &fakeChecker{Step: twoBad, Audited: twoBad}
	// user: plan, do, go on; perms: tick, read again once, go on; audit:
	// read again once, finish.
	out, s, err := runAuto(t, a, c, "\ny\n\ny\nr\n\nr\n\n")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	wants(t, out,
		"  2. Needs fixing: Sync template grants Admin on Documents.", "     Procore says: Read Only",
		"     To fix: Company Admin > Permission Templates > Sync: set Documents to Admin",
		"  4. Could not be read: The app is installed.", "     Why: 403 reading /app_installations",
		"Summary: 2 of 4 need fixing; 1 could not be read.",
		"Reading every check of this guide from Procore; nothing is changed...", "Every step is done.")
	if c.Checks != 3 || c.Audits != 2 {
		t.Fatalf("%d readings of checks, %d audits", c.Checks, c.Audits)
	}
	if s != nil {
		t.Fatal("a finished walk left its session")
	}
}

func TestPlainWithoutPortsIsAChecklist(t *testing.T) {
	out, s, err := runAuto(t, nil, nil, "y\nq\n")
	if !errors.Is(err, ErrQuit) {
		t.Fatalf("%v\n%s", err, out)
	}
	// The person ticked it: the engine records it as done by hand, never as
	// done by the tool.
	if strings.Contains(out, "procore-sa can do this step") || s.Outcomes["user"].Kind != steps.OutcomeByHand {
		t.Fatalf("without an automator the step was offered, or recorded as %q:\n%s", s.Outcomes["user"].Kind, out)
	}
	if _, ok := s.Completed["user"]; !ok {
		t.Fatal("the ticked checklist did not complete the step")
	}
}

func TestPlainSummary(t *testing.T) {
	if got := app.Summary(holds); got != "1 of 1 hold" {
		t.Errorf("summary = %q", got)
	}
	if got := app.Summary(twoBad[:3]); got != "2 of 3 need fixing" {
		t.Errorf("summary = %q", got)
	}
}

// TestPlainActionOnAForm: the form is asked first, then the action offered.
func TestPlainActionOnAForm(t *testing.T) {
	g := &steps.Guide{ID: "form", Title: "Form", AccountModel: steps.UserLogin, Steps: []steps.Step{
		{ID: "who", Kind: steps.KindForm, Title: "The account", Fields: []steps.Field{
			{ID: "email", Label: "Email", Type: steps.FieldEmail, Role: steps.RoleAccountEmail, Required: true}},
			Action: &steps.Action{Name: "create_user"}},
	}}
	a := &fakeAutomator{PlanAs: plainPlan, Done: plainDone}
	var out strings.Builder
	r := &Runner{In: strings.NewReader("sync@example.com\n\ny\n"), Out: &out, Automate: a}
	if err := r.Run(context.Background(), g); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	got := out.String()
	if i, j := strings.Index(got, "Type the Email (required)"), strings.Index(got, "procore-sa can do this step"); i < 0 || j < i {
		t.Fatalf("the action was not offered after the form:\n%s", got)
	}
	if a.Dos != 1 || strings.Count(got, "Type the Email (required)") != 1 {
		t.Fatalf("%d changes; the form asked %d times:\n%s", a.Dos, strings.Count(got, "Type the Email (required)"), got)
	}
}
