package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/procore-sa/procore-sa/steps"
)

// checklistScreen shows an instruction (what to do in Procore's web pages)
// and its checklist; every item must be ticked to go on.
type checklistScreen struct {
	sh     *shared
	step   *steps.Step
	width  int
	cursor int
}

func (s *checklistScreen) SetWidth(w int) { s.width = w }
func (s *checklistScreen) Typing() bool   { return false }

func (s *checklistScreen) ShortHelp() []key.Binding {
	k := s.sh.keys
	if len(s.step.Checklist) == 0 {
		return []key.Binding{k.Next, k.Back}
	}
	return []key.Binding{k.Toggle, k.Up, k.Down, k.Next, k.Back}
}

func (s *checklistScreen) Update(msg tea.Msg) (nav, tea.Cmd) {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return stay, nil
	}
	k := s.sh.keys
	n := len(s.step.Checklist)
	switch {
	case key.Matches(km, k.Next):
		return forward, nil
	case key.Matches(km, k.Back):
		return backward, nil
	case key.Matches(km, k.Up):
		s.cursor = max(0, s.cursor-1)
	case key.Matches(km, k.Down):
		s.cursor = min(n-1, s.cursor+1)
	case key.Matches(km, k.Toggle):
		// Ticking stays on the item, as in a matrix, so that a second
		// press takes back a tick made by mistake.
		s.sh.walker.Toggle(s.cursor)
	}
	return stay, nil
}

func (s *checklistScreen) View() (string, int) {
	st := s.sh.styles
	var b strings.Builder
	if s.step.Kind.Automated() {
		b.WriteString(st.Subtle.Render("Do this in Procore's web pages, then tick each item.") + "\n\n")
	}
	if s.step.Body != "" {
		b.WriteString(wrap(s.step.Body, s.width, 0) + "\n")
	}
	n := len(s.step.Checklist)
	if n == 0 {
		return b.String(), 0
	}
	done := 0
	for i := range n {
		if s.sh.walker.Checked(i) {
			done++
		}
	}
	b.WriteString("\n" + st.Label.Render(fmt.Sprintf("Checklist: %d of %d done", done, n)) + "\n")
	focus := 0
	for i, item := range s.step.Checklist {
		line := lineCount(b.String())
		if i == s.cursor {
			focus = line
		}
		b.WriteString(checkRow(st, i == s.cursor, s.sh.walker.Checked(i), item, s.width) + "\n")
	}
	return strings.TrimRight(b.String(), "\n"), focus
}

// checkRow draws one checklist row: a cursor, a box and the wrapped text.
func checkRow(st Styles, current, checked bool, text string, width int) string {
	cur := "  "
	if current {
		cur = st.Selected.Render("▸ ")
	}
	box, style := "[ ] ", st.Unchecked
	if checked {
		box, style = "[x] ", st.Checked
	}
	body := wrap(text, width, 6)
	if current {
		style = style.Bold(true)
	}
	return cur + style.Render(box+body)
}

// FullHelp is every binding of the screen, in one group.
func (s *checklistScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
