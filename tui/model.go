// Package tui is the wizard's Bubble Tea program: one root model that walks a
// guide's steps through the step engine, with one screen per step kind. It
// does no I/O inside Update: saving and the transcript run as commands and
// come back as messages.
package tui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/explain"
	"github.com/procore-sa/procore-sa/steps"
)

// The smallest terminal the wizard draws in.
const (
	MinWidth  = 60
	MinHeight = 16
)

// Options configure the wizard.
type Options struct {
	Guides    []*steps.Guide
	GuideID   string // start with this guide, skipping the picker
	Now       func() time.Time
	Demo      bool
	Presenter bool // a shared screen: wider margins and a banner
	// Services are the ports the steps' work goes through (a nil
	// Sessions keeps nothing between runs; a nil port leaves its steps to
	// be done by hand).
	Services app.Services
	// Target names where Procore is, for the header ("simulator on
	// 127.0.0.1:41234" under --demo); empty shows nothing.
	Target string
}

// StopMsg ends the wizard from outside (a signal: a termination, a hang-up,
// an interrupt sent to the process): nobody can be asked, so nothing is.
// The walk is saved, an add-all run stops at its safe point, and a save to
// the keychain under way is waited for (a check with Procore before it is
// stopped); then the program quits. Unkept names what a screen still held.
type StopMsg struct{ Why string }

// Outcome is how the wizard ended.
type Outcome int

const (
	OutcomeQuit     Outcome = iota // left before the end; progress is saved
	OutcomeFinished                // every step done
)

// phase is the step pointer of the root state machine.
type phase int

const (
	phasePicker    phase = iota // choosing a guide
	phaseLoading                // reading saved progress
	phaseResume                 // offering to resume it
	phaseStep                   // walking the guide
	phaseFinishing              // writing the transcript
	phaseDone                   // finished; showing where the transcript is
)

type (
	sessionLoadedMsg struct {
		session *steps.Session
		err     error
	}
	sessionSavedMsg struct{ err error }
	finishedMsg     struct {
		path string
		err  error
	}
	// progressScannedMsg says, by guide id, where a walk with saved
	// progress was left, for the picker's marks.
	progressScannedMsg struct{ where map[string]string }
)

// NoticeMsg is something the program must tell the person while the full
// screen is up, such as an audit log that could not be written: the root
// model shows it in the status line, so that nothing is written under the
// screen. Send it with the program's Send.
type NoticeMsg struct{ Text string }

// Model is the wizard's root model.
type Model struct {
	opts  Options
	sh    *shared
	phase phase

	picker picker
	guide  *steps.Guide
	saved  *steps.Session // progress found on disk, offered for resume
	screen screen

	dialogs  []dialog // questions open over the step's screen, the top one last
	stopping bool     // leaving once the step's run (or save) has stopped
	ended    string   // why the wizard was ended from outside (StopMsg)
	showHelp bool
	help     help.Model

	width, height int
	status        string // why a step cannot be left yet, or what went wrong
	transcript    string // path of the written transcript
	outcome       Outcome

	// Saves run one at a time, newest snapshot last.
	saving, saveAgain, quitAfterSave, finishAfterSave bool
	savedRev                                          int
}

// New builds the root model.
func New(opts Options) *Model {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	sh := &shared{styles: NewStyles(true), keys: DefaultKeyMap(), svc: opts.Services, now: opts.Now, presenter: opts.Presenter}
	m := &Model{opts: opts, sh: sh, help: help.New(), width: 80, height: 24}
	m.help.Styles = help.DefaultStyles(true)
	m.picker = picker{sh: sh, guides: opts.Guides}
	if opts.GuideID != "" {
		for _, g := range opts.Guides {
			if g.ID == opts.GuideID {
				m.guide = g
				m.phase = phaseLoading
			}
		}
	}
	m.resize()
	return m
}

// Unkept names the one-time credential the step's screen holds and has
// not kept ("the client secret you typed"), or "". Once the program has
// ended, it is what was lost: the wizard was ended before the person could
// keep it or discard it.
func (m *Model) Unkept() string {
	if g, ok := m.screen.(guard); ok && m.phase == phaseStep && g.Guarding() {
		return g.unkept()
	}
	return ""
}

