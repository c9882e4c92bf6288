package tui

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/procore-sa/procore-sa/internal/app"
)

// chooserShown is what the chooser of projects says first; a walkthrough
// waits for it (walkthrough.Chooser).
const chooserShown = "Tick the projects the account is to be on"

// chosen is what a key in the chooser came to.
type chosen int

const (
	chooserStay    chosen = iota
	chooserConfirm        // the ticked projects are the choice
	chooserBack           // leave without choosing
)

// projectChooser is a filterable list of the company's projects to tick:
// space ticks, enter confirms, esc goes back, and / or typing a letter or
// digit narrows the list. It draws as many rows as the screen has, scrolling with the
// cursor, so that a company of thousands of projects draws as fast as one
// of ten.
type projectChooser struct {
	sh       *shared
	projects []app.Project
	ticked   map[int64]bool
	shown    []int // indexes into projects that match the filter
	cursor   int   // in shown
	offset   int   // the first row of shown drawn
	width    int
	numW     int // the widest project number drawn

	filtering bool
	filter    textinput.Model
	warn      string // why enter did not confirm
}

func newProjectChooser(sh *shared, ps []app.Project, already []int64) *projectChooser {
	c := &projectChooser{sh: sh, projects: ps, ticked: map[int64]bool{}, filter: newInput("Filter: ")}
	for _, id := range already {
		c.ticked[id] = true
	}
	for _, p := range ps {
		c.numW = max(c.numW, min(12, ansi.StringWidth(p.Number)))
	}
	c.refilter()
	return c
}

// choice is the ticked projects, in the list's order.
func (c *projectChooser) choice() []int64 {
	var out []int64
	for _, p := range c.projects {
		if c.ticked[p.ID] {
			out = append(out, p.ID)
		}
	}
	return out
}

func (c *projectChooser) refilter() {
	c.shown = app.FilterProjects(c.projects, c.filter.Value())
	c.cursor = min(c.cursor, max(0, len(c.shown)-1))
}

// arrows are up and down as arrow keys alone: in the chooser every letter
// narrows the list, j and k too; moves is both, for the help bar.
func arrows() (up, down, moves key.Binding) {
	return key.NewBinding(key.WithKeys("up")), key.NewBinding(key.WithKeys("down")),
		key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "move"))
}

func (c *projectChooser) bindings() []key.Binding {
	k := c.sh.keys
	_, _, moves := arrows()
	if c.filtering {
		return []key.Binding{withHelp(k.Next, "done filtering"), withHelp(k.Back, "clear the filter"), moves}
	}
	back := withHelp(k.Back, "back")
	if c.filter.Value() != "" {
		back = withHelp(k.Back, "clear the filter")
	}
	return []key.Binding{withHelp(k.Next, "confirm"), withHelp(space, "tick"), back, withHelp(k.Filter, "filter (or type)"), moves}
}

// space ticks in the chooser: x is a letter there.
var space = key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "tick"))

func (c *projectChooser) update(km tea.KeyPressMsg) (chosen, tea.Cmd) {
	n, cmd := c.key(km)
	c.offset = c.inSight(c.offset, c.rows(c.sh.height))
	return n, cmd
}

// key takes one key. Every letter and digit narrows the list (a name or a
// number typed at once), so the chooser's own keys are not letters: the
// arrows, space, enter, esc and /.
func (c *projectChooser) key(km tea.KeyPressMsg) (chosen, tea.Cmd) {
	k := c.sh.keys
	c.warn = ""
	up, down, _ := arrows()
	if c.filtering {
		switch {
		case key.Matches(km, k.Next):
			c.filtering = false
			c.filter.Blur()
		case key.Matches(km, k.Back):
			c.clearFilter()
		case key.Matches(km, up):
			c.move(-1)
		case key.Matches(km, down):
			c.move(1)
		default:
			var cmd tea.Cmd
			c.filter, cmd = c.filter.Update(km)
			c.refilter()
			return chooserStay, cmd
		}
		return chooserStay, nil
	}
	switch {
	case key.Matches(km, up):
		c.move(-1)
	case key.Matches(km, down):
		c.move(1)
	case key.Matches(km, space):
		if c.cursor < len(c.shown) {
			id := c.projects[c.shown[c.cursor]].ID
			c.ticked[id] = !c.ticked[id]
			if !c.ticked[id] {
				delete(c.ticked, id)
			}
		}
	case key.Matches(km, k.Next):
		if len(c.ticked) == 0 {
			c.warn = "Tick at least one project first (space), or press esc to go back."
			return chooserStay, nil
		}
		return chooserConfirm, nil
	case key.Matches(km, k.Back):
		if c.filter.Value() != "" {
			c.clearFilter()
			return chooserStay, nil
		}
		return chooserBack, nil
	case key.Matches(km, k.Filter):
		c.filtering = true
		return chooserStay, c.filter.Focus()
	case utf8.RuneCountInString(km.Text) == 1 && strings.TrimSpace(km.Text) != "" && km.Mod&^tea.ModShift == 0:
		// Typing a name or a number narrows the list at once.
		c.filtering = true
		cmd := c.filter.Focus()
		c.filter.SetValue(c.filter.Value() + km.Text)
		c.filter.CursorEnd()
		c.refilter()
		return chooserStay, cmd
	}
	return chooserStay, nil
}

