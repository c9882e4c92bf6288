package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/procore-sa/procore-sa/internal/automate"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/steps"
)

// AdminSignIn is a client acting as the company admin's own sign-in: the
// walk's (profile), else the run's --profile when that holds one
// ('procore-sa login' saves there when it is free), else the admin
// profile. The environment's client credentials are never taken for it:
// they are an integration's. Under --demo, with none stored, the
// simulator's admin is signed in for this run.
func (a *App) AdminSignIn(ctx context.Context, profile string, onEvent func(procore.Event)) (*procore.Client, error) {
	demo := func(cause error) (*procore.Client, error) {
		if !a.cfg.Demo {
			return nil, cause
		}
		r, err := a.demoIdentity(ctx, DemoAdmin)
		if err != nil {
			return nil, err
		}
		return a.Client(ctx, r, onEvent)
	}
	if profile == "" && a.cfg.Demo {
		// A sign-in stored by an earlier demo run names a simulator that
		// has gone.
		return demo(nil)
	}
	store, _ := a.Credentials(ctx)
	interactive := !a.cfg.Demo
	if interactive {
		ctx = credstore.Interactive(ctx)
	}
	tried := []string{profile}
	if profile == "" {
		// The profile the run names, when it is a sign-in, wins over the
		// usual place.
		tried = []string{a.cfg.Profile}
		if a.cfg.Profile != AdminProfile {
			tried = append(tried, AdminProfile)
		}
	}
	var why []string
	for _, p := range tried {
		cred, err := store.Load(ctx, p, interactive)
		switch {
		case err != nil:
			why = append(why, fmt.Sprintf("profile %q: %v", p, err))
			continue
		case cred.Kind != credstore.KindAdminOAuth:
			why = append(why, fmt.Sprintf("profile %q holds a %s, not an admin's sign-in", p, cred.Kind))
			continue
		}
		a.Audit("read", p, "the admin's sign-in, for use")
		return a.Client(ctx, Resolved{Cred: cred, Profile: p}, onEvent)
	}
	return demo(fmt.Errorf("no admin's sign-in (%s): sign in with 'procore-sa login --profile %s'", strings.Join(why, "; "), AdminProfile))
}

// IntegrationClient is the integration's own credential, to prove it with
// its own token: the walk's capture (profile), else the run's --profile or
// the environment's; under --demo with none stored, the simulator's DMSA.
// A user's login and password, or an admin's sign-in, is not one: then
// the client is nil and why says so.
func (a *App) IntegrationClient(ctx context.Context, profile string) (c *procore.Client, clientID, why string) {
	return a.integrationClient(ctx, profile, nil)
}

// integrationClient is IntegrationClient telling onEvent (when not nil)
// of the client's waits and retries.
func (a *App) integrationClient(ctx context.Context, profile string, onEvent func(procore.Event)) (c *procore.Client, clientID, why string) {
	profile = orDefault(profile, a.cfg.Profile)
	r, err := a.Resolve(ctx, profile, DemoIntegration)
	switch {
	case err != nil:
		return nil, "", err.Error()
	case r.UserLogin != "":
		return nil, "", fmt.Sprintf("profile %q holds the login and password of a user (%s), which the API cannot sign in with", r.UserLogin, procore.Printable(r.UserLoginCred.Login))
	case r.Cred.Kind != credstore.KindClientCredentials:
		return nil, "", fmt.Sprintf("profile %q holds a %s, not the integration's client credentials", profile, r.Cred.Kind)
	}
	c, err = a.Client(ctx, r, onEvent)
	if err != nil {
		return nil, "", err.Error()
	}
	return c, r.Cred.ClientID, ""
}

// automateEnv is whom a step's action or check acts as and is about.
func (a *App) automateEnv(ctx context.Context, u Using) *automate.Env {
	e := &automate.Env{Values: u.Values, UserID: u.UserID, Projects: u.Projects, ChooseHow: u.ChooseHow}
	if e.Values == nil {
		e.Values = map[steps.Role]string{}
	}
	if u.Guide != nil && u.Guide.AccountModel == steps.DMSA {
		e.AccountLike = DMSAUserPattern
	}
	admin, err := a.AdminSignIn(ctx, u.Admin, u.Events)
	if err != nil {
		e.AdminWhy = err.Error()
	} else {
		e.Admin = admin
	}
	e.Integration, e.IntegrationClientID, e.IntegrationWhy = a.integrationClient(ctx, u.Integration, u.Events)
	return e
}

