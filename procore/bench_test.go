package procore_test

import (
	"context"
	"testing"

	"github.com/procore-sa/procore-sa/internal/simtest"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/procore/sim"
)

// BenchmarkListProjects10k is the client's cost to list 10,000 projects from
// the simulator over loopback: requests made and allocations.
func BenchmarkListProjects10k(b *testing.B) {
	w := simtest.New(b, sim.Config{Seed: 1, Projects: 10_000, DMSAPermitAll: true})
	c := w.Client(w.Fx.CompanyID, nil)
	ctx := context.Background()
	if _, err := c.Me(ctx); err != nil { // the token, outside the loop
		b.Fatal(err)
	}
	w.S.ResetStats()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		for _, err := range c.Projects(ctx, procore.ProjectFilter{Status: "All"}) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 10_000 {
			b.Fatalf("%d projects", n)
		}
	}
	b.ReportMetric(float64(w.S.Stats().Requests)/float64(b.N), "requests/op")
}