// Ended is why the wizard was ended from outside (StopMsg), or "".
func (m *Model) Ended() string { return m.ended }

// Outcome reports how the wizard ended.
func (m *Model) Outcome() Outcome { return m.outcome }

// Walker is the step engine of the guide being walked, or nil.
func (m *Model) Walker() *steps.Walker { return m.sh.walker }

// HoldsWork reports whether the guide being walked holds work worth
// resuming: it left its first step, ticked something, or has a value that
// is not the field's default (steps.Walker.Dirty).
func (m *Model) HoldsWork() bool { return m.sh.walker != nil && m.sh.walker.Dirty() }

// UnfinishedRun names the add-all run that did not end with every project
// done (stopped, failed, or still going when the wizard left), whose journal
// "procore-sa add-all --resume RUN" takes up; "" when there is none.
func (m *Model) UnfinishedRun() string { return m.sh.openRun }

func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor}
	if m.phase == phaseLoading {
		cmds = append(cmds, m.load())
	}
	if m.phase == phasePicker {
		cmds = append(cmds, m.scanProgress())
	}
	return tea.Batch(cmds...)
}

func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.resize()
		return m, nil
	case tea.BackgroundColorMsg:
		m.sh.styles = NewStyles(msg.IsDark())
		m.help.Styles = help.DefaultStyles(msg.IsDark())
		return m, nil
	case NoticeMsg:
		m.status = strings.Join(strings.Fields(msg.Text), " ") // one line
		return m, nil
	case sessionLoadedMsg:
		return m, m.loaded(msg)
	case progressScannedMsg:
		m.picker.progress = msg.where
		return m, nil
	case sessionSavedMsg:
		return m, m.savedOne(msg)
	case finishedMsg:
		m.phase, m.transcript = phaseDone, msg.path
		if msg.err != nil {
			m.status = "The transcript could not be written: " + msg.err.Error()
		}
		if m.ended != "" {
			return m, tea.Quit
		}
		return m, nil
	case StopMsg:
		return m, m.stopNow(msg.Why)
	case openDialogMsg:
		m.dialogs = append(m.dialogs, msg.d)
		return m, nil
	case closeDialogMsg:
		if n := len(m.dialogs); n > 0 {
			m.dialogs = m.dialogs[:n-1]
		}
		return m, nil
	case dialogErrorMsg:
		if n := len(m.dialogs); n > 0 {
			var cmd tea.Cmd
			m.dialogs[n-1], cmd = m.dialogs[n-1].Update(msg)
			return m, cmd
		}
		return m, nil
	case leaveConfirmedMsg:
		return m, m.quit()
	case tea.KeyPressMsg:
		if m.ended != "" {
			return m, nil // leaving: nothing typed now can act
		}
		if m.tooSmall() && !key.Matches(msg, m.sh.keys.Quit) {
			return m, nil // nothing acts on a screen the person cannot see
		}
		return m, m.key(msg)
	case tea.PasteMsg:
		if m.tooSmall() {
			return m, nil
		}
	}
	// Anything else (a paste, a cursor blink, the answer of background
	// work) belongs to the step's screen; while a dialog is open, only
	// what the person typed is held back.
	if paste, ok := msg.(tea.PasteMsg); ok && len(m.dialogs) > 0 && !m.stopping {
		var cmd tea.Cmd
		top := len(m.dialogs) - 1
		m.dialogs[top], cmd = m.dialogs[top].Update(paste)
		return m, cmd
	}
	if _, paste := msg.(tea.PasteMsg); m.phase == phaseStep && !(paste && m.stopping) {
		n, cmd := m.screen.Update(msg)
		if m.stopping && !m.busy() {
			// The run (or the save) has stopped: now leave.
			m.stopping = false
			return m, tea.Batch(cmd, m.saveIfChanged(), m.quit())
		}
		// A dialog's answer can move the walk as a key does.
		return m, m.navigate(n, cmd)
	}
	return m, nil
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.sh.keys
	if m.stopping {
		// A second ctrl+c leaves at once: the journal holds what was
		// confirmed, and a resumed run takes up the rest.
		if key.Matches(msg, k.Quit) {
			m.stopping = false
			return m.leave()
		}
		return nil
	}
	if n := len(m.dialogs); n > 0 {
		var cmd tea.Cmd
		m.dialogs[n-1], cmd = m.dialogs[n-1].Update(msg)
		return cmd
	}
	if key.Matches(msg, k.Quit) {
		if r, ok := m.screen.(runner); ok && m.phase == phaseStep && r.running() {
			if _, run := m.screen.(*addAllScreen); run {
				return openDialog(&stopRunDialog{sh: m.sh, text: m.stopRunText()})
			}
			return m.quit() // stops the work first; its screen says so
		}
		if g, ok := m.screen.(guard); ok && m.phase == phaseStep && g.Guarding() {
			return g.askDiscard(true)
		}
		return m.requestQuit()
	}
	typing := m.typing()
	if (!typing && key.Matches(msg, k.Help)) || key.Matches(msg, k.HelpAnywhere) {
		m.showHelp = !m.showHelp
		return nil
	}
	if key.Matches(msg, k.Details) && m.phase == phaseStep {
		m.sh.details = !m.sh.details
		return nil
	}
	if !typing && key.Matches(msg, k.Leave) && m.phase != phaseStep {
		return m.requestQuit()
	}

	switch m.phase {
	case phasePicker:
		g, cmd := m.picker.update(msg)
		if g != nil {
			m.guide, m.phase = g, phaseLoading
			return m.load()
		}
		return cmd
	case phaseResume:
		switch {
		case key.Matches(msg, k.Resume):
			return m.start(m.saved)
		case key.Matches(msg, k.Restart):
			return m.start(nil)
		}
	case phaseStep:
		return m.stepKey(msg)
	case phaseDone:
		if key.Matches(msg, k.Next) || key.Matches(msg, k.Back) || key.Matches(msg, k.Leave) {
			return tea.Quit
		}
	}
	return nil
}

