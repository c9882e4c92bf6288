package addall

import (
	"fmt"
	"time"
)

// paceBurst is how close together outcomes count as one burst: a resumed
// run confirms what an earlier run did all at once, and one bulk_add
// confirms up to a thousand projects.
const paceBurst = 100 * time.Millisecond

// Pace turns an add-all run's outcomes into a rate and a time left, for
// progress displays. It measures from the end of the first burst of
// outcomes, so projects that needed no request (members already, or
// confirmed on resume) and the first bulk_add do not inflate the rate.
type Pace struct {
	first time.Time // the first outcome
	start time.Time // the last outcome of the first burst
	base  int       // outcomes by then
}

// Observe notes an outcome event (added, already, failed): at is its time,
// done the run's running total.
func (p *Pace) Observe(at time.Time, done int) {
	if p.first.IsZero() {
		p.first = at
	}
	if at.Sub(p.first) < paceBurst {
		p.start, p.base = at, done
	}
}

// Rate is projects a second from the end of the first burst until at, with
// done outcomes by then, and whether there is enough to tell: a second's
// worth and some progress.
func (p *Pace) Rate(at time.Time, done int) (float64, bool) {
	el := at.Sub(p.start)
	if p.start.IsZero() || el < time.Second || done <= p.base {
		return 0, false
	}
	return float64(done-p.base) / el.Seconds(), true
}

// Left is the time the rest of total takes at the rate so far.
func (p *Pace) Left(at time.Time, done, total int) (time.Duration, bool) {
	r, ok := p.Rate(at, done)
	if !ok {
		return 0, false
	}
	return timeLeft(r, done, total), true
}

func timeLeft(rate float64, done, total int) time.Duration {
	return time.Duration(float64(max(0, total-done)) / rate * float64(time.Second))
}

// Describe is " (520/s, about 10 s left)", " (2.5/s)" when done, or ""
// until the rate is known.
func (p *Pace) Describe(at time.Time, done, total int) string {
	r, ok := p.Rate(at, done)
	if !ok {
		return ""
	}
	if done >= total {
		return " (" + FormatRate(r) + "/s)"
	}
	return fmt.Sprintf(" (%s/s, about %s left)", FormatRate(r), RoundLeft(timeLeft(r, done, total)))
}

// FormatRate is a rate as a person reads it: a decimal below ten.
func FormatRate(r float64) string {
	if r < 10 {
		return fmt.Sprintf("%.1f", r)
	}
	return fmt.Sprintf("%.0f", r)
}

// RoundLeft rounds a duration to what a person reads: seconds under a
// minute, then minutes, then hours and minutes.
func RoundLeft(d time.Duration) string {
	switch {
	case d < time.Second:
		return "1 s"
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Seconds()+0.5))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()+0.5))
	default:
		h := int(d.Hours())
		return fmt.Sprintf("%d h %d min", h, int((d-time.Duration(h)*time.Hour).Minutes()+0.5))
	}
}
