package tui

import (
	"crypto/rand"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/steps"
)

// passwordScreen picks a password for a user-login account: masked input,
// the guide's rules turning from unmet to met as you type, a confirmation,
// and a generator. The password is never drawn, not even in part; a
// generated one reaches the person through the clipboard only.
type passwordScreen struct {
	sh     *shared
	step   *steps.Step
	policy steps.PasswordPolicy
	inputs [2]textinput.Model // password, confirmation
	focus  int
	width  int
	note   string // what the last generate or copy did

	// keep takes an accepted password into the keychain before the person
	// may go on (a user login's password is needed later, as seeds 000 and
	// 001 say); nil until then, or when nothing keeps credentials.
	keep      *captureScreen
	generated bool
}

// Guarding reports whether leaving would lose a password the wizard made
// or accepted and has not yet kept.
func (s *passwordScreen) Guarding() bool {
	if s.keep != nil {
		return s.keep.Guarding()
	}
	return s.generated && s.sh.svc.Keeper != nil
}

func (s *passwordScreen) unkept() string {
	if s.keep != nil {
		return s.keep.unkept()
	}
	return s.lostWhat()
}

// lostWhat names the password this screen holds.
func (s *passwordScreen) lostWhat() string {
	if s.generated {
		return app.UnkeptGeneratedPassword
	}
	return app.UnkeptPassword
}

func (s *passwordScreen) keeping() bool { return s.keep != nil && s.keep.keeping() }

func (s *passwordScreen) stopChecking() {
	if s.keep != nil {
		s.keep.stopChecking()
	}
}

func (s *passwordScreen) askDiscard(quit bool) tea.Cmd {
	if s.keep == nil {
		// A generated password not yet accepted: keep it first, or discard.
		s.keep = newPendingKeep(s)
	}
	return s.keep.askDiscard(quit)
}

// newPendingKeep is a keep screen with nothing saved yet, for the discard
// question alone.
func newPendingKeep(s *passwordScreen) *captureScreen {
	k := newCaptureScreen(s.sh, s.step, s.sh.svc.Keeper)
	cred := s.credential(s.inputs[0].Value())
	k.c, k.lostWhat = app.Hold(cred), s.lostWhat()
	k.SetWidth(s.width)
	return k
}

// credential is the user login the password belongs to: the guide's
// field with the account_email role.
func (s *passwordScreen) credential(pw string) credstore.Credential {
	login := s.sh.walker.RoleValue(steps.RoleAccountEmail)
	return credstore.Credential{Version: 1, Kind: credstore.KindUserLogin, Environment: s.sh.svc.Keeper.Environment(),
		Login: login, Password: secret.New(pw), Guide: s.sh.walker.Guide.ID, CreatedAt: time.Now().UTC()}
}

func newPasswordScreen(sh *shared, st *steps.Step) *passwordScreen {
	s := &passwordScreen{sh: sh, step: st, policy: sh.walker.Guide.Policy()}
	if o, ok := sh.walker.Outcome(st.ID); ok && o.Kind == steps.OutcomeDone && sh.svc.Keeper != nil {
		// Kept already: say so, and do not ask for a password again.
		s.keep = newCaptureScreen(sh, st, sh.svc.Keeper)
		s.keep.lostWhat = s.lostWhat()
	}
	for i, p := range []string{"Password: ", "Confirm:  "} {
		// Nothing is echoed, not even a bullet a character: the length
		// would show (maskedView draws the field as if empty).
		in := newInput(p)
		in.EchoMode = textinput.EchoNone
		in.CharLimit = 128
		s.inputs[i] = in
	}
	s.inputs[0].Focus()
	return s
}

func (s *passwordScreen) SetWidth(w int) {
	s.width = w
	if s.keep != nil {
		s.keep.SetWidth(w)
	}
	for i := range s.inputs {
		s.inputs[i].SetWidth(max(10, min(w-12, 40)))
	}
}

func (s *passwordScreen) Typing() bool {
	if s.keep != nil {
		return s.keep.Typing()
	}
	return true
}

func (s *passwordScreen) ShortHelp() []key.Binding {
	if s.keep != nil {
		return s.keep.ShortHelp()
	}
	k := s.sh.keys
	b := []key.Binding{k.Next, k.NextItem, k.Generate}
	if s.canCopy() {
		b = append(b, k.Copy)
	}
	return append(b, k.Back)
}

func (s *passwordScreen) confirming() bool { return s.policy.Confirm }

// canCopy reports whether ctrl+y may send the password to the clipboard:
// there is one, and the screen is not shared (presenter mode), where a
// clipboard can be shared too.
func (s *passwordScreen) canCopy() bool { return s.inputs[0].Value() != "" && !s.sh.presenter }

func (s *passwordScreen) setFocus(i int) {
	if !s.confirming() {
		i = 0
	}
	s.inputs[s.focus].Blur()
	s.focus = i
	s.inputs[i].Focus()
}

