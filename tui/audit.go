package tui

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/steps"
)

type auditReadMsg struct {
	step string
	seq  int
	reqs []app.Requirement
	err  error
}

// auditScreen is a guide's last step: every check of the guide read from
// Procore, as the check command prints them (requirement, what Procore
// says, how to fix), with one line that sums it up. Nothing is changed.
// The reading is the step's outcome.
type auditScreen struct {
	sh      *shared
	step    *steps.Step
	checker app.Checker
	width   int
	spin    spinner.Model

	seq     int
	reading bool
	read    bool
	reqs    []app.Requirement
	err     error
	cursor  int // the requirement in sight
}

func newAuditScreen(sh *shared, st *steps.Step, c app.Checker) *auditScreen {
	return &auditScreen{sh: sh, step: st, checker: c, spin: newSpinner(sh)}
}

func (s *auditScreen) SetWidth(w int) { s.width = w }
func (s *auditScreen) Typing() bool   { return false }

func (s *auditScreen) Bindings() []key.Binding {
	k := s.sh.keys
	switch {
	case s.reading:
		return nil
	case s.read:
		b := []key.Binding{withHelp(k.Next, "finish"), withHelp(k.Retry, "read again")}
		if len(s.reqs) > 1 {
			b = append(b, key.NewBinding(key.WithKeys(append(k.Up.Keys(), k.Down.Keys()...)...), key.WithHelp("↑/↓", "scroll")))
		}
		return append(b, k.Back)
	}
	if s.err != nil {
		return []key.Binding{withHelp(k.Retry, "read again"), withHelp(k.Skip, "skip the audit"), k.Back}
	}
	return []key.Binding{withHelp(k.Next, "audit"), withHelp(k.Skip, "skip the audit"), k.Back}
}

func (s *auditScreen) start() tea.Cmd {
	s.seq++
	s.reading, s.err = true, nil
	checker, g, using := s.checker, s.sh.walker.Guide, app.UsingWalk(s.sh.walker)
	id, seq := s.step.ID, s.seq
	read := func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), checkTimeout)
		defer cancel()
		reqs, err := checker.Audit(ctx, g, using)
		return auditReadMsg{step: id, seq: seq, reqs: reqs, err: err}
	}
	return tea.Batch(read, s.spin.Tick)
}

func (s *auditScreen) Update(msg tea.Msg) (nav, tea.Cmd) {
	switch msg := msg.(type) {
	case auditReadMsg:
		if msg.step != s.step.ID || msg.seq != s.seq {
			return stay, nil
		}
		s.reading, s.err = false, msg.err
		if msg.err == nil {
			s.read, s.reqs = true, msg.reqs
			s.cursor = min(s.cursor, max(0, len(s.reqs)-1))
			// What the audit found is the step's outcome, for the
			// transcript: the tool read it, nobody ticked it.
			s.sh.walker.Record(s.step.ID, steps.Outcome{Kind: steps.OutcomeDone, Detail: "audited in Procore: " + capital(app.Summary(s.reqs))})
		}
		return stay, nil
	case spinner.TickMsg:
		if !s.reading || msg.ID != s.spin.ID() {
			return stay, nil
		}
		var cmd tea.Cmd
		s.spin, cmd = s.spin.Update(msg)
		return stay, cmd
	case tea.KeyPressMsg:
		if s.reading {
			return stay, nil
		}
		k := s.sh.keys
		switch {
		case key.Matches(msg, k.Back):
			return backward, nil
		case key.Matches(msg, k.Next) && s.read:
			return forward, nil
		case key.Matches(msg, k.Next), key.Matches(msg, k.Retry):
			return stay, s.start()
		case key.Matches(msg, k.Skip):
			// Recorded as skipped: the guide ends without an audit, and
			// the transcript says so.
			s.sh.walker.Record(s.step.ID, steps.Outcome{Kind: steps.OutcomeSkipped, Detail: "the audit was not read"})
			return forward, nil
		case key.Matches(msg, k.Up):
			s.cursor = max(0, s.cursor-1)
		case key.Matches(msg, k.Down):
			s.cursor = min(max(0, len(s.reqs)-1), s.cursor+1)
		}
	}
	return stay, nil
}

func (s *auditScreen) View() (string, int) {
	st := s.sh.styles
	var b strings.Builder
	if s.step.Body != "" {
		b.WriteString(wrap(s.step.Body, s.width, 0) + "\n\n")
	}
	switch {
	case s.reading:
		b.WriteString(s.spin.View() + " Reading every check of this guide from Procore…\n")
		return b.String(), 0
	case s.err != nil:
		b.WriteString(st.Error.Render(wrap("? The audit could not be read: "+printable(s.err.Error()), s.width, 2)) + "\n\n" +
			wrap("Press r to read Procore again, or s to finish without the audit (recorded as skipped).", s.width, 0) + "\n")
		return b.String(), 0
	case !s.read:
		b.WriteString(wrap("Press enter to read every check of this guide from Procore, the same audit the check command runs. Nothing is changed.", s.width, 0) + "\n")
		return b.String(), 0
	}
	b.WriteString(summaryLine(st, s.reqs) + "\n\n")
	table, rows := auditTable(st, s.reqs, s.width)
	top := lineCount(b.String()) - 1
	b.WriteString(table + "\n\n" + summaryLine(st, s.reqs) + "\n")
	focus := 0 // the summary and the top of the table in sight
	if s.cursor > 0 && s.cursor < len(rows) {
		focus = top + rows[s.cursor]
	}
	return b.String(), focus
}

// auditTable lays the requirements out in three columns (requirement, what
// Procore says, how to fix), each cell wrapped in its column. It returns
// the table and the line each requirement starts on.
func auditTable(st Styles, reqs []app.Requirement, width int) (string, []int) {
	const gap = 2
	room := max(30, width-2-2*gap) // "✓ " before the first column
	// What Procore says is often the longest: an address, a name, a state.
	w1 := room * 32 / 100
	w2 := room * 34 / 100
	w3 := room - w1 - w2
	pad := func(s string, w int) string {
		return s + strings.Repeat(" ", max(0, w-ansi.StringWidth(s)))
	}
	sep := strings.Repeat(" ", gap)
	var lines []string
	lines = append(lines, st.Label.Render(pad("  Requirement", w1+2)+sep+pad("Procore says", w2)+sep+"How to fix"))
	lines = append(lines, st.Subtle.Render(strings.Repeat("─", min(width, w1+w2+w3+2+2*gap))))
	starts := make([]int, 0, len(reqs))
	for _, r := range reqs {
		starts = append(starts, len(lines))
		state := printable(r.State)
		if r.Unknown {
			state = "could not be read: " + unread(state)
		}
		fix := ""
		if !r.OK {
			fix = printable(r.Fix)
		}
		c1 := strings.Split(ansi.Wrap(printable(r.Text), w1, ""), "\n")
		c2 := strings.Split(ansi.Wrap(state, w2, ""), "\n")
		c3 := strings.Split(ansi.Wrap(fix, w3, ""), "\n")
		n := max(len(c1), len(c2), len(c3))
		for i := range n {
			at := func(c []string) string {
				if i < len(c) {
					return c[i]
				}
				return ""
			}
			lead := "  "
			if i == 0 {
				lead = mark(st, r) + " "
			}
			state := pad(at(c2), w2)
			if r.Unknown {
				state = st.Warning.Render(state)
			} else {
				state = st.Subtle.Render(state)
			}
			lines = append(lines, strings.TrimRight(lead+pad(at(c1), w1)+sep+state+sep+at(c3), " "))
		}
	}
	return strings.Join(lines, "\n"), starts
}
