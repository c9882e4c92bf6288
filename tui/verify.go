package tui

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/steps"
)

// verifyTimeout bounds one check, waits for Procore's rate limit included.
const verifyTimeout = 2 * time.Minute

type verifyDoneMsg struct {
	facts []string
	err   error
}

// verifyScreen runs a verify step against Procore: enter checks, and a
// passed check completes the step's checklist, which the check has proved.
type verifyScreen struct {
	sh      *shared
	step    *steps.Step
	verify  app.Verifier
	width   int
	running bool
	facts   []string
	err     error
	passed  bool
}

func newVerifyScreen(sh *shared, st *steps.Step, v app.Verifier) *verifyScreen {
	s := &verifyScreen{sh: sh, step: st, verify: v}
	if o, ok := sh.walker.Outcome(st.ID); ok && o.Kind == steps.OutcomeDone {
		// Proved before: say what was proved; enter checks again only if
		// asked (the facts are the outcome's).
		s.passed, s.facts = true, []string{sentence(o.Detail)}
	}
	return s
}

func (s *verifyScreen) SetWidth(w int) { s.width = w }
func (s *verifyScreen) Typing() bool   { return false }

func (s *verifyScreen) ShortHelp() []key.Binding {
	k := s.sh.keys
	if s.running {
		return nil // nothing is taken until the check answers
	}
	if s.passed {
		return []key.Binding{withHelp(k.Next, "continue"), k.Back}
	}
	return []key.Binding{withHelp(k.Next, "check now"), k.Back}
}

func (s *verifyScreen) Update(msg tea.Msg) (nav, tea.Cmd) {
	switch msg := msg.(type) {
	case verifyDoneMsg:
		s.running, s.facts, s.err = false, msg.facts, msg.err
		s.passed = msg.err == nil
		if s.passed {
			s.sh.walker.Record(s.step.ID, app.VerifyOutcome(msg.facts))
		}
		return stay, nil
	case tea.KeyPressMsg:
		k := s.sh.keys
		switch {
		case key.Matches(msg, k.Back) && !s.running:
			return backward, nil
		case key.Matches(msg, k.Next) && s.passed:
			return forward, nil
		case key.Matches(msg, k.Next) && !s.running:
			s.running, s.err, s.facts = true, nil, nil
			verify, using := s.verify, app.UsingWalk(s.sh.walker)
			return stay, func() tea.Msg {
				ctx, cancel := context.WithTimeout(context.Background(), verifyTimeout)
				defer cancel()
				facts, err := verify.Verify(ctx, using)
				return verifyDoneMsg{facts: facts, err: err}
			}
		}
	}
	return stay, nil
}

func (s *verifyScreen) View() (string, int) {
	st := s.sh.styles
	var b strings.Builder
	if s.step.Body != "" {
		b.WriteString(wrap(s.step.Body, s.width, 0) + "\n\n")
	}
	switch {
	case s.running:
		b.WriteString("Checking with Procore…\n")
	case s.err != nil:
		b.WriteString(problemView(s.sh, s.err, s.width, "Press enter to check again.") + "\n")
	case s.passed:
		for _, f := range s.facts {
			b.WriteString(st.Success.Render("✓ ") + wrap(f, s.width-2, 0) + "\n")
		}
		b.WriteString("\nThe credential works. Press enter to continue.\n")
	default:
		b.WriteString("Press enter to check the credential against Procore.\n")
	}
	return b.String(), 0
}

// FullHelp is every binding of the screen, in one group.
func (s *verifyScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

// problem is the failed check, if any.
func (s *verifyScreen) problem() error {
	if s.running {
		return nil
	}
	return s.err
}
