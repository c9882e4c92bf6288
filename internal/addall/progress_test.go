package addall

import (
	"testing"
	"time"
)

func TestPace(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	type obs struct {
		at   time.Duration
		done int
	}
	tests := []struct {
		name  string
		seen  []obs // outcomes observed
		now   obs
		total int
		want  string
	}{
		{"under a second", []obs{{0, 100}}, obs{500 * time.Millisecond, 200}, 1000, ""},
		{"no progress", []obs{{0, 100}}, obs{5 * time.Second, 100}, 1000, ""},
		{"a resumed run's confirmations are not counted", []obs{{0, 1}, {50 * time.Millisecond, 400}}, obs{2*time.Second + 50*time.Millisecond, 500}, 1000, " (50/s, about 10 s left)"},
		{"after the first burst, everything counts", []obs{{0, 400}, {time.Second, 450}}, obs{2 * time.Second, 500}, 1000, " (50/s, about 10 s left)"},
		{"below ten a second, a decimal; minutes", []obs{{0, 10}}, obs{4 * time.Second, 20}, 1000, " (2.5/s, about 7 min left)"},
		{"hours", []obs{{0, 10}}, obs{10 * time.Second, 20}, 10000, " (1.0/s, about 2 h 46 min left)"},
		{"done", []obs{{0, 0}}, obs{4 * time.Second, 1000}, 1000, " (250/s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Pace
			for _, o := range tt.seen {
				p.Observe(t0.Add(o.at), o.done)
			}
			p.Observe(t0.Add(tt.now.at), tt.now.done)
			if got := p.Describe(t0.Add(tt.now.at), tt.now.done, tt.total); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRoundLeft(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "1 s", 400 * time.Millisecond: "1 s", 6600 * time.Millisecond: "7 s",
		90 * time.Second: "2 min", 2*time.Hour + 46*time.Minute: "2 h 46 min",
	} {
		if got := RoundLeft(d); got != want {
			t.Errorf("RoundLeft(%s) = %q, want %q", d, got, want)
		}
	}
}
