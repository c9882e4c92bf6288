// Package apptest holds fakes of the application layer's ports, the one
// set both wizards' tests walk guides with.
package apptest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/procore-sa/procore-sa/internal/addall"
	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/steps"
)

// Keeper keeps credentials in a list. The first FailSaves saves fail with
// SaveErr (all of them while FailSaves is negative); the next Prove fails
// with ProveErr.
type Keeper struct {
	mu        sync.Mutex
	FailSaves int
	SaveErr   error
	ProveErr  error
	// Beside, when set, is where saves go: the profile asked for holds
	// another credential.
	Beside string
	// Demo, when set, is the credential DemoCredential offers.
	Demo *credstore.Credential

	Proved, Saves int
	Kept          []credstore.Credential
	Exported      map[string]secret.Value
}

var _ app.Keeper = (*Keeper)(nil)

func (k *Keeper) Prove(context.Context, credstore.Credential) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.Proved++
	err := k.ProveErr
	k.ProveErr = nil
	return err
}

func (k *Keeper) Save(_ context.Context, c credstore.Credential) (credstore.Saved, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.Saves++
	if k.FailSaves != 0 {
		if k.FailSaves > 0 {
			k.FailSaves--
		}
		return credstore.Saved{}, k.SaveErr
	}
	k.Kept = append(k.Kept, c)
	if k.Beside != "" {
		return credstore.Saved{Profile: k.Beside, Beside: "default", Holds: "a user_login credential (login sync@example.com)"}, nil
	}
	return credstore.Saved{Profile: "default"}, nil
}

func (k *Keeper) Export(_ context.Context, path string, pass secret.Value, _ credstore.Credential) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.Exported == nil {
		k.Exported = map[string]secret.Value{}
	}
	k.Exported[path] = pass
	return nil
}

// FailAlways makes every save fail with err (none when err is nil).
func (k *Keeper) FailAlways(err error) *Keeper {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.FailSaves, k.SaveErr = 0, err
	if err != nil {
		k.FailSaves = -1
	}
	return k
}

// Heal makes saves succeed from now on.
func (k *Keeper) Heal() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.FailSaves = 0
}

// Snapshot is what was kept and exported so far.
func (k *Keeper) Snapshot() (kept []credstore.Credential, exported map[string]secret.Value) {
	k.mu.Lock()
	defer k.mu.Unlock()
	exported = make(map[string]secret.Value, len(k.Exported))
	for p, v := range k.Exported {
		exported[p] = v
	}
	return append([]credstore.Credential(nil), k.Kept...), exported
}

func (k *Keeper) Where() string             { return "the keychain (test), service procore-sa" }
func (k *Keeper) DefaultExportPath() string { return "/home/admin/procore-sa-default.age" }
func (k *Keeper) Environment() string       { return "production" }

func (k *Keeper) DemoCredential() (credstore.Credential, bool) {
	if k.Demo == nil {
		return credstore.Credential{}, false
	}
	return *k.Demo, true
}

// SignIn signs in as Who, handing back a sign-in with a fixed refresh
// token. Code, when set, is approved without a browser (as the demo is).
// The next Start or Finish fails with StartErr or FinishErr.
type SignIn struct {
	mu                  sync.Mutex
	NoApp               bool
	Code                string
	StartErr, FinishErr error
	Who                 string
	Got                 []string // the codes Finish was given
	With                []*app.AdminApp
}

var _ app.SignIn = (*SignIn)(nil)

// URL is the address Start gives.
const URL = "https://login.procore.com/oauth/authorize?client_id=app-1&redirect_uri=urn%3Aietf%3Awg%3Aoauth%3A2.0%3Aoob&response_type=code&state=9"

func (s *SignIn) HasApp() bool { return !s.NoApp }

func (s *SignIn) Start(_ context.Context, with *app.AdminApp) (app.Started, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.With = append(s.With, with)
	if err := s.StartErr; err != nil {
		s.StartErr = nil
		return app.Started{}, err
	}
	return app.Started{URL: URL, Code: s.Code}, nil
}

func (s *SignIn) Finish(_ context.Context, code string) (app.SignedIn, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Got = append(s.Got, code)
	if err := s.FinishErr; err != nil {
		s.FinishErr = nil
		return app.SignedIn{}, err
	}
	who := s.Who
	if who == "" {
		who = "morgan.reyes@example.com (user 14100001)"
	}
	return app.SignedIn{Who: who, Cred: credstore.Credential{Version: 1, Kind: credstore.KindAdminOAuth, Environment: "production",
		ClientID: "app-1", ClientSecret: secret.New("app-secret-XYZ"), RefreshToken: secret.New("refresh-XYZ")}}, nil
}

// Verify answers each check with the next of Answers (the last again once
// they run out): nil is a pass.
type Verify struct {
	mu      sync.Mutex
	Answers []error
	Calls   int
	Used    []app.Using
}

var _ app.Verifier = (*Verify)(nil)

// Facts are what a passed check found.
var Facts = []string{"Signed in as sync@example.com (user 7)", "Company 42: Example Builders", "250 projects visible"}

func (v *Verify) Verify(_ context.Context, u app.Using) ([]string, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.Used = append(v.Used, u)
	var err error
	if len(v.Answers) > 0 {
		err = v.Answers[min(v.Calls, len(v.Answers)-1)]
	}
	v.Calls++
	if err != nil {
		return nil, err
	}
	return Facts, nil
}

