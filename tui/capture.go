package tui

import (
	"context"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/steps"
)

// Custody is the keeper of capture steps, the same for both wizards.
type Custody = credstore.Custodian

// custodyTimeout bounds a save, which may wait for the person to unlock
// the keychain.
const custodyTimeout = 3 * time.Minute

type capturePhase int

const (
	captureEditing   capturePhase = iota
	captureWorking                // proving and saving
	captureSaved                  // in the keychain (or an age file) and read back
	captureFailed                 // the keychain refused; retry or export
	captureExporting              // asking for a passphrase and a path
	captureDiscard                // asking the person to type "discard"
)

type (
	// captureProgressMsg says what the work under way is waiting for; the
	// screen listens on ch for the next message.
	captureProgressMsg struct {
		what string
		ch   <-chan tea.Msg
	}
	captureDoneMsg struct {
		proveErr, saveErr error
		saved             credstore.Saved
		exported          string // the file written, when exporting
	}
)

// listen waits for the next message of work under way.
func listen(ch <-chan tea.Msg) tea.Cmd { return func() tea.Msg { return <-ch } }

// Field indexes of the capture form.
const (
	capClientID = iota
	capSecret
	capCompany
	capProve // a toggle, not an input
	capFields
)

// Field indexes of the export form.
const (
	expPass = iota
	expConfirm
	expPath
)

// captureScreen takes the client ID, the one-time client secret and the
// company ID, and lets the person go on only once the secret is in safe
// keeping. The secret is never drawn, not even its length.
type captureScreen struct {
	sh      *shared
	step    *steps.Step
	custody Custody
	width   int

	phase  capturePhase
	inputs [3]textinput.Model
	prove  bool
	focus  int
	errs   [3]string
	status string // what is happening or what went wrong

	export      [3]textinput.Model
	exportFocus int
	exported    string
	saved       credstore.Saved // where the keychain save went

	discard     textinput.Model
	discardQuit bool // after discarding: quit (else go back)
	before      capturePhase

	// preset is a credential the wizard already holds (a user login's
	// password): the screen only keeps it, with the same gate.
	preset *credstore.Credential

	// demo: under --demo the keeper can fill in the simulator's own app.
	demo bool

	// lostWhat names a preset credential for the line that says it was
	// lost (see unkept).
	lostWhat string
	// busy: a check, save or export is under way; stopCheck ends the
	// check (never the save).
	busy      bool
	stopCheck context.CancelFunc
}

// newKeepScreen takes a credential the wizard already holds into custody:
// save, read back, or on failure retry or an age file; leaving first needs
// the typed discard.
func newKeepScreen(sh *shared, st *steps.Step, c Custody, cred credstore.Credential, lostWhat string) (*captureScreen, tea.Cmd) {
	s := newCaptureScreen(sh, st, c)
	s.preset, s.prove, s.demo, s.lostWhat = &cred, false, false, lostWhat
	_, cmd := s.submit()
	return s, cmd
}

func newCaptureScreen(sh *shared, st *steps.Step, c Custody) *captureScreen {
	s := &captureScreen{sh: sh, step: st, custody: c, prove: true}
	_, s.demo = c.DemoCredential()
	labels := [3]string{"Client ID:     ", "Client secret: ", "Company ID:    "}
	for i := range s.inputs {
		s.inputs[i] = newInput(labels[i])
	}
	s.inputs[capSecret].EchoMode = textinput.EchoNone
	s.inputs[capCompany].CharLimit = 19
	for i, p := range [3]string{"Passphrase: ", "Again:      ", "File:       "} {
		s.export[i] = newInput(p)
	}
	s.export[expPass].EchoMode = textinput.EchoNone
	s.export[expConfirm].EchoMode = textinput.EchoNone
	s.discard = newInput("> ")
	s.inputs[0].Focus()
	return s
}

func (s *captureScreen) SetWidth(w int) {
	s.width = w
	for i := range s.inputs {
		s.inputs[i].SetWidth(max(10, min(w-18, 60)))
	}
	for i := range s.export {
		s.export[i].SetWidth(max(10, min(w-15, 70)))
	}
}

func (s *captureScreen) Typing() bool {
	return s.phase == captureEditing || s.phase == captureExporting || s.phase == captureDiscard
}

