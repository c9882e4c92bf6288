package tui

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/app/apptest"
	"github.com/procore-sa/procore-sa/state"
	"github.com/procore-sa/procore-sa/steps"
)

var clock = time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)

func fixedNow() time.Time { return clock }

func int64p(v int64) *int64 { return &v }

// fixture is a guide with one step of every kind, so every screen renders.
func fixture() *steps.Guide {
	return &steps.Guide{
		ID: "fixture", Title: "Fixture Sync account", Vendor: "Fixture Inc.",
		AccountModel: steps.LegacyServiceAccount,
		Summary:      "A guide with one step of every kind.",
		Password:     &steps.PasswordPolicy{MinLength: 8, Require: []string{"upper", "lower", "digit", "special"}, Specials: "!@#$%^&*", Confirm: true},
		Steps: []steps.Step{
			{ID: "retired", Kind: steps.KindNotice, Level: "warning", Title: "Service accounts are retired",
				Body: "Procore stopped traditional service accounts on 18 March 2025.\nUse the dmsa guide instead."},
			{ID: "navigate", Kind: steps.KindInstruction, Title: "Open the Directory",
				Body:      "Navigate to the company's Directory tool.",
				Checklist: []string{"Open the company's Directory tool", "Click Add Person", "A rather long checklist item that must wrap onto a second line when the screen is only eighty columns wide"}},
			{ID: "profile", Kind: steps.KindForm, Title: "Enter profile information", Fields: []steps.Field{
				{ID: "domain", Label: "Company email domain", Type: steps.FieldText, Required: true, Placeholder: "example.com"},
				{ID: "first", Label: "First Name", Type: steps.FieldText, Required: true, Default: "Fixture"},
				{ID: "email", Label: "Email Address", Type: steps.FieldEmail, Role: steps.RoleAccountEmail, Required: true, DomainFrom: "domain", Help: "A dedicated address on your company's domain."},
				{ID: "seats", Label: "Seats", Type: steps.FieldNumber, Min: int64p(1), Max: int64p(50)},
				{ID: "template", Label: "Permission Template", Type: steps.FieldChoice, Required: true, Options: []string{"Apply Permission Template Later", "Standard"}},
			}},
			{ID: "password", Kind: steps.KindPassword, Title: "Set the password", For: "the Fixture account"},
			{ID: "erp", Kind: steps.KindMatrix, Title: "ERP Permissions", Body: "Mark Can Import and Can Export for every sync type.",
				Matrix: &steps.Matrix{Rows: []string{"Vendor", "Budget", "Job"}, Columns: []string{"Can Import", "Can Export"}, RequireAll: true}},
			{ID: "capture", Kind: steps.KindCredential, Title: "Save the credentials",
				Body: "The client secret is shown once.", Checklist: []string{"Copy the Client ID", "Copy the Client Secret"}},
		},
	}
}

func keyPress(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "ctrl+c", "ctrl+g", "ctrl+y":
		return tea.KeyPressMsg{Code: rune(s[5]), Mod: tea.ModCtrl}
	}
	r := []rune(s)
	if len(r) != 1 {
		panic("unknown key " + s)
	}
	return tea.KeyPressMsg{Code: r[0], Text: s}
}

// driver feeds messages to a model and runs the commands they return, the
// way a program would, but synchronously.
type driver struct {
	t     *testing.T
	m     *Model
	quits int
	// hold keeps the answers of background work (a save, a check) in held
	// instead of delivering them, to see the screen while it runs.
	hold bool
	held []tea.Msg
}

func newDriver(t *testing.T, opts Options, w, h int) *driver {
	t.Helper()
	if opts.Now == nil {
		opts.Now = fixedNow
	}
	d := &driver{t: t, m: New(opts)}
	d.send(tea.WindowSizeMsg{Width: w, Height: h})
	d.run(d.m.Init())
	return d
}

func (d *driver) send(msg tea.Msg) {
	_, cmd := d.m.Update(msg)
	d.run(cmd)
}