// typing reports whether keys go into a text field (a step's, a
// dialog's, or the picker's filter), so that letters are not commands.
func (m *Model) typing() bool {
	switch {
	case len(m.dialogs) > 0:
		return m.dialogs[len(m.dialogs)-1].Typing()
	case m.phase == phaseStep:
		return m.screen.Typing()
	case m.phase == phasePicker:
		return m.picker.filtering
	}
	return false
}

func (m *Model) stepKey(msg tea.KeyPressMsg) tea.Cmd {
	n, cmd := m.screen.Update(msg)
	// A "not yet" goes once what it named is put right.
	if strings.HasPrefix(m.status, "Not yet") && n == stay && m.sh.walker.Problem() == nil {
		m.status = ""
	}
	return m.navigate(n, cmd)
}

// navigate does what the step's screen asked for after a message.
func (m *Model) navigate(n nav, cmd tea.Cmd) tea.Cmd {
	w := m.sh.walker
	switch n {
	case quitNow:
		return tea.Batch(cmd, m.saveIfChanged(), m.quit())
	case forward:
		m.sh.details = false
		if err := w.Next(); err != nil {
			m.status = "Not yet: " + err.Error() + "."
			break
		}
		m.status = ""
		if w.Finished() {
			m.phase = phaseFinishing
			m.outcome = OutcomeFinished
			return tea.Batch(cmd, m.finish())
		}
		m.screen = newScreen(m.sh, m.mainWidth())
	case backward:
		m.status, m.sh.details = "", false
		if !w.Back() {
			if len(m.opts.Guides) > 1 && m.opts.GuideID == "" {
				// From the first step, esc returns to the guide list; the
				// walk is saved and will be offered again.
				m.phase = phasePicker
				return tea.Batch(cmd, m.saveIfChanged(), m.scanProgress())
			}
			m.status = "This is the first step."
			break
		}
		m.screen = newScreen(m.sh, m.mainWidth())
	}
	return tea.Batch(cmd, m.saveIfChanged())
}

// busy reports whether the step's screen has work under way that leaving
// waits for: an add-all run, or a save of a secret.
func (m *Model) busy() bool {
	if m.phase != phaseStep {
		return false
	}
	if r, ok := m.screen.(runner); ok && r.running() {
		return true
	}
	k, ok := m.screen.(keeper)
	return ok && k.keeping()
}

