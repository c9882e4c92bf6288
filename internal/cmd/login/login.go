// Package login is 'procore-sa login': an admin's sign-in, its refresh
// token kept with the capture protocol's gate.
package login

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/iostreams"
	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/plain"
	"github.com/procore-sa/procore-sa/procore"
)

// Options are the sign-in's settings and what it talks through.
type Options struct {
	IO       *iostreams.IOStreams
	App      func() *app.App
	Say      func(string)
	Now      func() time.Time
	Getenv   func(string) string
	Demo     bool
	Profile  string
	ClientID string
}

// NewCmdLogin is 'procore-sa login'.
func NewCmdLogin(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, App: f.App, Say: f.Say, Getenv: os.Getenv}
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Sign in as an admin (authorization code, out-of-band) and keep the refresh token",
		Long: `Sign in as a Procore admin with an app's authorization code flow.

The sign-in page's address is printed as plain text (and opened in a browser
only on a local desktop session, never over SSH). Approve the app there, then
paste the code Procore shows. The refresh token goes to the keychain as an
admin_oauth profile and is replaced every time it is used.

If the keychain will not take it, the reason is shown and you may try the
keychain again, write it to a file encrypted with a passphrase (typed twice;
the file is 0600 and decrypts with 'age -d'), or discard it. It is never
written in plain text.

The app's client secret is read from PROCORE_CLIENT_SECRET or asked for; it
is never taken from a flag.`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Demo, opts.Profile, opts.Now = f.Flags.Demo, f.Flags.Profile, f.Clock()
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.ClientID, "client-id", "", "the app's client ID (or PROCORE_CLIENT_ID)")
	return cmd
}

// Run signs in and keeps the refresh token.
func Run(ctx context.Context, opts *Options) error {
	if err := credstore.ValidateProfile(opts.Profile); err != nil {
		return cmdutil.Usage(fmt.Errorf("--profile: %w", err))
	}
	core := opts.App()
	env, err := core.Target()
	if err != nil {
		return err
	}
	defer core.Close()
	out, errOut := opts.IO.Out, opts.IO.ErrOut
	in := cmdutil.Lines(opts.IO)
	si, err := core.SignIn()
	if err != nil {
		return err
	}
	// The app to sign in through: --client-id or PROCORE_CLIENT_ID, its
	// secret from PROCORE_CLIENT_SECRET or asked for; the demo's own.
	clientID := opts.ClientID
	var with *app.AdminApp
	if !opts.Demo {
		if clientID == "" {
			clientID = opts.Getenv("PROCORE_CLIENT_ID")
		}
		if clientID == "" {
			return cmdutil.Usage(errors.New("give the app's client ID with --client-id or PROCORE_CLIENT_ID"))
		}
		sec := secret.New(opts.Getenv("PROCORE_CLIENT_SECRET"))
		if !sec.IsZero() {
			fmt.Fprintln(errOut, "procore-sa: the client secret came from PROCORE_CLIENT_SECRET")
		} else if sec, err = in.Hidden("The app's client secret (not shown): "); err != nil {
			return fmt.Errorf("read the client secret: %w", err)
		}
		with = &app.AdminApp{ClientID: clientID, ClientSecret: sec}
	}
	pl := placement(ctx, opts, in, env, clientID)
	started, err := si.Start(ctx, with)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Open this address, sign in and approve the app:\n\n  %s\n\n", started.URL)
	code := started.Code
	if code != "" {
		fmt.Fprintln(out, "Demo: the simulator approved the sign-in.")
	} else {
		c, err := in.Hidden("Paste the code Procore shows (not shown): ")
		if err != nil || c.IsZero() {
			return errors.New("no code was pasted; run 'procore-sa login' again")
		}
		code = c.Reveal()
	}
	signed, err := si.Finish(ctx, code)
	if err != nil {
		return err
	}
	keeper, err := core.LoginKeeper(pl)
	if err != nil {
		return err
	}
	// Procore has issued the refresh token and will not show it again: it
	// is kept with the capture protocol's gate (the keychain, else an age
	// file, or a typed discard), as a one-time secret is.
	r := &plain.Runner{In: in.R, Out: errOut, Custody: keeper, Now: opts.Now}
	kept, err := r.Keep(ctx, signed.Cred, app.UnkeptSignIn, "The sign-in is not saved anywhere yet. If you leave now it is lost, and you will have to sign in again.")
	if err != nil {
		return fmt.Errorf("the refresh token was not kept (%v); run 'procore-sa login' again once the keychain works", err)
	}
	if kept.Exported != "" {
		core.Audit("login", pl.Profile, "admin_oauth kept in an age file, not the keychain")
		fmt.Fprintf(out, "Signed in as %s. The refresh token is in %s, encrypted with your passphrase, not the keychain (decrypt it with: age -d %s).\n",
			signed.Who, kept.Exported, kept.Exported)
		return nil
	}
	fmt.Fprintf(out, "Signed in as %s. The refresh token is in %s as profile %q.\n", signed.Who, keeper.Where(), kept.Saved.Profile)
	if note := kept.Saved.Note(); note != "" {
		fmt.Fprintf(out, "Note: %s.\n", note)
	}
	return nil
}

// placement is where a sign-in for the profile asked goes: the profile
// itself when it is free (empty, or an older sign-in through the same
// app); else, asked in a terminal, the name the person gives; else beside
// it (admin first when the profile is the default one), which is said
// before the sign-in starts.
func placement(ctx context.Context, opts *Options, in *cmdutil.LineReader, env procore.Environment, clientID string) credstore.Placement {
	core := opts.App()
	pl := app.LoginPlacement(opts.Profile)
	if opts.Demo && clientID == "" {
		if s, err := core.Sim(); err == nil {
			clientID = s.Fixtures().AdminClientID
		}
	}
	store, _ := core.Credentials(ctx)
	like := credstore.Credential{Kind: credstore.KindAdminOAuth, Environment: env.Name, ClientID: clientID}
	plan, err := store.Place(credstore.Interactive(ctx), pl, like, true)
	if err != nil || plan.Beside == "" {
		// Free, or the keychain cannot tell: the save says what it finds.
		return pl
	}
	if !opts.IO.IsStdinTTY() {
		opts.Say(fmt.Sprintf("profile %q holds %s, which is kept; the sign-in will be saved beside it as profile %q", plan.Beside, plan.Holds, plan.Profile))
		return pl
	}
	errOut := opts.IO.ErrOut
	for {
		fmt.Fprintf(errOut, "Profile %q holds %s, which a sign-in must not replace.\nSave the sign-in as profile %q instead (press enter), or type another name: ", plan.Beside, plan.Holds, plan.Profile)
		name, err := in.Line()
		if err != nil || name == "" {
			return credstore.Placement{Profile: plan.Profile, Beside: pl.Beside}
		}
		if err := credstore.ValidateProfile(name); err != nil {
			fmt.Fprintf(errOut, "  %v\n", err)
			continue
		}
		if name == plan.Beside {
			fmt.Fprintln(errOut, "  That is the profile that holds the other credential; choose another name.")
			continue
		}
		return app.LoginPlacement(name)
	}
}
