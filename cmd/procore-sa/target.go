package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/procore/sim"
)

// userAgent names the program and its version on every request.
func userAgent() string {
	return "procore-sa/" + version + " (+https://github.com/procore-sa/procore-sa)"
}

// target is where Procore is for this run: the environment of --env with
// any URL overrides, or under --demo a simulator started in-process on a
// free loopback port, so that nothing leaves the machine.
func (a *app) target() (procore.Environment, error) {
	if a.demo {
		if a.apiURL != "" || a.loginURL != "" {
			return procore.Environment{}, usage(errors.New("--demo runs against its own simulator; leave out --api-url and --login-url"))
		}
		r, err := a.demoSim()
		if err != nil {
			return procore.Environment{}, failed(err)
		}
		return r.Environment(), nil
	}
	env, err := procore.EnvironmentNamed(a.env)
	if err != nil {
		return env, usage(err)
	}
	env, err = env.Override(a.apiURL, a.loginURL)
	if err != nil {
		return env, usage(err)
	}
	return env, nil
}

// demoSim starts the demo's simulator once per process, with Procore's
// documented default limits.
func (a *app) demoSim() (*runningSim, error) {
	if a.sim != nil {
		return a.sim, nil
	}
	r, err := startSim("127.0.0.1:0", sim.Config{Seed: 1}, sim.Faults{})
	if err != nil {
		return nil, err
	}
	a.sim = r
	if a.company == 0 {
		a.company = r.Fixtures().CompanyID
	}
	return r, nil
}

// stopDemo stops the demo's simulator, if one was started.
func (a *app) stopDemo() {
	if a.sim != nil {
		a.sim.stop()
		a.sim = nil
	}
}

// verifier proves the profile's credential (under --demo, the one the
// capture step saved, else the simulator's own): the calls verify makes.
func (a *app) verifier() func(ctx context.Context) ([]string, error) {
	return func(ctx context.Context) ([]string, error) {
		c, _, err := a.client(ctx, nil)
		if err != nil {
			var ee *exitError
			if errors.As(err, &ee) && ee.err != nil {
				err = ee.err
			}
			return nil, err
		}
		return verifyFacts(ctx, c)
	}
}

// verifyFacts proves a client works: who it is, its companies, and the
// projects it may see.
func verifyFacts(ctx context.Context, c *procore.Client) ([]string, error) {
	me, err := c.Me(ctx)
	if err != nil {
		return nil, err
	}
	facts := []string{fmt.Sprintf("The token works: signed in as %s (user %d).", me.Login, me.ID)}
	companies, err := procore.Collect(c.Companies(ctx))
	if err != nil {
		return nil, err
	}
	found := false
	for _, co := range companies {
		if co.ID == c.CompanyID() {
			found = true
			facts = append(facts, fmt.Sprintf("Company %d (%s) is reachable.", co.ID, co.Name))
		}
	}
	if !found {
		return nil, fmt.Errorf("company %d is not among the %d companies this credential can reach: check the company ID, and that the app is installed there", c.CompanyID(), len(companies))
	}
	n := 0
	for _, err := range c.Projects(ctx, procore.ProjectFilter{}) {
		if err != nil {
			return nil, err
		}
		n++
	}
	facts = append(facts, fmt.Sprintf("%d active projects are visible to it.", n))
	return facts, nil
}