func (d *driver) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	// Only the wizard's own messages go back in; a terminal's answers and a
	// cursor's ticks have nothing to answer them here.
	switch msg := cmd().(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			d.run(c)
		}
	case tea.QuitMsg:
		d.quits++
	case sessionLoadedMsg, sessionSavedMsg, finishedMsg, progressScannedMsg:
		d.send(msg)
	case openDialogMsg, closeDialogMsg, dialogErrorMsg, leaveConfirmedMsg, discardTypedMsg, keepHoldingMsg, exportSubmittedMsg, exportCancelledMsg:
		d.send(msg)
	case handoverPastedMsg, handoverWriteMsg, handoverBackMsg, handoverDoneMsg: // handover.go
		d.send(msg)
	case captureDoneMsg, captureProgressMsg, verifyDoneMsg, addAllPlannedMsg, addAllEventMsg, addAllDoneMsg, loginStartedMsg, loginDoneMsg,
		actionPlannedMsg, actionDoneMsg, projectsListedMsg, checksReadMsg, auditReadMsg, newsMsg:
		if d.hold {
			d.held = append(d.held, msg)
			return
		}
		d.send(msg)
	}
}

// release delivers the held answers that keep says to, in order, and
// holds the rest.
func (d *driver) release(keep func(tea.Msg) bool) {
	held := d.held
	d.held = nil
	for _, msg := range held {
		if keep(msg) {
			d.send(msg)
		} else {
			d.held = append(d.held, msg)
		}
	}
}

func isEvents(msg tea.Msg) bool { _, ok := msg.(addAllEventMsg); return ok }

func (d *driver) press(keys ...string) *driver {
	for _, k := range keys {
		d.send(keyPress(k))
	}
	return d
}

