package main

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// versionLine is what both 'procore-sa version' and 'procore-sa --version'
// print.
func versionLine() string {
	v, c, d := buildVersion(debug.ReadBuildInfo())
	return fmt.Sprintf("procore-sa %s (commit %s, built %s)", v, c, d)
}

// setUpHelp gives the command tree its help: --version, the help topics, a
// usage text that shows the global flags once (on the root and in 'help
// environment', not under every subcommand), a help command that refuses an
// unknown topic, and the long help and examples of helpTexts.
func setUpHelp(root *cobra.Command, a *cli) {
	root.SetOut(a.stdout)
	root.Version = versionLine()
	root.SetVersionTemplate("{{.Version}}\n")
	// Defined here so that it has no -v shorthand, which reads as "verbose".
	root.Flags().Bool("version", false, "print the version, as 'procore-sa version' does")
	root.SetUsageFunc(writeUsage)
	root.AddCommand(newHelpTopic("environment", "Environment variables, global flags and where things are kept", environmentHelp),
		newHelpTopic("exit-codes", "What each exit status means", exitCodesHelp))
	root.SetHelpCommand(newHelpCmd())
	var apply func(*cobra.Command)
	apply = func(c *cobra.Command) {
		if t, ok := helpTexts[c.CommandPath()]; ok {
			c.Long, c.Example = t.long, t.example
		}
		for _, sub := range c.Commands() {
			apply(sub)
		}
	}
	apply(root)
}

// helpText is a command's long help and examples.
type helpText struct{ long, example string }

// helpTexts holds the long help of commands whose definitions have none,
// kept here so that this file alone carries it; by command path.
var helpTexts = map[string]helpText{
	"procore-sa version": {
		long: `Print the version, the commit it was built from and the build date: the same
line as 'procore-sa --version'.

A release carries the values it was built with. A build made with go install
or go build shows the module version and the commit that Go recorded instead.`,
		example: "  procore-sa version\n  procore-sa --version",
	},
	"procore-sa status": {
		long: `List the stored profiles with their kind, environment and age, and flag any
credential older than 180 days for rotation. Never a secret.

--json prints {"service": ..., "profiles": [...]}, each profile with its kind,
environment, company_id, created_at, age_days and rotate (true when older
than 180 days); a profile that cannot be read has a problem instead.
Exit 0 when the keychain could be read, 1 when it could not.`,
		example: `  procore-sa status
  procore-sa status --json
  procore-sa --demo status`,
	},
	"procore-sa doctor": {
		long: `Check what procore-sa depends on and print what it finds: the keychain
(which one, for which service, and whether it answers, with the reason and a
fix when it does not), the session bus on Linux, the terminal (its size,
TERM, NO_COLOR and whether plain mode is on), the state directory, and any
environment variable that overrides a stored credential.

Nothing secret is printed: of PROCORE_CLIENT_SECRET only whether it is set.
Exit 0 when the keychain is reachable, 1 when it is not.`,
		example: `  procore-sa doctor
  procore-sa --demo doctor`,
	},
	"procore-sa secret": {
		long: `What procore-sa keeps in the OS keychain, never the secret itself: list the
profiles, delete one, or export one to a passphrase-encrypted file.

Each profile is one keychain entry: service procore-sa (procore-sa-demo under
--demo), account = the profile name. Every read, delete and export is
recorded in the audit log of the state directory, without the secret.`,
		example: `  procore-sa secret list
  procore-sa secret delete old-sync
  procore-sa secret export spectrum --to spectrum.age`,
	},
	"procore-sa secret list": {
		long: `List the stored profiles: kind (client_credentials, user_login or
admin_oauth), environment, company ID and age. A profile that cannot be read
shows why instead. Never a secret.`,
		example: `  procore-sa secret list
  procore-sa --demo secret list`,
	},
	"procore-sa secret delete": {
		long: `Delete a profile from the keychain: its entry and its name in the list of
profiles. The deletion is recorded in the audit log.

This forgets the credential here only: at Procore it still works until it is
rotated or its app is uninstalled. Exit 1 when there is no such profile or
the keychain fails.`,
		example: `  procore-sa secret delete old-sync
  procore-sa --demo secret delete default`,
	},
	"procore-sa secret export": {
		long: `Write a profile's credential to FILE.age, encrypted with a passphrase of at
least 12 characters, typed twice (not shown; read from standard input when
that is not a terminal). The file is created 0600 and never replaces an
existing one; 'age -d FILE.age' decrypts it to the keychain's JSON document.
Nothing is ever written in plain text.`,
		example: `  procore-sa secret export spectrum --to spectrum.age
  age -d spectrum.age`,
	},
}

