package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/spf13/cobra"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/procore/sim"
)

// simFlags are the settings of `procore-sa sim`.
type simFlags struct {
	addr                    string
	projects                int
	seed                    int64
	hourlyLimit, spikeLimit int
	latency                 time.Duration
	faultRate               float64
	dmsaDirectoryAdmin      bool
}

func newSimCmd(a *cli) *cobra.Command {
	var f simFlags
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
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.faultRate < 0 || f.faultRate > 1 {
				return usage(fmt.Errorf("--fault-rate %v: give a fraction from 0 to 1", f.faultRate))
			}
			if f.projects < 1 || f.projects > 200_000 {
				return usage(fmt.Errorf("--projects %d: give 1 to 200000", f.projects))
			}
			host, _, err := net.SplitHostPort(f.addr)
			if err != nil || !procore.IsLoopback(host) {
				return usage(fmt.Errorf("--addr %q: the simulator listens on a loopback address only, such as 127.0.0.1:7070", f.addr))
			}
			return a.runSim(cmd.Context(), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", "127.0.0.1:7070", "loopback address to listen on (port 0 picks a free one)")
	fl.IntVar(&f.projects, "projects", 250, "number of projects in the demo company")
	fl.Int64Var(&f.seed, "seed", 1, "seed of the demo data, credentials and faults")
	fl.IntVar(&f.hourlyLimit, "hourly-limit", 3600, "requests per hourly window")
	fl.IntVar(&f.spikeLimit, "spike-limit", 25, "requests per 10-second spike window")
	fl.DurationVar(&f.latency, "latency", 0, "latency added to every request")
	fl.Float64Var(&f.faultRate, "fault-rate", 0, "fraction of API requests answered 500 or 503")
	fl.BoolVar(&f.dmsaDirectoryAdmin, "dmsa-directory-admin", false,
		"make the DMSA's user a Directory Admin (by default it may only read the directory, as Procore advises)")
	return cmd
}

func (a *cli) runSim(ctx context.Context, f simFlags) error {
	r, err := app.StartSim(f.addr, sim.Config{
		Seed: f.seed, Projects: f.projects, HourlyLimit: f.hourlyLimit, SpikeLimit: f.spikeLimit,
		DMSADirectoryAdmin: f.dmsaDirectoryAdmin,
	}, sim.Faults{Latency: f.latency, ErrorRate: f.faultRate})
	if err != nil {
		return failed(err)
	}
	defer r.Stop()
	fx := r.Fixtures()
	fmt.Fprintf(a.stdout, "login_url: %s\napi_url: %s\ncompany_id: %d\n", r.URL, r.URL, fx.CompanyID)
	// The simulator's invented credentials are printed on purpose: they are
	// what a test or a person uses to reach it, and open nothing real.
	fmt.Fprintf(a.stdout, "dmsa_client_id: %s\ndmsa_client_secret: %s\n", fx.DMSAClientID, fx.DMSAClientSecret)
	fmt.Fprintf(a.stdout, "dmsa_user_id: %d\ndmsa_directory_admin: %t\n", fx.DMSAUserID, f.dmsaDirectoryAdmin)
	fmt.Fprintf(a.stdout, "admin_client_id: %s\nadmin_client_secret: %s\nadmin_login: %s\n", fx.AdminClientID, fx.AdminClientSecret, fx.AdminLogin)
	fmt.Fprintf(a.stdout, "service_user_id: %d\nservice_user_email: %s\n", fx.ServiceUserID, fx.ServiceUserEmail)
	fmt.Fprintln(a.stderr, "procore-sa: simulator running; press ctrl+c to stop")
	<-ctx.Done()
	if errors.Is(ctx.Err(), context.Canceled) {
		return &exitError{code: exitInterrupted}
	}
	return nil
}
