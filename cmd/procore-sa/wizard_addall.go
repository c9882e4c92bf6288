package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/procore-sa/procore-sa/internal/addall"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/steps"
)

// wizardAddAll runs the wizard's add-all steps through the same engine as
// the add-all command, journaled the same way.
type wizardAddAll struct {
	a *app

	mu     sync.Mutex
	emit   func(addall.Event) // where the client's waits go during a run
	client *procore.Client
}

func (w *wizardAddAll) onEvent(e procore.Event) {
	w.mu.Lock()
	emit := w.emit
	w.mu.Unlock()
	if emit != nil {
		emit(addall.EventFromClient(e))
	}
}

// Plan adds the account the guide named by email (the walk's field with
// the account_email role), or else the credential's own user (a DMSA's
// service account).
func (w *wizardAddAll) Plan(ctx context.Context, values map[steps.Role]string) (*addall.Plan, string, error) {
	c, _, err := w.a.client(ctx, w.onEvent)
	if err != nil {
		var ee *exitError
		if errors.As(err, &ee) && ee.err != nil {
			err = ee.err
		}
		return nil, "", fmt.Errorf("no credential to add with: %w", err)
	}
	w.mu.Lock()
	w.client = c
	w.mu.Unlock()
	var id int64
	var who string
	if email := strings.TrimSpace(values[steps.RoleAccountEmail]); email != "" {
		if id, err = findUser(ctx, c, email); err != nil && w.a.demo {
			// The demo's simulator has never heard of the address typed:
			// create the user there, as the person did in the guide.
			u, cerr := c.CreateUser(ctx, procore.NewUser{FirstName: values[steps.RoleFirstName],
				LastName: orDefault(values[steps.RoleLastName], "Integration"), EmailAddress: email})
			if cerr != nil {
				return nil, "", cerr
			}
			id, err = u.ID, nil
		}
		if err != nil {
			return nil, "", err
		}
		who = fmt.Sprintf("for %s (user %d)", email, id)
	} else {
		me, err := c.Me(ctx)
		if err != nil {
			return nil, "", err
		}
		id, who = me.ID, fmt.Sprintf("for %s (user %d), the credential's own user", me.Login, me.ID)
	}
	plan, err := addall.MakePlan(ctx, c, addall.Request{UserID: id, NewProjects: true})
	if err != nil {
		return nil, "", err
	}
	return plan, who + fmt.Sprintf(" in company %d", c.CompanyID()), nil
}

func orDefault(s, d string) string {
	if strings.TrimSpace(s) == "" {
		return d
	}
	return s
}

// Run carries the plan out as a new run, journaled under a new name.
func (w *wizardAddAll) Run(ctx context.Context, plan *addall.Plan, emit func(addall.Event)) (*addall.Report, error) {
	return w.RunJournaled(ctx, addall.NewRunID(time.Now()), plan, emit)
}

// RunJournaled carries the plan out with run as its journal's name, which
// the wizard chose so that it can say how to resume however the run ends.
func (w *wizardAddAll) RunJournaled(ctx context.Context, run string, plan *addall.Plan, emit func(addall.Event)) (*addall.Report, error) {
	w.mu.Lock()
	c := w.client
	w.emit = emit
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		w.emit = nil
		w.mu.Unlock()
	}()
	st, err := w.a.stateStore()
	if err != nil {
		return nil, err
	}
	// The same lock and journal header as the add-all command's.
	u, err := c.User(ctx, plan.Request.UserID)
	if err != nil {
		return nil, fmt.Errorf("find user %d: %w", plan.Request.UserID, err)
	}
	lock, err := w.a.lockRun(st, c.CompanyID(), u.ID, run)
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	f, err := st.OpenAppend("runs/" + run + ".jsonl")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	j := addall.NewJournal(f, run)
	j.SetUser(*u)
	rep, err := addall.Run(ctx, c, plan, j, emit)
	if err != nil && ctx.Err() != nil {
		return rep, fmt.Errorf("stopped; resume with: procore-sa%s add-all --resume %s", w.a.targetArgs(), run)
	}
	return rep, err
}
