// Package version is 'procore-sa version'.
package version

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/procore-sa/procore-sa/internal/cmdutil"
)

// Options are what version prints and where.
type Options struct {
	Out  io.Writer
	Line string
}

// NewCmdVersion is 'procore-sa version'; runF, when set, runs instead of
// the command (tests).
func NewCmdVersion(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Out: f.IOStreams.Out}
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and build date",
		Long: `Print the version, the commit it was built from and the build date: the same
line as 'procore-sa --version'.

A release carries the values it was built with. A build made with go install
or go build shows the module version and the commit that Go recorded instead.`,
		Example: "  procore-sa version\n  procore-sa --version",
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			opts.Line = f.VersionLine()
			if runF != nil {
				return runF(opts)
			}
			return Run(opts)
		},
	}
}

// Run prints the version line.
func Run(opts *Options) error {
	_, err := fmt.Fprintln(opts.Out, opts.Line)
	return err
}