type automator struct{ a *App }

// Automate is the run's automator: each action of a guide, with the
// admin's sign-in.
func (a *App) Automate() Automator { return automator{a} }

func (m automator) Plan(ctx context.Context, act steps.Action, u Using) (ActionPlan, error) {
	p, err := automate.PlanAction(ctx, act, m.a.automateEnv(ctx, u))
	if err != nil {
		return ActionPlan{}, err
	}
	return ActionPlan{Action: p.Action, As: p.As, Changes: p.Changes, Nothing: p.Nothing, Ask: p.Ask, ChooseProjects: p.ChooseProjects}, nil
}

func (m automator) Do(ctx context.Context, act steps.Action, p ActionPlan, u Using) (steps.Outcome, error) {
	e := m.a.automateEnv(ctx, u)
	d, err := automate.Do(ctx, act, automate.Plan{Action: p.Action, As: p.As, Changes: p.Changes, Nothing: p.Nothing, Ask: p.Ask, ChooseProjects: p.ChooseProjects}, e)
	if err != nil {
		return steps.Outcome{}, err
	}
	who := p.As
	if who == "" {
		who, _ = e.As(ctx)
	}
	m.a.Audit(act.Name, u.Admin, d.Detail)
	detail := d.Detail
	if who != "" {
		detail += "; as " + who
	}
	return steps.Outcome{Kind: steps.OutcomeDone, Detail: detail, UserID: d.UserID}, nil
}

type checker struct{ a *App }

// Check is the run's checker: what Procore holds for a guide's checks.
func (a *App) Check() Checker { return checker{a} }

func (k checker) Check(ctx context.Context, checks []steps.Check, u Using) ([]Requirement, error) {
	return requirements(automate.Checks(ctx, stepOf(u.Guide, checks), checks, k.a.automateEnv(ctx, u))), nil
}

// stepOf is the id of the step of g that declares checks ("" when none
// does).
func stepOf(g *steps.Guide, checks []steps.Check) string {
	if g == nil {
		return ""
	}
	same := func(a, b steps.Check) bool { return a.Name == b.Name && a.Pos == b.Pos }
	for _, st := range g.Steps {
		if len(st.Checks) == len(checks) && len(checks) > 0 && slices.EqualFunc([]steps.Check(st.Checks), checks, same) {
			return st.ID
		}
	}
	return ""
}

// ErrNothingToCheck: the guide declares no check, so an audit proves
// nothing.
var ErrNothingToCheck = errors.New("the guide declares no checks, so there is nothing to read from Procore")

func (k checker) Audit(ctx context.Context, g *steps.Guide, u Using) ([]Requirement, error) {
	if len(g.AllChecks()) == 0 {
		return nil, ErrNothingToCheck
	}
	all := g.ChecksApplying(u.Answers)
	e := k.a.automateEnv(ctx, u)
	findAccount(ctx, g, e)
	var out []Requirement
	for i := 0; i < len(all); {
		j := i
		var cs []steps.Check
		for ; j < len(all) && all[j].Step == all[i].Step; j++ {
			cs = append(cs, all[j].Check)
		}
		out = append(out, requirements(automate.Checks(ctx, all[i].Step, cs, e))...)
		i = j
	}
	return out, nil
}

// findAccount runs the guide's find_user action, which only reads, when
// nothing else says who the account is: an audit outside a walk knows no
// user ID and no typed email address. What it cannot find, the checks say.
func findAccount(ctx context.Context, g *steps.Guide, e *automate.Env) {
	if e.UserID != 0 || e.Values[steps.RoleAccountEmail] != "" {
		return
	}
	for _, st := range g.Steps {
		if st.Action != nil && st.Action.Name == steps.ActionFindUser {
			_, _ = automate.PlanAction(ctx, *st.Action, e)
			return
		}
	}
}

func requirements(rs []automate.Requirement) []Requirement {
	out := make([]Requirement, len(rs))
	for i, r := range rs {
		out[i] = Requirement{ID: r.ID, Step: r.Step, Text: r.Text, OK: r.OK, Unknown: r.Unknown, State: r.State, Fix: r.Fix}
	}
	return out
}
