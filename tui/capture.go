package tui

import (
	"context"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/explain"
	"github.com/procore-sa/procore-sa/steps"
)

type (
	// captureProgressMsg says what the work under way is doing or waiting
	// for; the screen listens on ch for the next message.
	captureProgressMsg struct {
		what string
		ch   <-chan tea.Msg
	}
	captureDoneMsg struct{ res app.CaptureResult }
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

// captureScreen draws the capture protocol (app.Capture): it takes the
// client ID, the one-time client secret and the company ID, and lets the
// person go on only once the secret is in safe keeping. The secret is
// never drawn, not even its length. The rules (what is valid, when leaving
// needs the typed discard, what a failure allows) are the protocol's.
type captureScreen struct {
	sh     *shared
	step   *steps.Step
	keeper app.Keeper
	width  int

	c      *app.Capture
	inputs [3]textinput.Model
	focus  int
	status string // what is happening or what went wrong

	// lostWhat names what is held, for the line that says it was lost
	// (see unkept).
	lostWhat string
	// signedIn, for a sign-in being kept, is who signed in, for the
	// step's outcome.
	signedIn string
	demo     bool
	// busy: a check, save or export is under way; stopCheck ends the
	// check (never the save).
	busy      bool
	stopCheck context.CancelFunc

	// offer is the hand-over to the vendor once the credential is kept
	// (handover.go); handedOver the file it wrote.
	offer      *app.HandoverOffer
	handedOver string
}

// newKeepScreen keeps a credential the wizard already holds (a user
// login's password): save, read back, or on failure retry or an age file;
// leaving first needs the typed discard.
func newKeepScreen(sh *shared, st *steps.Step, k app.Keeper, cred credstore.Credential, lostWhat string) (*captureScreen, tea.Cmd) {
	s := newCaptureScreen(sh, st, k)
	c, job := app.KeepHeld(cred)
	s.c, s.lostWhat, s.demo = c, lostWhat, false
	return s, s.run(job)
}

func newCaptureScreen(sh *shared, st *steps.Step, k app.Keeper) *captureScreen {
	s := &captureScreen{sh: sh, step: st, keeper: k, c: app.NewCapture(sh.walker.Guide.ID, k.Environment()),
		lostWhat: app.UnkeptClientSecret}
	_, s.demo = k.DemoCredential()
	labels := [3]string{"Client ID:     ", "Client secret: ", "Company ID:    "}
	for i := range s.inputs {
		s.inputs[i] = newInput(labels[i])
	}
	s.inputs[capSecret].EchoMode = textinput.EchoNone
	s.inputs[capCompany].CharLimit = 19
	s.inputs[0].Focus()
	// A step already done says so and lets the person go on: the secret
	// is not asked for again (Procore no longer shows it).
	if o, ok := sh.walker.Outcome(st.ID); ok && o.Kind == steps.OutcomeDone {
		s.c.Phase = app.CaptureSaved
		s.c.Saved = credstore.Saved{Profile: o.Profile}
		s.status = ""
	}
	return s
}

func (s *captureScreen) SetWidth(w int) {
	s.width = w
	for i := range s.inputs {
		s.inputs[i].SetWidth(max(10, min(w-18, 60)))
	}
}

func (s *captureScreen) Typing() bool { return s.c.Phase == app.CaptureEditing }

// Guarding reports whether leaving now would lose a secret the person has
// typed, or the wizard holds, and that is not yet in safe keeping.
func (s *captureScreen) Guarding() bool { return s.c.Holding(s.inputs[capSecret].Value()) }

func (s *captureScreen) unkept() string { return s.lostWhat }

func (s *captureScreen) keeping() bool { return s.busy }

func (s *captureScreen) stopChecking() {
	if s.stopCheck != nil {
		s.stopCheck()
	}
}

// askLeave asks the protocol whether leaving may go ahead; when a secret
// is held it opens the typed discard instead.
func (s *captureScreen) askLeave(to app.Leave) (nav, tea.Cmd) {
	if s.c.AskLeave(s.inputs[capSecret].Value(), to) {
		if to == app.LeaveQuit {
			return quitNow, nil
		}
		return backward, nil
	}
	warn := "Procore shows this secret only once. If you leave now it is lost and you will have to generate a new one."
	if s.c.Preset() {
		warn = "The password is not saved anywhere yet. If you leave now it is lost, and you will have to set a new one in Procore."
	}
	return stay, openDialog(newDiscardDialog(s.sh, warn))
}

// askDiscard is the root model's ctrl+c while the screen guards a secret.
func (s *captureScreen) askDiscard(quit bool) tea.Cmd {
	to := app.LeaveBack
	if quit {
		to = app.LeaveQuit
	}
	_, cmd := s.askLeave(to)
	return cmd
}

func (s *captureScreen) ShortHelp() []key.Binding {
	k := s.sh.keys
	switch s.c.Phase {
	case app.CaptureSaved:
		b := []key.Binding{withHelp(k.Next, "keep it and continue"), k.Back}
		if s.replaceable() {
			b = append(b, withHelp(k.Replace, "capture a new one"))
		}
		if _, ok := s.handoverer(); ok {
			b = append(b, withHelp(k.Export, "hand it over to the vendor"))
		}
		return b
	case app.CaptureFailed:
		return []key.Binding{withHelp(k.Retry, "try the keychain again"), withHelp(k.Export, "write an encrypted age file"), withHelp(k.Back, "edit")}
	case app.CaptureWorking, app.CaptureDiscarding, app.CaptureExporting:
		return nil
	}
	if s.offersDemo() {
		return []key.Binding{withHelp(k.Next, "save"), k.NextItem, k.Back, k.Demo}
	}
	return []key.Binding{withHelp(k.Next, "save"), k.NextItem, k.Back}
}

// replaceable reports whether the kept credential may be replaced by a new
// capture from here: a client ID and secret kept in the keychain.
func (s *captureScreen) replaceable() bool {
	return s.step.Kind == steps.KindCredential && s.c.Exported == "" && !s.c.Preset()
}

// offersDemo reports whether the demo's app can be filled in: under --demo,
// while the person edits the fields of a capture step.
func (s *captureScreen) offersDemo() bool {
	return s.demo && !s.c.Preset() && s.c.Phase == app.CaptureEditing
}

// fillDemo fills the three fields with the simulator's own app, as if
// typed: the secret goes into its masked field and is never drawn.
func (s *captureScreen) fillDemo() {
	cred, ok := s.keeper.DemoCredential()
	if !ok {
		return
	}
	s.inputs[capClientID].SetValue(cred.ClientID)
	s.inputs[capSecret].SetValue(cred.ClientSecret.Reveal())
	s.inputs[capCompany].SetValue(strconv.FormatInt(cred.CompanyID, 10))
	for i := range s.inputs {
		s.inputs[i].CursorEnd()
	}
	s.c.Errs = nil
	s.setFocus(capProve)
	s.status = "Filled in with the simulator's app (the secret stays hidden). Press enter to save it."
}

func (s *captureScreen) input() app.CaptureInput {
	return app.CaptureInput{ClientID: s.inputs[capClientID].Value(), ClientSecret: s.inputs[capSecret].Value(), CompanyID: s.inputs[capCompany].Value()}
}

func (s *captureScreen) Update(msg tea.Msg) (nav, tea.Cmd) {
	if cmd, ok := s.updateHandover(msg); ok {
		return stay, cmd
	}
	switch msg := msg.(type) {
	case captureProgressMsg:
		s.status = msg.what
		return stay, listen(msg.ch)
	case captureDoneMsg:
		return s.done(msg.res)
	case discardTypedMsg:
		to, err := s.c.Discard(msg.text)
		if err != nil {
			return stay, dialogError(`Type the word discard to leave without the secret, or press esc to keep it.`)
		}
		for i := range s.inputs {
			s.inputs[i].SetValue("")
		}
		s.status = ""
		s.setFocus(capClientID)
		if to == app.LeaveQuit {
			return quitNow, closeDialog
		}
		return backward, closeDialog
	case keepHoldingMsg:
		s.c.StayHolding()
		return stay, nil
	case exportSubmittedMsg:
		job, err := s.c.Export(msg.pass, msg.again, msg.path)
		if err != nil {
			return stay, dialogError(sentence(err.Error()))
		}
		return stay, s.run(job)
	case exportCancelledMsg:
		s.c.CancelExport()
		return stay, nil
	case tea.KeyPressMsg:
		return s.key(msg)
	}
	return stay, s.updateFocused(msg)
}

func (s *captureScreen) done(r app.CaptureResult) (nav, tea.Cmd) {
	s.busy = false
	if s.stopCheck != nil {
		s.stopCheck()
		s.stopCheck = nil
	}
	wasExporting := r.Exported != "" || r.ExportErr != nil
	s.c.Done(r)
	switch s.c.Phase {
	case app.CaptureEditing:
		// Drawn as explain says (problemView): a network failure is not
		// a refusal, and the secret typed is still here.
		s.status = ""
		s.setFocus(s.focus)
	case app.CaptureExporting:
		return stay, dialogError("The file could not be written: " + explain.Of(s.c.Err).Sentence)
	case app.CaptureFailed:
		s.status = ""
	case app.CaptureSaved:
		s.status = ""
		// The step's outcome is where the credential went, for the
		// transcript and for the later steps that use it.
		o := s.c.Outcome()
		if s.signedIn != "" {
			o = app.SignInOutcome(s.signedIn, o)
		}
		s.sh.walker.Record(s.step.ID, o)
		s.inputs[capSecret].SetValue("") // nothing of the secret stays here
		if wasExporting {
			return stay, closeDialog
		}
	}
	return stay, nil
}

func (s *captureScreen) key(km tea.KeyPressMsg) (nav, tea.Cmd) {
	k := s.sh.keys
	switch s.c.Phase {
	case app.CaptureWorking, app.CaptureDiscarding, app.CaptureExporting:
		return stay, nil
	case app.CaptureSaved:
		switch {
		case key.Matches(km, k.Next):
			return forward, nil
		case key.Matches(km, k.Back):
			return backward, nil
		case key.Matches(km, k.Export):
			if _, ok := s.handoverer(); ok {
				return stay, s.openHandover()
			}
		case key.Matches(km, k.Replace) && s.replaceable():
			// An explicit choice: the kept credential stays where it is
			// until a new one is kept (by the keeper's rule).
			s.sh.walker.Forget(s.step.ID)
			s.c = app.NewCapture(s.sh.walker.Guide.ID, s.keeper.Environment())
			s.status = "Capture the new credential; the one kept stays until this one is saved."
			s.setFocus(capClientID)
		}
		return stay, nil
	case app.CaptureFailed:
		switch {
		case key.Matches(km, k.Retry):
			if job, ok := s.c.Retry(); ok {
				return stay, s.run(job)
			}
		case key.Matches(km, k.Export):
			if s.c.AskExport() {
				return stay, openDialog(newExportDialog(s.sh, s.keeper.DefaultExportPath(), s.width))
			}
		case key.Matches(km, k.Back):
			if s.c.Preset() {
				return s.askLeave(app.LeaveBack) // nothing to edit: the wizard holds it
			}
			s.c.Phase = app.CaptureEditing
			s.inputs[s.focus].Focus()
		}
		return stay, nil
	}
	// Editing.
	switch {
	case key.Matches(km, k.Back):
		return s.askLeave(app.LeaveBack)
	case key.Matches(km, k.NextItem):
		s.setFocus((s.focus + 1) % capFields)
		return stay, nil
	case key.Matches(km, k.PrevItem):
		s.setFocus((s.focus + capFields - 1) % capFields)
		return stay, nil
	case s.focus == capProve && key.Matches(km, k.Toggle):
		s.c.Prove = !s.c.Prove
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
	if len(s.c.Errs) > 0 {
		_, s.c.Errs = s.c.Check(s.input()) // errors follow the typing once shown
	}
	return stay, cmd
}

func (s *captureScreen) setFocus(i int) {
	for j := range s.inputs {
		s.inputs[j].Blur()
	}
	s.focus = i
	if i < capProve {
		s.inputs[i].Focus()
	}
}

func (s *captureScreen) updateFocused(msg tea.Msg) tea.Cmd {
	if s.c.Phase != app.CaptureEditing || s.focus >= capProve {
		return nil
	}
	var cmd tea.Cmd
	s.inputs[s.focus], cmd = s.inputs[s.focus].Update(msg)
	return cmd
}

// submit hands what was typed to the protocol, which checks it; right, it
// is proved (if asked) and saved in the background.
func (s *captureScreen) submit() (nav, tea.Cmd) {
	job, ok := s.c.Submit(s.input())
	if !ok {
		s.status = "Not yet: correct the fields marked ✗."
		for _, f := range []app.CaptureField{app.FieldClientID, app.FieldClientSecret, app.FieldCompanyID} {
			if s.c.Errs[f] != "" {
				s.setFocus(int(f))
				break
			}
		}
		return stay, nil
	}
	for i := range s.inputs {
		s.inputs[i].Blur()
	}
	s.status = "Saving to " + s.keeper.Where() + "…"
	if s.c.Prove {
		s.status = "Checking the credentials with Procore…"
	}
	return stay, s.run(job)
}

// run runs a Job of the protocol as a command: its progress comes back as
// captureProgressMsg, its result as captureDoneMsg. The check may be
// stopped (the wizard ended from outside); a save, once begun, is seen
// through by the protocol.
func (s *captureScreen) run(job app.Job) tea.Cmd {
	checkCtx, stopCheck := context.WithTimeout(context.Background(), app.SaveTimeout)
	s.busy, s.stopCheck = true, stopCheck
	keeper := s.keeper
	return func() tea.Msg {
		ch := make(chan tea.Msg, 8)
		go func() {
			res := job(checkCtx, keeper, func(what string) {
				select {
				case ch <- captureProgressMsg{what: what, ch: ch}:
				default: // the screen already has news to show
				}
			})
			ch <- captureDoneMsg{res: res}
		}()
		return <-ch
	}
}

// sentence is an error's text as a sentence of its own.
func sentence(s string) string {
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

func (s *captureScreen) View() (string, int) {
	st := s.sh.styles
	var b strings.Builder
	if s.step.Body != "" {
		b.WriteString(wrap(s.step.Body, s.width, 0) + "\n\n")
	}
	switch s.c.Phase {
	case app.CaptureSaved:
		o, _ := s.sh.walker.Outcome(s.step.ID)
		switch {
		case s.c.Exported != "":
			b.WriteString(st.Success.Render("✓ Written to "+s.c.Exported) + "\n\n")
			b.WriteString(wrap("It is encrypted with your passphrase; decrypt it with: age -d "+s.c.Exported+". The keychain still holds nothing: keep the file and the passphrase apart.", s.width, 0) + "\n\n")
		case s.c.Saved.Beside != "" || s.c.Saved.Replaced:
			b.WriteString(st.Success.Render(wrap("✓ Kept as profile "+s.c.Saved.Profile+" and read back.", s.width, 2)) + "\n\n")
			b.WriteString(st.Warning.Render(wrap(sentence(s.c.Saved.Note()), s.width, 0)) + "\n")
			b.WriteString(wrap("Later steps use profile "+s.c.Saved.Profile+"; give --profile "+s.c.Saved.Profile+" to the commands that use it.", s.width, 0) + "\n\n")
		default:
			b.WriteString(st.Success.Render(wrap("✓ Kept as profile "+s.c.Saved.Profile+" on "+o.At.Local().Format("2 Jan 2006")+" and read back.", s.width, 2)) + "\n\n")
		}
		b.WriteString("Press enter to keep it and continue.\n")
		if s.handedOver != "" {
			b.WriteString("\n" + wrap("Handed over to the vendor in "+s.handedOver+": send them that file.", s.width, 0) + "\n")
		} else if _, ok := s.handoverer(); ok {
			b.WriteString("\n" + wrap("Press "+s.sh.keys.Export.Help().Key+" to hand it over to the vendor, encrypted to their public key (no one-time-secret site, no email of the secret).", s.width, 0) + "\n")
		}
		return b.String(), 0
	case app.CaptureFailed:
		b.WriteString(problemView(s.sh, s.c.Err, s.width, "") + "\n\n")
		b.WriteString(wrap("The secret you entered is kept here, unsaved. Press r to try the keychain again (unlock it first if it is locked), or a to write it to a file encrypted with a passphrase (readable with the age tool). It is never written in plain text.", s.width, 0) + "\n")
		return b.String(), 0
	}
	if s.offersDemo() {
		b.WriteString(st.Label.Render(wrap("Demo: "+s.sh.keys.Demo.Help().Key+" fills in the simulator's app (client ID, secret and company ID); the secret stays hidden.", s.width, 0)) + "\n\n")
	}
	// A failure comes first, where it is seen whatever the height.
	if err := s.c.Err; err != nil && s.c.Phase == app.CaptureEditing {
		then := "Correct them and press enter to try again."
		if explain.Of(err).Safe() {
			then = safeThen
		}
		b.WriteString(problemView(s.sh, err, s.width, then) + "\n\n")
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
		if msg := s.c.Errs[app.CaptureField(i)]; msg != "" {
			b.WriteString(st.Error.Render(wrap("  ✗ "+msg, s.width, 4)) + "\n")
		}
	}
	box := "[ ]"
	if s.c.Prove {
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
	b.WriteString("\n" + st.Subtle.Render(wrap("The secret is never shown. It goes to "+s.keeper.Where()+" and is read back before you can go on.", s.width, 0)) + "\n")
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

// FullHelp is every binding of the screen, in one group.
func (s *captureScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

// problem is the failure the screen shows, if any.
func (s *captureScreen) problem() error {
	if s.c.Phase == app.CaptureEditing || s.c.Phase == app.CaptureFailed {
		return s.c.Err
	}
	return nil
}