// newHelpTopic is a page of 'procore-sa help NAME' that is not a command.
// Cobra lists such a command, which cannot run, under the help topics.
func newHelpTopic(name, short string, body func(root *cobra.Command) string) *cobra.Command {
	cmd := &cobra.Command{Use: name, Short: short, Annotations: map[string]string{topicAnnotation: "true"}}
	cmd.SetHelpFunc(func(c *cobra.Command, _ []string) {
		fmt.Fprint(c.OutOrStdout(), body(c.Root()))
	})
	return cmd
}

// topicAnnotation marks a help topic.
const topicAnnotation = "procore-sa/help-topic"

// envVar is an environment variable that procore-sa reads.
type envVar struct{ name, what string }

// environmentVars is every variable procore-sa reads, for 'help environment'
// and the man page.
var environmentVars = []envVar{
	{"PROCORE_CLIENT_ID, PROCORE_CLIENT_SECRET", "An app's client ID and secret. When both are set, verify, add-all and the wizard's checks use them instead of the stored profile, and say that the environment supplied them; login and the wizard's admin sign-in take the admin app's from here. A secret is never taken from a flag."},
	{"ACCESSIBLE", "Any value: plain line prompts instead of the full screen, as --plain."},
	{"TERM", "TERM=dumb: plain line prompts, as --plain, and no colour."},
	{"NO_COLOR", "Any value but empty: no colour (bold and the like stay). Wins over CLICOLOR_FORCE."},
	{"CLICOLOR", "CLICOLOR=0: no colour, unless CLICOLOR_FORCE is set."},
	{"CLICOLOR_FORCE", "Any value but empty or 0: colour even where none would be used."},
	{"XDG_STATE_HOME", "State (sessions, add-all journals, transcripts, the audit log) goes to $XDG_STATE_HOME/procore-sa when it is an absolute path, on every system. Else ~/.local/state/procore-sa on Linux, ~/Library/Application Support/procore-sa on macOS, %LOCALAPPDATA%\\procore-sa on Windows."},
	{"XDG_CONFIG_HOME", "Your own guides are read from $XDG_CONFIG_HOME/procore-sa/guides when it is an absolute path, on every system. Else ~/.config/procore-sa/guides on Linux, ~/Library/Application Support/procore-sa/guides on macOS, %APPDATA%\\procore-sa\\guides on Windows."},
	{"HOME, LOCALAPPDATA, APPDATA", "Where those defaults are: HOME on Linux and macOS, LOCALAPPDATA (state) and APPDATA (guides) on Windows."},
	{"DBUS_SESSION_BUS_ADDRESS, XDG_RUNTIME_DIR", "Linux: the session bus on which the keychain (a Secret Service such as gnome-keyring) is reached."},
	{"SSH_CONNECTION, SSH_CLIENT, SSH_TTY, DISPLAY, WAYLAND_DISPLAY", "Whether login may open a browser: only on a local desktop, never over SSH. The address is printed either way."},
}

// exitCode is an exit status and what it means.
type exitCode struct {
	code int
	what string
}

// exitCodes is every exit status procore-sa ends with (see root.go).
var exitCodes = []exitCode{
	{exitOK, "Done: every check passed, every project ended with the user a member."},
	{exitFailed, "The job failed: a password rule not met, a project not added, a credential refused, a keychain that does not answer, a guide file that does not load."},
	{exitUsage, "Bad usage: an unknown command, flag, guide or help topic, a bad flag value, a missing argument, nothing on standard input where something was needed. Nothing was changed."},
	{exitInterrupted, "Interrupted (ctrl+c, or a TERM signal). A wizard's place is saved; an add-all run resumes with --resume RUN."},
}

// wrapText fills s into lines of at most width characters.
func wrapText(s string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return append(lines, line)
}

// globalFlagsNote ends a subcommand's help instead of the global flags.
const globalFlagsNote = "Global flags (--env, --profile, --demo, ...): see 'procore-sa help environment'."

func environmentHelp(root *cobra.Command) string {
	var b strings.Builder
	b.WriteString("Environment variables that procore-sa reads:\n\n")
	for _, v := range environmentVars {
		fmt.Fprintf(&b, "  %s\n", v.name)
		for _, l := range wrapText(v.what, 72) {
			fmt.Fprintf(&b, "      %s\n", l)
		}
		b.WriteString("\n")
	}
	b.WriteString("Global flags, which every command takes:\n\n")
	b.WriteString(strings.TrimRight(root.PersistentFlags().FlagUsages(), " \n"))
	b.WriteString("\n\nSee also 'procore-sa help exit-codes'.\n")
	return b.String()
}

