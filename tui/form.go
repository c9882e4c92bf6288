package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/procore-sa/procore-sa/steps"
)

// formScreen is a form: text, email, number and choice fields. Each field's
// error shows beside it once the field has been typed in, and every error
// shows after an attempt to go on.
type formScreen struct {
	sh        *shared
	step      *steps.Step
	inputs    []textinput.Model // one per field; unused for choice fields
	touched   []bool
	focus     int
	width     int
	attempted bool
}

func newFormScreen(sh *shared, st *steps.Step) *formScreen {
	s := &formScreen{sh: sh, step: st, touched: make([]bool, len(st.Fields))}
	for _, f := range st.Fields {
		in := newInput("> ")
		// A placeholder reads as an example, never as a value typed,
		// even where it cannot be dimmed (NO_COLOR).
		if p := strings.TrimSpace(f.Placeholder); p != "" && !strings.HasPrefix(p, "e.g.") {
			in.Placeholder = "e.g. " + p
		} else {
			in.Placeholder = p
		}
		in.CharLimit = 254 // the longest valid email address
		in.SetValue(sh.walker.Value(f.ID))
		s.inputs = append(s.inputs, in)
	}
	s.focusField(0)
	return s
}

func (s *formScreen) SetWidth(w int) {
	s.width = w
	for i := range s.inputs {
		s.inputs[i].SetWidth(max(10, min(w-6, 60)))
	}
}

func (s *formScreen) Typing() bool { return s.step.Fields[s.focus].Type != steps.FieldChoice }

func (s *formScreen) ShortHelp() []key.Binding {
	k := s.sh.keys
	b := []key.Binding{k.Next, k.NextItem, k.PrevItem}
	if s.step.Fields[s.focus].Type == steps.FieldChoice {
		b = append(b, k.Left, k.Right)
	}
	return append(b, k.Back)
}

func (s *formScreen) focusField(i int) {
	for j := range s.inputs {
		s.inputs[j].Blur()
	}
	s.focus = i
	if s.step.Fields[i].Type != steps.FieldChoice {
		s.inputs[i].Focus()
	}
}

func (s *formScreen) Update(msg tea.Msg) (nav, tea.Cmd) {
	k := s.sh.keys
	f := s.step.Fields[s.focus]
	if km, ok := msg.(tea.KeyPressMsg); ok {
		last := len(s.step.Fields) - 1
		switch {
		case key.Matches(km, k.Back):
			return backward, nil
		case key.Matches(km, k.Next):
			// Enter on a field that is wrong stays there, its error shown;
			// on the last, it goes to the first field still wrong.
			values := s.sh.walker.Session.Values
			if f.Validate(values[f.ID], values) != nil {
				s.touched[s.focus] = true
				return stay, nil
			}
			if s.focus < last {
				s.focusField(s.focus + 1)
				return stay, nil
			}
			s.attempted = true
			for i, g := range s.step.Fields {
				if g.Validate(values[g.ID], values) != nil {
					s.focusField(i)
					return stay, nil
				}
			}
			return forward, nil
		case key.Matches(km, k.NextItem):
			s.focusField(min(last, s.focus+1))
			return stay, nil
		case key.Matches(km, k.PrevItem):
			s.focusField(max(0, s.focus-1))
			return stay, nil
		}
		if f.Type == steps.FieldChoice {
			s.choose(f, km)
			return stay, nil
		}
	}
	if f.Type == steps.FieldChoice {
		return stay, nil
	}
	var cmd tea.Cmd
	s.inputs[s.focus], cmd = s.inputs[s.focus].Update(msg)
	if v := s.inputs[s.focus].Value(); v != s.sh.walker.Value(f.ID) {
		s.sh.walker.SetValue(f.ID, v)
		s.touched[s.focus] = true
	}
	return stay, cmd
}

// choose moves a choice field's selection left or right.
func (s *formScreen) choose(f steps.Field, km tea.KeyPressMsg) {
	k := s.sh.keys
	cur := -1
	for i, o := range f.Options {
		if o == s.sh.walker.Value(f.ID) {
			cur = i
		}
	}
	n := len(f.Options)
	switch {
	case key.Matches(km, k.Right), key.Matches(km, k.Toggle):
		cur = (cur + 1) % n
	case key.Matches(km, k.Left):
		cur = (cur - 1 + n) % n
	default:
		return
	}
	s.sh.walker.SetValue(f.ID, f.Options[cur])
	s.touched[s.focus] = true
}

func (s *formScreen) View() (string, int) {
	st := s.sh.styles
	var b strings.Builder
	if s.step.Body != "" {
		b.WriteString(wrap(s.step.Body, s.width, 0) + "\n\n")
	}
	focus := 0
	values := s.sh.walker.Session.Values
	for i, f := range s.step.Fields {
		if i > 0 {
			b.WriteString("\n")
		}
		if i == s.focus {
			focus = lineCount(b.String())
		}
		label := f.Label
		if f.Required {
			label += " *"
		}
		// The focused field is marked by a sign as well as by colour,
		// which NO_COLOR drops.
		if i == s.focus {
			b.WriteString(st.Selected.Render("› " + label))
		} else {
			b.WriteString(st.Label.Render("  " + label))
		}
		if d := fieldHint(f, values); d != "" {
			b.WriteString(st.Subtle.Render("  " + d))
		}
		b.WriteString("\n")
		if f.Type == steps.FieldChoice {
			b.WriteString(s.choiceView(f, i == s.focus))
		} else {
			b.WriteString(s.inputs[i].View())
		}
		err := f.Validate(values[f.ID], values)
		if err == nil && strings.TrimSpace(values[f.ID]) != "" {
			b.WriteString(" " + st.Success.Render("✓"))
		}
		b.WriteString("\n")
		if err != nil && (s.touched[i] || s.attempted) {
			b.WriteString(st.Error.Render("  ✗ "+wrap(err.Error(), s.width, 4)) + "\n")
		}
		if f.Help != "" {
			b.WriteString(st.Subtle.Render(wrap(f.Help, s.width, 0)) + "\n")
		}
	}
	b.WriteString("\n" + st.Subtle.Render("* required"))
	return b.String(), focus
}

func (s *formScreen) choiceView(f steps.Field, focused bool) string {
	st := s.sh.styles
	v := s.sh.walker.Value(f.ID)
	parts := make([]string, len(f.Options))
	for i, o := range f.Options {
		if o == v {
			parts[i] = st.Selected.Render("(•) " + o)
		} else {
			parts[i] = "( ) " + o
		}
	}
	prefix := "  "
	if focused {
		prefix = st.Selected.Render("> ")
	}
	return prefix + strings.Join(parts, "  ")
}

// fieldHint says what a field expects, beyond its label.
func fieldHint(f steps.Field, values map[string]string) string {
	switch f.Type {
	case steps.FieldEmail:
		switch d := strings.TrimSpace(values[f.DomainFrom]); {
		case f.Domain != "":
			return "an address on " + f.Domain
		case f.DomainFrom != "" && d != "":
			return "an address on " + strings.TrimPrefix(d, "@")
		case f.DomainFrom != "":
			return "an address on your company's domain"
		}
		return "an email address"
	case steps.FieldNumber:
		return "digits only"
	case steps.FieldChoice:
		return "←/→ to choose"
	}
	return ""
}

// FullHelp is every binding of the screen, in one group.
func (s *formScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
