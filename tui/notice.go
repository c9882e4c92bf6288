package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/procore-sa/procore-sa/steps"
)

// noticeScreen shows text to read: a warning (a retired account type) or
// information. Up and down scroll it when it is taller than the window.
type noticeScreen struct {
	sh     *shared
	step   *steps.Step
	width  int
	scroll int
}

func (s *noticeScreen) SetWidth(w int) { s.width = w }
func (s *noticeScreen) Typing() bool   { return false }

func (s *noticeScreen) ShortHelp() []key.Binding {
	k := s.sh.keys
	return []key.Binding{k.Next, k.Back, k.Up, k.Down}
}

func (s *noticeScreen) Update(msg tea.Msg) (nav, tea.Cmd) {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return stay, nil
	}
	k := s.sh.keys
	switch {
	case key.Matches(km, k.Next):
		return forward, nil
	case key.Matches(km, k.Back):
		return backward, nil
	case key.Matches(km, k.Up):
		s.scroll = max(0, s.scroll-1)
	case key.Matches(km, k.Down):
		s.scroll = min(s.scroll+1, lineCount(s.body())-1)
	}
	return stay, nil
}

func (s *noticeScreen) body() string {
	st := s.sh.styles
	box := st.InfoBox
	if s.step.Level == "warning" {
		box = st.WarningBox
	}
	text := wrap(s.step.Body, s.width-box.GetHorizontalFrameSize(), 0)
	return box.Render(text)
}

func (s *noticeScreen) View() (string, int) {
	var b strings.Builder
	if s.step.Level == "warning" {
		b.WriteString(s.sh.styles.Warning.Render("! Read this first") + "\n\n")
	}
	b.WriteString(s.body())
	return b.String(), s.scroll
}

// FullHelp is every binding of the screen, in one group.
func (s *noticeScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
