// Package guides is 'procore-sa guides': the list, show and validate.
package guides

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/steps"
)

// ListOptions are what 'guides' lists and where.
type ListOptions struct {
	Out     io.Writer
	Catalog func() (*steps.Catalog, error)
}

// NewCmdGuides is 'procore-sa guides' with its subcommands; runF, when set,
// runs instead of the listing (tests).
func NewCmdGuides(f *cmdutil.Factory, runF func(*ListOptions) error) *cobra.Command {
	opts := &ListOptions{Out: f.IOStreams.Out, Catalog: f.Catalog}
	cmd := &cobra.Command{
		Use:   "guides",
		Short: "List the guides: the built-in ones and your own",
		Long: `List the guides: the built-in ones and your own.

Your own guides are the *.yaml files in $XDG_CONFIG_HOME/procore-sa/guides,
else ~/.config/procore-sa/guides on Linux, ~/Library/Application
Support/procore-sa/guides on macOS and %APPDATA%\procore-sa\guides on
Windows. A file that does not load is named on standard error with the line
and column of the problem, and left out.`,
		Args: cmdutil.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if runF != nil {
				return runF(opts)
			}
			return List(opts)
		},
	}
	cmd.AddCommand(NewCmdShow(f, nil), NewCmdValidate(f, nil))
	return cmd
}

// List prints a row for each guide.
func List(opts *ListOptions) error {
	cat, err := opts.Catalog()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tACCOUNT MODEL\tTITLE\tSTEPS\tFROM")
	for _, g := range cat.List() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", g.ID, g.AccountModel, cmdutil.OneLine(g.Title), len(g.Steps), steps.Origin(g))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err = opts.Out.Write(buf.Bytes())
	return err
}

// ShowOptions are the guide 'guides show' prints and how.
type ShowOptions struct {
	Out     io.Writer
	Catalog func() (*steps.Catalog, error)
	ID      string
	Format  string
}

// NewCmdShow is 'procore-sa guides show ID'.
func NewCmdShow(f *cmdutil.Factory, runF func(*ShowOptions) error) *cobra.Command {
	opts := &ShowOptions{Out: f.IOStreams.Out, Catalog: f.Catalog}
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Print a guide, every step of it",
		Long: `Print a guide, every step of it, as text, markdown or json.

Markdown makes a runbook to keep or share; json is the guide as data.`,
		Example: "  procore-sa guides show dmsa\n  procore-sa guides show spectrum --format markdown > spectrum.md",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return cmdutil.Usage(errors.New("guides show takes one guide id; see 'procore-sa guides'"))
			}
			return nil
		},
		ValidArgsFunction: cmdutil.CompleteGuideIDs,
		RunE: func(_ *cobra.Command, args []string) error {
			opts.ID = args[0]
			if runF != nil {
				return runF(opts)
			}
			return Show(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "text", "text, markdown or json")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(steps.Formats, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// Show prints the guide.
func Show(opts *ShowOptions) error {
	if !slices.Contains(steps.Formats, opts.Format) {
		return cmdutil.Usagef("--format %q: use %s", opts.Format, strings.Join(steps.Formats, ", "))
	}
	cat, err := opts.Catalog()
	if err != nil {
		return err
	}
	g, ok := cat.Get(opts.ID)
	if !ok {
		return cmdutil.Usagef("unknown guide %q; see 'procore-sa guides'", opts.ID)
	}
	return steps.Render(opts.Out, g, opts.Format)
}

// ValidateOptions are the files 'guides validate' checks.
type ValidateOptions struct {
	Out, ErrOut io.Writer
	Files       []string
}

// NewCmdValidate is 'procore-sa guides validate FILE...'.
func NewCmdValidate(f *cmdutil.Factory, runF func(*ValidateOptions) error) *cobra.Command {
	opts := &ValidateOptions{Out: f.IOStreams.Out, ErrOut: f.IOStreams.ErrOut}
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
				return cmdutil.Usage(errors.New("guides validate needs at least one FILE"))
			}
			return nil
		},
		RunE: func(_ *cobra.Command, files []string) error {
			opts.Files = files
			if runF != nil {
				return runF(opts)
			}
			return Validate(opts)
		},
	}
}

// Validate checks each file: ErrSilent when one is not valid, having said
// why on ErrOut.
func Validate(opts *ValidateOptions) error {
	bad := 0
	for _, file := range opts.Files {
		g, err := steps.ValidateFile(file)
		if err != nil {
			bad++
			fmt.Fprintln(opts.ErrOut, err)
			continue
		}
		fmt.Fprintf(opts.Out, "%s: ok (%s)\n", file, cmdutil.Plural(len(g.Steps), "step"))
	}
	if bad > 0 {
		return cmdutil.ErrSilent
	}
	return nil
}
