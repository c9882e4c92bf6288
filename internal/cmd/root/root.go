// Package root is the command tree: the root command (the wizard) with its
// global flags, every command added to it, its help and completion, and the
// one place where an error becomes an exit code.
package root

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/procore-sa/procore-sa/internal/cmd/addall"
	"github.com/procore-sa/procore-sa/internal/cmd/check"
	"github.com/procore-sa/procore-sa/internal/cmd/completion"
	"github.com/procore-sa/procore-sa/internal/cmd/doctor"
	"github.com/procore-sa/procore-sa/internal/cmd/guides"
	"github.com/procore-sa/procore-sa/internal/cmd/help"
	"github.com/procore-sa/procore-sa/internal/cmd/login"
	"github.com/procore-sa/procore-sa/internal/cmd/password"
	"github.com/procore-sa/procore-sa/internal/cmd/rotate"
	"github.com/procore-sa/procore-sa/internal/cmd/secret"
	"github.com/procore-sa/procore-sa/internal/cmd/sim"
	"github.com/procore-sa/procore-sa/internal/cmd/status"
	"github.com/procore-sa/procore-sa/internal/cmd/verify"
	"github.com/procore-sa/procore-sa/internal/cmd/version"
	"github.com/procore-sa/procore-sa/internal/cmd/wizard"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/procore"
)

// NewCmdRoot is the whole command tree over f.
func NewCmdRoot(f *cmdutil.Factory) *cobra.Command { return newCmdRoot(f, nil) }

// newCmdRoot is the tree; started, when set, is told that a command began
// its own work (its flags and arguments were accepted), which the exit
// mapping reads.
func newCmdRoot(f *cmdutil.Factory, started *bool) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "procore-sa [GUIDE]",
		Short: "Set up the account an integration uses to reach Procore",
		Long: `procore-sa walks a Procore company admin through setting up the account an
integration uses to reach Procore, step by step, and keeps the one-time
credentials it produces safe.

Run it with no arguments to pick a guide, or name one (see 'procore-sa guides').
Start with --demo: it runs against a built-in simulator and nothing leaves the machine.`,
		Args:          cobra.MaximumNArgs(1),
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			// --env production looks like the default; a credential made
			// elsewhere is refused only when --env was given.
			f.Flags.EnvGiven = cmd.Flags().Changed("env")
			if err := checkFlags(&f.Flags); err != nil {
				return err
			}
			f.Start()
			if started != nil {
				*started = true
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			id := ""
			if len(args) == 1 {
				id = args[0]
			}
			return wizard.Run(cmd.Context(), wizard.NewOptions(f, id))
		},
	}
	fl := cmd.PersistentFlags()
	g := &f.Flags
	fl.BoolVar(&g.Demo, "demo", false, "run against a built-in Procore simulator on loopback; nothing leaves the machine")
	fl.StringVar(&g.Env, "env", "production", "Procore environment: production, sandbox or monthly")
	fl.StringVar(&g.APIURL, "api-url", "", "override the API base URL (https unless loopback)")
	fl.StringVar(&g.LoginURL, "login-url", "", "override the login (OAuth) base URL (https unless loopback)")
	fl.Int64Var(&g.Company, "company", 0, "Procore company ID")
	fl.StringVar(&g.Profile, "profile", "default", "credential profile name")
	fl.BoolVar(&g.Plain, "plain", false, "plain line output, no full-screen UI (also on with ACCESSIBLE set or TERM=dumb)")
	fl.BoolVar(&g.Presenter, "presenter", false, "presenter mode for a shared screen: larger margins, nothing secret drawn")
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return cmdutil.Usage(err) })

	cmd.AddCommand(
		version.NewCmdVersion(f, nil),
		guides.NewCmdGuides(f, nil),
		password.NewCmdPassword(f),
		sim.NewCmdSim(f, nil),
		login.NewCmdLogin(f, nil),
		verify.NewCmdVerify(f, nil),
		secret.NewCmdSecret(f),
		rotate.NewCmdRotate(f, nil),
		status.NewCmdStatus(f, nil),
		doctor.NewCmdDoctor(f, nil),
		addall.NewCmdAddAll(f, nil),
		check.NewCmdCheck(f, nil),
	)
	help.SetUp(cmd, f)       // internal/cmd/help
	completion.SetUp(cmd, f) // internal/cmd/completion
	return cmd
}

// checkFlags validates the global flags before any command runs.
func checkFlags(g *cmdutil.GlobalFlags) error {
	if _, err := procore.EnvironmentNamed(g.Env); err != nil {
		return cmdutil.Usage(fmt.Errorf("--env: %w", err))
	}
	for name, v := range map[string]string{"--api-url": g.APIURL, "--login-url": g.LoginURL} {
		if v == "" {
			continue
		}
		if err := procore.CheckBaseURL(v); err != nil {
			return cmdutil.Usage(fmt.Errorf("%s: %w", name, err))
		}
	}
	if g.Company < 0 {
		return cmdutil.Usage(fmt.Errorf("--company %d: a company ID is a positive number", g.Company))
	}
	if os.Getenv("ACCESSIBLE") != "" || os.Getenv("TERM") == "dumb" {
		g.Plain = true
	}
	return nil
}
