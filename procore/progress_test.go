package procore

import (
	"testing"
	"time"
)

func TestPace(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	ev := func(at time.Duration, done int) AddAllEvent {
		return AddAllEvent{Kind: "added", Done: done, Total: 1000, At: t0.Add(at)}
	}
	tests := []struct {
		name  string
		first AddAllEvent
		now   AddAllEvent
		want  string
	}{
		{"under a second", ev(0, 100), ev(500*time.Millisecond, 200), ""},
		{"no progress", ev(0, 100), ev(5*time.Second, 100), ""},
		{"resumed run starts at its first event", ev(0, 400), ev(2*time.Second, 500), " (50/s, about 10 s left)"},
		{"minutes", ev(0, 0), ev(10*time.Second, 10), " (1/s, about 17 min left)"},
		{"done", ev(0, 0), ev(4*time.Second, 1000), " (250/s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Pace
			p.Observe(tt.first)
			p.Observe(tt.now)
			if got := p.Describe(tt.now); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
