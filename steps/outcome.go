package steps

import (
	"fmt"
	"time"
)

// OutcomeKind says how a step that the tool can do ended.
type OutcomeKind string

const (
	// OutcomeDone: procore-sa did it and read Procore back.
	OutcomeDone OutcomeKind = "done"
	// OutcomeByHand: the person did it in Procore themselves, and ticked
	// the step's checklist as they went.
	OutcomeByHand OutcomeKind = "by_hand"
	// OutcomeSkipped: the person went on without it; it is not done.
	OutcomeSkipped OutcomeKind = "skipped"
	// OutcomeStarted: work begun and not finished (an add-all run stopped
	// at a safe point, its journal named in Run); it does not complete the
	// step, and resuming the walk takes the work up.
	OutcomeStarted OutcomeKind = "started"
	// OutcomeNotApplicable: an earlier answer made the step not apply (a
	// vendor's app has no credential to capture); Detail says why. The
	// walk passes over it; it is neither done nor skipped.
	OutcomeNotApplicable OutcomeKind = "not_applicable"
)

// Outcome is what came of a step the tool can do, as the session keeps it
// (never a secret): "saved to profile dmsa-2", "2,700 of 2,700 projects,
// run R", "verified as user 14100003", "done by hand". The fields after
// Detail are what later steps use of it.
type Outcome struct {
	Kind   OutcomeKind `json:"kind"`
	Detail string      `json:"detail,omitempty"`
	At     time.Time   `json:"at"`

	// Profile is where a credential or a sign-in was kept.
	Profile string `json:"profile,omitempty"`
	// Run is the add-all run whose journal holds the step's work.
	Run string `json:"run,omitempty"`
	// UserID is the directory user the step acted on or found.
	UserID int64 `json:"user_id,omitempty"`
}

// Record keeps the outcome of step id; a zero At is now. A step the tool
// performs is complete only with an outcome of done or skipped, or, done by
// hand, with its checklist ticked.
func (w *Walker) Record(id string, o Outcome) {
	if o.At.IsZero() {
		o.At = w.now()
	}
	w.Session.Outcomes[id] = o
	w.touch()
}

// Forget drops the outcome of step id, for a step the person chose to do
// again.
func (w *Walker) Forget(id string) {
	if _, ok := w.Session.Outcomes[id]; ok {
		delete(w.Session.Outcomes, id)
		w.touch()
	}
}

// Outcome is step id's outcome, if it has one.
func (w *Walker) Outcome(id string) (Outcome, bool) {
	o, ok := w.Session.Outcomes[id]
	return o, ok
}

// Latest is the outcome of the last step of kind k, up to the current one,
// that the tool did (OutcomeDone): where a capture kept its credential,
// where the admin's sign-in went, which user was set up.
func (w *Walker) Latest(k Kind) (Outcome, bool) {
	for i := min(w.Session.Step, len(w.Guide.Steps)-1); i >= 0; i-- {
		st := w.Guide.Steps[i]
		if st.Kind != k {
			continue
		}
		if o, ok := w.Session.Outcomes[st.ID]; ok && o.Kind == OutcomeDone {
			return o, true
		}
	}
	return Outcome{}, false
}

// Describe is the outcome as the transcript says it.
func (o Outcome) Describe() string {
	var s string
	switch o.Kind {
	case OutcomeDone:
		s = "Done by procore-sa"
	case OutcomeByHand:
		s = "Done by hand in Procore"
	case OutcomeSkipped:
		s = "Skipped"
	case OutcomeStarted:
		s = "Started by procore-sa, not finished"
	case OutcomeNotApplicable:
		s = "Does not apply"
	default:
		s = string(o.Kind)
	}
	if o.Detail != "" {
		s += ": " + o.Detail
	}
	if !o.At.IsZero() {
		s += fmt.Sprintf(" (%s)", o.At.UTC().Format(time.RFC3339))
	}
	return s
}
