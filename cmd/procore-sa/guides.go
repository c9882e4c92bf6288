package main

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/procore-sa/procore-sa/steps"
)

func newGuidesCmd(a *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "guides",
		Short: "List the guides: the built-in ones and your own",
		Long: `List the guides: the built-in ones and your own.

Your own guides are the *.yaml files in $XDG_CONFIG_HOME/procore-sa/guides,
else ~/.config/procore-sa/guides on Linux, ~/Library/Application
Support/procore-sa/guides on macOS and %APPDATA%\procore-sa\guides on
Windows. A file that does not load is named on standard error with the line
and column of the problem, and left out.`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error { return a.listGuides() },
	}
	cmd.AddCommand(newGuidesShowCmd(a), newGuidesValidateCmd(a))
	return cmd
}

// noArgs refuses arguments as bad usage (exit 2).
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usage(fmt.Errorf("%s takes no arguments; got %q", cmd.CommandPath(), args[0]))
	}
	return nil
}

func (a *cli) listGuides() error {
	cat, err := a.catalog()
	if err != nil {
		return failed(err)
	}
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tACCOUNT MODEL\tTITLE\tSTEPS\tFROM")
	for _, g := range cat.List() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", g.ID, g.AccountModel, oneLine(g.Title), len(g.Steps), steps.Origin(g))
	}
	if err := tw.Flush(); err != nil {
		return failed(err)
	}
	if _, err := a.stdout.Write(buf.Bytes()); err != nil {
		return failed(err)
	}
	return nil
}

// oneLine keeps a table row on one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func newGuidesShowCmd(a *cli) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Print a guide, every step of it",
		Long: `Print a guide, every step of it, as text, markdown or json.

Markdown makes a runbook to keep or share; json is the guide as data.`,
		Example: "  procore-sa guides show dmsa\n  procore-sa guides show spectrum --format markdown > spectrum.md",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usage(errors.New("guides show takes one guide id; see 'procore-sa guides'"))
			}
			return nil
		},
		ValidArgsFunction: a.completeGuideIDs,
		RunE: func(_ *cobra.Command, args []string) error {
			if !slices.Contains(steps.Formats, format) {
				return usage(fmt.Errorf("--format %q: use %s", format, strings.Join(steps.Formats, ", ")))
			}
			cat, err := a.catalog()
			if err != nil {
				return failed(err)
			}
			g, ok := cat.Get(args[0])
			if !ok {
				return usage(fmt.Errorf("unknown guide %q; see 'procore-sa guides'", args[0]))
			}
			if err := steps.Render(a.stdout, g, format); err != nil {
				return failed(err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text, markdown or json")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(steps.Formats, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// completeGuideIDs offers the guide ids for shell completion.
func (a *cli) completeGuideIDs(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	dir, err := configDir()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	cat, _ := steps.LoadCatalog(filepath.Join(dir, "guides"))
	var ids []string
	for _, g := range cat.List() {
		ids = append(ids, g.ID+"\t"+oneLine(g.Title))
	}
	return ids, cobra.ShellCompDirectiveNoFileComp
}

func newGuidesValidateCmd(a *cli) *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check guide files: every problem with its file:line:col",
		Long: `Check guide files. For each file, print "FILE: ok (N steps)", or each problem
as FILE:LINE:COL: what is wrong.

Exit 0 when every file is valid, 1 when one is not. A file whose id is a
built-in guide's is refused, as the wizard would refuse it.`,
		Example: "  procore-sa guides validate ~/.config/procore-sa/guides/*.yaml",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usage(errors.New("guides validate needs at least one FILE"))
			}
			return nil
		},
		RunE: func(_ *cobra.Command, files []string) error {
			bad := 0
			for _, file := range files {
				g, err := steps.ValidateFile(file)
				if err != nil {
					bad++
					fmt.Fprintln(a.stderr, err)
					continue
				}
				fmt.Fprintf(a.stdout, "%s: ok (%s)\n", file, plural(len(g.Steps), "step"))
			}
			if bad > 0 {
				return failed(nil)
			}
			return nil
		},
	}
}

func plural(n int, what string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", what)
	}
	return fmt.Sprintf("%d %ss", n, what)
}
