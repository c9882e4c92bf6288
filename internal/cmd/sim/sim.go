// Package sim is 'procore-sa sim': the Procore simulator in the foreground.
package sim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/spf13/cobra"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/internal/iostreams"
	"github.com/procore-sa/procore-sa/procore"
	procoresim "github.com/procore-sa/procore-sa/procore/sim"
)

// Options are the simulator's settings.
type Options struct {
	IO *iostreams.IOStreams

	Addr                    string
	Projects                int
	Seed                    int64
	HourlyLimit, SpikeLimit int
	Latency                 time.Duration
	FaultRate               float64
	DMSADirectoryAdmin      bool
}

// NewCmdSim is 'procore-sa sim'.
func NewCmdSim(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Run the Procore simulator on loopback, in the foreground",
		Long: `Run the Procore simulator on loopback, in the foreground, until interrupted.

It answers like Procore's API and login hosts (OAuth, pagination, both
rate-limit windows, the documented errors) with deterministic demo data, and
prints its URLs, company ID and the demo credentials as key: value lines.
Point the program at it with --api-url and --login-url. The credentials are
the simulator's own, invented from --seed: they open nothing else.`,
		Example: "  procore-sa sim --projects 1000 --latency 80ms\n  procore-sa --api-url http://127.0.0.1:7070 --login-url http://127.0.0.1:7070 verify",
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.FaultRate < 0 || opts.FaultRate > 1 {
				return cmdutil.Usagef("--fault-rate %v: give a fraction from 0 to 1", opts.FaultRate)
			}
			if opts.Projects < 1 || opts.Projects > 200_000 {
				return cmdutil.Usagef("--projects %d: give 1 to 200000", opts.Projects)
			}
			host, _, err := net.SplitHostPort(opts.Addr)
			if err != nil || !procore.IsLoopback(host) {
				return cmdutil.Usagef("--addr %q: the simulator listens on a loopback address only, such as 127.0.0.1:7070", opts.Addr)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Addr, "addr", "127.0.0.1:7070", "loopback address to listen on (port 0 picks a free one)")
	fl.IntVar(&opts.Projects, "projects", 250, "number of projects in the demo company")
	fl.Int64Var(&opts.Seed, "seed", 1, "seed of the demo data, credentials and faults")
	fl.IntVar(&opts.HourlyLimit, "hourly-limit", 3600, "requests per hourly window")
	fl.IntVar(&opts.SpikeLimit, "spike-limit", 25, "requests per 10-second spike window")
	fl.DurationVar(&opts.Latency, "latency", 0, "latency added to every request")
	fl.Float64Var(&opts.FaultRate, "fault-rate", 0, "fraction of API requests answered 500 or 503")
	fl.BoolVar(&opts.DMSADirectoryAdmin, "dmsa-directory-admin", false,
		"make the DMSA's user a Directory Admin (by default it may only read the directory, as Procore advises)")
	return cmd
}

// Run serves the simulator until ctx ends.
func Run(ctx context.Context, opts *Options) error {
	r, err := app.StartSim(opts.Addr, procoresim.Config{
		Seed: opts.Seed, Projects: opts.Projects, HourlyLimit: opts.HourlyLimit, SpikeLimit: opts.SpikeLimit,
		DMSADirectoryAdmin: opts.DMSADirectoryAdmin,
	}, procoresim.Faults{Latency: opts.Latency, ErrorRate: opts.FaultRate})
	if err != nil {
		return err
	}
	defer r.Stop()
	out := opts.IO.Out
	fx := r.Fixtures()
	fmt.Fprintf(out, "login_url: %s\napi_url: %s\ncompany_id: %d\n", r.URL, r.URL, fx.CompanyID)
	// The simulator's invented credentials are printed on purpose: they are
	// what a test or a person uses to reach it, and open nothing real.
	fmt.Fprintf(out, "dmsa_client_id: %s\ndmsa_client_secret: %s\n", fx.DMSAClientID, fx.DMSAClientSecret)
	fmt.Fprintf(out, "dmsa_user_id: %d\ndmsa_directory_admin: %t\n", fx.DMSAUserID, opts.DMSADirectoryAdmin)
	fmt.Fprintf(out, "admin_client_id: %s\nadmin_client_secret: %s\nadmin_login: %s\n", fx.AdminClientID, fx.AdminClientSecret, fx.AdminLogin)
	fmt.Fprintf(out, "service_user_id: %d\nservice_user_email: %s\n", fx.ServiceUserID, fx.ServiceUserEmail)
	fmt.Fprintln(opts.IO.ErrOut, "procore-sa: simulator running; press ctrl+c to stop")
	<-ctx.Done()
	if errors.Is(ctx.Err(), context.Canceled) {
		return cmdutil.ErrCancel
	}
	return nil
}
