package tui

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/steps"
)

type (
	loginStartedMsg struct {
		started app.Started
		err     error
	}
	loginDoneMsg struct {
		in  app.SignedIn
		err error
	}
)

// Field indexes of the form for the admin's own app.
const (
	appClientID = iota
	appSecret
)

// adminLoginScreen signs the admin in (app.SignIn): it shows the sign-in
// address as plain selectable text, takes the pasted code (never drawn),
// and records where the sign-in was kept. Without an app of the admin's
// own, it says what to set up and takes the app's client ID and secret,
// held with the same gate as a capture until the sign-in keeps them. The
// ByHand key walks the step as a checklist instead.
type adminLoginScreen struct {
	sh     *shared
	step   *steps.Step
	signIn app.SignIn
	width  int

	url    string
	code   textinput.Model
	busy   bool
	err    error
	done   bool // the step has an outcome (now or from before)
	manual *checklistScreen
	// keep keeps the sign-in Procore issued, with the capture protocol's
	// gate, until it is in the keychain (or an age file).
	keep *captureScreen

	// The admin's own app, when none is known.
	needApp bool
	appForm bool // the form for the app is open (after enter)
	app     [2]textinput.Model
	appErrs [2]string
	appFoc  int
	leaving app.Leave
}

func newAdminLoginScreen(sh *shared, st *steps.Step, l app.SignIn) *adminLoginScreen {
	s := &adminLoginScreen{sh: sh, step: st, signIn: l, code: newInput("Code: "), needApp: !l.HasApp()}
	s.code.EchoMode = textinput.EchoNone
	for i, p := range [2]string{"Client ID:     ", "Client secret: "} {
		s.app[i] = newInput(p)
	}
	s.app[appSecret].EchoMode = textinput.EchoNone
	if o, ok := sh.walker.Outcome(st.ID); ok && o.Kind == steps.OutcomeDone {
		s.done = true
	}
	return s
}

func (s *adminLoginScreen) SetWidth(w int) {
	s.width = w
	s.code.SetWidth(max(10, min(w-8, 40)))
	for i := range s.app {
		s.app[i].SetWidth(max(10, min(w-18, 60)))
	}
	if s.manual != nil {
		s.manual.SetWidth(w)
	}
	if s.keep != nil {
		s.keep.SetWidth(w)
	}
}

func (s *adminLoginScreen) Typing() bool {
	if s.keep != nil {
		return s.keep.Typing()
	}
	return s.manual == nil && !s.done && !s.busy && (s.url != "" || s.appForm)
}

// Guarding: the admin app's secret typed here is held until the sign-in
// keeps it.
func (s *adminLoginScreen) Guarding() bool {
	if s.keep != nil {
		return s.keep.Guarding()
	}
	return !s.done && s.manual == nil && strings.TrimSpace(s.app[appSecret].Value()) != ""
}

func (s *adminLoginScreen) unkept() string {
	if s.keep != nil {
		return s.keep.unkept()
	}
	return "the app's client secret you typed"
}

func (s *adminLoginScreen) keeping() bool { return s.keep != nil && s.keep.keeping() }

func (s *adminLoginScreen) stopChecking() {
	if s.keep != nil {
		s.keep.stopChecking()
	}
}

func (s *adminLoginScreen) askDiscard(quit bool) tea.Cmd {
	if s.keep != nil {
		return s.keep.askDiscard(quit)
	}
	s.leaving = app.LeaveBack
	if quit {
		s.leaving = app.LeaveQuit
	}
	return openDialog(newDiscardDialog(s.sh, "The app's client secret is not saved anywhere yet: it is kept with your sign-in once you finish it. If you leave now it is lost, and you will have to generate a new one in the Developer Portal."))
}

func (s *adminLoginScreen) ShortHelp() []key.Binding {
	k := s.sh.keys
	switch {
	case s.keep != nil:
		return s.keep.ShortHelp()
	case s.manual != nil:
		return s.manual.ShortHelp()
	case s.done:
		return []key.Binding{withHelp(k.Next, "continue"), k.Back, withHelp(k.Replace, "sign in again")}
	case s.busy:
		return nil
	case s.url != "":
		return []key.Binding{withHelp(k.Next, "sign in"), k.Back}
	case s.appForm:
		return []key.Binding{withHelp(k.Next, "continue"), k.NextItem, k.Back}
	}
	return []key.Binding{withHelp(k.Next, "start"), k.ByHand, k.Back}
}