func (d *driver) typ(s string) *driver {
	for _, r := range s {
		d.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return d
}

// screen is the view as the terminal shows it with a plain ASCII profile:
// attributes kept, colours dropped, so goldens do not depend on the terminal.
func (d *driver) screen() string {
	var b bytes.Buffer
	w := &colorprofile.Writer{Forward: &b, Profile: colorprofile.Ascii}
	if _, err := w.WriteString(d.m.View().Content); err != nil {
		d.t.Fatal(err)
	}
	return b.String()
}

// text is the view without any escape sequences, for assertions.
func (d *driver) text() string {
	var b bytes.Buffer
	w := &colorprofile.Writer{Forward: &b, Profile: colorprofile.NoTTY}
	_, _ = w.WriteString(d.m.View().Content)
	return b.String()
}

func (d *driver) contains(want ...string) {
	d.t.Helper()
	got := d.text()
	for _, w := range want {
		if !strings.Contains(got, w) {
			d.t.Fatalf("screen lacks %q:\n%s", w, got)
		}
	}
}

func fixtureOpts(t *testing.T) Options {
	return Options{Guides: []*steps.Guide{fixture()}, GuideID: "fixture", Services: app.Services{Sessions: openStore(t)}}
}

func openStore(t *testing.T) *state.Store {
	t.Helper()
	s, err := state.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// pinnedPathStore writes transcripts as its Store does but reports a fixed
// path, so that a golden file does not hold a temporary directory.
type pinnedPathStore struct{ app.Sessions }

func (s pinnedPathStore) WriteTranscript(g *steps.Guide, sess *steps.Session, now time.Time) (string, error) {
	if _, err := s.Sessions.WriteTranscript(g, sess, now); err != nil {
		return "", err
	}
	return "/home/admin/.local/state/procore-sa/transcripts/" + g.ID + "-" + now.UTC().Format("20060102T150405Z") + ".md", nil
}

// completeFixtureTo walks the fixture guide until step index n is current.
func completeFixtureTo(d *driver, n int) {
	for d.m.Walker().Index() < n {
		switch d.m.Walker().Current().ID {
		case "retired":
			d.press("enter")
		case "navigate":
			d.press("space", "down", "space", "down", "space", "enter")
		case "profile":
			d.typ("acme.com").press("tab").press("tab").typ("fixture@acme.com").press("tab").typ("3").press("tab", "right", "enter")
		case "password":
			d.typ("Str0ng!pw").press("tab").typ("Str0ng!pw").press("enter")
		case "erp":
			for r := range 3 {
				for c := range 2 {
					if !d.m.Walker().Cell(r, c) {
						d.m.Walker().ToggleCell(r, c)
					}
				}
			}
			d.press("enter")
		case "capture":
			d.press("space", "down", "space", "enter")
		}
	}
}

// TestScreens pins every screen at both sizes the issue names.
func TestScreens(t *testing.T) {
	cases := []struct {
		name string
		opts func(t *testing.T) Options
		do   func(d *driver)
	}{
		{"picker", func(t *testing.T) Options {
			return Options{Guides: []*steps.Guide{fixture(), otherGuide()}, Services: app.Services{Sessions: openStore(t)}}
		}, func(d *driver) { d.press("down") }},
		{"notice", fixtureOpts, func(d *driver) {}},
		{"checklist", fixtureOpts, func(d *driver) { completeFixtureTo(d, 1); d.press("space") }},
		{"checklist-incomplete", fixtureOpts, func(d *driver) { completeFixtureTo(d, 1); d.press("enter") }},
		{"form", fixtureOpts, func(d *driver) {
			completeFixtureTo(d, 2)
			d.typ("acme.com").press("tab", "tab").typ("someone@other.org")
		}},
		{"form-submitted-empty", fixtureOpts, func(d *driver) {
			completeFixtureTo(d, 2)
			d.press("tab", "tab", "tab", "tab", "enter")
		}},
		{"password", fixtureOpts, func(d *driver) { completeFixtureTo(d, 3); d.typ("abcdefg1") }},
		{"password-generated", fixtureOpts, func(d *driver) { completeFixtureTo(d, 3); d.press("ctrl+g") }},
		{"matrix", fixtureOpts, func(d *driver) { completeFixtureTo(d, 4); d.press("space", "right", "down", "space") }},
		{"credential", fixtureOpts, func(d *driver) { completeFixtureTo(d, 5); d.press("space") }},
		{"quit-confirm", fixtureOpts, func(d *driver) { completeFixtureTo(d, 2); d.press("ctrl+c") }},
		{"done", func(t *testing.T) Options {
			o := fixtureOpts(t)
			o.Services.Sessions = pinnedPathStore{o.Services.Sessions}
			return o
		}, func(d *driver) { completeFixtureTo(d, 5); d.press("space", "down", "space", "enter") }},
		{"help", fixtureOpts, func(d *driver) { completeFixtureTo(d, 1); d.press("?") }},
		// The tallest help (a matrix's) over a tall step: the body gives way.
		{"matrix-help", func(t *testing.T) Options {
			return Options{Guides: []*steps.Guide{erpGuide()}, GuideID: "erp", Services: app.Services{Sessions: openStore(t)}}
		}, func(d *driver) { d.press("down", "down", "down", "space", "?") }},
		{"resume-offer", func(t *testing.T) Options {
			o := fixtureOpts(t)
			saved := steps.NewSession(fixture(), clock.Add(-26*time.Hour))
			saved.Step, saved.UpdatedAt = 2, clock.Add(-3*time.Hour)
			saved.Completed = map[string]time.Time{"retired": clock.Add(-4 * time.Hour), "navigate": clock.Add(-3 * time.Hour)}
			if err := o.Services.Sessions.SaveSession(saved); err != nil {
				t.Fatal(err)
			}
			return o
		}, func(d *driver) {}},
		{"admin-login", loginOpts, func(d *driver) {}},
		{"admin-login-code", loginOpts, func(d *driver) { d.press("enter").typ("CODE-SECRET-123") }},
		{"admin-login-done", loginOpts, func(d *driver) { d.press("enter").typ("CODE-SECRET-123").press("enter") }},
		{"presenter-demo", func(t *testing.T) Options {
			o := fixtureOpts(t)
			o.Presenter, o.Demo = true, true
			return o
		}, func(d *driver) { completeFixtureTo(d, 1) }},
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/%dx%d", c.name, size[0], size[1]), func(t *testing.T) {
				d := newDriver(t, c.opts(t), size[0], size[1])
				c.do(d)
				out := d.screen()
				if strings.Contains(out, "Str0ng") || strings.Contains(out, "abcdefg1") || strings.Contains(out, "CODE-SECRET") {
					t.Fatal("a password or code was drawn")
				}
				checkFits(t, d.text(), size[0], size[1])
				golden.RequireEqual(t, out)
			})
		}
	}
}

// checkFits fails when the view is wider or taller than the terminal.
func checkFits(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) > h {
		t.Errorf("view is %d lines tall in a %d-line terminal", len(lines), h)
	}
	for i, l := range lines {
		if n := len([]rune(l)); n > w {
			t.Errorf("line %d is %d cells wide in a %d-column terminal: %q", i+1, n, w, l)
		}
	}
}

