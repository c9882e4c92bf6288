// Package rotate is 'procore-sa rotate PROFILE': the guided rotation of an
// app's client secret, the new one proved before it replaces the old.
package rotate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/internal/iostreams"
	"github.com/procore-sa/procore-sa/plain"
	"github.com/procore-sa/procore-sa/steps"
	"github.com/procore-sa/procore-sa/tui"
)

// Options are the profile to rotate and how the wizard is drawn.
type Options struct {
	IO       *iostreams.IOStreams
	App      func() *app.App
	SetQuiet func(bool)
	Notices  *cmdutil.Notices
	Now      func() time.Time

	Profile   string
	Demo      bool
	Plain     bool
	Presenter bool
}

// NewCmdRotate is 'procore-sa rotate PROFILE'.
func NewCmdRotate(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, App: f.App, SetQuiet: f.SetQuiet, Notices: f.Notices, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "rotate PROFILE",
		Short: "Rotate a profile's client secret: the new one proved before the old one is replaced",
		Long: `Walk the rotation of an app's client secret (a DMSA's client credentials) on
the wizard's capture screen, full screen or --plain:

  1. What happens to the old secret: the Developer Portal's Reset Client
     Secret revokes it at once, with every access token made with it; the
     client ID stays the same.
  2. What to do in the Developer Portal to get the new one.
  3. The new secret, captured as the first one was (never shown), for the
     same client ID and company, proved with its own token.
  4. Only then does it replace the old one in PROFILE (read back); a new
     secret Procore refuses changes nothing stored.
  5. Procore read back with what is stored: a token, the company, projects.

Each step is a line of the audit log, and 'procore-sa status' shows the
profile's last rotation. Under --demo the simulator resets the secret
itself, and ctrl+o (or demo at the plain prompt) fills in the new one.

Exit 0 once the new secret is stored; 1 when the rotation did not finish
(PROFILE still holds the old secret); 2 for a profile that cannot be rotated
this way (a user's login and password, or an admin's sign-in).`,
		Example: `  procore-sa rotate admin-helper
  procore-sa rotate laborchart --plain
  procore-sa --demo rotate dmsa`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return cmdutil.Usage(errors.New("rotate takes one profile name; see 'procore-sa status'"))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Profile = args[0]
			opts.Demo, opts.Plain, opts.Presenter = f.Flags.Demo, f.Flags.Plain, f.Flags.Presenter
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	return cmd
}

// Run starts the rotation and walks its guide.
func Run(ctx context.Context, opts *Options) error {
	core := opts.App()
	defer core.Close()
	errOut := opts.IO.ErrOut
	r, err := core.StartRotation(ctx, opts.Profile)
	if err != nil {
		return err
	}
	if r.OldWorks {
		fmt.Fprintf(errOut, "procore-sa: profile %q: the stored secret works now (Procore issued a token with it); it stays stored until the new one is proved.\n", opts.Profile)
	} else {
		fmt.Fprintf(errOut, "procore-sa: profile %q: the stored secret is refused by Procore already (%v); it stays stored until a new one is proved.\n", opts.Profile, r.OldErr)
	}
	if opts.Demo {
		if err := r.DemoReset(); err != nil {
			return err
		}
		fmt.Fprintln(errOut, "procore-sa: demo: the simulator reset the secret as the Developer Portal does; the old one is revoked.")
	}
	g, err := r.Guide()
	if err != nil {
		return fmt.Errorf("make the rotation's steps: %w", err)
	}
	svc := app.Services{Keeper: r.Keeper(), Verify: core.Verify()}
	if opts.Plain {
		err = runPlain(ctx, opts, g, svc)
	} else {
		err = runScreen(ctx, opts, g, svc)
	}
	if r.Replaced() {
		fmt.Fprintf(opts.IO.Out, "Rotated: profile %q holds the new secret, proved and read back; the old one is removed.\n", opts.Profile)
		return err
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(errOut, "procore-sa: the rotation did not finish: profile %q still holds the old secret.\n", opts.Profile)
	return cmdutil.ErrSilent
}

func runScreen(ctx context.Context, opts *Options, g *steps.Guide, svc app.Services) error {
	opts.SetQuiet(true)
	defer opts.SetQuiet(false)
	m := tui.New(tui.Options{Services: svc, Guides: []*steps.Guide{g}, GuideID: g.ID, Now: opts.Now, Demo: opts.Demo, Presenter: opts.Presenter})
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithInput(opts.IO.In), tea.WithOutput(opts.IO.Out), tea.WithoutSignalHandler(),
		tea.WithColorProfile(opts.IO.ColorProfile()))
	sigs := cmdutil.SignalsOf(ctx)
	var taken atomic.Bool
	release := sigs.Take(func(sig os.Signal) bool {
		if taken.Swap(true) {
			return false
		}
		go p.Send(tui.StopMsg{Why: cmdutil.SignalName(sig)})
		return true
	})
	opts.Notices.Begin(func(msg string) { p.Send(tui.NoticeMsg{Text: msg}) })
	_, err := p.Run()
	opts.Notices.End(opts.IO.ErrOut)
	release()
	opts.SetQuiet(false)
	if sigs.First() != nil {
		return cmdutil.ErrCancel
	}
	if err != nil {
		if errors.Is(err, tea.ErrInterrupted) || errors.Is(err, tea.ErrProgramKilled) || ctx.Err() != nil {
			return cmdutil.ErrCancel
		}
		return fmt.Errorf("run the rotation: %w", err)
	}
	return nil
}

func runPlain(ctx context.Context, opts *Options, g *steps.Guide, svc app.Services) error {
	end := make(chan struct{})
	r := &plain.Runner{In: opts.IO.In, Out: opts.IO.Out, Now: opts.Now, End: end, Verify: svc.Verify, Custody: svc.Keeper}
	interrupted, ended := false, false
	sigs := cmdutil.SignalsOf(ctx)
	defer sigs.Take(func(sig os.Signal) bool {
		switch {
		case ended:
			return false
		case sig == syscall.SIGINT && !interrupted:
			interrupted = true
			return false
		}
		ended = true
		close(end)
		return true
	})()
	switch err := r.Run(ctx, g); {
	case errors.Is(err, plain.ErrEnded):
		return cmdutil.ErrCancel
	case err == nil, errors.Is(err, plain.ErrQuit):
		return nil
	case ctx.Err() != nil:
		return cmdutil.ErrCancel
	default:
		return err
	}
}
