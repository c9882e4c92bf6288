package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/procore-sa/procore-sa/procore"
)

// verifier proves the walk's integration credential with its own token.
type verifier struct{ a *App }

// Verify is the run's verifier for wizards.
func (a *App) Verify() Verifier { return verifier{a} }

// Verify proves the credential the walk captured (else the profile asked
// for; under --demo with nothing stored, the simulator's own app) with its
// own token: a user login's profile cannot be, so the admin's sign-in is
// checked instead and the facts say so.
func (v verifier) Verify(ctx context.Context, u Using) ([]string, error) {
	profile := orDefault(u.Integration, v.a.cfg.Profile)
	c, r, err := v.a.ClientFor(ctx, profile, DemoIntegration, nil)
	if err != nil {
		return nil, err
	}
	facts, err := VerifyFacts(ctx, c)
	if err != nil {
		return nil, err
	}
	if r.UserLogin != "" {
		facts = append(facts, fmt.Sprintf("Checked through the admin's sign-in, profile %q: the API cannot sign in with the user login in profile %q; check that one at Procore's login page.", r.Profile, r.UserLogin))
	}
	return facts, nil
}

// VerifyFacts proves a client works with its own token: who it is, its
// companies, the projects it may see and its own tool permissions.
func VerifyFacts(ctx context.Context, c *procore.Client) ([]string, error) {
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
	// What it may do, from its own permission manifest: a DMSA holds the
	// levels its app declared, never more.
	perms, err := c.CompanyPermissions(ctx)
	if err != nil {
		return nil, err
	}
	var levels []string
	for _, t := range perms.Tools {
		name := t.FriendlyName
		if name == "" {
			name = t.Name
		}
		levels = append(levels, procore.Printable(name)+" "+procore.Printable(t.UserAccessLevel.Name))
	}
	held := "none"
	if len(levels) > 0 {
		held = strings.Join(levels, ", ")
	}
	facts = append(facts, fmt.Sprintf("%d active projects are visible to it; its own company tool permissions: %s.", n, held))
	return facts, nil
}