// AddAll plans three projects to add and one already a member, and runs by
// emitting Events and reporting Results.
type AddAll struct {
	mu      sync.Mutex
	PlanErr error
	Events  []addall.Event
	Results []addall.ProjectResult
	Plans   int
	Runs    []string // the journal names it was given
	Used    []app.Using
	// Stopped, when set, ends every run as stopped early: the projects
	// without a result are pending, and the error says so.
	Stopped bool
	// Started, when set, is closed as a run begins; the run then waits for
	// its context to end and for Release to close, as a run stopping at
	// its next safe point does.
	Started, Release chan struct{}
}

var _ app.AddAller = (*AddAll)(nil)

// ThePlan is the plan AddAll makes.
func ThePlan() *addall.Plan {
	return &addall.Plan{
		Request: addall.Request{UserID: 7, NewProjects: true},
		ToAdd:   []addall.ProjectRef{{ID: 1, Name: "Riverside Clinic"}, {ID: 2, Name: "Harbor Tower"}, {ID: 3, Name: "Summit School"}},
		Already: []addall.ProjectRef{{ID: 4, Name: "Bayfront"}}, Inactive: 2,
		TemplateName: "Integration Service Account",
	}
}

func (f *AddAll) Plan(_ context.Context, u app.Using) (*addall.Plan, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Plans++
	f.Used = append(f.Used, u)
	if f.PlanErr != nil {
		return nil, "", f.PlanErr
	}
	return ThePlan(), "for sync@example.com (user 7) in company 42", nil
}

func (f *AddAll) Run(ctx context.Context, run string, plan *addall.Plan, emit func(addall.Event)) (*addall.Report, error) {
	f.mu.Lock()
	f.Runs = append(f.Runs, run)
	events, results, started, release, stopped := f.Events, f.Results, f.Started, f.Release, f.Stopped
	f.mu.Unlock()
	for _, e := range events {
		emit(e)
	}
	if started != nil {
		close(started)
		<-ctx.Done()
		<-release
	}
	rep := ReportOf(results)
	if stopped || ctx.Err() != nil {
		rep.Pending = plan.ToAdd[min(len(results), len(plan.ToAdd)):]
		return rep, fmt.Errorf("stopped: %w", context.Canceled)
	}
	return rep, nil
}

// ReportOf builds a report through the engine's own type.
func ReportOf(rs []addall.ProjectResult) *addall.Report {
	return &addall.Report{Results: rs, NewProjectsSet: true, Requests: 4, Elapsed: 1200 * time.Millisecond}
}

// Automate plans each action as ThePlanOf says and does it as the outcome
// says: PlanErr and DoErr, when set, are the answers instead.
type Automate struct {
	mu             sync.Mutex
	PlanErr, DoErr error
	// Nothing and Ask, when set, go into every plan.
	Nothing bool
	Ask     string
	Planned []string // the actions planned, in order
	Done    []string // the actions done, in order
	Used    []app.Using
}

var _ app.Automator = (*Automate)(nil)

// ThePlanOf is the plan Automate makes for an action.
func ThePlanOf(name string) app.ActionPlan {
	return app.ActionPlan{Action: name, As: "morgan.reyes@example.com (user 14100001)",
		Changes: []string{"turn on \"Add Sync Robot to all new projects\" for sync@example.com (user 7)"}}
}

func (f *Automate) Plan(_ context.Context, a steps.Action, u app.Using) (app.ActionPlan, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Planned = append(f.Planned, a.Name)
	f.Used = append(f.Used, u)
	if f.PlanErr != nil {
		return app.ActionPlan{}, f.PlanErr
	}
	p := ThePlanOf(a.Name)
	p.Nothing, p.Ask = f.Nothing, f.Ask
	return p, nil
}

func (f *Automate) Do(_ context.Context, a steps.Action, p app.ActionPlan, u app.Using) (steps.Outcome, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Used = append(f.Used, u)
	if p.Ask != "" {
		return steps.Outcome{}, fmt.Errorf("%s: not done, a choice is open: %s", a.Name, p.Ask)
	}
	if f.DoErr != nil {
		return steps.Outcome{}, f.DoErr
	}
	f.Done = append(f.Done, a.Name)
	return steps.Outcome{Kind: steps.OutcomeDone, Detail: "Procore now adds sync@example.com (user 7) to every new project; as " + p.As, UserID: 7}, nil
}

// Check answers every check from Answers by check name (a check not there
// holds); Err, when set, is the answer instead.
type Check struct {
	mu      sync.Mutex
	Answers map[string]app.Requirement
	Err     error
	Calls   int
}

var _ app.Checker = (*Check)(nil)

func (f *Check) Check(_ context.Context, checks []steps.Check, u app.Using) ([]app.Requirement, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Calls++
	if f.Err != nil {
		return nil, f.Err
	}
	step := ""
	if u.Guide != nil {
		for _, st := range u.Guide.Steps {
			if len(st.Checks) > 0 && len(checks) > 0 && st.Checks[0].Name == checks[0].Name && st.Checks[0].Pos == checks[0].Pos {
				step = st.ID
				break
			}
		}
	}
	out := make([]app.Requirement, 0, len(checks))
	for _, c := range checks {
		r, ok := f.Answers[c.Name]
		if !ok {
			r = app.Requirement{Text: c.Name, OK: true, State: "as the guide asks"}
		}
		r.ID, r.Step = step+"/"+c.Name, step
		out = append(out, r)
	}
	return out, nil
}

func (f *Check) Audit(ctx context.Context, g *steps.Guide, u app.Using) ([]app.Requirement, error) {
	var out []app.Requirement
	u.Guide = g
	for _, st := range g.Steps {
		if len(st.Checks) == 0 {
			continue
		}
		rs, err := f.Check(ctx, st.Checks, u)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	return out, nil
}
