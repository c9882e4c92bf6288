package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/steps"
)

// checkTimeout bounds one reading of a step's checks (or a guide's audit),
// waits for Procore's rate limit included.
const checkTimeout = 2 * time.Minute

// checksReadMsg is the answer to one reading of a step's checks. seq tells
// a late answer (the person went away and came back) from the current one.
type checksReadMsg struct {
	step string
	seq  int
	reqs []app.Requirement
	err  error
}

// checksPanel reads a step's checks from Procore and shows each
// requirement: ✓ holds, ✗ does not (with the fix in Procore's words), ?
// could not be read (with why). It never changes the walk: what proves a
// step done is its outcome or the person's ticks.
type checksPanel struct {
	sh      *shared
	step    *steps.Step
	checker app.Checker
	width   int
	spin    spinner.Model

	seq     int
	reading bool
	read    bool // an answer is in
	reqs    []app.Requirement
	err     error
}

func newChecksPanel(sh *shared, st *steps.Step, c app.Checker) *checksPanel {
	return &checksPanel{sh: sh, step: st, checker: c, spin: newSpinner(sh)}
}

// newSpinner is the spinner every automated screen shows while Procore
// answers.
func newSpinner(sh *shared) spinner.Model {
	return spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(sh.styles.Subtle))
}

// start reads the checks again; the answer comes back as a checksReadMsg.
func (p *checksPanel) start() tea.Cmd {
	if p.reading {
		return nil
	}
	p.seq++
	p.reading, p.err = true, nil
	checker, checks, using := p.checker, p.step.Checks, app.UsingWalk(p.sh.walker)
	id, seq := p.step.ID, p.seq
	read := func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), checkTimeout)
		defer cancel()
		reqs, err := checker.Check(ctx, checks, using)
		return checksReadMsg{step: id, seq: seq, reqs: reqs, err: err}
	}
	return tea.Batch(read, p.spin.Tick)
}

// update takes the panel's messages; it reports whether msg was one.
func (p *checksPanel) update(msg tea.Msg) (bool, tea.Cmd) {
	switch msg := msg.(type) {
	case checksReadMsg:
		if msg.step != p.step.ID || msg.seq != p.seq {
			return true, nil // an answer to an earlier reading
		}
		p.reading, p.read, p.reqs, p.err = false, true, msg.reqs, msg.err
		return true, nil
	case spinner.TickMsg:
		if !p.reading || msg.ID != p.spin.ID() {
			return false, nil
		}
		var cmd tea.Cmd
		p.spin, cmd = p.spin.Update(msg)
		return true, cmd
	}
	return false, nil
}

