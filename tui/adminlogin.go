package tui

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/procore-sa/procore-sa/steps"
)

// AdminLogin signs the admin in with the authorization code and the
// out-of-band redirect, and keeps the refresh token. It runs as commands.
type AdminLogin interface {
	// Start returns the sign-in page's address; code is set when the
	// sign-in was approved without a browser (the demo's simulator).
	Start(ctx context.Context) (url, code string, err error)
	// Finish trades the pasted code for tokens and keeps the refresh
	// token; it returns who signed in and where the token is.
	Finish(ctx context.Context, code string) (string, error)
}

type (
	loginStartedMsg struct {
		url, code string
		err       error
	}
	loginDoneMsg struct {
		who string
		err error
	}
)

// adminLoginScreen shows the sign-in address as plain selectable text,
// takes the pasted code (never drawn), and keeps the refresh token. "h"
// walks the step by hand instead, as a checklist.
type adminLoginScreen struct {
	sh     *shared
	step   *steps.Step
	login  AdminLogin
	width  int
	url    string
	code   textinput.Model
	busy   bool
	err    error
	who    string
	manual *checklistScreen
}

func newAdminLoginScreen(sh *shared, st *steps.Step, l AdminLogin) *adminLoginScreen {
	s := &adminLoginScreen{sh: sh, step: st, login: l, code: newInput("Code: ")}
	s.code.EchoMode = textinput.EchoNone
	return s
}

func (s *adminLoginScreen) SetWidth(w int) {
	s.width = w
	s.code.SetWidth(max(10, min(w-8, 40)))
	if s.manual != nil {
		s.manual.SetWidth(w)
	}
}

func (s *adminLoginScreen) Typing() bool { return s.url != "" && s.who == "" && s.manual == nil }

func (s *adminLoginScreen) Bindings() []key.Binding {
	k := s.sh.keys
	switch {
	case s.manual != nil:
		return s.manual.Bindings()
	case s.who != "":
		return []key.Binding{k.Next, k.Back}
	case s.busy:
		return nil
	case s.url != "":
		return []key.Binding{withHelp(k.Next, "sign in"), k.Back}
	}
	return []key.Binding{withHelp(k.Next, "start"), key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "do it by hand")), k.Back}
}

func (s *adminLoginScreen) finish(code string) tea.Cmd {
	s.busy, s.err = true, nil
	l := s.login
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), custodyTimeout)
		defer cancel()
		who, err := l.Finish(ctx, code)
		return loginDoneMsg{who: who, err: err}
	}
}

func (s *adminLoginScreen) Update(msg tea.Msg) (nav, tea.Cmd) {
	if s.manual != nil {
		return s.manual.Update(msg)
	}
	switch msg := msg.(type) {
	case loginStartedMsg:
		s.busy, s.url, s.err = false, msg.url, msg.err
		if msg.err == nil {
			if msg.code != "" {
				return stay, s.finish(msg.code)
			}
			s.code.Focus()
		}
		return stay, nil
	case loginDoneMsg:
		s.busy, s.err, s.who = false, msg.err, msg.who
		s.code.SetValue("")
		if msg.err == nil {
			s.sh.walker.TickAll()
		}
		return stay, nil
	case tea.KeyPressMsg:
		k := s.sh.keys
		switch {
		case s.busy:
			return stay, nil
		case key.Matches(msg, k.Back):
			return backward, nil
		case s.who != "" && key.Matches(msg, k.Next):
			return forward, nil
		case s.url == "" && msg.String() == "h":
			s.manual = &checklistScreen{sh: s.sh, step: s.step}
			s.manual.SetWidth(s.width)
			return stay, nil
		case s.url == "" && key.Matches(msg, k.Next):
			s.busy = true
			l := s.login
			return stay, func() tea.Msg {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				url, code, err := l.Start(ctx)
				return loginStartedMsg{url: url, code: code, err: err}
			}
		case s.url != "" && key.Matches(msg, k.Next):
			if code := strings.TrimSpace(s.code.Value()); code != "" {
				return stay, s.finish(code)
			}
			return stay, nil
		}
	}
	if s.url != "" && s.who == "" {
		var cmd tea.Cmd
		s.code, cmd = s.code.Update(msg)
		return stay, cmd
	}
	return stay, nil
}

func (s *adminLoginScreen) View() (string, int) {
	if s.manual != nil {
		return s.manual.View()
	}
	st := s.sh.styles
	var b strings.Builder
	if s.step.Body != "" {
		b.WriteString(wrap(s.step.Body, s.width, 0) + "\n\n")
	}
	if s.err != nil {
		b.WriteString(st.Error.Render(wrap("✗ "+s.err.Error(), s.width, 2)) + "\n\n")
	}
	switch {
	case s.who != "":
		b.WriteString(st.Success.Render(wrap("✓ "+s.who, s.width, 2)) + "\n\nPress enter to continue.\n")
	case s.busy:
		b.WriteString("Talking to Procore…\n")
	case s.url != "":
		b.WriteString("Open this address, sign in as a company admin and approve the app:\n\n")
		// Plain text, never truncated, so that it can be selected whole.
		b.WriteString(ansiHardwrap(s.url, s.width) + "\n\n")
		b.WriteString("Then paste the code Procore shows (it is not drawn):\n" + s.code.View() + "\n")
	default:
		b.WriteString(wrap("Press enter to sign in to Procore with your own admin account (authorization code, out of band): procore-sa keeps only a refresh token, in your keychain. Press h to do this step by hand instead.", s.width, 0) + "\n")
	}
	return b.String(), 0
}