// stopNow ends the wizard without asking: see StopMsg.
func (m *Model) stopNow(why string) tea.Cmd {
	if m.ended != "" {
		return nil
	}
	m.ended, m.dialogs = why, nil
	m.status = "Stopping (" + why + "): saving your place…"
	if m.phase == phaseFinishing {
		return nil // quits once the transcript is written
	}
	if m.phase == phaseStep {
		if r, ok := m.screen.(runner); ok && r.running() {
			r.stop()
			m.stopping = true
			return nil
		}
		if k, ok := m.screen.(keeper); ok && k.keeping() {
			k.stopChecking()
			m.stopping = true
			return nil
		}
	}
	return tea.Batch(m.saveIfChanged(), m.leave())
}

// stopRunText is what the stop dialog says: where the run stops, what is
// kept, and the one command that takes the guide and its run up again.
func (m *Model) stopRunText() string {
	w := m.sh.walker
	return fmt.Sprintf("The run stops at its next safe point (the call under way is answered first); every project Procore confirmed is journaled. Your place (step %d of %d) is saved. To take the guide and its run up again, run:\n\n    procore-sa%s %s",
		w.Index()+1, w.Len(), demoFlag(m.opts.Demo), w.Guide.ID)
}

// requestQuit asks before leaving a guide that holds work.
func (m *Model) requestQuit() tea.Cmd {
	if m.phase == phaseStep && m.sh.walker.Dirty() {
		w := m.sh.walker
		return openDialog(&leaveDialog{sh: m.sh, text: fmt.Sprintf("Your place (step %d of %d) is saved. To resume, run:\n\n    procore-sa%s %s\n\nA password typed on this screen is not kept.",
			w.Index()+1, w.Len(), demoFlag(m.opts.Demo), m.guide.ID)})
	}
	return m.quit()
}

// quit ends the program once the step's run has stopped at its next safe
// point and the last save has landed. No I/O here: the run's done message
// brings the program back to quit.
func (m *Model) quit() tea.Cmd {
	m.dialogs = nil
	if r, ok := m.screen.(runner); ok && m.phase == phaseStep && r.running() {
		r.stop()
		m.stopping = true
		return nil
	}
	return m.leave()
}

// leave ends the program once the last save has landed.
func (m *Model) leave() tea.Cmd {
	if m.saving {
		m.quitAfterSave = true
		return nil
	}
	return tea.Quit
}

// start begins walking the chosen guide, from s or from the first step.
func (m *Model) start(s *steps.Session) tea.Cmd {
	m.sh.walker = steps.NewWalker(m.guide, s, m.opts.Now)
	m.savedRev = m.sh.walker.Rev()
	m.saved = nil
	m.phase = phaseStep
	m.sh.height = m.bodyHeight(1) // the presenter's badge takes its lines now
	m.screen = newScreen(m.sh, m.mainWidth())
	return nil
}

// scanProgress reads which guides have saved progress, for the picker.
// It runs after the saves in flight are queued: a walk just left is
// marked once its save has landed (the next scan sees it).
func (m *Model) scanProgress() tea.Cmd {
	store, guides, now := m.opts.Services.Sessions, m.opts.Guides, m.opts.Now
	if store == nil || len(guides) < 2 {
		return nil
	}
	return func() tea.Msg {
		where := map[string]string{}
		for _, g := range guides {
			if s, err := store.LoadSession(g.ID); err == nil && app.OfferResume(g, s) {
				where[g.ID] = fmt.Sprintf("in progress: step %d of %d, %s ago", s.Step+1, len(g.Steps), app.Ago(now().Sub(s.UpdatedAt)))
			}
		}
		return progressScannedMsg{where: where}
	}
}

func (m *Model) load() tea.Cmd {
	store, id := m.opts.Services.Sessions, m.guide.ID
	if store == nil {
		return func() tea.Msg { return sessionLoadedMsg{} }
	}
	return func() tea.Msg {
		s, err := store.LoadSession(id)
		return sessionLoadedMsg{session: s, err: err}
	}
}

