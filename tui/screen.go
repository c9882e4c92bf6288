package tui

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/steps"
)

// shared is what the root model and every screen share: styles, keys and
// the step engine. Screens change the walk only through the walker.
type shared struct {
	styles Styles
	keys   KeyMap
	walker *steps.Walker
	// svc are the ports the steps' work goes through; a nil one leaves its
	// steps to be done by hand, as checklists.
	svc app.Services
	now func() time.Time
	// presenter is a shared screen: nothing secret is shown or sent to
	// the clipboard.
	presenter bool
	// details: the person asked for the whole text of a failure, beside
	// its sentence (the Details key).
	details bool
	// height is the lines the step's screen has under the one-line help
	// bar, for a screen that draws only what fits (a long list).
	height int
	// openRun names the latest add-all run that has not ended with every
	// project done, so that leaving can say how to resume it.
	openRun string
}

// runner is a screen that can have work under way that must be stopped,
// and waited for, before the program ends.
type runner interface {
	running() bool
	stop()
}

// nav is what a screen asks the root model to do after a key.
type nav int

const (
	stay nav = iota
	forward
	backward
	quitNow // leave the program (after a confirmation the screen asked for)
)

// guard is a screen that holds something leaving would lose for good (a
// one-time secret), and asks for a typed confirmation first.
type guard interface {
	Guarding() bool
	askDiscard(quit bool) tea.Cmd
	// unkept names what Guarding protects ("the client secret you
	// typed"), for the line that says it was lost when the wizard was
	// ended from outside.
	unkept() string
}

// keeper is a screen that may be putting a secret into safe keeping: a
// wizard ended from outside waits for the save, whose answer says whether
// the secret was kept, but stops a check with Procore that comes first.
type keeper interface {
	keeping() bool
	stopChecking()
}

// screen is one step kind's page. Update mutates the screen in place and
// never does I/O; View returns the content and the line to keep in sight
// when the content is taller than the window.
type screen interface {
	Update(msg tea.Msg) (nav, tea.Cmd)
	View() (content string, focus int)
	SetWidth(w int)
	// The keys for the help bar, most important first: the short help
	// drops from the end when the bar is too narrow.
	help.KeyMap
	// Typing reports whether keys are going into a text field, so that
	// letters are not taken as commands.
	Typing() bool
}

// newScreen builds the screen for the walker's current step. A step kind
// the program automates gets its own screen when the part that does the
// work was given; else it is walked as an instruction, by hand.
func newScreen(sh *shared, width int) screen {
	st := sh.walker.Current()
	var s screen
	switch {
	case st.Kind == steps.KindNotice:
		s = &noticeScreen{sh: sh, step: st}
	case st.Kind == steps.KindForm:
		s = newFormScreen(sh, st)
	case st.Kind == steps.KindPassword:
		s = newPasswordScreen(sh, st)
	case st.Kind == steps.KindMatrix:
		s = &matrixScreen{sh: sh, step: st}
	case st.Kind == steps.KindCredential && sh.svc.Keeper != nil:
		s = newCaptureScreen(sh, st, sh.svc.Keeper)
	case st.Kind == steps.KindAddAll && sh.svc.AddAll != nil:
		s = newAddAllScreen(sh, st, sh.svc.AddAll, sh.now)
	case st.Kind == steps.KindAdminLogin && sh.svc.SignIn != nil && sh.svc.Keeper != nil:
		s = newAdminLoginScreen(sh, st, sh.svc.SignIn)
	case st.Kind == steps.KindVerify && sh.svc.Verify != nil:
		s = newVerifyScreen(sh, st, sh.svc.Verify)
	case st.Kind == steps.KindAudit && sh.svc.Check != nil:
		s = newAuditScreen(sh, st, sh.svc.Check)
	default:
		s = &checklistScreen{sh: sh, step: st}
	}
	s = automated(sh, st, s)
	s.SetWidth(width)
	return s
}

// wrap word-wraps text to width, keeping its line breaks. With hang > 0
// every line is wrapped to width-hang and the continuation lines of each
// paragraph are indented by hang, for text that follows a marker like "[ ] ".
func wrap(text string, width, hang int) string {
	width = max(width-hang, 10)
	pad := "\n" + strings.Repeat(" ", hang)
	paras := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i, p := range paras {
		paras[i] = strings.ReplaceAll(ansi.Wrap(p, width, ""), "\n", pad)
	}
	return strings.Join(paras, "\n")
}

// lineCount counts the lines of s.
func lineCount(s string) int {
	if s == "" {
		return 0
	}
	return strings.Count(s, "\n") + 1
}

// newInput is a text input as every screen uses it: a steady cursor, which
// reads better on a shared screen and in a screen reader than a blinking one.
func newInput(prompt string) textinput.Model {
	in := textinput.New()
	in.Prompt = prompt
	st := in.Styles()
	st.Cursor.Blink = false
	in.SetStyles(st)
	return in
}

// ansiHardwrap breaks a long token (a URL, a path) at the width without
// losing a character, so it can still be selected and copied whole.
func ansiHardwrap(s string, width int) string {
	return ansi.Hardwrap(s, max(width, 10), false)
}
