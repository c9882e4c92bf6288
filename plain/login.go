package plain

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/procore-sa/procore-sa/steps"
)

// AdminLogin signs the admin in with the authorization code and the
// out-of-band redirect, and keeps the refresh token; the method set of
// tui.AdminLogin, so that one sign-in serves both wizards.
type AdminLogin interface {
	// Start returns the sign-in page's address; code is set when the
	// sign-in was approved without a browser (the demo's simulator).
	Start(ctx context.Context) (url, code string, err error)
	// Finish trades the pasted code for tokens and keeps the refresh
	// token; it returns who signed in and where the token is.
	Finish(ctx context.Context, code string) (string, error)
}

// adminLogin prints the sign-in address as plain text on a line of its
// own, reads the pasted code (not echoed on a terminal) and has the refresh
// token kept. It returns done=false when the person chooses to do the step
// by hand.
func (r *Runner) adminLogin(ctx context.Context, w *steps.Walker) (bool, error) {
	ans, err := r.ask("Sign in to Procore with your own admin account now (y), or do this step by hand (h)? [Y/h] ")
	if err != nil {
		return false, err
	}
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(ans)), "h") {
		return false, nil
	}
	r.printf("procore-sa keeps only a refresh token, in your keychain.\n")
	for {
		who, err := r.signIn(ctx)
		if err == nil {
			r.printf("%s\n", who)
			w.TickAll()
			return true, nil
		}
		if errors.Is(err, errBack) || errors.Is(err, ErrQuit) {
			return false, err
		}
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		r.printf("The sign-in failed: %v\n", err)
		ans, err := r.ask("Try again (t), or do it by hand in Procore (h)? ")
		if err != nil {
			return false, err
		}
		if strings.HasPrefix(strings.TrimSpace(ans), "h") {
			return false, nil
		}
	}
}

// signIn runs one sign-in. b and q at the code prompt leave as anywhere:
// nothing is held yet that Procore cannot issue again.
func (r *Runner) signIn(ctx context.Context) (string, error) {
	startCtx, cancel := context.WithTimeout(ctx, time.Minute)
	url, code, err := r.Login.Start(startCtx)
	cancel()
	if err != nil {
		return "", err
	}
	r.printf("Open this address, sign in as a company admin and approve the app:\n\n%s\n\n", url)
	for code == "" {
		c, err := r.secret("Then paste the code Procore shows (not shown): ")
		if err != nil {
			return "", err
		}
		code = strings.TrimSpace(c)
	}
	r.printf("Talking to Procore...\n")
	finishCtx, cancel := context.WithTimeout(ctx, custodyTimeout)
	defer cancel()
	return r.Login.Finish(finishCtx, code)
}