func (m *Model) loaded(msg sessionLoadedMsg) tea.Cmd {
	if m.phase != phaseLoading {
		return nil
	}
	if msg.err != nil {
		m.status = "Saved progress could not be read, so this starts over: " + msg.err.Error()
		return m.start(nil)
	}
	s := msg.session
	if app.OfferResume(m.guide, s) {
		m.saved, m.phase = s, phaseResume
		return nil
	}
	return m.start(nil)
}

// saveIfChanged saves a snapshot of the walk when it changed since the last
// save. One save runs at a time; changes made meanwhile are saved after it.
func (m *Model) saveIfChanged() tea.Cmd {
	w := m.sh.walker
	if m.opts.Services.Sessions == nil || w == nil || w.Rev() == m.savedRev || w.Finished() {
		return nil
	}
	if m.saving {
		m.saveAgain = true
		return nil
	}
	m.saving, m.savedRev = true, w.Rev()
	store, snap := m.opts.Services.Sessions, w.Session.Clone()
	return func() tea.Msg { return sessionSavedMsg{err: store.SaveSession(snap)} }
}

func (m *Model) savedOne(msg sessionSavedMsg) tea.Cmd {
	m.saving = false
	if msg.err != nil {
		m.status = "Progress could not be saved: " + msg.err.Error()
	}
	if m.saveAgain {
		m.saveAgain = false
		if cmd := m.saveIfChanged(); cmd != nil {
			return cmd
		}
	}
	if m.finishAfterSave {
		m.finishAfterSave = false
		return m.finish()
	}
	if m.quitAfterSave {
		return tea.Quit
	}
	return nil
}

// finish writes the transcript of the finished walk, then forgets the saved
// progress: there is nothing left to resume.
func (m *Model) finish() tea.Cmd {
	if m.saving {
		// A save still in flight would bring the session back after the
		// delete: finish once it has landed.
		m.finishAfterSave = true
		return nil
	}
	store, g, snap, now := m.opts.Services.Sessions, m.guide, m.sh.walker.Session.Clone(), m.opts.Now()
	return func() tea.Msg {
		path, err := app.Finish(store, g, snap, now)
		return finishedMsg{path: path, err: err}
	}
}

// Layout.

func (m *Model) frame() (h, v int) {
	if m.opts.Presenter {
		return 6, 2
	}
	return 2, 0
}

// innerWidth is the width inside the app's margins.
func (m *Model) innerWidth() int {
	h, _ := m.frame()
	return max(0, m.width-h)
}

func (m *Model) sidebar() bool { return m.innerWidth() >= 100 }

// mainNeeds is the width the step's screen keeps beside the sidebar.
const mainNeeds = 70

// sidebarWidth is the width of the step list: its longest title, within
// what the step's screen leaves; a title longer still wraps.
func (m *Model) sidebarWidth() int {
	longest := 0
	if m.guide != nil {
		for _, s := range m.guide.Steps {
			longest = max(longest, ansi.StringWidth(s.Title))
		}
	}
	inner := m.innerWidth()
	frame := m.sh.styles.Sidebar.GetHorizontalFrameSize()
	return max(24, min(longest+5+frame, inner-mainNeeds-2, inner/2))
}

// mainWidth is the width of the step's screen.
func (m *Model) mainWidth() int {
	w := m.innerWidth()
	if m.sidebar() {
		w -= m.sidebarWidth() + 2
	}
	return max(10, w)
}

// minBody is the fewest lines the step's screen is left while the full
// help is shown.
const minBody = 3

// bodyHeight is the number of lines left for the step's screen when the
// help at the bottom is helpLines tall (one, or more while the full help
// is shown).
func (m *Model) bodyHeight(helpLines int) int {
	_, v := m.frame()
	// header, rule, blank, step title, blank, ..., status, help
	h := m.height - v - 6 - max(1, helpLines)
	if m.presenting() {
		h -= lipgloss.Height(m.badge()) - 1
	}
	return max(1, h)
}

func (m *Model) resize() {
	m.sh.height = m.bodyHeight(1)
	m.picker.width = m.innerWidth()
	m.help.SetWidth(m.innerWidth())
	if m.screen != nil {
		m.screen.SetWidth(m.mainWidth())
	}
}

func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "procore-sa"
	return v
}