// Guarding reports whether leaving now would lose a secret the person has
// typed and not yet put in safe keeping.
func (s *captureScreen) Guarding() bool {
	return s.phase != captureSaved && (s.preset != nil || strings.TrimSpace(s.inputs[capSecret].Value()) != "")
}

func (s *captureScreen) unkept() string {
	if s.preset != nil {
		return s.lostWhat
	}
	return credstore.UnkeptClientSecret
}

func (s *captureScreen) keeping() bool { return s.busy }

func (s *captureScreen) stopChecking() {
	if s.stopCheck != nil {
		s.stopCheck()
	}
}

// askDiscard opens the typed confirmation; quit says what follows it.
func (s *captureScreen) askDiscard(quit bool) {
	if s.phase != captureDiscard {
		s.before = s.phase
	}
	s.phase, s.discardQuit = captureDiscard, quit
	s.discard.SetValue("")
	s.discard.Focus()
}

func (s *captureScreen) Bindings() []key.Binding {
	k := s.sh.keys
	switch s.phase {
	case captureSaved:
		return []key.Binding{k.Next, k.Back}
	case captureFailed:
		return []key.Binding{
			key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "try the keychain again")),
			key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "write an encrypted age file")),
			withHelp(k.Back, "edit"),
		}
	case captureDiscard:
		return []key.Binding{withHelp(k.Next, "confirm"), withHelp(k.Back, "keep the secret")}
	case captureWorking:
		return nil
	}
	if s.offersDemo() {
		return []key.Binding{withHelp(k.Next, "save"), k.NextItem, k.Back, k.Demo}
	}
	return []key.Binding{withHelp(k.Next, "save"), k.NextItem, k.Back}
}

// offersDemo reports whether the demo's app can be filled in: under --demo,
// while the person edits the fields of a capture step.
func (s *captureScreen) offersDemo() bool {
	return s.demo && s.preset == nil && s.phase == captureEditing
}

// fillDemo fills the three fields with the simulator's own app, as if
// typed: the secret goes into its masked field and is never drawn.
func (s *captureScreen) fillDemo() {
	cred, ok := s.custody.DemoCredential()
	if !ok {
		return
	}
	s.inputs[capClientID].SetValue(cred.ClientID)
	s.inputs[capSecret].SetValue(cred.ClientSecret.Reveal())
	s.inputs[capCompany].SetValue(strconv.FormatInt(cred.CompanyID, 10))
	for i := range s.inputs {
		s.inputs[i].CursorEnd()
	}
	s.errs = [3]string{}
	s.setFocus(capProve)
	s.status = "Filled in with the simulator's app (the secret stays hidden). Press enter to save it."
}

func (s *captureScreen) credential() (credstore.Credential, bool) {
	if s.preset != nil {
		return *s.preset, true
	}
	s.errs = [3]string{}
	id := strings.TrimSpace(s.inputs[capClientID].Value())
	typed := strings.TrimSpace(s.inputs[capSecret].Value())
	company := strings.TrimSpace(s.inputs[capCompany].Value())
	ok := true
	if id == "" || strings.ContainsAny(id, " \t") {
		s.errs[capClientID], ok = "paste the client ID from Procore (one word, no spaces)", false
	}
	if typed == "" || strings.ContainsAny(typed, " \t\r\n") {
		s.errs[capSecret], ok = "paste the client secret Procore shows once (one word, no spaces)", false
	}
	cid, err := strconv.ParseInt(company, 10, 64)
	if err != nil || cid <= 0 {
		s.errs[capCompany], ok = "digits only: the number in Procore's address after /companies/", false
	}
	return credstore.Credential{
		Version: 1, Kind: credstore.KindClientCredentials, Environment: s.custody.Environment(),
		CompanyID: cid, ClientID: id, ClientSecret: secret.New(typed),
		Guide: s.sh.walker.Guide.ID, CreatedAt: time.Now().UTC(),
	}, ok
}

func (s *captureScreen) Update(msg tea.Msg) (nav, tea.Cmd) {
	switch msg := msg.(type) {
	case captureProgressMsg:
		s.status = msg.what
		return stay, listen(msg.ch)
	case captureDoneMsg:
		return s.done(msg)
	case tea.KeyPressMsg:
		return s.key(msg)
	}
	return stay, s.updateFocused(msg)
}