func (s *passwordScreen) Update(msg tea.Msg) (nav, tea.Cmd) {
	if s.keep != nil {
		n, cmd := s.keep.Update(msg)
		switch n {
		case backward: // discarded: back to choosing a password
			s.keep, s.generated = nil, false
			s.inputs[0].SetValue("")
			s.inputs[1].SetValue("")
			s.setFocus(0)
			s.note = "The password was discarded; choose another."
			return stay, cmd
		case quitNow:
			return quitNow, cmd
		}
		if s.keep.c.Phase == app.CaptureEditing && s.keep.c.Preset() {
			s.keep = nil // the discard question was only for a pending password: back to it
		}
		return n, cmd
	}
	k := s.sh.keys
	if km, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(km, k.Back):
			return backward, nil
		case key.Matches(km, k.Generate):
			pw, err := s.policy.Generate(rand.Reader, 0)
			if err != nil {
				s.note = "Could not generate a password: " + err.Error()
				return stay, nil
			}
			s.inputs[0].SetValue(pw)
			s.inputs[1].SetValue(pw)
			s.generated = true
			if s.sh.presenter {
				s.note = "Generated a password that meets every rule (not shown). Presenter mode does not send it to the clipboard; to paste it into Procore, generate it outside presenter mode, or type your own."
			} else {
				s.note = "Generated a password that meets every rule (not shown). Press ctrl+y to send it to the terminal's clipboard, then paste it into Procore."
			}
			return stay, nil
		case key.Matches(km, k.Copy):
			if !s.canCopy() {
				return stay, nil
			}
			// OSC 52 asks the terminal to set the clipboard; nothing tells
			// whether it did, so the note says only what was done.
			s.note = "Sent to the terminal's clipboard (OSC 52); not every terminal supports it. Paste it into Procore's Password box; if nothing pastes, type your own password instead. Then clear your clipboard."
			return stay, tea.SetClipboard(s.inputs[0].Value())
		case key.Matches(km, k.Next):
			// From the first box, enter goes on to the confirmation unless
			// that is already filled (as generate fills it).
			if s.focus == 0 && s.confirming() && s.inputs[1].Value() == "" {
				s.setFocus(1)
				return stay, nil
			}
			return s.accept()
		case key.Matches(km, k.NextItem):
			s.setFocus(1 - s.focus)
			return stay, nil
		case key.Matches(km, k.PrevItem):
			s.setFocus(1 - s.focus)
			return stay, nil
		}
	}
	var cmd tea.Cmd
	s.inputs[s.focus], cmd = s.inputs[s.focus].Update(msg)
	return stay, cmd
}

// accept hands the password to the engine, which keeps only the fact that
// it was accepted; the root model reports why when it was not.
func (s *passwordScreen) accept() (nav, tea.Cmd) {
	confirm := s.inputs[1].Value()
	if !s.confirming() {
		confirm = s.inputs[0].Value()
	}
	if err := s.sh.walker.AcceptPassword(s.inputs[0].Value(), confirm); err != nil {
		s.note = "Not yet: " + err.Error() + "."
		if s.sh.presenter {
			// Which rule is unmet would tell the makeup.
			s.note = "Not yet: the password must meet every rule, and both entries must match."
		}
		return stay, nil
	}
	if s.sh.svc.Keeper != nil && s.sh.walker.Guide.AccountModel == steps.UserLogin {
		var cmd tea.Cmd
		s.keep, cmd = newKeepScreen(s.sh, s.step, s.sh.svc.Keeper, s.credential(s.inputs[0].Value()), s.lostWhat())
		s.keep.SetWidth(s.width)
		// Nothing of the password stays in the inputs once it is handed over.
		s.inputs[0].SetValue("")
		s.inputs[1].SetValue("")
		return stay, cmd
	}
	return forward, nil
}

func (s *passwordScreen) View() (string, int) {
	if s.keep != nil {
		return s.keep.View()
	}
	st := s.sh.styles
	var b strings.Builder
	if s.step.Body != "" {
		b.WriteString(wrap(s.step.Body, s.width, 0) + "\n\n")
	}
	if s.step.For != "" {
		b.WriteString(st.Label.Render("Password for "+s.step.For) + "\n")
	}
	focus := lineCount(b.String())
	hidden := st.Subtle.Render("(entered, hidden)")
	b.WriteString(maskedView(s.inputs[0], hidden) + "\n")
	if s.confirming() {
		b.WriteString(maskedView(s.inputs[1], hidden) + "\n")
	}
	b.WriteString("\n" + st.Label.Render("Rules") + "\n")
	pw := s.inputs[0].Value()
	match := pw != "" && pw == s.inputs[1].Value()
	if s.sh.presenter {
		// A shared screen: rules turning ✓ as each kind of character is
		// typed would tell everyone watching the password's makeup. The
		// rules stay as text; one line says when all are met.
		all := pw != ""
		var texts []string
		for _, r := range s.policy.Check(pw) {
			texts = append(texts, r.Text)
			all = all && r.Met
		}
		if s.confirming() {
			texts = append(texts, "both entries match")
			all = all && match
		}
		b.WriteString(st.Subtle.Render(wrap(strings.Join(texts, "; ")+".", s.width, 0)) + "\n")
		if all {
			b.WriteString("\n" + st.Success.Render("✓ Meets every rule") + "\n")
		}
	} else {
		for _, r := range s.policy.Check(pw) {
			b.WriteString(ruleLine(st, r.Met, r.Text, s.width) + "\n")
		}
		if s.confirming() {
			b.WriteString(ruleLine(st, match, "Both entries match", s.width) + "\n")
		}
	}
	if s.note != "" {
		b.WriteString("\n" + st.Subtle.Render(wrap(s.note, s.width, 0)) + "\n")
	}
	return strings.TrimRight(b.String(), "\n"), focus
}

func ruleLine(st Styles, met bool, text string, width int) string {
	if met {
		return st.Success.Render("  ✓ " + wrap(text, width, 4))
	}
	return st.Error.Render("  ✗ " + wrap(text, width, 4))
}

// FullHelp is every binding of the screen, in one group.
func (s *passwordScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
