package steps

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// SessionVersion is the version of the Session document written to disk.
const SessionVersion = 1

// Session is the walk through one guide: where the person is and what they
// have entered. It is saved so a wizard can resume, so it never holds a
// secret: a password step records only that a password was accepted.
type Session struct {
	Version   int       `json:"version"`
	GuideID   string    `json:"guide"`
	Step      int       `json:"step"` // index of the current step
	StartedAt time.Time `json:"started_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Finished  time.Time `json:"finished,omitzero"`

	// Completed maps a step id to when it was completed.
	Completed map[string]time.Time `json:"completed,omitempty"`
	// Checked maps a step id to its ticked checklist items.
	Checked map[string][]bool `json:"checked,omitempty"`
	// Values maps a field id to its value. Field ids are unique per guide.
	Values map[string]string `json:"values,omitempty"`
	// Cells maps a matrix step id to its ticked cells, row by row.
	Cells map[string][][]bool `json:"cells,omitempty"`
	// Outcomes maps a step id to what came of it, for the steps the tool
	// can do (see Record).
	Outcomes map[string]Outcome `json:"outcomes,omitempty"`
	// Chosen maps a step id to the projects the person chose for it (an
	// action or a check of "the chosen projects"): ids only, as the names
	// are Procore's and read again.
	Chosen map[string][]int64 `json:"chosen,omitempty"`
}

// NewSession starts a walk through g at its first step.
func NewSession(g *Guide, now time.Time) *Session {
	s := &Session{Version: SessionVersion, GuideID: g.ID, StartedAt: now, UpdatedAt: now}
	s.fit(g)
	return s
}

// fit sizes the session's slices to the guide, so a session saved against
// an older copy of a guide cannot index out of range.
func (s *Session) fit(g *Guide) {
	if s.Completed == nil {
		s.Completed = map[string]time.Time{}
	}
	if s.Checked == nil {
		s.Checked = map[string][]bool{}
	}
	if s.Values == nil {
		s.Values = map[string]string{}
	}
	if s.Cells == nil {
		s.Cells = map[string][][]bool{}
	}
	if s.Outcomes == nil {
		s.Outcomes = map[string]Outcome{}
	}
	if s.Chosen == nil {
		s.Chosen = map[string][]int64{}
	}
	for _, st := range g.Steps {
		if n := len(st.Checklist); n > 0 {
			s.Checked[st.ID] = resize(s.Checked[st.ID], n)
		}
		for _, f := range st.Fields {
			if _, ok := s.Values[f.ID]; !ok && f.Default != "" {
				s.Values[f.ID] = f.Default
			}
		}
		if st.Matrix != nil {
			rows := s.Cells[st.ID]
			out := make([][]bool, len(st.Matrix.Rows))
			for i := range out {
				var old []bool
				if i < len(rows) {
					old = rows[i]
				}
				out[i] = resize(old, len(st.Matrix.Columns))
			}
			s.Cells[st.ID] = out
		}
	}
	if s.Step < 0 {
		s.Step = 0
	}
	if s.Step >= len(g.Steps) {
		s.Step = len(g.Steps) - 1
	}
}

func resize(b []bool, n int) []bool {
	out := make([]bool, n)
	copy(out, b)
	return out
}

// Walker walks a guide: the current step, what is complete, what may come
// next. It is the step engine; screens read and change it, nothing else.
type Walker struct {
	Guide   *Guide
	Session *Session

	// accepted records password steps whose password met the policy in
	// this process. It is deliberately not part of Session: a resumed
	// wizard asks for the password again rather than remember it.
	accepted map[string]bool
	now      func() time.Time
	rev      int
}

// NewWalker walks g from s, or from the start when s is nil.
func NewWalker(g *Guide, s *Session, now func() time.Time) *Walker {
	if now == nil {
		now = time.Now
	}
	if s == nil || s.GuideID != g.ID {
		s = NewSession(g, now())
	}
	s.fit(g)
	return &Walker{Guide: g, Session: s, accepted: map[string]bool{}, now: now}
}

// Len is the number of steps.
func (w *Walker) Len() int { return len(w.Guide.Steps) }

// Index is the current step's index, from 0.
func (w *Walker) Index() int { return w.Session.Step }

// Current is the current step.
func (w *Walker) Current() *Step { return &w.Guide.Steps[w.Session.Step] }

// Done reports whether the step with this id has been completed.
func (w *Walker) Done(id string) bool {
	_, ok := w.Session.Completed[id]
	return ok
}

// Finished reports whether the last step has been completed.
func (w *Walker) Finished() bool { return !w.Session.Finished.IsZero() }

// Value is a field's value.
func (w *Walker) Value(fieldID string) string { return w.Session.Values[fieldID] }

// SetValue sets a field's value.
func (w *Walker) SetValue(fieldID, v string) {
	w.Session.Values[fieldID] = v
	w.touch()
}

// Checked reports whether checklist item i of the current step is ticked.
func (w *Walker) Checked(i int) bool {
	c := w.Session.Checked[w.Current().ID]
	return i >= 0 && i < len(c) && c[i]
}

// Toggle ticks or unticks checklist item i of the current step.
func (w *Walker) Toggle(i int) {
	c := w.Session.Checked[w.Current().ID]
	if i >= 0 && i < len(c) {
		c[i] = !c[i]
		w.touch()
	}
}

// Cell reports whether matrix cell (r, c) of the current step is ticked.
func (w *Walker) Cell(r, c int) bool {
	rows := w.Session.Cells[w.Current().ID]
	return r >= 0 && r < len(rows) && c >= 0 && c < len(rows[r]) && rows[r][c]
}

// ToggleCell ticks or unticks matrix cell (r, c) of the current step.
func (w *Walker) ToggleCell(r, c int) {
	rows := w.Session.Cells[w.Current().ID]
	if r >= 0 && r < len(rows) && c >= 0 && c < len(rows[r]) {
		rows[r][c] = !rows[r][c]
		w.touch()
	}
}

// Choose records the projects the person chose for step id (none: the
// choice is forgotten).
func (w *Walker) Choose(id string, projects []int64) {
	if len(projects) == 0 {
		delete(w.Session.Chosen, id)
	} else {
		w.Session.Chosen[id] = slices.Clone(projects)
	}
	w.touch()
}

// Chosen is the projects the person chose for step id (nil: none yet).
func (w *Walker) Chosen(id string) []int64 { return slices.Clone(w.Session.Chosen[id]) }

// AcceptPassword records that the current password step's password met the
// policy and its confirmation. The password itself is not kept.
func (w *Walker) AcceptPassword(password, confirm string) error {
	st := w.Current()
	if st.Kind != KindPassword {
		return fmt.Errorf("step %q is not a password step", st.ID)
	}
	p := w.Guide.Policy()
	if !AllMet(p.Check(password)) {
		return errors.New("the password does not meet every rule")
	}
	if p.Confirm && password != confirm {
		return errors.New("the two passwords differ")
	}
	w.accepted[st.ID] = true
	return nil
}

// Problem says why the current step cannot be completed yet, or nil.
//
// A step the tool can do (an automated kind) is complete with an outcome
// of done or skipped; without one it is the person's to do by hand, and
// its checklist must then be ticked, by them. A password step is complete
// once a password met its rules in this process, or once it was kept.
func (w *Walker) Problem() error {
	st := w.Current()
	if !w.applies(w.Session.Step) {
		return nil
	}
	o, hasOutcome := w.Session.Outcomes[st.ID]
	if hasOutcome && (o.Kind == OutcomeDone || o.Kind == OutcomeSkipped) {
		return nil
	}
	if c := w.Session.Checked[st.ID]; len(c) > 0 {
		n := 0
		for _, ok := range c {
			if ok {
				n++
			}
		}
		if n < len(c) {
			return fmt.Errorf("%d of %d items ticked: tick every item once it is done in Procore", n, len(c))
		}
	}
	switch st.Kind {
	case KindForm:
		for _, f := range st.Fields {
			if err := f.Validate(w.Session.Values[f.ID], w.Session.Values); err != nil {
				return fmt.Errorf("%s: %w", f.Label, err)
			}
		}
	case KindPassword:
		if !w.accepted[st.ID] {
			return errors.New("enter a password that meets every rule, and confirm it")
		}
	case KindMatrix:
		if st.Matrix.RequireAll {
			for _, row := range w.Session.Cells[st.ID] {
				for _, ok := range row {
					if !ok {
						return errors.New("tick every box: each one is required")
					}
				}
			}
		}
	}
	return nil
}

// Next completes the current step and moves on to the next step that
// applies. On the last step it marks the walk finished. It refuses, saying
// why, while the step is incomplete. A step the tool can do that the
// person finished by ticking its checklist is recorded as done by hand; a
// skipped step moves on without counting as completed; a step that does
// not apply, by an earlier answer, is recorded as such with why, and
// passed over.
func (w *Walker) Next() error {
	if err := w.Problem(); err != nil {
		return err
	}
	now := w.now()
	st := w.Current()
	o, hasOutcome := w.Session.Outcomes[st.ID]
	switch {
	case !w.applies(w.Session.Step):
		w.notApplicable(w.Session.Step, now)
	case hasOutcome && o.Kind == OutcomeSkipped:
	case (!hasOutcome || o.Kind == OutcomeStarted || o.Kind == OutcomeNotApplicable) && st.Automated():
		w.Session.Outcomes[st.ID] = Outcome{Kind: OutcomeByHand, Detail: "done by hand", At: now}
		w.Session.Completed[st.ID] = now
	default:
		if hasOutcome && o.Kind == OutcomeNotApplicable {
			delete(w.Session.Outcomes, st.ID)
		}
		w.Session.Completed[st.ID] = now
	}
	i := w.Session.Step + 1
	for ; i < w.Len() && !w.applies(i); i++ {
		w.notApplicable(i, now)
	}
	if i >= w.Len() {
		w.Session.Finished = now
	} else {
		w.Session.Step = i
		// An answer changed since: what did not apply before may now.
		if o, ok := w.Session.Outcomes[w.Guide.Steps[i].ID]; ok && o.Kind == OutcomeNotApplicable {
			delete(w.Session.Outcomes, w.Guide.Steps[i].ID)
		}
	}
	w.touch()
	return nil
}

// applies reports whether step i applies, by the answers so far.
func (w *Walker) applies(i int) bool {
	ok, _ := w.Guide.Steps[i].Applies(w.Session.Values)
	return ok
}

// notApplicable records that step i does not apply, and why.
func (w *Walker) notApplicable(i int, now time.Time) {
	st := &w.Guide.Steps[i]
	_, because := st.Applies(w.Session.Values)
	w.Session.Outcomes[st.ID] = Outcome{Kind: OutcomeNotApplicable, Detail: because, At: now}
	delete(w.Session.Completed, st.ID)
}

// Back moves to the previous step that applies; what was entered stays.
func (w *Walker) Back() bool {
	i := w.Session.Step - 1
	for i >= 0 && !w.applies(i) {
		i--
	}
	if i < 0 {
		return false
	}
	w.Session.Step = i
	w.touch()
	return true
}

// NotApplicable lists the steps passed over since they do not apply, each
// with why, in guide order: for a screen or a transcript to say so.
func (w *Walker) NotApplicable() []NotApplicableStep {
	var out []NotApplicableStep
	for i, st := range w.Guide.Steps {
		if o, ok := w.Session.Outcomes[st.ID]; ok && o.Kind == OutcomeNotApplicable {
			out = append(out, NotApplicableStep{Index: i, Step: &w.Guide.Steps[i], Because: o.Detail})
		}
	}
	return out
}

// NotApplicableStep is a step that an earlier answer made not apply.
type NotApplicableStep struct {
	Index   int
	Step    *Step
	Because string
}

// Dirty reports whether the walk holds work that quitting would lose: it has
// left its first step, or something was entered: a ticked checklist item, a
// field whose value is not its default, a ticked matrix cell.
func (w *Walker) Dirty() bool {
	if w.Session.Step > 0 || len(w.Session.Completed) > 0 || len(w.Session.Outcomes) > 0 || len(w.Session.Chosen) > 0 {
		return true
	}
	for _, c := range w.Session.Checked {
		if slices.Contains(c, true) {
			return true
		}
	}
	for _, rows := range w.Session.Cells {
		for _, r := range rows {
			if slices.Contains(r, true) {
				return true
			}
		}
	}
	for _, st := range w.Guide.Steps {
		for _, f := range st.Fields {
			if v, ok := w.Session.Values[f.ID]; ok && v != f.Default {
				return true
			}
		}
	}
	return false
}

func (w *Walker) touch() {
	w.Session.UpdatedAt = w.now()
	w.rev++
}

// Rev counts the changes made through this walker, so a caller can tell
// whether there is anything new to save.
func (w *Walker) Rev() int { return w.rev }

// Clone is a deep copy, for handing a snapshot to code that runs elsewhere
// (a save in the background) while the walk goes on.
func (s *Session) Clone() *Session {
	c := *s
	c.Completed = maps.Clone(s.Completed)
	c.Values = maps.Clone(s.Values)
	c.Checked = make(map[string][]bool, len(s.Checked))
	for k, v := range s.Checked {
		c.Checked[k] = slices.Clone(v)
	}
	c.Outcomes = maps.Clone(s.Outcomes)
	c.Chosen = make(map[string][]int64, len(s.Chosen))
	for k, v := range s.Chosen {
		c.Chosen[k] = slices.Clone(v)
	}
	c.Cells = make(map[string][][]bool, len(s.Cells))
	for k, rows := range s.Cells {
		cp := make([][]bool, len(rows))
		for i, r := range rows {
			cp[i] = slices.Clone(r)
		}
		c.Cells[k] = cp
	}
	return &c
}