func (s *captureScreen) done(msg captureDoneMsg) (nav, tea.Cmd) {
	s.busy = false
	if s.stopCheck != nil {
		s.stopCheck()
		s.stopCheck = nil
	}
	switch {
	case msg.proveErr != nil:
		s.phase, s.status = captureEditing, "Procore refused the credentials: "+msg.proveErr.Error()
		s.inputs[s.focus].Focus()
	case msg.saveErr != nil && msg.exported == "" && s.phase == captureExporting:
		s.status = "The file could not be written: " + msg.saveErr.Error()
	case msg.saveErr != nil:
		s.phase, s.status = captureFailed, msg.saveErr.Error()
	default:
		s.phase, s.exported, s.saved = captureSaved, msg.exported, msg.saved
		s.status = ""
		if msg.exported == "" {
			// Later steps use where it went, as shown.
			s.custody.Use(msg.saved.Profile)
		}
		s.sh.walker.TickAll()
		// Nothing of the secret stays in the screen once it is kept.
		s.inputs[capSecret].SetValue("")
		s.export[expPass].SetValue("")
		s.export[expConfirm].SetValue("")
	}
	return stay, nil
}

func (s *captureScreen) key(km tea.KeyPressMsg) (nav, tea.Cmd) {
	k := s.sh.keys
	switch s.phase {
	case captureWorking:
		return stay, nil
	case captureSaved:
		switch {
		case key.Matches(km, k.Next):
			return forward, nil
		case key.Matches(km, k.Back):
			return backward, nil
		}
		return stay, nil
	case captureDiscard:
		switch {
		case key.Matches(km, k.Back):
			s.phase = s.before
			return stay, nil
		case key.Matches(km, k.Next):
			if strings.TrimSpace(s.discard.Value()) != "discard" {
				s.status = `Type the word discard to leave without the secret, or press esc to keep it.`
				return stay, nil
			}
			for i := range s.inputs {
				s.inputs[i].SetValue("")
			}
			s.phase, s.status = captureEditing, ""
			if s.discardQuit {
				return quitNow, nil
			}
			return backward, nil
		}
		var cmd tea.Cmd
		s.discard, cmd = s.discard.Update(km)
		return stay, cmd
	case captureFailed:
		switch km.String() {
		case "r":
			return s.submit()
		case "a":
			s.phase, s.exportFocus, s.status = captureExporting, expPass, ""
			if s.export[expPath].Value() == "" {
				s.export[expPath].SetValue(s.custody.DefaultExportPath())
			}
			s.focusExport(expPass)
			return stay, nil
		}
		if key.Matches(km, k.Back) {
			if s.preset != nil {
				s.askDiscard(false) // nothing to edit: the wizard holds it
				return stay, nil
			}
			s.phase = captureEditing
			s.inputs[s.focus].Focus()
		}
		return stay, nil
	case captureExporting:
		switch {
		case key.Matches(km, k.Back):
			s.phase = captureFailed
			return stay, nil
		case km.String() == "tab" || km.String() == "down":
			s.focusExport((s.exportFocus + 1) % 3)
			return stay, nil
		case km.String() == "shift+tab" || km.String() == "up":
			s.focusExport((s.exportFocus + 2) % 3)
			return stay, nil
		case key.Matches(km, k.Next):
			if s.exportFocus < expPath {
				s.focusExport(s.exportFocus + 1)
				return stay, nil
			}
			return s.startExport()
		}
		return stay, s.updateFocused(km)
	}
	// Editing.
	switch {
	case key.Matches(km, k.Back):
		if s.Guarding() {
			s.askDiscard(false)
			return stay, nil
		}
		return backward, nil
	case km.String() == "tab" || km.String() == "down":
		s.setFocus((s.focus + 1) % capFields)
		return stay, nil
	case km.String() == "shift+tab" || km.String() == "up":
		s.setFocus((s.focus + capFields - 1) % capFields)
		return stay, nil
	case s.focus == capProve && (key.Matches(km, k.Toggle)):
		s.prove = !s.prove
		return stay, nil
	case s.offersDemo() && key.Matches(km, k.Demo):
		s.fillDemo()
		return stay, nil
	case key.Matches(km, k.Next):
		if s.focus < capCompany {
			s.setFocus(s.focus + 1)
			return stay, nil
		}
		return s.submit()
	}
	cmd := s.updateFocused(km)
	if s.errs != [3]string{} {
		s.credential() // errors follow the typing once shown
	}
	return stay, cmd
}