func (s *adminLoginScreen) start(with *app.AdminApp) tea.Cmd {
	s.busy, s.err = true, nil
	l := s.signIn
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		started, err := l.Start(ctx, with)
		return loginStartedMsg{started: started, err: err}
	}
}

func (s *adminLoginScreen) finish(code string) tea.Cmd {
	s.busy, s.err = true, nil
	l := s.signIn
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), app.SaveTimeout)
		defer cancel()
		in, err := l.Finish(ctx, code)
		return loginDoneMsg{in: in, err: err}
	}
}

// startWithApp checks the admin app's fields and starts the sign-in
// through it.
func (s *adminLoginScreen) startWithApp() tea.Cmd {
	id, sec := strings.TrimSpace(s.app[appClientID].Value()), strings.TrimSpace(s.app[appSecret].Value())
	s.appErrs = [2]string{}
	if err := app.CheckClientID(id); err != nil {
		s.appErrs[appClientID] = err.Error()
	}
	if err := app.CheckClientSecret(sec); err != nil {
		s.appErrs[appSecret] = err.Error()
	}
	for i, e := range s.appErrs {
		if e != "" {
			s.setAppFocus(i)
			return nil
		}
	}
	return s.start(&app.AdminApp{ClientID: id, ClientSecret: secret.New(sec)})
}

func (s *adminLoginScreen) setAppFocus(i int) {
	for j := range s.app {
		s.app[j].Blur()
	}
	s.appFoc = i
	s.app[i].Focus()
}

func (s *adminLoginScreen) Update(msg tea.Msg) (nav, tea.Cmd) {
	if s.manual != nil {
		return s.manual.Update(msg)
	}
	if s.keep != nil {
		n, cmd := s.keep.Update(msg)
		switch {
		case s.keep.c.Phase == app.CaptureSaved:
			// Kept (the keep screen recorded the outcome): this screen
			// says so from here.
			s.keep, s.done = nil, true
			s.app[appSecret].SetValue("")
		case n == backward:
			// The sign-in was discarded: start over.
			s.keep, s.url = nil, ""
			return stay, cmd
		}
		return n, cmd
	}
	switch msg := msg.(type) {
	case loginStartedMsg:
		s.busy, s.url, s.err = false, msg.started.URL, msg.err
		if msg.err == nil {
			if msg.started.Code != "" {
				return stay, s.finish(msg.started.Code)
			}
			s.code.Focus()
		}
		return stay, nil
	case loginDoneMsg:
		s.busy, s.err = false, msg.err
		s.code.SetValue("")
		if msg.err != nil {
			s.url = "" // a code is single use: start again
			return stay, nil
		}
		// Procore issued the sign-in: keep it as any one-time credential.
		var cmd tea.Cmd
		s.keep, cmd = newKeepScreen(s.sh, s.step, s.sh.svc.Keeper, msg.in.Cred, app.UnkeptSignIn)
		s.keep.signedIn = msg.in.Who
		s.keep.SetWidth(s.width)
		return stay, cmd
	case discardTypedMsg:
		if strings.TrimSpace(msg.text) != "discard" {
			return stay, dialogError(`Type the word discard to leave without the secret, or press esc to keep it.`)
		}
		s.app[appSecret].SetValue("")
		if s.leaving == app.LeaveQuit {
			return quitNow, closeDialog
		}
		return backward, closeDialog
	case tea.KeyPressMsg:
		return s.key(msg)
	}
	return stay, s.updateInput(msg)
}

