package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/procore-sa/procore-sa/steps"
)

// picker lists the guides; enter chooses one.
type picker struct {
	sh     *shared
	guides []*steps.Guide
	cursor int
	width  int
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

func (p *picker) Bindings() []key.Binding {
	k := p.sh.keys
	return []key.Binding{k.Up, k.Down, withHelp(k.Next, "choose"), k.Quit}
}

// update returns the chosen guide, if one was chosen.
func (p *picker) update(msg tea.Msg) *steps.Guide {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	k := p.sh.keys
	switch {
	case key.Matches(km, k.Up):
		p.cursor = max(0, p.cursor-1)
	case key.Matches(km, k.Down):
		p.cursor = min(len(p.guides)-1, p.cursor+1)
	case key.Matches(km, k.Next):
		if len(p.guides) > 0 {
			return p.guides[p.cursor]
		}
	}
	return nil
}

func (p *picker) View() (string, int) {
	st := p.sh.styles
	var b strings.Builder
	b.WriteString("Which setup are you doing? Each guide follows one vendor's instructions,\nstep by step.\n\n")
	if len(p.guides) == 0 {
		b.WriteString(st.Error.Render("No guides are available."))
		return b.String(), 0
	}
	idW := 0
	for _, g := range p.guides {
		idW = max(idW, len(g.ID))
	}
	focus := 0
	for i, g := range p.guides {
		if i == p.cursor {
			focus = lineCount(b.String())
		}
		// A guide of your own says so, where truncation cannot cut it off,
		// so that it cannot pass for a built-in one.
		mark := ""
		if steps.IsYours(g) {
			mark = " (your guide)"
		}
		title := ansi.Truncate(g.Title, max(10, p.width-idW-6-ansi.StringWidth(mark)), "…") + mark
		if i == p.cursor {
			b.WriteString(st.Selected.Render("▸ "+pad(g.ID, idW)+"  "+title) + "\n")
		} else {
			b.WriteString("  " + pad(g.ID, idW) + "  " + title + "\n")
		}
		b.WriteString(st.Subtle.Render("    "+pad("", idW)+AccountModelText(g.AccountModel)+" · "+g.Vendor) + "\n")
		if mark != "" {
			b.WriteString(st.Subtle.Render(ansi.Truncate("    "+pad("", idW)+steps.Origin(g), max(10, p.width), "…")) + "\n")
		}
	}
	if g := p.guides[p.cursor]; g.Summary != "" {
		b.WriteString("\n" + st.Subtle.Render(wrap(g.Summary, p.width, 0)))
	}
	return strings.TrimRight(b.String(), "\n"), focus
}

// withHelp returns a copy of b with a different description.
func withHelp(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}
