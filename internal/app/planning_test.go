package app

import (
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/addall"
)

func TestPlanning(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		name   string
		events []addall.Event
		at     time.Duration
		want   string
	}{
		{"nothing yet", nil, 3 * time.Second, "reading the first page, 3 s so far"},
		{"pages", []addall.Event{{Kind: "reading", Rows: 300, Pages: 1}, {Kind: "reading", Rows: 600, Pages: 2}}, 10 * time.Second,
			"600 projects read in 2 pages, 10 s so far"},
		{"late page does not go back", []addall.Event{{Kind: "reading", Rows: 600, Pages: 2}, {Kind: "reading", Rows: 300, Pages: 1}}, 10 * time.Second,
			"600 projects read in 2 pages, 10 s so far"},
		{"waiting", []addall.Event{{Kind: "reading", Rows: 300, Pages: 1},
			{Kind: "wait", Reason: "waiting 30 s for Procore's rate limit", Wait: 30 * time.Second, At: t0.Add(5 * time.Second)}}, 10 * time.Second,
			"300 projects read in 1 page, 10 s so far; waiting 30 s for Procore's rate limit"},
		{"wait over", []addall.Event{{Kind: "reading", Rows: 300, Pages: 1},
			{Kind: "wait", Reason: "waiting 3 s for Procore's rate limit", Wait: 3 * time.Second, At: t0.Add(time.Second)}}, 10 * time.Second,
			"300 projects read in 1 page, 10 s so far"},
		{"all read", []addall.Event{{Kind: "read", Rows: 20000, Pages: 67}}, 95 * time.Second, "20000 projects read in 67 pages, 2 min so far"},
		{"of the total", []addall.Event{{Kind: "reading", Rows: 600, Pages: 2, RowsTotal: 20000, PagesTotal: 67}}, 10 * time.Second,
			"page 2 of 67: 600 of 20000 projects read, 10 s so far, about 5 min left"},
		{"of the total, waiting", []addall.Event{{Kind: "reading", Rows: 6000, Pages: 20, RowsTotal: 20000, PagesTotal: 67},
			{Kind: "wait", Reason: "waiting 30 s for Procore's rate limit", Wait: 30 * time.Second, At: t0.Add(25 * time.Second)}}, 30 * time.Second,
			"page 20 of 67: 6000 of 20000 projects read, 30 s so far, about 1 min left; waiting 30 s for Procore's rate limit"},
		{"all read of the total", []addall.Event{{Kind: "read", Rows: 20000, Pages: 67, RowsTotal: 20000, PagesTotal: 67}}, 95 * time.Second,
			"20000 projects read in 67 pages, 2 min so far"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := StartPlanning(t0)
			for _, e := range c.events {
				p.Apply(e)
			}
			if got := p.Line(t0.Add(c.at)); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}
