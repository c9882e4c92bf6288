package plain

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/steps"
)

// heldSignIn is a sign-in Procore issued, held until it is kept: a code
// is single use, so it cannot be had again without signing in again.
var heldSignIn = held{app.UnkeptSignIn, "The sign-in is not saved anywhere yet. If you leave now it is lost, and you will have to sign in again."}

// heldAppSecret is the admin app's secret, held until the sign-in keeps it.
var heldAppSecret = held{"the app's client secret you typed", "The app's client secret is not saved anywhere yet: it is kept with your sign-in once you finish it. If you leave now it is lost, and you will have to generate a new one in the Developer Portal."}

// adminLogin signs the admin in (app.SignIn): it prints the sign-in
// address as plain text on a line of its own, reads the pasted code (not
// echoed on a terminal) and records where the sign-in was kept. Without an
// app of the admin's own, it says what to set up and asks for its client
// ID and secret first. It returns done=false when the person chooses to do
// the step by hand.
func (r *Runner) adminLogin(ctx context.Context, w *steps.Walker) (bool, error) {
	if !r.Login.HasApp() {
		r.printf("To sign in, procore-sa needs an app of your own in Procore's Developer Portal (developers.procore.com): create an app, add the redirect URI urn:ietf:wg:oauth:2.0:oob to it, and copy its client ID and client secret. The secret is kept in your keychain with your sign-in, never in a file.\n")
	}
	ans, err := r.ask("Sign in to Procore with your own admin account now? Press enter to sign in, or type h to do this step by hand. ")
	if err != nil {
		return false, err
	}
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(ans)), "h") {
		return false, nil
	}
	var with *app.AdminApp
	if !r.Login.HasApp() {
		if with, err = r.adminApp(ctx); err != nil {
			return false, err
		}
		stop := r.hold(ctx, heldAppSecret)
		defer stop()
	}
	r.printf("procore-sa keeps only a refresh token, in your keychain.\n")
	for {
		in, err := r.signIn(ctx, with)
		if err == nil {
			r.printf("Signed in as %s.\n", in.Who)
			kept, err := r.keep(ctx, in.Cred, heldSignIn)
			if err != nil {
				return false, err
			}
			w.Record(w.Current().ID, app.SignInOutcome(in.Who, kept))
			return true, nil
		}
		if errors.Is(err, errBack) || errors.Is(err, ErrQuit) {
			return false, err
		}
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		r.printf("The sign-in failed. ")
		r.problem(err)
		ans, err := r.ask("Type t to try again, or h to do it by hand in Procore. ")
		if err != nil {
			return false, err
		}
		if strings.HasPrefix(strings.TrimSpace(ans), "h") {
			return false, nil
		}
	}
}

// adminApp asks for the admin app's client ID and secret, checked by the
// capture protocol's rules.
func (r *Runner) adminApp(ctx context.Context) (*app.AdminApp, error) {
	var id string
	for {
		a, err := r.ask("The app's client ID: ")
		if err != nil {
			return nil, err
		}
		if err := app.CheckClientID(strings.TrimSpace(a)); err != nil {
			r.printf("  Client ID: %v\n", err)
			continue
		}
		id = strings.TrimSpace(a)
		break
	}
	for {
		s, err := r.secret("The app's client secret (not shown): ")
		if err != nil {
			return nil, err
		}
		if err := app.CheckClientSecret(strings.TrimSpace(s)); err != nil {
			r.printf("  Client secret: %v\n", err)
			continue
		}
		return &app.AdminApp{ClientID: id, ClientSecret: secret.New(strings.TrimSpace(s))}, nil
	}
}

// signIn runs one sign-in. b and q at the code prompt leave as anywhere:
// nothing is held yet that Procore cannot issue again (the app's secret,
// when typed here, is held by adminLogin).
func (r *Runner) signIn(ctx context.Context, with *app.AdminApp) (app.SignedIn, error) {
	startCtx, cancel := context.WithTimeout(ctx, time.Minute)
	started, err := r.Login.Start(startCtx, with)
	cancel()
	if err != nil {
		return app.SignedIn{}, err
	}
	r.printf("Open this address, sign in as a company admin and approve the app:\n\n%s\n\n", started.URL)
	code := started.Code
	for code == "" {
		c, err := r.secret("Then paste the code Procore shows (not shown): ")
		if err != nil {
			return app.SignedIn{}, err
		}
		code = strings.TrimSpace(c)
	}
	r.printf("Talking to Procore...\n")
	finishCtx, cancel := context.WithTimeout(ctx, app.SaveTimeout)
	defer cancel()
	return r.Login.Finish(finishCtx, code)
}
