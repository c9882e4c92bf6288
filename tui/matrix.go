package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/procore-sa/procore-sa/steps"
)

// matrixScreen is a permissions matrix: rows by columns of checkboxes, such
// as ERP sync types by Can Import and Can Export.
type matrixScreen struct {
	sh       *shared
	step     *steps.Step
	width    int
	row, col int
}

func (s *matrixScreen) SetWidth(w int) { s.width = w }
func (s *matrixScreen) Typing() bool   { return false }

func (s *matrixScreen) ShortHelp() []key.Binding {
	k := s.sh.keys
	return []key.Binding{k.Toggle, k.Up, k.Down, k.Left, k.Right, k.Next, k.Back}
}

func (s *matrixScreen) Update(msg tea.Msg) (nav, tea.Cmd) {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return stay, nil
	}
	k := s.sh.keys
	m := s.step.Matrix
	switch {
	case key.Matches(km, k.Next):
		return forward, nil
	case key.Matches(km, k.Back):
		return backward, nil
	case key.Matches(km, k.Up):
		s.row = max(0, s.row-1)
	case key.Matches(km, k.Down):
		s.row = min(len(m.Rows)-1, s.row+1)
	case key.Matches(km, k.Left):
		s.col = max(0, s.col-1)
	case key.Matches(km, k.Right):
		s.col = min(len(m.Columns)-1, s.col+1)
	case key.Matches(km, k.Toggle):
		s.sh.walker.ToggleCell(s.row, s.col)
	}
	return stay, nil
}

func (s *matrixScreen) View() (string, int) {
	st := s.sh.styles
	m := s.step.Matrix
	var b strings.Builder
	if s.step.Body != "" {
		b.WriteString(wrap(s.step.Body, s.width, 0) + "\n\n")
	}
	rowW := 4
	for _, r := range m.Rows {
		rowW = max(rowW, ansi.StringWidth(r))
	}
	rowW = min(rowW, max(10, s.width/3))
	colW := make([]int, len(m.Columns))
	head := strings.Repeat(" ", rowW+2)
	for j, c := range m.Columns {
		colW[j] = max(5, ansi.StringWidth(c))
		head += "  " + st.Label.Render(pad(c, colW[j]))
	}
	b.WriteString(head + "\n")
	focus := 0
	ticked, total := 0, 0
	for i, r := range m.Rows {
		if i == s.row {
			focus = lineCount(b.String())
		}
		cur := "  "
		name := pad(ansi.Truncate(r, rowW, "…"), rowW)
		if i == s.row {
			cur = st.Selected.Render("▸ ")
			name = st.Selected.Render(name)
		}
		line := cur + name
		for j := range m.Columns {
			total++
			box := "[ ]"
			style := st.Unchecked
			if s.sh.walker.Cell(i, j) {
				box, style = "[x]", st.Checked
				ticked++
			}
			cell := " " + box + " "
			if i == s.row && j == s.col {
				cell, style = "›"+box+"‹", st.Selected
			}
			line += "  " + style.Render(pad(cell, colW[j]))
		}
		b.WriteString(line + "\n")
	}
	summary := fmt.Sprintf("%d of %d ticked", ticked, total)
	if m.RequireAll {
		summary += "; every box is required"
	}
	b.WriteString("\n" + st.Subtle.Render(summary))
	return b.String(), focus
}

// pad right-pads s with spaces to width cells.
func pad(s string, width int) string {
	if w := ansi.StringWidth(s); w < width {
		return s + strings.Repeat(" ", width-w)
	}
	return s
}

// FullHelp is every binding of the screen, in one group.
func (s *matrixScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