// tooSmall reports a known size too small to draw the wizard in.
func (m *Model) tooSmall() bool {
	return m.width > 0 && (m.width < MinWidth || m.height < MinHeight)
}

func (m *Model) render() string {
	st := m.sh.styles
	if m.width < MinWidth || m.height < MinHeight {
		return fmt.Sprintf("The terminal is too small: %d×%d.\nprocore-sa needs at least %d×%d.\n\nEnlarge the window: the wizard carries on where it was.\nOr press ctrl+c to leave (your place is saved)\nand run it again with --plain, which asks\nthe same questions as lines of text.",
			m.width, m.height, MinWidth, MinHeight)
	}
	hf, vf := m.frame()
	inner := m.innerWidth()
	var b strings.Builder
	b.WriteString(m.header(inner) + "\n")
	b.WriteString(m.rule(inner) + "\n\n")

	title, body, focus, bindings := m.page()
	help := m.helpView(bindings)
	height := m.bodyHeight(lineCount(help))
	body = window(body, focus, height, st)
	heading := st.Title.Render(ansi.Truncate(title, m.mainWidth(), "…"))
	if m.presenting() {
		badge := m.badge()
		heading = lipgloss.JoinHorizontal(lipgloss.Center, badge, "  ",
			st.Title.Render(ansi.Truncate(title, max(10, m.mainWidth()-lipgloss.Width(badge)-2), "…")))
	}
	main := heading + "\n\n" + body
	if m.sidebar() && m.phase == phaseStep {
		main = lipgloss.JoinHorizontal(lipgloss.Top, st.Sidebar.Width(m.sidebarWidth()).Render(m.stepList(height+2)), main)
	}
	b.WriteString(main)

	// Pin the status and help lines to the bottom.
	used := lineCount(b.String())
	room := m.height - vf - used - 1 - max(1, lineCount(help))
	b.WriteString(strings.Repeat("\n", max(1, room+1)))
	b.WriteString(m.statusLine(inner) + "\n")
	b.WriteString(help)

	return margin(b.String(), hf/2, vf/2)
}

// margin puts left blank columns before each line and top blank lines above
// and below. It stands in for a padded style's Render, which measures and
// pads every line of the screen on every key: a third of a key's cost. The
// right margin is not drawn; the alternate screen is blank there anyway.
func margin(s string, left, top int) string {
	pad := strings.Repeat(" ", left)
	var b strings.Builder
	b.Grow(len(s) + (strings.Count(s, "\n")+1+2*top)*(left+1))
	b.WriteString(strings.Repeat("\n", top))
	for line := range strings.Lines(s) {
		b.WriteString(pad)
		b.WriteString(line)
	}
	b.WriteString(strings.Repeat("\n", top))
	return b.String()
}

// page returns what the current phase draws: a title, the body, the line to
// keep in sight, and the key bindings for the help bar.
func (m *Model) page() (string, string, int, []key.Binding) {
	k := m.sh.keys
	st := m.sh.styles
	if n := len(m.dialogs); n > 0 {
		d := m.dialogs[n-1]
		title := "Leave the guide?"
		_, leaving := d.(*leaveDialog)
		if _, stopping := d.(*stopRunDialog); stopping {
			title, leaving = "Stop the run and leave?", true
		}
		if !leaving && m.sh.walker != nil {
			title = m.stepTitle(m.sh.walker, m.sh.walker.Current())
		}
		return title, d.View(m.mainWidth()), 0, d.Bindings()
	}
	switch m.phase {
	case phasePicker:
		body, focus := m.picker.View()
		return "Choose a guide", body, focus, m.picker.ShortHelp()
	case phaseLoading:
		return m.guide.Title, "Reading saved progress…", 0, []key.Binding{k.Quit}
	case phaseResume:
		msg := "You have saved progress in this guide: " + app.DescribeSaved(m.guide, m.saved, m.opts.Now()) + ".\n\nResume there, or start over from the first step?"
		return m.guide.Title, st.Dialog.Render(wrap(msg, m.mainWidth()-4, 0)), 0, []key.Binding{k.Resume, k.Restart, k.Quit}
	case phaseFinishing:
		return "Finishing", "Writing the support transcript…", 0, nil
	case phaseDone:
		var b strings.Builder
		width := m.mainWidth()
		b.WriteString(st.Success.Render(wrap("✓ Every step of "+m.guide.Title+" is done.", width, 2)) + "\n\n")
		if m.transcript != "" {
			// A path is hard-wrapped, never truncated: it must stay whole to be copied.
			b.WriteString(wrap("A support transcript (steps, ticked items and times; no password or secret) is at:", width, 0) + "\n\n")
			b.WriteString("    " + strings.ReplaceAll(ansi.Hardwrap(m.transcript, max(width-4, 10), false), "\n", "\n    ") + "\n\n")
		}
		b.WriteString("Press enter to exit.")
		return "Done", b.String(), 0, []key.Binding{withHelp(k.Next, "exit")}
	}
	w := m.sh.walker
	cur := w.Current()
	body, focus := m.screen.View()
	keys := m.screen.ShortHelp()
	if m.showHelp {
		keys = slices.Concat(m.screen.FullHelp()...)
	}
	keys = append(keys[:len(keys):len(keys)], k.Quit)
	if m.sh.details || m.hasProblem() {
		keys = append(keys, withHelp(k.Details, map[bool]string{true: "hide details", false: "details"}[m.sh.details]))
	}
	return m.stepTitle(w, cur), body, focus, keys
}