func (p *checksPanel) view() string {
	st := p.sh.styles
	var b strings.Builder
	b.WriteString(st.Label.Render("Read from Procore") + "\n")
	switch {
	case p.reading:
		b.WriteString(p.spin.View() + " Reading Procore…\n")
	case p.err != nil:
		b.WriteString(st.Error.Render(wrap("? The checks could not be read: "+printable(p.err.Error()), p.width, 2)) + "\n")
		b.WriteString(st.Subtle.Render("Press r to read Procore again.") + "\n")
	case !p.read:
		n := len(p.step.Checks)
		b.WriteString(wrap(fmt.Sprintf("procore-sa can read %s of this step from Procore. Press r to read %s now; nothing is changed.", plural(n, "check", "checks"), them(n)), p.width, 0) + "\n")
	default:
		for _, r := range p.reqs {
			b.WriteString(requirementBlock(st, r, p.width) + "\n")
		}
		b.WriteString("\n" + summaryLine(st, p.reqs) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

func them(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// mark is a requirement's sign: ✓ holds, ✗ needs fixing, ? unread.
func mark(st Styles, r app.Requirement) string {
	switch {
	case r.Unknown:
		return st.Warning.Render("?")
	case r.OK:
		return st.Success.Render("✓")
	}
	return st.Error.Render("✗")
}

// requirementBlock is one requirement: its mark and text, what Procore says
// now, and for one that does not hold, how to fix it.
func requirementBlock(st Styles, r app.Requirement, width int) string {
	lines := []string{mark(st, r) + " " + wrap(printable(r.Text), width, 2)}
	state := printable(r.State)
	switch {
	case r.Unknown:
		lines = append(lines, "  "+st.Warning.Render(wrap("Could not be read: "+unread(state), width-2, 2)))
	case state != "":
		lines = append(lines, "  "+st.Subtle.Render(wrap("Procore says: "+state, width-2, 2)))
	}
	if !r.OK && !r.Unknown && r.Fix != "" {
		lines = append(lines, "  "+wrap("To fix: "+printable(r.Fix), width-2, 2))
	}
	return strings.Join(lines, "\n")
}

func summaryLine(st Styles, reqs []app.Requirement) string {
	ok, bad, _ := app.Tally(reqs)
	s := capital(app.Summary(reqs))
	switch {
	case ok == len(reqs):
		return st.Success.Render("✓ " + s)
	case bad == 0:
		return st.Warning.Render("? " + s)
	}
	return st.Error.Render("✗ " + s)
}

// unread is why a requirement could not be read, without the words the
// screen puts before it.
func unread(state string) string {
	const lead = "could not be read: "
	if len(state) >= len(lead) && strings.EqualFold(state[:len(lead)], lead) {
		state = state[len(lead):]
	}
	if state == "" {
		return "no reason given"
	}
	return state
}

// printable is text from Procore made safe for the terminal.
func printable(s string) string { return procore.Printable(s) }

// checksScreen is a step drawn as it always is (an instruction's checklist,
// a form, a notice) with its checks read from Procore below: r reads them
// again. The step is still the person's; the checks show whether Procore
// agrees.
type checksScreen struct {
	inner screen
	panel *checksPanel
	sh    *shared
}

func newChecksScreen(sh *shared, st *steps.Step, inner screen, c app.Checker) *checksScreen {
	return &checksScreen{inner: inner, panel: newChecksPanel(sh, st, c), sh: sh}
}

func (s *checksScreen) SetWidth(w int) {
	s.inner.SetWidth(w)
	s.panel.width = w
}

func (s *checksScreen) Typing() bool { return s.inner.Typing() }

func (s *checksScreen) Bindings() []key.Binding {
	b := keysOf(s.inner)
	if s.inner.Typing() || s.panel.reading {
		return b
	}
	// Before esc, which ends the list, so that a narrow help bar keeps it.
	r := withHelp(s.sh.keys.Retry, "read Procore")
	if n := len(b); n > 0 {
		return append(b[:n-1:n-1], r, b[n-1])
	}
	return []key.Binding{r}
}

func (s *checksScreen) Update(msg tea.Msg) (nav, tea.Cmd) {
	if ok, cmd := s.panel.update(msg); ok {
		return stay, cmd
	}
	if km, ok := msg.(tea.KeyPressMsg); ok && !s.inner.Typing() && key.Matches(km, s.sh.keys.Retry) {
		return stay, s.panel.start()
	}
	return s.inner.Update(msg)
}

func (s *checksScreen) View() (string, int) {
	body, focus := s.inner.View()
	return strings.TrimRight(body, "\n") + "\n\n" + s.panel.view(), focus
}

// keysOf is the help bar's keys of a screen these screens wrap, most
// important first, whichever way the screen gives them.
func keysOf(s screen) []key.Binding {
	switch s := any(s).(type) {
	case interface{ Bindings() []key.Binding }:
		return s.Bindings()
	case interface{ ShortHelp() []key.Binding }:
		return s.ShortHelp()
	}
	return nil
}

// The help bar's keys as a help.KeyMap, for the screens of this file and
// of the action and the audit.
func (s *checksScreen) ShortHelp() []key.Binding  { return s.Bindings() }
func (s *checksScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.Bindings()} }
func (s *actionScreen) ShortHelp() []key.Binding  { return s.Bindings() }
func (s *actionScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.Bindings()} }
func (s *auditScreen) ShortHelp() []key.Binding   { return s.Bindings() }
func (s *auditScreen) FullHelp() [][]key.Binding  { return [][]key.Binding{s.Bindings()} }

// capital begins s with a capital letter, as a line on the screen does.
func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
