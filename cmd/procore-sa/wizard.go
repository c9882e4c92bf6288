package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/procore-sa/procore-sa/plain"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/state"
	"github.com/procore-sa/procore-sa/steps"
	"github.com/procore-sa/procore-sa/tui"
)

// runWizard runs the guided wizard, starting with guide id when it is given.
func (a *app) runWizard(ctx context.Context, id string) error {
	cat, err := a.catalog()
	if err != nil {
		return failed(err)
	}
	if id != "" {
		if _, ok := cat.Get(id); !ok {
			return usage(fmt.Errorf("unknown guide %q; see 'procore-sa guides'", id))
		}
	}
	store, err := a.stateStore()
	if err != nil {
		return failed(err)
	}
	target := ""
	env, err := a.target()
	if err != nil {
		return err
	}
	if a.demo {
		defer a.stopDemo()
		target = "simulator on " + strings.TrimPrefix(env.APIURL, "http://")
	}
	if a.plain {
		return a.runPlain(ctx, cat, id, store, env)
	}
	creds, memoryOnly := a.credStore(ctx)
	a.quiet = true
	defer func() { a.quiet = false }()
	m := tui.New(tui.Options{
		Verify:    a.verifier(),
		AddAll:    &wizardAddAll{a: a},
		Login:     &wizardLogin{a: a},
		Custody:   &custody{a: a, env: env, store: creds, state: store, memoryOnly: memoryOnly},
		Target:    target,
		Guides:    cat.List(),
		GuideID:   id,
		Store:     store,
		Now:       a.now,
		Demo:      a.demo,
		Presenter: a.presenter,
	})
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithInput(a.stdin), tea.WithOutput(a.stdout))
	_, err = p.Run()
	fmt.Fprint(a.stderr, a.leavingNotes(m))
	if err != nil {
		if errors.Is(err, tea.ErrInterrupted) || errors.Is(err, tea.ErrProgramKilled) || ctx.Err() != nil {
			return &exitError{code: exitInterrupted}
		}
		return failed(fmt.Errorf("run the wizard: %w", err))
	}
	return nil
}

// wizardEnd is what the wizard left behind: see tui.Model.
type wizardEnd interface {
	Outcome() tui.Outcome
	Walker() *steps.Walker
	HoldsWork() bool
	UnfinishedRun() string
}

// leavingNotes says, once the wizard has gone, how to take up what it left:
// the guide's saved place, and an add-all run that did not finish (stopped
// at a safe point, failed, or left running), whose journal resumes it.
func (a *app) leavingNotes(m wizardEnd) string {
	var b strings.Builder
	if run := m.UnfinishedRun(); run != "" {
		fmt.Fprintf(&b, "Add-all run %s did not finish; what was confirmed is journaled. Resume it with: procore-sa%s add-all --resume %s\n",
			run, a.targetArgs(), run)
	}
	if w := m.Walker(); m.Outcome() != tui.OutcomeFinished && w != nil && m.HoldsWork() {
		fmt.Fprintf(&b, "Progress saved at step %d of %d. Resume with: procore-sa%s %s\n",
			w.Index()+1, w.Len(), a.targetArgs(), w.Guide.ID)
	}
	return b.String()
}

// stateStore opens the state directory; the demo keeps its own, apart.
func (a *app) stateStore() (*state.Store, error) {
	dir, err := state.Dir()
	if err != nil {
		return nil, fmt.Errorf("find the state directory: %w", err)
	}
	s, err := state.Open(dir)
	if err != nil {
		return nil, err
	}
	if a.demo {
		return s.Sub("demo")
	}
	return s, nil
}

// runPlain walks a guide at a line prompt: the same engine, no full screen.
func (a *app) runPlain(ctx context.Context, cat *steps.Catalog, id string, store *state.Store, env procore.Environment) error {
	r := &plain.Runner{In: a.stdin, Out: a.stdout, Store: store, Now: a.now,
		AddAll: &wizardAddAll{a: a}, Verify: a.verifier()}
	a.plainCustody(ctx, r, store, env)
	g, ok := cat.Get(id)
	if !ok {
		var err error
		if g, err = r.Pick(cat.List()); err != nil {
			if errors.Is(err, plain.ErrQuit) {
				return nil
			}
			return failed(err)
		}
	}
	switch err := r.Run(ctx, g); {
	case err == nil, errors.Is(err, plain.ErrQuit):
		return nil
	case ctx.Err() != nil:
		return &exitError{code: exitInterrupted}
	default:
		return failed(err)
	}
}
