package procore

import (
	"fmt"
	"time"
)

// Pace turns add-all events into a rate and a time left, for progress
// lines. The rate is measured from the first event observed, so projects an
// earlier run confirmed (reported at once on resume) do not inflate it.
type Pace struct {
	start     time.Time
	startDone int
}

// Observe notes an event.
func (p *Pace) Observe(e AddAllEvent) {
	if p.start.IsZero() {
		p.start, p.startDone = e.At, e.Done
	}
}

// Rate is projects a second since the first event, and whether there is
// enough to tell (a second's worth).
func (p *Pace) Rate(e AddAllEvent) (float64, bool) {
	el := e.At.Sub(p.start)
	if p.start.IsZero() || el < time.Second || e.Done <= p.startDone {
		return 0, false
	}
	return float64(e.Done-p.startDone) / el.Seconds(), true
}

// Describe is " (12/s, about 40 s left)", or "" until the rate is known.
func (p *Pace) Describe(e AddAllEvent) string {
	r, ok := p.Rate(e)
	if !ok {
		return ""
	}
	left := time.Duration(float64(e.Total-e.Done) / r * float64(time.Second))
	if e.Done >= e.Total {
		return fmt.Sprintf(" (%.0f/s)", r)
	}
	return fmt.Sprintf(" (%.0f/s, about %s left)", r, roundLeft(left))
}

// roundLeft rounds a time left to what a person reads: seconds under a
// minute, then minutes.
func roundLeft(d time.Duration) string {
	switch {
	case d < time.Second:
		return "1 s"
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Seconds()+0.5))
	default:
		return fmt.Sprintf("%d min", int(d.Minutes()+0.5))
	}
}
