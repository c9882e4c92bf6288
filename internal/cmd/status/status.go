// Package status is 'procore-sa status': the stored profiles and their age.
package status

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
)

// Options are where the profiles come from and how they are printed.
type Options struct {
	Out      io.Writer
	Profiles func(context.Context) ([]cmdutil.ProfileRow, error)
	Service  func() string
	JSON     bool
	// Rotations are the profiles' last rotations ('procore-sa rotate');
	// nil shows none.
	Rotations func() (map[string]app.Rotated, error)
}

// NewCmdStatus is 'procore-sa status'.
func NewCmdStatus(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Out: f.IOStreams.Out, Profiles: f.Profiles, Service: func() string { return f.App().KeychainService() },
		Rotations: func() (map[string]app.Rotated, error) { return f.App().LastRotations() }}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Stored profiles and their age; flags any older than 180 days for rotation",
		Long: `List the stored profiles with their kind, environment and age, and flag any
credential older than 180 days for rotation. Never a secret.

--json prints {"service": ..., "profiles": [...]}, each profile with its kind,
environment, company_id, created_at, age_days and rotate (true when older
than 180 days), and last_rotated once 'procore-sa rotate' has rotated it; a
profile that cannot be read has a problem instead.
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
	rotated := map[string]app.Rotated{}
	if opts.Rotations != nil {
		// A record that cannot be read hides the last rotations, not the
		// profiles.
		if m, err := opts.Rotations(); err == nil {
			rotated = m
		}
	}
	if opts.JSON {
		enc := json.NewEncoder(opts.Out)
		enc.SetIndent("", "  ")
		out := []withRotation{}
		for _, r := range rows {
			w := withRotation{ProfileRow: r}
			if rot, ok := rotated[r.Profile]; ok {
				w.LastRotated = &rot.At
			}
			out = append(out, w)
		}
		return enc.Encode(map[string]any{"service": opts.Service(), "profiles": out})
	}
	if len(rows) == 0 {
		fmt.Fprintln(opts.Out, "No stored profiles. Run a guide, or 'procore-sa login'.")
		return nil
	}
	// A header row, as secret list has: the columns say what they hold.
	tw := tabwriter.NewWriter(opts.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROFILE\tKIND\tENVIRONMENT\tAGE")
	for _, r := range rows {
		age := r.Age()
		if rot, ok := rotated[r.Profile]; ok {
			age += "; last rotated " + rot.At.Local().Format("2 Jan 2006 15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Profile, orDash(r.Kind), orDash(r.Environment), age)
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

// withRotation is a profile's row with its last rotation, for --json.
type withRotation struct {
	cmdutil.ProfileRow
	LastRotated *time.Time `json:"last_rotated,omitempty"`
}
