package main

import (
	"context"

	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/plain"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/state"
)

// The plain wizard takes the same keeper and the same sign-in as the
// full-screen one, so that it keeps the same promises.
var (
	_ credstore.Custodian = (*custody)(nil)
	_ plain.AdminLogin    = (*wizardLogin)(nil)
)

// plainCustody gives the plain runner the credential keeper of capture
// steps (and of a user login's password) and the admin's sign-in.
func (a *app) plainCustody(ctx context.Context, r *plain.Runner, store *state.Store, env procore.Environment) {
	creds, memoryOnly := a.credStore(ctx)
	r.Custody = &custody{a: a, env: env, store: creds, state: store, memoryOnly: memoryOnly}
	r.Login = &wizardLogin{a: a}
}
