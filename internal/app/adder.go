package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/procore-sa/procore-sa/internal/addall"
	"github.com/procore-sa/procore-sa/internal/automate"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/steps"
)

// adder is a wizard's add-all: the same engine, lock and journal as the
// add-all command. The admin acts: the directory is changed with the
// admin's own sign-in, never with the integration's credential.
type adder struct {
	a *App

	mu     sync.Mutex
	emit   func(addall.Event) // where the client's waits go during a run
	client *procore.Client
	user   procore.User
}

// AddAll is the run's add-all for wizards.
func (a *App) AddAll() AddAller { return &adder{a: a} }

func (w *adder) onEvent(e procore.Event) {
	w.mu.Lock()
	emit := w.emit
	w.mu.Unlock()
	if emit != nil {
		emit(addall.EventFromClient(e))
	}
}

// ErrNoAdmin: the walk has no admin's sign-in to act with.
var ErrNoAdmin = errors.New("add-all changes the company directory, which takes a company admin's own sign-in: sign in at the admin-login step (or with 'procore-sa login'), then try again")

// Plan reads what add-all will do for the walk's account: the user named
// by the guide's account_email field, or else the integration's own user
// (a DMSA's, found with its own token). It acts as the admin the walk
// signed in (or the stored admin profile).
func (w *adder) Plan(ctx context.Context, u Using) (*addall.Plan, string, error) {
	return w.PlanEmitting(ctx, u, nil)
}

// PlanEmitting is Plan telling emit what it has read and what it waits
// for (see PlanReporter).
func (w *adder) PlanEmitting(ctx context.Context, u Using, emit func(addall.Event)) (*addall.Plan, string, error) {
	if emit != nil {
		// The client's waits (a rate limit) go to emit while planning.
		w.mu.Lock()
		w.emit = emit
		w.mu.Unlock()
		defer func() {
			w.mu.Lock()
			w.emit = nil
			w.mu.Unlock()
		}()
	}
	c, err := w.adminClient(ctx, u)
	if err != nil {
		return nil, "", err
	}
	who, err := w.account(ctx, c, u)
	if err != nil {
		return nil, "", err
	}
	w.mu.Lock()
	w.client, w.user = c, *who
	w.mu.Unlock()
	plan, err := addall.MakePlanEmitting(ctx, c, addall.Request{UserID: who.ID, NewProjects: true}, emit)
	if err != nil {
		return nil, "", err
	}
	return plan, fmt.Sprintf("for %s (user %d) in company %d, acting as the admin's sign-in", who.EmailAddress, who.ID, c.CompanyID()), nil
}

// adminClient acts as the admin the walk signed in, else the stored
// admin's sign-in; with neither, as the credential the admin profile
// resolves to (the environment's client credentials, which act only where
// that identity is a Directory Admin, as the add-all command's do).
func (w *adder) adminClient(ctx context.Context, u Using) (*procore.Client, error) {
	c, err := w.a.AdminSignIn(ctx, u.Admin, w.onEvent)
	if err == nil {
		return c, nil
	}
	c, r, rerr := w.a.ClientFor(ctx, orDefault(u.Admin, AdminProfile), DemoNone, w.onEvent)
	if rerr != nil && r.Cred.Kind == "" {
		return nil, fmt.Errorf("%w (%v)", ErrNoAdmin, err)
	}
	return c, rerr
}

// account is the directory user the walk sets up: the one a step found or
// made; else the one with the account's email address; else the
// integration's own user, by its own /me; else, for an app whose
// credential is the vendor's, the one user Procore made for the app
// (admin-actions-...@procore.com).
func (w *adder) account(ctx context.Context, c *procore.Client, u Using) (*procore.User, error) {
	if u.UserID != 0 {
		user, err := c.User(ctx, u.UserID)
		if err != nil {
			return nil, fmt.Errorf("read user %d, found at an earlier step: %w", u.UserID, err)
		}
		return user, nil
	}
	if email := strings.TrimSpace(u.Values[steps.RoleAccountEmail]); email != "" {
		user, err := LookupUser(ctx, c, email)
		if err != nil && w.a.cfg.Demo {
			// The demo's simulator has never heard of the address typed:
			// create the user there, as the person did in the guide.
			// With the simulator's Global template as its default, as the
			// guide has the person choose one: add-all needs a template.
			req := procore.NewUser{FirstName: u.Values[steps.RoleFirstName],
				LastName: orDefault(u.Values[steps.RoleLastName], "Integration"), EmailAddress: email}
			if s, err := w.a.Sim(); err == nil {
				req.DefaultPermissionTemplateID = s.Fixtures().TemplateID
			}
			nu, cerr := c.CreateUser(ctx, req)
			if cerr != nil {
				return nil, cerr
			}
			return c.User(ctx, nu.ID)
		}
		return user, err
	}
	// The integration's own user: who its credential's token belongs to.
	ic, _, why := w.a.IntegrationClient(ctx, u.Integration)
	if ic == nil {
		return w.appUser(ctx, c, why)
	}
	me, err := ic.Me(ctx)
	if err != nil {
		return nil, fmt.Errorf("find the integration's user with its own credential: %w", err)
	}
	user, err := c.User(ctx, me.ID)
	if err != nil {
		return nil, fmt.Errorf("find the integration's user %d in the directory: %w", me.ID, err)
	}
	return user, nil
}

// DMSAUserPattern is the address Procore gives an installed app's user.
const DMSAUserPattern = "admin-actions-*@procore.com"

// appUser is the one directory user made for an installed app, found by
// its address, when the integration's own credential cannot say who it is.
func (w *adder) appUser(ctx context.Context, c *procore.Client, why string) (*procore.User, error) {
	found, err := automate.FindLike(ctx, c, DMSAUserPattern)
	if err != nil {
		return nil, err
	}
	switch len(found) {
	case 1:
		return &found[0], nil
	case 0:
		return nil, fmt.Errorf("find the integration's user: its own credential cannot say (%s), and the directory has no user like %s", why, DMSAUserPattern)
	}
	return nil, fmt.Errorf("find the integration's user: its own credential cannot say (%s), and %d directory users are like %s: give the account's email address", why, len(found), DMSAUserPattern)
}

func orDefault(s, d string) string {
	if strings.TrimSpace(s) == "" {
		return d
	}
	return s
}

// Run carries the plan out with run as its journal's name (the journal is
// carried on when the run stopped before), under the user's lock.
func (w *adder) Run(ctx context.Context, run string, plan *addall.Plan, emit func(addall.Event)) (*addall.Report, error) {
	w.mu.Lock()
	c, user := w.client, w.user
	w.emit = emit
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		w.emit = nil
		w.mu.Unlock()
	}()
	if c == nil {
		return nil, errors.New("add-all: plan before running")
	}
	lock, err := w.a.LockRun(c.CompanyID(), user.ID, run)
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	j, f, err := w.a.OpenJournal(run, user, c.CompanyID())
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return addall.Run(ctx, c, plan, j, emit)
}
