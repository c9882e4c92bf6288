package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/state"
	"github.com/procore-sa/procore-sa/steps"
)

// Exit codes, as the product documents them.
const (
	exitOK          = 0
	exitFailed      = 1 // the job failed: a rule not met, a project not added, a credential refused
	exitUsage       = 2
	exitInterrupted = 130
)

// exitError carries an exit code out of a command. A nil err prints nothing
// (the command has already said what happened).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

func failed(err error) error { return &exitError{code: exitFailed, err: err} }

// fail is err with its exit code: 2 for the application layer's usage
// errors (flags that contradict a stored credential), else 1.
func fail(err error) error {
	var ue *app.UsageError
	if errors.As(err, &ue) {
		return usage(err)
	}
	return failed(err)
}
func usage(err error) error { return &exitError{code: exitUsage, err: err} }

// cli is what every command shares: the global flags and the process's
// streams. The flags are the only globals, and they live here.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	now            func() time.Time

	demo      bool
	env       string
	envGiven  bool // --env was given, not defaulted
	apiURL    string
	loginURL  string
	company   int64
	profile   string
	plain     bool
	presenter bool

	// core is the application layer of the run, made once the flags are
	// read (see start).
	core *app.App
	// creds, when set, is the credential store the run uses instead of the
	// OS keychain (tests).
	creds *credstore.Store

	quiet   bool // the full-screen wizard owns the terminal
	notices *cmdutil.Notices
}

func newCLI(stdin io.Reader, stdout, stderr io.Writer) *cli {
	return &cli{stdin: stdin, stdout: stdout, stderr: stderr, now: time.Now, notices: &cmdutil.Notices{}}
}

func newRootCmd(a *cli) *cobra.Command {
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
			a.envGiven = cmd.Flags().Changed("env")
			if err := a.checkFlags(); err != nil {
				return err
			}
			a.start()
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			id := ""
			if len(args) == 1 {
				id = args[0]
			}
			return a.runWizard(cmd.Context(), id)
		},
	}
	f := cmd.PersistentFlags()
	f.BoolVar(&a.demo, "demo", false, "run against a built-in Procore simulator on loopback; nothing leaves the machine")
	f.StringVar(&a.env, "env", "production", "Procore environment: production, sandbox or monthly")
	f.StringVar(&a.apiURL, "api-url", "", "override the API base URL (https unless loopback)")
	f.StringVar(&a.loginURL, "login-url", "", "override the login (OAuth) base URL (https unless loopback)")
	f.Int64Var(&a.company, "company", 0, "Procore company ID")
	f.StringVar(&a.profile, "profile", "default", "credential profile name")
	f.BoolVar(&a.plain, "plain", false, "plain line output, no full-screen UI (also on with ACCESSIBLE set or TERM=dumb)")
	f.BoolVar(&a.presenter, "presenter", false, "presenter mode for a shared screen: larger margins, nothing secret drawn")
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usage(err) })

	cmd.AddCommand(
		newVersionCmd(a),
		newGuidesCmd(a),
		newPasswordCmd(a),
		newSimCmd(a),
		newLoginCmd(a),
		newVerifyCmd(a),
		newSecretCmd(a),
		newStatusCmd(a),
		newDoctorCmd(a),
		newAddAllCmd(a),
		newGenDocsCmd(), // hidden: the release's completions and man pages
	)
	setUpHelp(cmd, a)       // help.go
	setUpCompletion(cmd, a) // completion.go
	return cmd
}

// start makes the run's application layer from the flags.
func (a *cli) start() {
	a.core = app.New(app.Config{Demo: a.demo, Env: a.env, EnvGiven: a.envGiven, APIURL: a.apiURL, LoginURL: a.loginURL,
		Company: a.company, Profile: a.profile, UserAgent: userAgent(), Now: a.now, Say: a.say, Warn: a.warn, Credentials: a.creds})
}

// checkFlags validates the global flags before any command runs.
func (a *cli) checkFlags() error {
	if _, err := procore.EnvironmentNamed(a.env); err != nil {
		return usage(fmt.Errorf("--env: %w", err))
	}
	for name, v := range map[string]string{"--api-url": a.apiURL, "--login-url": a.loginURL} {
		if v == "" {
			continue
		}
		if err := procore.CheckBaseURL(v); err != nil {
			return usage(fmt.Errorf("%s: %w", name, err))
		}
	}
	if a.company < 0 {
		return usage(fmt.Errorf("--company %d: a company ID is a positive number", a.company))
	}
	if os.Getenv("ACCESSIBLE") != "" || os.Getenv("TERM") == "dumb" {
		a.plain = true
	}
	return nil
}

// configDir is where the person's own guides live: $XDG_CONFIG_HOME/procore-sa,
// else the platform's place (see state.ConfigDir).
func configDir() (string, error) { return state.ConfigDir() }

// catalog loads the built-in guides and the person's own. A broken personal
// guide is reported on stderr and left out; the rest still load.
func (a *cli) catalog() (*steps.Catalog, error) {
	dir, err := configDir()
	if err != nil {
		return nil, err
	}
	cat, problems := steps.LoadCatalog(filepath.Join(dir, "guides"))
	for _, p := range problems {
		fmt.Fprintln(a.stderr, "procore-sa: guide refused:", p)
	}
	return cat, nil
}

func newVersionCmd(a *cli) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and build date",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(a.stdout, versionLine())
			return err
		},
	}
}
