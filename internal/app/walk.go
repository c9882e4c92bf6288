package app

import (
	"fmt"
	"strings"
	"time"

	"github.com/procore-sa/procore-sa/steps"
)

// OfferResume reports whether a saved walk of g is worth offering to
// resume: unfinished, and holding work (steps.Walker.Dirty): a step left,
// a tick, a value typed, an outcome. Work on the first step counts.
func OfferResume(g *steps.Guide, s *steps.Session) bool {
	if s == nil || s.GuideID != g.ID || !s.Finished.IsZero() {
		return false
	}
	return steps.NewWalker(g, s.Clone(), nil).Dirty()
}

// DescribeSaved says where a saved walk stands, for the resume question:
// "step 4 of 12, "Create the user", last saved 2026-12-01 09:30 UTC (2 h
// ago)".
func DescribeSaved(g *steps.Guide, s *steps.Session, now time.Time) string {
	at := "an earlier step"
	if s.Step >= 0 && s.Step < len(g.Steps) {
		at = fmt.Sprintf("step %d of %d, %q", s.Step+1, len(g.Steps), g.Steps[s.Step].Title)
	}
	return fmt.Sprintf("%s, last saved %s (%s ago)", at, s.UpdatedAt.UTC().Format("2006-01-02 15:04 MST"), Ago(now.Sub(s.UpdatedAt)))
}

// Ago is a duration as a person says it: "moments", "12 min", "5 h",
// "3 days".
func Ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "moments"
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h", int(d.Hours()))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

// Finish ends a finished walk: the transcript is written, then the saved
// progress forgotten (there is nothing left to resume). It returns the
// transcript's path. A front-end calls it once the last save has landed,
// so that no save in flight brings the session back after the delete.
func Finish(s Sessions, g *steps.Guide, sess *steps.Session, now time.Time) (string, error) {
	if s == nil {
		return "", nil
	}
	path, err := s.WriteTranscript(g, sess, now)
	if err != nil {
		return "", fmt.Errorf("write the transcript: %w", err)
	}
	if err := s.DeleteSession(g.ID); err != nil {
		return path, fmt.Errorf("forget the finished walk: %w", err)
	}
	return path, nil
}

// VerifyOutcome is a verify step's outcome: what the credential's own
// token proved, one fact after another.
func VerifyOutcome(facts []string) steps.Outcome {
	return steps.Outcome{Kind: steps.OutcomeDone, Detail: "verified with its own token: " + strings.Join(facts, " ")}
}
