package addall_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/addall"
	"github.com/procore-sa/procore-sa/internal/simtest"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/procore/sim"
)

// addAllOnce plans and runs one add-all of the service user against a
// fresh simulator, and returns the REST requests it took, the 429s it drew
// and its wall time (plan and run).
func addAllOnce(b *testing.B, cfg sim.Config, faults sim.Faults) (requests, tooMany int, wall time.Duration, plan *addall.Plan) {
	b.StopTimer()
	w := simtest.New(b, cfg)
	w.S.SetFaults(faults)
	// The admin's own sign-in: directory changes are the admin's.
	c := w.AdminClient(w.Fx.CompanyID, func(cfg *procore.Config) {
		cfg.OnEvent = nil
		// The client's defaults, not the tests' short backoff.
		cfg.BaseBackoff, cfg.MaxBackoff = 0, 0
	})
	ctx := context.Background()
	req := addall.Request{UserID: w.Fx.ServiceUserID, Template: w.Fx.TemplateName, NewProjects: true}
	b.StartTimer()
	start := time.Now()
	plan, err := addall.MakePlan(ctx, c, req)
	if err != nil {
		b.Fatal(err)
	}
	rep, err := addall.Run(ctx, c, plan, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	wall = time.Since(start)
	b.StopTimer()
	if !rep.OK() {
		b.Fatalf("report not OK: %d added, %d failed", rep.Count(addall.OutcomeAdded), rep.Count(addall.OutcomeFailed))
	}
	st := w.S.Stats()
	w.TS.Close()
	return restRequests(st), st.TooMany, wall, plan
}

// BenchmarkAddAll adds the service user to every project of a company of N
// projects (every tenth inactive) at 80 ms a request, under the documented
// default limits (3,600 an hour, 25 per 10 s). The target: 10,000 projects
// with no 429 and the fewest requests possible (minRequests: 76 for 10,000,
// of which 30 are the re-read that confirms the 9,000 memberships), in
// under 40 s: 76 requests need four 10-second spike windows of 25. (Before
// runs were confirmed by re-reading, 45 requests and under 30 s.)
//
//	go test ./procore -run '^$' -bench BenchmarkAddAll -benchtime 1x
func BenchmarkAddAll(b *testing.B) {
	for _, n := range []int{100, 1000, 10_000} {
		b.Run("N="+strconv.Itoa(n), func(b *testing.B) {
			var requests, minimum, tooMany int
			var wall time.Duration
			for range b.N {
				r, tm, d, plan := addAllOnce(b,
					sim.Config{Seed: 1, Projects: n, HourlyLimit: 3600, SpikeLimit: 25},
					sim.Faults{Latency: 80 * time.Millisecond})
				requests, tooMany, wall = requests+r, tooMany+tm, wall+d
				minimum += minRequests(true, n, len(plan.ToAdd), true)
			}
			b.ReportMetric(float64(requests)/float64(b.N), "requests/op")
			b.ReportMetric(float64(minimum)/float64(b.N), "min-requests/op")
			b.ReportMetric(float64(tooMany)/float64(b.N), "429s/op")
			b.ReportMetric(wall.Seconds()/float64(b.N), "wall-s/op")
			// The targets: a run that misses one fails.
			if requests > minimum {
				b.Errorf("%d requests; the fewest possible is %d", requests, minimum)
			}
			if tooMany > 0 {
				b.Errorf("%d 429s", tooMany)
			}
			if n == 10_000 && wall >= 40*time.Second*time.Duration(b.N) {
				b.Errorf("10,000 projects took %s; the target is under 40 s", wall/time.Duration(b.N))
			}
		})
	}
}

// BenchmarkFallbackPace adds to 1,000 projects one at a time (bulk_add
// refused, 80 ms a request) under shortened windows allowing 1,020 requests
// a minute, with the spike window at 1 s or at the documented 10 s, and
// reports the pace achieved as a percentage of the pace the limits allow:
// the least time fixed windows need to admit the run's requests (a window
// of each limit's size after the first, for the window that needs more)
// over the time taken. Plain requests over seconds would flatter a run
// that ends early in its last window. Target: at least 95% (10 s spike
// window), no 429; a run below fails. Each
// sub-benchmark takes one to two minutes.
//
//	go test ./procore -run '^$' -bench BenchmarkFallbackPace -benchtime 1x -timeout 30m
func BenchmarkFallbackPace(b *testing.B) {
	for _, spike := range []time.Duration{time.Second, 10 * time.Second} {
		b.Run("spike="+spike.String(), func(b *testing.B) {
			cfg := sim.Config{Seed: 1, Projects: 1111, // 1,000 active
				HourlyLimit: 1020, HourlyWindow: time.Minute,
				SpikeLimit: int(17 * spike.Seconds()), SpikeWindow: spike}
			var requests, tooMany int
			var wall, least time.Duration
			for range b.N {
				r, tm, d, _ := addAllOnce(b, cfg, sim.Faults{Latency: 80 * time.Millisecond, BulkAddRefused: true})
				requests, tooMany, wall = requests+r, tooMany+tm, wall+d
				least += max(leastTime(r, cfg.HourlyLimit, cfg.HourlyWindow), leastTime(r, cfg.SpikeLimit, cfg.SpikeWindow))
			}
			b.ReportMetric(float64(requests)/wall.Seconds(), "req/s")
			b.ReportMetric(least.Seconds()/float64(b.N), "least-s/op")
			b.ReportMetric(100*least.Seconds()/wall.Seconds(), "%-of-allowed")
			b.ReportMetric(float64(tooMany)/float64(b.N), "429s/op")
			b.ReportMetric(float64(requests)/float64(b.N), "requests/op")
			b.ReportMetric(wall.Seconds()/float64(b.N), "wall-s/op")
			if tooMany > 0 {
				b.Errorf("%d 429s", tooMany)
			}
			// 95% with the documented 10 s spike window; with a 1 s window
			// the 80 ms that opens each window is a larger share (about
			// 85%), so that case only guards against a regression.
			want := 95.0
			if spike < 10*time.Second {
				want = 80
			}
			if pct := 100 * least.Seconds() / wall.Seconds(); pct < want {
				b.Errorf("%.1f%% of the pace the limits allow; the target is %.0f%%", pct, want)
			}
		})
	}
}

// leastTime is the least time a fixed window of limit requests per window
// lets n requests through in: the last one can go once the windows before
// its own have passed.
func leastTime(n, limit int, window time.Duration) time.Duration {
	return time.Duration((n-1)/limit) * window
}