// erpGuide is seed 000's ERP Permissions step: six sync types by Can
// Import and Can Export, the tallest matrix of the built-in guides.
func erpGuide() *steps.Guide {
	return &steps.Guide{ID: "erp", Title: "ERP fixture", AccountModel: steps.UserLogin, Steps: []steps.Step{
		{ID: "erp-permissions", Kind: steps.KindMatrix, Title: "ERP Permissions",
			Body: "Under the 'ERP Permissions' area, mark the Can Import and Can Export checkbox for all the listed Sync Types. Tick each box here as you mark it in Procore.",
			Matrix: &steps.Matrix{Rows: []string{"Vendor", "Budget", "Job", "Sub Job", "Commitment", "Change Order"},
				Columns: []string{"Can Import", "Can Export"}, RequireAll: true}},
		{ID: "save", Kind: steps.KindInstruction, Title: "Click Save", Checklist: []string{"Click Save."}},
	}}
}

// TestGoldensFit reads every golden file named by its size (WxH.golden)
// and fails when one is taller or wider than its terminal.
func TestGoldensFit(t *testing.T) {
	n := 0
	err := filepath.WalkDir("testdata", func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		var w, h int
		if _, err := fmt.Sscanf(e.Name(), "%dx%d.golden", &w, &h); err != nil {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		t.Run(path, func(t *testing.T) { checkFits(t, ansi.Strip(string(data)), w, h) })
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no golden files found")
	}
}

// TestEveryBuiltinStepFits draws each step of every built-in guide, with
// and without the full help, at the smallest size and at 80x24.
func TestEveryBuiltinStepFits(t *testing.T) {
	for _, size := range [][2]int{{MinWidth, MinHeight}, {80, 24}} {
		for _, m := range everyScreen(size[0], size[1]) {
			for _, help := range []bool{false, true} {
				m.showHelp = help
				checkFits(t, ansi.Strip(m.View().Content), size[0], size[1])
				if t.Failed() {
					t.Fatalf("%s step %d (help %v) at %dx%d:\n%s", m.guide.ID, m.sh.walker.Index()+1, help, size[0], size[1], ansi.Strip(m.View().Content))
				}
			}
		}
	}
}

func otherGuide() *steps.Guide {
	g := fixture()
	g.ID, g.Title, g.AccountModel, g.Vendor = "other", "Another Sync account", steps.DMSA, "Other Co."
	return g
}

func loginOpts(t *testing.T) Options {
	return Options{Guides: []*steps.Guide{loginGuide()}, GuideID: "login", Services: app.Services{Sessions: openStore(t), SignIn: &apptest.SignIn{}, Keeper: &apptest.Keeper{}}}
}

// TestTooSmallScreen pins the screen shown below the smallest size, one
// column and one line short of it.
func TestTooSmallScreen(t *testing.T) {
	for _, size := range [][2]int{{MinWidth - 1, 24}, {120, MinHeight - 1}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			d := newDriver(t, fixtureOpts(t), size[0], size[1])
			d.contains(fmt.Sprintf("too small: %d×%d", size[0], size[1]))
			checkFits(t, d.text(), size[0], size[1])
			golden.RequireEqual(t, d.screen())
		})
	}
}

func TestTooSmall(t *testing.T) {
	d := newDriver(t, fixtureOpts(t), 50, 12)
	d.contains("too small: 50×12", "at least 60×16", "--plain")
	// Keys typed at a screen that cannot be drawn do nothing.
	d.press("enter")
	d.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	d.contains("Step 1 of 6")
	if i := d.m.Walker().Index(); i != 0 {
		t.Fatalf("keys pressed while too small moved the wizard to step %d", i+1)
	}
}

func TestResizeKeepsLayout(t *testing.T) {
	d := newDriver(t, fixtureOpts(t), 120, 40)
	completeFixtureTo(d, 1)
	for _, s := range [][2]int{{60, 16}, {200, 60}, {81, 25}, {100, 30}} {
		d.send(tea.WindowSizeMsg{Width: s[0], Height: s[1]})
		checkFits(t, d.text(), s[0], s[1])
		d.contains("Step 2 of 6", "Open the company's Directory tool")
	}
}

