// Package list is 'procore-sa secret list'.
package list

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/procore-sa/procore-sa/internal/cmdutil"
)

// Options are where the list comes from and goes.
type Options struct {
	Out      io.Writer
	Profiles func(context.Context) ([]cmdutil.ProfileRow, error)
}

// NewCmdList is 'procore-sa secret list'.
func NewCmdList(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Out: f.IOStreams.Out, Profiles: f.Profiles}
	return &cobra.Command{
		Use:   "list",
		Short: "List the stored profiles: kind, environment, age; never a secret",
		Long: `List the stored profiles: kind (client_credentials, user_login or
admin_oauth), environment, company ID and age. A profile that cannot be read
shows why instead. Never a secret.`,
		Example: `  procore-sa secret list
  procore-sa --demo secret list`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
}

// Run prints a row for each stored profile.
func Run(ctx context.Context, opts *Options) error {
	rows, err := opts.Profiles(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(opts.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROFILE\tKIND\tENVIRONMENT\tCOMPANY\tAGE")
	for _, r := range rows {
		// A credential of no company (an admin's sign-in covers them all)
		// shows none, not a company 0 that does not exist.
		company := "-"
		if r.CompanyID > 0 {
			company = strconv.FormatInt(r.CompanyID, 10)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Profile, orDash(r.Kind), orDash(r.Environment), company, r.Age())
	}
	return tw.Flush()
}

// orDash is s, or "-" for a column with nothing to say.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
