// Package status is 'procore-sa status': the stored profiles and their age.
package status

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/procore-sa/procore-sa/internal/cmdutil"
)

// Options are where the profiles come from and how they are printed.
type Options struct {
	Out      io.Writer
	Profiles func(context.Context) ([]cmdutil.ProfileRow, error)
	Service  func() string
	JSON     bool
}

// NewCmdStatus is 'procore-sa status'.
func NewCmdStatus(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Out: f.IOStreams.Out, Profiles: f.Profiles, Service: func() string { return f.App().KeychainService() }}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Stored profiles and their age; flags any older than 180 days for rotation",
		Long: `List the stored profiles with their kind, environment and age, and flag any
credential older than 180 days for rotation. Never a secret.

--json prints {"service": ..., "profiles": [...]}, each profile with its kind,
environment, company_id, created_at, age_days and rotate (true when older
than 180 days); a profile that cannot be read has a problem instead.
Exit 0 when the keychain could be read, 1 when it could not.`,
		Example: `  procore-sa status
  procore-sa status --json
  procore-sa --demo status`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

// Run prints the profiles.
func Run(ctx context.Context, opts *Options) error {
	rows, err := opts.Profiles(ctx)
	if err != nil {
		return err
	}
	if opts.JSON {
		enc := json.NewEncoder(opts.Out)
		enc.SetIndent("", "  ")
		if rows == nil {
			rows = []cmdutil.ProfileRow{}
		}
		return enc.Encode(map[string]any{"service": opts.Service(), "profiles": rows})
	}
	if len(rows) == 0 {
		fmt.Fprintln(opts.Out, "No stored profiles. Run a guide, or 'procore-sa login'.")
		return nil
	}
	for _, r := range rows {
		fmt.Fprintf(opts.Out, "%-16s %-18s %-10s %s\n", r.Profile, r.Kind, r.Environment, r.Age())
	}
	return nil
}