func (s *captureScreen) setFocus(i int) {
	if s.focus < capProve {
		s.inputs[s.focus].Blur()
	}
	s.focus = i
	if i < capProve {
		s.inputs[i].Focus()
	}
}

func (s *captureScreen) focusExport(i int) {
	for j := range s.export {
		s.export[j].Blur()
	}
	s.exportFocus = i
	s.export[i].Focus()
}

func (s *captureScreen) updateFocused(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch {
	case s.phase == captureEditing && s.focus < capProve:
		s.inputs[s.focus], cmd = s.inputs[s.focus].Update(msg)
	case s.phase == captureExporting:
		s.export[s.exportFocus], cmd = s.export[s.exportFocus].Update(msg)
	case s.phase == captureDiscard:
		s.discard, cmd = s.discard.Update(msg)
	}
	return cmd
}

// submit checks the formats, then proves (if asked) and saves in the
// background.
func (s *captureScreen) submit() (nav, tea.Cmd) {
	cred, ok := s.credential()
	if !ok {
		s.status = "Not yet: correct the fields marked ✗."
		return stay, nil
	}
	s.phase, s.status = captureWorking, "Saving to "+s.custody.Where()+"…"
	for i := range s.inputs {
		s.inputs[i].Blur()
	}
	custody, prove, saving := s.custody, s.prove, s.status
	if prove {
		s.status = "Checking the credentials with Procore…"
	}
	// The check may be stopped (the wizard ended from outside); the save,
	// once begun, is seen through.
	checkCtx, stopCheck := context.WithTimeout(context.Background(), custodyTimeout)
	s.busy, s.stopCheck = true, stopCheck
	return stay, func() tea.Msg {
		ch := make(chan tea.Msg, 4)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), custodyTimeout)
			defer cancel()
			ctx = credstore.NoticeSlow(ctx, func() {
				select {
				case ch <- captureProgressMsg{what: credstore.KeychainWait, ch: ch}:
				default: // the screen already has one to show
				}
			})
			if prove {
				if err := custody.Prove(checkCtx, cred); err != nil {
					ch <- captureDoneMsg{proveErr: err}
					return
				}
				if checkCtx.Err() != nil {
					ch <- captureDoneMsg{proveErr: checkCtx.Err()}
					return
				}
				ch <- captureProgressMsg{what: saving, ch: ch}
			}
			saved, err := custody.Save(ctx, cred)
			ch <- captureDoneMsg{saved: saved, saveErr: err}
		}()
		return <-ch
	}
}

func (s *captureScreen) startExport() (nav, tea.Cmd) {
	pass, again := s.export[expPass].Value(), s.export[expConfirm].Value()
	path := strings.TrimSpace(s.export[expPath].Value())
	switch {
	case len(pass) < 12:
		s.status = "Choose a passphrase of at least 12 characters."
		s.focusExport(expPass)
		return stay, nil
	case pass != again:
		s.status = "The two passphrases differ; type them again."
		s.export[expPass].SetValue("")
		s.export[expConfirm].SetValue("")
		s.focusExport(expPass)
		return stay, nil
	case path == "":
		s.status = "Name the file to write."
		return stay, nil
	}
	cred, ok := s.credential()
	if !ok {
		s.phase = captureEditing
		return stay, nil
	}
	custody, passphrase := s.custody, secret.New(pass)
	s.status = "Encrypting to " + path + "…"
	s.busy = true
	return stay, func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), custodyTimeout)
		defer cancel()
		if err := custody.Export(ctx, path, passphrase, cred); err != nil {
			return captureDoneMsg{saveErr: err}
		}
		return captureDoneMsg{exported: path}
	}
}