// stepTitle is the step's heading: "Step 4 of 7 · vendor's step 3 ·
// Create the account", the vendor page's number shown where it differs
// from ours. In presenter mode the badge says "STEP 4 of 7" instead.
func (m *Model) stepTitle(w *steps.Walker, cur *steps.Step) string {
	title := cur.Title
	if v := strings.TrimSpace(cur.VendorStep); v != "" && v != strconv.Itoa(w.Index()+1) {
		title = "vendor's step " + v + " · " + title
	}
	if m.opts.Presenter {
		return title
	}
	return fmt.Sprintf("Step %d of %d · %s", w.Index()+1, w.Len(), title)
}

// badge is presenter mode's step number, large enough to read out.
func (m *Model) badge() string {
	w := m.sh.walker
	return m.sh.styles.StepBadge.Render(fmt.Sprintf("STEP %d of %d", w.Index()+1, w.Len()))
}

// presenting reports whether the heading carries the large step badge.
func (m *Model) presenting() bool {
	return m.opts.Presenter && m.phase == phaseStep && m.sh.walker != nil
}

// troubled is a screen that shows a failure, whose whole text the Details
// key shows.
type troubled interface{ problem() error }

// hasProblem reports whether the step's screen shows a failure with more
// to it than its sentence.
func (m *Model) hasProblem() bool {
	t, ok := m.screen.(troubled)
	if !ok || m.phase != phaseStep || t.problem() == nil {
		return false
	}
	x := explain.Of(t.problem())
	return x.HasMore()
}

func demoFlag(demo bool) string {
	if demo {
		return " --demo"
	}
	return ""
}

func (m *Model) header(width int) string {
	st := m.sh.styles
	left := st.Brand.Render("procore-sa")
	if m.guide != nil && m.phase != phasePicker {
		left += st.Subtle.Render(" · ") + st.Header.Render(m.guide.Title)
	}
	var right []string
	if m.opts.Target != "" {
		right = append(right, st.Subtle.Render(m.opts.Target))
	}
	if m.opts.Demo {
		right = append(right, st.Badge.Render("DEMO"))
	}
	if m.opts.Presenter {
		right = append(right, st.Badge.Render("PRESENTER: nothing secret is shown"))
	}
	r := strings.Join(right, "  ")
	space := width - ansi.StringWidth(r) - 1
	left = ansi.Truncate(left, max(0, space), "…")
	return left + strings.Repeat(" ", max(1, width-ansi.StringWidth(left)-ansi.StringWidth(r))) + r
}

// rule is a line across the screen that fills as steps are completed.
func (m *Model) rule(width int) string {
	st := m.sh.styles
	if m.phase < phaseStep || m.sh.walker == nil {
		return st.Subtle.Render(strings.Repeat("─", width))
	}
	w := m.sh.walker
	done := 0
	for _, s := range m.guide.Steps {
		if w.Done(s.ID) {
			done++
		}
	}
	filled := width * done / max(1, w.Len())
	return st.StepDone.Render(strings.Repeat("━", filled)) + st.Subtle.Render(strings.Repeat("─", width-filled))
}