func (s *adminLoginScreen) key(msg tea.KeyPressMsg) (nav, tea.Cmd) {
	k := s.sh.keys
	switch {
	case s.busy:
		return stay, nil
	case key.Matches(msg, k.Back):
		if s.Guarding() {
			return stay, s.askDiscard(false)
		}
		return backward, nil
	case s.done && key.Matches(msg, k.Next):
		return forward, nil
	case s.done && key.Matches(msg, k.Replace):
		s.sh.walker.Forget(s.step.ID)
		s.done, s.url = false, ""
		return stay, nil
	case s.done:
		return stay, nil
	case s.url == "" && !s.appForm && key.Matches(msg, k.ByHand):
		s.manual = &checklistScreen{sh: s.sh, step: s.step}
		s.manual.SetWidth(s.width)
		return stay, nil
	case s.url == "" && s.needApp && !s.appForm && key.Matches(msg, k.Next):
		s.appForm = true
		s.setAppFocus(appClientID)
		return stay, nil
	case s.url == "" && s.appForm && key.Matches(msg, k.NextItem):
		s.setAppFocus((s.appFoc + 1) % len(s.app))
		return stay, nil
	case s.url == "" && s.appForm && key.Matches(msg, k.PrevItem):
		s.setAppFocus((s.appFoc + len(s.app) - 1) % len(s.app))
		return stay, nil
	case s.url == "" && s.appForm && key.Matches(msg, k.Next):
		if s.appFoc < appSecret {
			s.setAppFocus(appSecret)
			return stay, nil
		}
		return stay, s.startWithApp()
	case s.url == "" && key.Matches(msg, k.Next):
		return stay, s.start(nil)
	case s.url != "" && key.Matches(msg, k.Next):
		if code := strings.TrimSpace(s.code.Value()); code != "" {
			return stay, s.finish(code)
		}
		return stay, nil
	}
	return stay, s.updateInput(msg)
}

func (s *adminLoginScreen) updateInput(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch {
	case s.done || s.busy:
	case s.url != "":
		s.code, cmd = s.code.Update(msg)
	case s.appForm:
		s.app[s.appFoc], cmd = s.app[s.appFoc].Update(msg)
	}
	return cmd
}

func (s *adminLoginScreen) View() (string, int) {
	if s.manual != nil {
		return s.manual.View()
	}
	if s.keep != nil {
		return s.keep.View()
	}
	st := s.sh.styles
	var b strings.Builder
	if s.step.Body != "" {
		b.WriteString(wrap(s.step.Body, s.width, 0) + "\n\n")
	}
	if s.err != nil {
		b.WriteString(problemView(s.sh, s.err, s.width, "") + "\n\n")
	}
	switch {
	case s.done:
		o, _ := s.sh.walker.Outcome(s.step.ID)
		b.WriteString(st.Success.Render(wrap("✓ "+sentence(o.Detail), s.width, 2)) + "\n\nPress enter to continue.\n")
	case s.busy:
		b.WriteString("Talking to Procore…\n")
	case s.url != "":
		b.WriteString("Open this address, sign in as a company admin and approve the app:\n\n")
		// Plain text, never truncated, so that it can be selected whole.
		b.WriteString(ansiHardwrap(s.url, s.width) + "\n\n")
		b.WriteString("Then paste the code Procore shows (it is not drawn):\n" + s.code.View() + "\n")
	case s.needApp:
		b.WriteString(wrap("To sign in, procore-sa needs an app of your own in Procore's Developer Portal (developers.procore.com): create an app, add the redirect URI "+
			"urn:ietf:wg:oauth:2.0:oob to it, and copy its client ID and client secret. The secret is kept in your keychain with your sign-in, never in a file.", s.width, 0) + "\n\n")
		if !s.appForm {
			b.WriteString(wrap("Press enter to give the app's client ID and secret, or h to do this step by hand instead.", s.width, 0) + "\n")
			break
		}
		for i := range s.app {
			if i == appSecret {
				b.WriteString(maskedView(s.app[i], st.Subtle.Render("(entered, hidden)")))
			} else {
				b.WriteString(s.app[i].View())
			}
			b.WriteString("\n")
			if s.appErrs[i] != "" {
				b.WriteString(st.Error.Render(wrap("  ✗ "+s.appErrs[i], s.width, 4)) + "\n")
			}
		}
	default:
		b.WriteString(wrap("Press enter to sign in to Procore with your own admin account (authorization code, out of band): procore-sa keeps only a refresh token, in your keychain. Press h to do this step by hand instead.", s.width, 0) + "\n")
	}
	return b.String(), 0
}

// FullHelp is every binding of the screen, in one group.
func (s *adminLoginScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

// problem is the failed sign-in, if any.
func (s *adminLoginScreen) problem() error {
	if s.keep != nil {
		return s.keep.problem()
	}
	return s.err
}