func (s *captureScreen) View() (string, int) {
	st := s.sh.styles
	var b strings.Builder
	if s.step.Body != "" {
		b.WriteString(wrap(s.step.Body, s.width, 0) + "\n\n")
	}
	switch s.phase {
	case captureSaved:
		if s.exported != "" {
			b.WriteString(st.Success.Render("✓ Written to "+s.exported) + "\n\n")
			b.WriteString(wrap("It is encrypted with your passphrase; decrypt it with: age -d "+s.exported+". The keychain still holds nothing: keep the file and the passphrase apart.", s.width, 0) + "\n\n")
		} else {
			b.WriteString(st.Success.Render(wrap("✓ Saved to "+s.custody.Where()+" and read back.", s.width, 2)) + "\n\n")
			if note := s.saved.Note(); note != "" {
				b.WriteString(wrap("Note: "+note+".", s.width, 0) + "\n\n")
			}
		}
		b.WriteString("Press enter to continue.\n")
		return b.String(), 0
	case captureFailed:
		b.WriteString(st.Error.Render(wrap("✗ "+s.status, s.width, 2)) + "\n\n")
		b.WriteString(wrap("The secret you entered is kept here, unsaved. Press r to try the keychain again (unlock it first if it is locked), or a to write it to a file encrypted with a passphrase (readable with the age tool). It is never written in plain text.", s.width, 0) + "\n")
		return b.String(), 0
	case captureExporting:
		b.WriteString(st.Label.Render("Write an encrypted file") + "\n")
		for i := range s.export {
			if i == expPath {
				b.WriteString(s.export[i].View())
			} else {
				b.WriteString(maskedView(s.export[i], st.Subtle.Render("  (entered, hidden)")))
			}
			b.WriteString("\n")
		}
		if s.status != "" {
			b.WriteString("\n" + wrap(s.status, s.width, 0) + "\n")
		}
		return b.String(), 0
	case captureDiscard:
		warn := "Procore shows this secret only once. If you leave now it is lost and you will have to generate a new one."
		if s.preset != nil {
			warn = "The password is not saved anywhere yet. If you leave now it is lost, and you will have to set a new one in Procore."
		}
		b.WriteString(st.Warning.Render(wrap(warn, s.width, 0)) + "\n\n")
		b.WriteString("Type discard and press enter to leave without it, or esc to stay:\n")
		b.WriteString(s.discard.View() + "\n")
		if s.status != "" {
			b.WriteString("\n" + wrap(s.status, s.width, 0) + "\n")
		}
		return b.String(), 0
	}
	if s.offersDemo() {
		b.WriteString(st.Label.Render(wrap("Demo: "+s.sh.keys.Demo.Help().Key+" fills in the simulator's app (client ID, secret and company ID); the secret stays hidden.", s.width, 0)) + "\n\n")
	}
	focusLine := lineCount(b.String())
	for i := range s.inputs {
		if i == s.focus {
			focusLine = lineCount(b.String())
		}
		if i == capSecret {
			b.WriteString(maskedView(s.inputs[i], st.Subtle.Render("(entered, hidden)")))
		} else {
			b.WriteString(s.inputs[i].View())
		}
		b.WriteString("\n")
		if s.errs[i] != "" {
			b.WriteString(st.Error.Render(wrap("  ✗ "+s.errs[i], s.width, 4)) + "\n")
		}
	}
	box := "[ ]"
	if s.prove {
		box = "[x]"
	}
	line := box + " Check them with Procore before saving"
	if s.focus == capProve {
		line = st.Selected.Render("› " + line)
	} else {
		line = "  " + line
	}
	b.WriteString("\n" + line + "\n")
	if s.status != "" {
		b.WriteString("\n" + wrap(s.status, s.width, 0) + "\n")
	}
	b.WriteString("\n" + st.Subtle.Render(wrap("The secret is never shown. It goes to "+s.custody.Where()+" and is read back before you can go on.", s.width, 0)) + "\n")
	return b.String(), focusLine
}

// maskedView draws a masked field as if nothing had been typed, followed by
// a note once something has been: a text input pads its line by the width
// of its value, even with nothing echoed, which would tell the secret's
// length to anyone watching. The field gives up the note's width.
func maskedView(in textinput.Model, note string) string {
	if in.Value() == "" {
		return in.View()
	}
	in.Placeholder = ""
	in.SetValue("")
	in.SetWidth(max(1, in.Width()-lipgloss.Width(note)))
	return in.View() + note
}