// stepList is the sidebar, height lines at most: every step, with what is
// done and where you are. A long title wraps under itself.
func (m *Model) stepList(height int) string {
	st := m.sh.styles
	w := m.sh.walker
	lines := make([]string, 0, w.Len())
	room := m.sidebarWidth() - st.Sidebar.GetHorizontalBorderSize() - st.Sidebar.GetHorizontalPadding() - 5 // "✓ 12 "
	focus := 0
	for i, s := range m.guide.Steps {
		mark, style := "  ", st.StepTodo
		switch {
		case i == w.Index():
			mark, style, focus = "▸ ", st.StepNow, len(lines)
		case w.Done(s.ID):
			mark, style = "✓ ", st.StepDone
		}
		for _, l := range strings.Split(fmt.Sprintf("%s%2d %s", mark, i+1, wrap(s.Title, room+5, 5)), "\n") {
			lines = append(lines, style.Render(l))
		}
	}
	return window(strings.Join(lines, "\n"), focus, height, st)
}

func (m *Model) statusLine(width int) string {
	st := m.sh.styles
	if m.status == "" {
		return ""
	}
	s := ansi.Truncate(m.status, width, "…")
	if strings.HasPrefix(m.status, "Not yet") || strings.Contains(m.status, "could not") {
		return st.Error.Render(s)
	}
	return st.Subtle.Render(s)
}

// helpView is the help at the bottom: the short bar, or every binding in
// columns while the full help is shown. The bar fits the width by
// dropping the bindings listed last (the least important), never the one
// that opens the full help.
func (m *Model) helpView(b []key.Binding) string {
	more := m.sh.keys.Help
	if m.typing() {
		more = m.sh.keys.HelpAnywhere // ? is a character in a text field
	}
	if m.showHelp {
		more = withHelp(more, "fewer keys")
	}
	width := m.innerWidth()
	if !m.showHelp {
		m.help.SetWidth(0) // no ellipsis: what does not fit is dropped here
		defer m.help.SetWidth(width)
		for n := len(b); ; n-- {
			v := m.help.ShortHelpView(append(b[:n:n], more))
			if ansi.StringWidth(v) <= width || n == 0 {
				return ansi.Truncate(v, width, "…")
			}
		}
	}
	b = append(b[:len(b):len(b)], more)
	// One column, or as many as it takes to leave the step's screen a few
	// lines; bodyHeight gives the body what the help leaves.
	_, fv := m.frame()
	rows := max(1, m.height-fv-6-minBody)
	cols := max(1, (len(b)+rows-1)/rows)
	rows = max(1, (len(b)+cols-1)/cols)
	var groups [][]key.Binding
	for len(b) > rows {
		groups, b = append(groups, b[:rows]), b[rows:]
	}
	v := m.help.FullHelpView(append(groups, b))
	// help stops adding columns only while an ellipsis still fits, so clamp.
	lines := strings.Split(v, "\n")
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, width, "…")
	}
	return strings.Join(lines, "\n")
}

// window shows the lines of s around focus when s is taller than height,
// marking what is cut off above and below.
func window(s string, focus, height int, st Styles) string {
	lines := strings.Split(s, "\n")
	if len(lines) <= height {
		return s
	}
	if height < 3 {
		// No room for the markers: the lines at the focus alone.
		off := min(max(0, focus), len(lines)-max(1, height))
		return strings.Join(lines[off:off+max(1, height)], "\n")
	}
	view := height - 2 // room for the two markers
	off := min(max(0, focus-view/3), len(lines)-view)
	out := make([]string, 0, height)
	if off > 0 {
		out = append(out, st.Subtle.Render(fmt.Sprintf("↑ %d more", off)))
	} else {
		out = append(out, "")
	}
	out = append(out, lines[off:off+view]...)
	if rest := len(lines) - off - view; rest > 0 {
		out = append(out, st.Subtle.Render(fmt.Sprintf("↓ %d more", rest)))
	}
	return strings.Join(out, "\n")
}