func exitCodesHelp(*cobra.Command) string {
	var b strings.Builder
	b.WriteString("Exit status of procore-sa:\n\n")
	for _, c := range exitCodes {
		for i, l := range wrapText(c.what, 70) {
			if i == 0 {
				fmt.Fprintf(&b, "  %-5d %s\n", c.code, l)
			} else {
				fmt.Fprintf(&b, "        %s\n", l)
			}
		}
	}
	b.WriteString("\nA command's own help says when it ends with 1 (for example 'procore-sa add-all --help').\n")
	return b.String()
}

// writeUsage is the usage text of every command: cobra's, except that the
// root lists its persistent flags as the global flags and the help topics,
// and a subcommand points to them instead of repeating them.
func writeUsage(c *cobra.Command) error {
	var b strings.Builder
	b.WriteString("Usage:")
	if c.Runnable() {
		b.WriteString("\n  " + c.UseLine())
	}
	if c.HasAvailableSubCommands() {
		b.WriteString("\n  " + c.CommandPath() + " [command]")
	}
	if len(c.Aliases) > 0 {
		b.WriteString("\n\nAliases:\n  " + c.NameAndAliases())
	}
	if c.HasExample() {
		b.WriteString("\n\nExamples:\n" + c.Example)
	}
	if c.HasAvailableSubCommands() {
		b.WriteString("\n\nCommands:")
		listCommands(&b, c, func(s *cobra.Command) bool { return s.IsAvailableCommand() || s.Name() == "help" })
	}
	if !c.HasParent() {
		if c.HasHelpSubCommands() {
			b.WriteString("\n\nHelp topics (procore-sa help TOPIC):")
			listCommands(&b, c, (*cobra.Command).IsAdditionalHelpTopicCommand)
		}
		b.WriteString("\n\nGlobal flags (every command takes them):\n")
		b.WriteString(flagUsages(c.PersistentFlags()))
		b.WriteString("\n\nFlags:\n")
		b.WriteString(flagUsages(c.LocalNonPersistentFlags()))
	} else {
		if c.HasAvailableLocalFlags() {
			b.WriteString("\n\nFlags:\n")
			b.WriteString(flagUsages(c.LocalFlags()))
		}
		if c.HasAvailableInheritedFlags() {
			b.WriteString("\n\n" + globalFlagsNote)
		}
	}
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(&b, "\n\nUse \"%s [command] --help\" for more information about a command.", c.CommandPath())
	}
	b.WriteString("\n")
	_, err := io.WriteString(c.OutOrStderr(), b.String())
	return err
}

func flagUsages(f *pflag.FlagSet) string { return strings.TrimRight(f.FlagUsages(), " \n") }

func listCommands(b *strings.Builder, c *cobra.Command, keep func(*cobra.Command) bool) {
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	for _, s := range c.Commands() {
		if keep(s) {
			fmt.Fprintf(tw, "\n  %s\t%s", s.Name(), s.Short)
		}
	}
	tw.Flush()
}

// newHelpCmd is 'procore-sa help [COMMAND | TOPIC]': cobra's help command,
// except that an unknown name is bad usage (exit 2) instead of the root's
// help, and completion offers the help topics too.
func newHelpCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "help [COMMAND | TOPIC]",
		Short: "Help about any command, or a help topic",
		Long: `Help about any command, or one of the help topics: environment (variables,
global flags, where things are kept) and exit-codes.`,
		Example: "  procore-sa help secret export\n  procore-sa help environment",
		RunE: func(c *cobra.Command, args []string) error {
			root := c.Root()
			target, rest, err := root.Find(args)
			if err != nil || len(rest) > 0 || (target == root && len(args) > 0) {
				return usage(fmt.Errorf("no help for %q: not a command or a help topic; see 'procore-sa help'", strings.Join(args, " ")))
			}
			return target.Help()
		},
		ValidArgsFunction: func(c *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			parent, rest, err := c.Root().Find(args)
			if err != nil || len(rest) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var out []cobra.Completion
			for _, s := range parent.Commands() {
				if s.IsAvailableCommand() || s.IsAdditionalHelpTopicCommand() {
					out = append(out, cobra.CompletionWithDesc(s.Name(), s.Short))
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
	}
}
