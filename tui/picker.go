package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/procore-sa/procore-sa/steps"
)

// picker lists the guides; enter chooses one, / narrows the list to what
// is typed, and a guide with saved progress says so.
type picker struct {
	sh     *shared
	guides []*steps.Guide
	cursor int // in shown()
	width  int

	filtering bool // keys go into the filter
	filter    textinput.Model
	// progress says, by guide id, where a walk was left ("in progress:
	// step 3 of 12"); read once when the picker opens.
	progress map[string]string
}

// AccountModelText describes an account model in words.
func AccountModelText(m steps.AccountModel) string {
	switch m {
	case steps.UserLogin:
		return "dedicated user login"
	case steps.LegacyServiceAccount:
		return "legacy service account (retired)"
	case steps.DMSA:
		return "Developer Managed Service Account"
	}
	return string(m)
}

func (p *picker) ShortHelp() []key.Binding {
	k := p.sh.keys
	if p.filtering {
		return []key.Binding{withHelp(k.Next, "choose"), withHelp(k.Back, "clear the filter"), k.Up, k.Down}
	}
	b := []key.Binding{withHelp(k.Next, "choose"), k.Filter, k.Up, k.Down}
	if p.filter.Value() != "" {
		b = append(b, withHelp(k.Back, "clear the filter"))
	}
	return append(b, k.Leave)
}

// FullHelp is every binding of the picker, in one group.
func (p *picker) FullHelp() [][]key.Binding { return [][]key.Binding{p.ShortHelp()} }

// shown is the guides that match the filter, in order.
func (p *picker) shown() []*steps.Guide {
	f := strings.ToLower(strings.TrimSpace(p.filter.Value()))
	if f == "" {
		return p.guides
	}
	var out []*steps.Guide
	for _, g := range p.guides {
		if strings.Contains(strings.ToLower(g.ID+" "+g.Title+" "+g.Vendor+" "+string(g.AccountModel)), f) {
			out = append(out, g)
		}
	}
	return out
}

// update returns the chosen guide, if one was chosen.
func (p *picker) update(msg tea.Msg) (*steps.Guide, tea.Cmd) {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil, nil
	}
	k := p.sh.keys
	shown := p.shown()
	switch {
	case key.Matches(km, k.Up) && !(p.filtering && km.Text != ""):
		p.cursor = max(0, p.cursor-1)
		return nil, nil
	case key.Matches(km, k.Down) && !(p.filtering && km.Text != ""):
		p.cursor = max(0, min(len(shown)-1, p.cursor+1))
		return nil, nil
	case key.Matches(km, k.Next):
		p.filtering = false
		p.filter.Blur()
		if p.cursor < len(shown) {
			return shown[p.cursor], nil
		}
		return nil, nil
	case key.Matches(km, k.Back):
		p.filtering = false
		p.filter.Blur()
		p.filter.SetValue("")
		p.cursor = 0
		return nil, nil
	case !p.filtering && key.Matches(km, k.Filter):
		if p.filter.Prompt == "" {
			p.filter = newInput("Filter: ")
		}
		p.filtering = true
		return nil, p.filter.Focus()
	}
	if !p.filtering {
		return nil, nil
	}
	var cmd tea.Cmd
	p.filter, cmd = p.filter.Update(km)
	p.cursor = min(p.cursor, max(0, len(p.shown())-1))
	return nil, cmd
}

func (p *picker) View() (string, int) {
	st := p.sh.styles
	var b strings.Builder
	b.WriteString("Which setup are you doing? Each guide follows one vendor's instructions,\nstep by step.\n\n")
	if len(p.guides) == 0 {
		b.WriteString(st.Error.Render("No guides are available."))
		return b.String(), 0
	}
	if p.filtering || p.filter.Value() != "" {
		b.WriteString(p.filter.View() + "\n\n")
	}
	shown := p.shown()
	if len(shown) == 0 {
		b.WriteString(st.Subtle.Render(wrap("No guide matches; esc clears the filter.", p.width, 0)))
		return b.String(), 0
	}
	idW := 0
	for _, g := range p.guides {
		idW = max(idW, len(g.ID))
	}
	focus := 0
	for i, g := range shown {
		if i == p.cursor {
			focus = lineCount(b.String())
		}
		// A guide of your own says so, where truncation cannot cut it off,
		// so that it cannot pass for a built-in one; so does one with
		// saved progress.
		mark := ""
		if steps.IsYours(g) {
			mark = " (your guide)"
		}
		if _, ok := p.progress[g.ID]; ok {
			mark += " ●"
		}
		title := ansi.Truncate(g.Title, max(10, p.width-idW-6-ansi.StringWidth(mark)), "…") + mark
		if i == p.cursor {
			b.WriteString(st.Selected.Render("▸ "+pad(g.ID, idW)+"  "+title) + "\n")
		} else {
			b.WriteString("  " + pad(g.ID, idW) + "  " + title + "\n")
		}
		about := AccountModelText(g.AccountModel) + " · " + g.Vendor
		if where, ok := p.progress[g.ID]; ok {
			about = where + " · " + about
		}
		b.WriteString(st.Subtle.Render(ansi.Truncate("    "+pad("", idW)+about, max(10, p.width), "…")) + "\n")
		if steps.IsYours(g) {
			b.WriteString(st.Subtle.Render(ansi.Truncate("    "+pad("", idW)+steps.Origin(g), max(10, p.width), "…")) + "\n")
		}
	}
	if g := shown[min(p.cursor, len(shown)-1)]; g.Summary != "" {
		b.WriteString("\n" + st.Subtle.Render(wrap(g.Summary, p.width, 0)))
	}
	return strings.TrimRight(b.String(), "\n"), focus
}

// withHelp returns a copy of b with a different description.
func withHelp(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}
