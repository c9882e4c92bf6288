// Package completion gives every argument and flag of the command tree its
// shell completion.
package completion

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/state"
	"github.com/procore-sa/procore-sa/steps"
)

// Timeout bounds the keychain read behind a profile completion: a
// shell waits for it at every tab, so a keychain that is locked or slow
// gives no names rather than a hung prompt.
const Timeout = time.Second

// noFiles is what a completion returns where no file fits.
const noFiles = cmdutil.NoFiles

// SetUp gives every argument and flag its completion, by the
// names the commands use, so that a command added or moved gets them too:
//   - the root's GUIDE argument and every --guide: guide ids;
//   - --env: the environments; every --format: the formats;
//   - --profile and the PROFILE of secret delete and secret export: the
//     profiles in the keychain's index;
//   - --resume: the add-all runs journaled in the state directory;
//   - files where a file is asked for, filtered by their extension
//     (guides validate, --report, --to); nothing anywhere else.
func SetUp(root *cobra.Command, f *cmdutil.Factory) {
	c := completer{f}
	argsByPath := map[string]cobra.CompletionFunc{
		"procore-sa":                 cmdutil.CompleteGuideIDs,
		"procore-sa secret delete":   c.profileArg,
		"procore-sa secret export":   c.profileArg,
		"procore-sa secret handover": c.profileArg,
		"procore-sa rotate":          c.profileArg,
		"procore-sa guides validate": filesWithExt("yaml", "yml"),
	}
	flagsByName := map[string]cobra.CompletionFunc{
		"guide":   c.guideFlag,
		"env":     completeEnv,
		"format":  cobra.FixedCompletions(steps.Formats, noFiles),
		"profile": c.profileFlag,
		"resume":  c.runs,
		"report":  filesWithExt("csv"),
		"to":      filesWithExt("age"),
	}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if f, ok := argsByPath[c.CommandPath()]; ok {
			c.ValidArgsFunction = f
		} else if c.ValidArgsFunction == nil && len(c.ValidArgs) == 0 {
			c.ValidArgsFunction = cobra.NoFileCompletions
		}
		c.LocalFlags().VisitAll(func(fl *pflag.Flag) {
			if fl.Value.Type() == "bool" {
				return
			}
			if _, ok := c.GetFlagCompletionFunc(fl.Name); ok {
				return
			}
			f, ok := flagsByName[fl.Name]
			if !ok {
				f = cobra.NoFileCompletions
			}
			_ = c.RegisterFlagCompletionFunc(fl.Name, f)
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

func filesWithExt(exts ...string) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return exts, cobra.ShellCompDirectiveFilterFileExt
	}
}

func completeEnv(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	var out []cobra.Completion
	for _, e := range []procore.Environment{procore.Production, procore.Sandbox, procore.MonthlySandbox} {
		out = append(out, cobra.CompletionWithDesc(e.Name, e.APIURL))
	}
	return out, noFiles | cobra.ShellCompDirectiveKeepOrder
}

// completer offers the values that depend on the flags of the run.
type completer struct{ f *cmdutil.Factory }

// guideFlag offers the guide ids for a --guide value, whatever arguments
// came before it.
func (completer) guideFlag(cmd *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return cmdutil.CompleteGuideIDs(cmd, nil, toComplete)
}

// profileArg offers the stored profiles for the one PROFILE argument.
func (a completer) profileArg(cmd *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, noFiles
	}
	return a.storedProfiles(cmd.Context()), noFiles
}

func (a completer) profileFlag(cmd *cobra.Command, _ []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return a.storedProfiles(cmd.Context()), noFiles
}

// storedProfiles is the keychain's profile index, read once as a call
// nobody waits at (not Interactive), within Timeout; nothing on
// any failure. The keychain service follows --demo, as the command would.
func (a completer) storedProfiles(ctx context.Context) []string {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	var kr credstore.Keyring
	if a.f.Credentials != nil { // a test's keychain
		kr = a.f.Credentials.Keyring
	}
	s := &credstore.Store{Service: a.f.KeychainService(), Keyring: kr, Timeout: Timeout, InteractiveTimeout: Timeout}
	names, err := s.Profiles(ctx)
	if err != nil {
		return nil
	}
	return names
}

// runs offers the add-all runs journaled in the state directory
// (the demo's under --demo), newest first. It creates nothing.
func (a completer) runs(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	dir, err := state.Dir()
	if err != nil {
		return nil, noFiles
	}
	if a.f.Flags.Demo {
		dir = filepath.Join(dir, "demo")
	}
	entries, err := os.ReadDir(filepath.Join(dir, "runs"))
	if err != nil {
		return nil, noFiles
	}
	var runs []cobra.Completion
	for _, e := range entries {
		if run, ok := strings.CutSuffix(e.Name(), ".jsonl"); ok && e.Type().IsRegular() {
			runs = append(runs, run)
		}
	}
	// Run ids start with their UTC start time, so the names sort by age.
	slices.Sort(runs)
	slices.Reverse(runs)
	return runs, noFiles | cobra.ShellCompDirectiveKeepOrder
}
