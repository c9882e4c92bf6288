// Package help is the help of the command tree: the usage text, the help
// command, and the help topics (environment, exit-codes), whose data the
// man pages carry too.
package help

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/procore-sa/procore-sa/internal/cmdutil"
)

// SetUp gives the command tree its help: --version, the help topics, a
// usage text that shows the global flags once (on the root and in 'help
// environment', not under every subcommand), and a help command that
// refuses an unknown topic.
func SetUp(root *cobra.Command, f *cmdutil.Factory) {
	root.SetOut(f.IOStreams.Out)
	root.SetErr(f.IOStreams.ErrOut)
	root.Version = f.VersionLine()
	root.SetVersionTemplate("{{.Version}}\n")
	// Defined here so that it has no -v shorthand, which reads as "verbose".
	root.Flags().Bool("version", false, "print the version, as 'procore-sa version' does")
	root.SetUsageFunc(WriteUsage)
	root.AddCommand(NewCmdTopic("environment", "Environment variables, global flags and where things are kept", environmentHelp),
		NewCmdTopic("exit-codes", "What each exit status means", exitCodesHelp))
	root.SetHelpCommand(NewCmdHelp())
}

// NewCmdTopic is a page of 'procore-sa help NAME' that is not a command.
// Cobra lists such a command, which cannot run, under the help topics.
func NewCmdTopic(name, short string, body func(root *cobra.Command) string) *cobra.Command {
	cmd := &cobra.Command{Use: name, Short: short, Annotations: map[string]string{TopicAnnotation: "true"}}
	cmd.SetHelpFunc(func(c *cobra.Command, _ []string) {
		fmt.Fprint(c.OutOrStdout(), body(c.Root()))
	})
	return cmd
}

// TopicAnnotation marks a help topic.
const TopicAnnotation = "procore-sa/help-topic"

// EnvVar is an environment variable that procore-sa reads.
type EnvVar struct{ Name, What string }

// EnvironmentVars is every variable procore-sa reads, for 'help environment'
// and the man page.
var EnvironmentVars = []EnvVar{
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

// ExitCode is an exit status and what it means.
type ExitCode struct {
	Code int
	What string
}

// ExitCodes is every exit status procore-sa ends with (see the root's exit mapping).
var ExitCodes = []ExitCode{
	{cmdutil.ExitOK, "Done: every check passed, every project ended with the user a member."},
	{cmdutil.ExitFailed, "The job failed: a password rule not met, a project not added, a credential refused, a keychain that does not answer, a guide file that does not load."},
	{cmdutil.ExitUsage, "Bad usage: an unknown command, flag, guide or help topic, a bad flag value, a missing argument, nothing on standard input where something was needed. Nothing was changed."},
	{cmdutil.ExitInterrupted, "Interrupted (ctrl+c, or a TERM signal), or a guide left before its end. A wizard's place is saved; an add-all run resumes with --resume RUN."},
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

// GlobalFlagsNote ends a subcommand's help instead of the global flags.
const GlobalFlagsNote = "Global flags (--env, --profile, --demo, ...): see 'procore-sa help environment'."

func environmentHelp(root *cobra.Command) string {
	var b strings.Builder
	b.WriteString("Environment variables that procore-sa reads:\n\n")
	for _, v := range EnvironmentVars {
		fmt.Fprintf(&b, "  %s\n", v.Name)
		for _, l := range wrapText(v.What, 72) {
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
	for _, c := range ExitCodes {
		for i, l := range wrapText(c.What, 70) {
			if i == 0 {
				fmt.Fprintf(&b, "  %-5d %s\n", c.Code, l)
			} else {
				fmt.Fprintf(&b, "        %s\n", l)
			}
		}
	}
	b.WriteString("\nA command's own help says when it ends with 1 (for example 'procore-sa add-all --help').\n")
	return b.String()
}

// WriteUsage is the usage text of every command: cobra's, except that the
// root lists its persistent flags as the global flags and the help topics,
// and a subcommand points to them instead of repeating them.
func WriteUsage(c *cobra.Command) error {
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
			b.WriteString("\n\n" + GlobalFlagsNote)
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

// NewCmdHelp is 'procore-sa help [COMMAND | TOPIC]': cobra's help command,
// except that an unknown name is bad usage (exit 2) instead of the root's
// help, and completion offers the help topics too.
func NewCmdHelp() *cobra.Command {
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
				return cmdutil.Usage(fmt.Errorf("no help for %q: not a command or a help topic; see 'procore-sa help'", strings.Join(args, " ")))
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