func TestChecklistMustBeComplete(t *testing.T) {
	d := newDriver(t, fixtureOpts(t), 80, 24)
	completeFixtureTo(d, 1)
	d.press("space", "enter")
	if d.m.Walker().Index() != 1 {
		t.Fatal("left a checklist with unticked items")
	}
	d.contains("Not yet: 1 of 3 items ticked")
	d.press("space")
	if d.m.Walker().Checked(0) {
		t.Fatal("a second space did not take back the tick: the cursor moved on")
	}
	d.press("space", "down", "space", "enter") // ticking stays on the item
	d.contains("Not yet: 2 of 3 items ticked")
	d.press("down", "space")
	if strings.Contains(d.text(), "Not yet") {
		t.Fatal("the \"not yet\" stayed after every item was ticked")
	}
	d.press("enter")
	if d.m.Walker().Index() != 2 {
		t.Fatalf("did not move on with every item ticked; at %d", d.m.Walker().Index())
	}
}

func TestFormValidatesAsYouType(t *testing.T) {
	d := newDriver(t, fixtureOpts(t), 120, 40)
	completeFixtureTo(d, 2)
	d.typ("acme.com").press("tab", "tab").typ("me@other.org")
	d.contains("✗ must be an address on acme.com", "an address on acme.com")
	for range len("other.org") {
		d.send(tea.KeyPressMsg{Code: tea.KeyBackspace})
	}
	d.typ("acme.com")
	if strings.Contains(d.text(), "must be an address") {
		t.Fatal("error stayed after the email was fixed")
	}
	d.press("tab").typ("x")
	d.contains("✗ enter a whole number")
	d.send(tea.KeyPressMsg{Code: tea.KeyBackspace})
	d.typ("99")
	d.contains("✗ must be at most 50")
}

func TestPasswordNeverDrawn(t *testing.T) {
	d := newDriver(t, fixtureOpts(t), 80, 24)
	completeFixtureTo(d, 3)
	d.typ("weak")
	d.contains("✗ At least 8 characters")
	d.typ("Er1!")
	d.contains("✓ At least 8 characters")
	d.press("enter").typ("weakEr1?").press("enter")
	if d.m.Walker().Index() != 3 {
		t.Fatal("accepted passwords that differ")
	}
	d.contains("the two passwords differ")
	if strings.Contains(d.text(), "weakEr1") {
		t.Fatal("password drawn on screen")
	}
}

func TestGeneratedPasswordIsAcceptedAndCopiable(t *testing.T) {
	d := newDriver(t, fixtureOpts(t), 80, 24)
	completeFixtureTo(d, 3)
	d.press("ctrl+g")
	_, cmd := d.m.Update(keyPress("ctrl+y"))
	if cmd == nil {
		t.Fatal("ctrl+y gave no clipboard command")
	}
	d.press("enter")
	if d.m.Walker().Index() != 4 {
		t.Fatalf("a generated password was not accepted; at step %d", d.m.Walker().Index()+1)
	}
}

func TestMatrixRequiresEveryBox(t *testing.T) {
	d := newDriver(t, fixtureOpts(t), 80, 24)
	completeFixtureTo(d, 4)
	d.press("space", "right", "space", "down", "space", "enter")
	if d.m.Walker().Index() != 4 {
		t.Fatal("left a require-all matrix with boxes unticked")
	}
	d.contains("3 of 6 ticked", "tick every box")
}

func TestBackKeepsWhatWasEntered(t *testing.T) {
	d := newDriver(t, fixtureOpts(t), 80, 24)
	completeFixtureTo(d, 3)
	d.press("esc")
	if d.m.Walker().Index() != 2 {
		t.Fatal("esc did not go back")
	}
	d.contains("fixture@acme.com")
}

func TestQuitAsksThenResumes(t *testing.T) {
	opts := fixtureOpts(t)
	d := newDriver(t, opts, 80, 24)
	completeFixtureTo(d, 2)
	d.typ("acme.com").press("tab", "tab").typ("fixture@acme.com")
	d.press("ctrl+c")
	d.contains("Leave the guide?", "procore-sa fixture")
	if d.quits != 0 {
		t.Fatal("quit without asking")
	}
	d.press("n")
	d.contains("Step 3 of 6")
	d.press("ctrl+c", "y")
	if d.quits != 1 {
		t.Fatalf("did not quit after y; quits=%d", d.quits)
	}

	// A new wizard on the same state offers to resume at the same step.
	d2 := newDriver(t, opts, 80, 24)
	d2.contains("saved progress", "step 3 of 6", "\"Enter profile")
	d2.press("r")
	d2.contains("Step 3 of 6 · Enter profile information")
	if got := d2.m.Walker().Value("email"); got != "fixture@acme.com" {
		t.Fatalf("resumed without the form's values: email=%q", got)
	}

	// Starting over begins at step 1.
	d3 := newDriver(t, opts, 80, 24)
	d3.press("s")
	d3.contains("Step 1 of 6")
}