func (c *projectChooser) clearFilter() {
	c.filtering = false
	c.filter.Blur()
	c.filter.SetValue("")
	c.refilter()
}

func (c *projectChooser) move(d int) {
	c.cursor = max(0, min(len(c.shown)-1, c.cursor+d))
}

// header is what the chooser draws above the rows.
func (c *projectChooser) header() string {
	st := c.sh.styles
	var b strings.Builder
	b.WriteString(wrap(chooserShown+": type to narrow the list, space ticks or unticks the one under the cursor, enter confirms, esc goes back (where h does the step by hand).", c.width, 0) + "\n\n")
	count := fmt.Sprintf("%d chosen of %d active projects", len(c.ticked), len(c.projects))
	if f := c.filter.Value(); f != "" {
		count += fmt.Sprintf(" · %d match %q", len(c.shown), f)
	}
	b.WriteString(st.Label.Render(ansi.Truncate(count, c.width, "…")) + "\n")
	if c.filtering || c.filter.Value() != "" {
		b.WriteString(ansi.Truncate(c.filter.View(), c.width, "…") + "\n")
	}
	b.WriteString("\n")
	if c.warn != "" {
		b.WriteString(st.Warning.Render(wrap(c.warn, c.width, 0)) + "\n\n")
	}
	return b.String()
}

// rows is how many projects fit under the header in height lines, less a
// line for each "more" marker.
func (c *projectChooser) rows(height int) int {
	rows := max(3, height-lineCount(c.header())+1)
	if len(c.shown) > rows {
		rows = max(3, rows-2)
	}
	return rows
}

// inSight is the first row to draw so that the cursor is in sight, moving
// from off as little as it can.
func (c *projectChooser) inSight(off, rows int) int {
	off = max(0, min(off, c.cursor), c.cursor-rows+1)
	return min(off, max(0, len(c.shown)-rows))
}

// view draws the chooser in at most height lines where they are enough,
// and says which line the cursor is on.
func (c *projectChooser) view(height int) (string, int) {
	st := c.sh.styles
	var b strings.Builder
	b.WriteString(c.header())
	switch {
	case len(c.projects) == 0:
		b.WriteString(st.Subtle.Render(wrap("The company has no active project to choose.", c.width, 0)))
		return b.String(), 0
	case len(c.shown) == 0:
		b.WriteString(st.Subtle.Render(wrap("No project matches; esc clears the filter.", c.width, 0)))
		return b.String(), 0
	}
	rows := c.rows(height)
	off := c.inSight(c.offset, rows)
	end := min(len(c.shown), off+rows)
	if off > 0 {
		b.WriteString(st.Subtle.Render(fmt.Sprintf("↑ %d more", off)) + "\n")
	}
	focus := 0
	for i := off; i < end; i++ {
		if i == c.cursor {
			focus = lineCount(b.String()) - 1
		}
		b.WriteString(c.row(c.projects[c.shown[i]], i == c.cursor) + "\n")
	}
	if rest := len(c.shown) - end; rest > 0 {
		b.WriteString(st.Subtle.Render(fmt.Sprintf("↓ %d more", rest)) + "\n")
	}
	return strings.TrimRight(b.String(), "\n"), focus
}

// row is one project: the cursor, its box, its number and its name, on
// one line.
func (c *projectChooser) row(p app.Project, current bool) string {
	st := c.sh.styles
	cur := "  "
	if current {
		cur = st.Selected.Render("▸ ")
	}
	box, style := "[ ] ", st.Unchecked
	if c.ticked[p.ID] {
		box, style = "[x] ", st.Checked
	}
	if current {
		style = style.Bold(true)
	}
	text := p.Name
	if c.numW > 0 {
		text = pad(ansi.Truncate(p.Number, c.numW, "…"), c.numW) + "  " + p.Name
	}
	return cur + style.Render(box+ansi.Truncate(text, max(10, c.width-6), "…"))
}
