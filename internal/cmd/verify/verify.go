// Package verify is 'procore-sa verify': a stored credential proved with
// its own token.
package verify

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/procore"
)

// Options are the credential verify proves and where it reports.
type Options struct {
	Out     io.Writer
	App     func() *app.App
	Profile string
	// Say tells the person, on stderr, what the check waits for.
	Say func(string)
}

// NewCmdVerify is 'procore-sa verify'.
func NewCmdVerify(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Out: f.IOStreams.Out, App: f.App, Say: f.Say}
	return &cobra.Command{
		Use:   "verify",
		Short: "Prove a stored credential works: token, companies, permitted projects",
		Long: `Prove that a stored credential works with its own token: get a token
with it, read who it is, find the company among those it reaches, and count
the projects it sees. Exit 0 when every check passes, 1 when one fails (a
credential refused).

A user_login profile (a user's login and password, from seeds 000 and 001)
cannot be checked this way: the API does not sign in with a password.
procore-sa works for such a user through a company admin's sign-in, the
'admin' profile ('procore-sa login --profile admin'), so verify checks that
sign-in instead, says so, and ends with a line saying that the user's own
login was not verified; it exits 0 when the admin's sign-in passes, and 1
when there is no usable admin sign-in. Check the user's password by signing
in at Procore's login page.

The credential is used in the environment it was made in. --api-url and
--login-url send it elsewhere; --env naming another environment is refused.`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Profile = f.Flags.Profile
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
}

// Run proves the profile's credential and prints each fact it learnt.
func Run(ctx context.Context, opts *Options) error {
	core := opts.App()
	defer core.Close()
	c, r, err := core.ClientFor(ctx, opts.Profile, app.DemoIntegration, opts.sayWaits)
	if err != nil {
		return err
	}
	if r.UserLogin != "" {
		fmt.Fprintf(opts.Out, "note  profile %q holds the login of a user (%s) and its password, which the API cannot sign in with.\n", r.UserLogin, r.UserLoginCred.Login)
		fmt.Fprintf(opts.Out, "note  Checking the admin's sign-in instead, profile %q, which procore-sa uses to act for that user:\n", r.Profile)
	}
	facts, err := app.VerifyFacts(ctx, c)
	if err != nil {
		if r.UserLogin != "" {
			return fmt.Errorf("the admin's sign-in (profile %q) failed: %w", r.Profile, err)
		}
		return err
	}
	for _, f := range facts {
		fmt.Fprintln(opts.Out, "ok  "+f)
	}
	if r.UserLogin != "" {
		fmt.Fprintf(opts.Out, "not verified: profile %q itself (the login of %s); the checks above are of the admin's sign-in, profile %q. Check that login at Procore's login page.\n",
			r.UserLogin, r.UserLoginCred.Login, r.Profile)
	}
	return nil
}

// sayWaits says what the check waits for: Procore slow to answer, a retry,
// the rate limit. Nothing else would show during a wait that may last
// minutes.
func (opts *Options) sayWaits(e procore.Event) {
	if opts.Say == nil {
		return
	}
	switch e.Kind {
	case procore.EventSlow, procore.EventRetry, procore.EventRateWait:
		opts.Say(e.String())
	}
}