func TestFinishWritesTranscript(t *testing.T) {
	opts := fixtureOpts(t)
	d := newDriver(t, opts, 80, 24)
	completeFixtureTo(d, 5)
	d.press("space", "down", "space", "enter")
	if d.m.Outcome() != OutcomeFinished {
		t.Fatal("not finished")
	}
	if d.m.transcript == "" {
		t.Fatalf("no transcript path; status %q", d.m.status)
	}
	d.contains("support transcript")
	s, err := opts.Services.Sessions.LoadSession("fixture")
	if err != nil || s != nil {
		t.Fatalf("a finished guide left a session to resume: %v %v", s, err)
	}
	d.press("enter")
	if d.quits != 1 {
		t.Fatal("enter on the done screen did not exit")
	}
}

func TestPickerChoosesAndEscReturns(t *testing.T) {
	d := newDriver(t, Options{Guides: []*steps.Guide{fixture(), otherGuide()}, Services: app.Services{Sessions: openStore(t)}}, 80, 24)
	d.contains("Choose a guide", "fixture", "other")
	d.press("down", "enter")
	d.contains("Another Sync account", "Step 1 of 6")
	d.press("esc")
	d.contains("Choose a guide")
	d.press("q")
	if d.quits != 1 {
		t.Fatal("q on the picker did not quit")
	}
}

// firstFormGuide starts with a form, so that work can be typed before any
// step is complete.
func firstFormGuide() *steps.Guide {
	g := fixture()
	g.ID, g.Steps = "first-form", g.Steps[2:]
	return g
}

// TestFirstStepWorkIsKept types on the first step (a form, then a matrix):
// leaving asks first, and the next wizard offers to resume it.
func TestFirstStepWorkIsKept(t *testing.T) {
	for _, c := range []struct {
		name string
		g    *steps.Guide
		do   func(d *driver)
		kept func(w *steps.Walker) bool
	}{
		{"form", firstFormGuide(), func(d *driver) { d.typ("acme.com") },
			func(w *steps.Walker) bool { return w.Value("domain") == "acme.com" }},
		{"matrix", erpGuide(), func(d *driver) { d.press("down", "space") },
			func(w *steps.Walker) bool { return w.Cell(1, 0) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			opts := Options{Guides: []*steps.Guide{c.g}, GuideID: c.g.ID, Services: app.Services{Sessions: openStore(t)}}
			d := newDriver(t, opts, 80, 24)
			c.do(d)
			d.press("ctrl+c")
			if d.quits != 0 {
				t.Fatal("left the first step's work without asking")
			}
			d.contains("Leave the guide?", "step 1 of")
			d.press("y")
			if d.quits != 1 {
				t.Fatalf("quits=%d after y", d.quits)
			}

			d2 := newDriver(t, opts, 80, 24)
			d2.contains("saved progress", "step 1 of")
			d2.press("r")
			if !c.kept(d2.m.Walker()) {
				t.Fatal("resumed without the first step's work")
			}
		})
	}
}

// TestDefaultsAloneAreNotWork: a form that shows only its defaults holds
// nothing to lose: ctrl+c leaves, and nothing is offered next time.
func TestDefaultsAloneAreNotWork(t *testing.T) {
	g := firstFormGuide()
	opts := Options{Guides: []*steps.Guide{g}, GuideID: g.ID, Services: app.Services{Sessions: openStore(t)}}
	d := newDriver(t, opts, 80, 24)
	if d.m.Walker().Value("first") != "Fixture" {
		t.Fatalf("the default is %q", d.m.Walker().Value("first"))
	}
	d.typ("x").send(tea.KeyPressMsg{Code: tea.KeyBackspace}) // typed and taken back
	d.press("ctrl+c")
	if d.quits != 1 {
		t.Fatalf("asked before leaving a form with only its defaults; quits=%d", d.quits)
	}
	d2 := newDriver(t, opts, 80, 24)
	d2.contains("Step 1 of 4")
}
