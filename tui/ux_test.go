package tui

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/procore-sa/procore-sa/internal/addall"
	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/app/apptest"
	"github.com/procore-sa/procore-sa/steps"
)

// errDNSFailure is what the HTTP client says when Procore's name does not
// resolve.
var errDNSFailure = fmt.Errorf("check the credentials with Procore: %w", &url.Error{Op: "Post", URL: "https://login.procore.com/oauth/token",
	Err: &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "login.procore.com", IsNotFound: true}}})

// TestCaptureUnreachable: a network failure is not a refusal. The screen
// says Procore was not reached, that the secret typed is still there, and
// how to keep it without the check; the raw words wait for ctrl+t.
func TestCaptureUnreachable(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			k := &apptest.Keeper{ProveErr: errDNSFailure}
			d := toCapture(t, k, size[0], size[1])
			d.fillCapture(testSecret).press("enter")
			d.contains("Could not reach Procore", "login.procore.com does not resolve", "still here", "without checking")
			for _, bad := range []string{"refused the credentials", "dial tcp", "no such host"} {
				if strings.Contains(d.text(), bad) {
					t.Fatalf("the screen says %q:\n%s", bad, d.text())
				}
			}
			if len(k.Kept) != 0 || d.m.Walker().Index() != 5 {
				t.Fatal("kept or went on after a failed check")
			}
			noSecret(t, d)
			checkFits(t, d.text(), size[0], size[1])
			golden.RequireEqual(t, d.screen())

			d.send(tea.KeyPressMsg{Code: 't', Mod: tea.ModCtrl})
			if flat := strings.Join(strings.Fields(d.text()), " "); !strings.Contains(flat, "Details:") || !strings.Contains(flat, "no such host") {
				t.Fatalf("ctrl+t did not show the details:\n%s", d.text())
			}
			noSecret(t, d)
			// The secret is still typed: enter tries again, and works.
			d.press("enter")
			if len(k.Kept) != 1 {
				t.Fatalf("enter after the failure kept %d credentials", len(k.Kept))
			}
		})
	}
}

// TestPresenterPasswordShowsNothingOfIt: on a shared screen the password
// step looks the same whatever password was typed, once it meets the
// rules: no bullets, no rule turning ✓ as a kind of character is typed.
func TestPresenterPasswordShowsNothingOfIt(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			screen := func(pw string) (typing, typed string) {
				opts := fixtureOpts(t)
				opts.Presenter = true
				d := newDriver(t, opts, size[0], size[1])
				completeFixtureTo(d, 3)
				d.typ(pw[:3])
				typing = d.screen()
				d.typ(pw[3:]).press("tab").typ(pw)
				return typing, d.screen()
			}
			shortTyping, short := screen("Ab1!xyzw")
			longTyping, long := screen("zzzzzzzzzzzzzzzzzzzzzzzzQ9#@@@@@@@@@@")
			if short != long {
				t.Fatalf("the screen differs with the password:\n%s\n---\n%s", short, long)
			}
			// Three characters in, "Ab1" has met three rules and "zzz" one:
			// nothing may tell them apart.
			if shortTyping != longTyping {
				t.Fatalf("the screen while typing differs with the password:\n%s\n---\n%s", shortTyping, longTyping)
			}
			if !strings.Contains(ansi.Strip(short), "Meets every rule") || strings.Contains(strings.SplitN(ansi.Strip(short), "Rules", 2)[0], "•") {
				t.Fatalf("presenter password screen:\n%s", ansi.Strip(short))
			}
			golden.RequireEqual(t, short)
		})
	}
}

// TestPresenterBadge: a shared screen carries a step badge to read out.
func TestPresenterBadge(t *testing.T) {
	opts := fixtureOpts(t)
	opts.Presenter = true
	d := newDriver(t, opts, 80, 24)
	completeFixtureTo(d, 2)
	d.contains("STEP 3 of 6", "Enter profile information")
	checkFits(t, d.text(), 80, 24)
}

// TestVendorStepShown: where the vendor page numbers a step differently,
// its number is shown beside ours; where they agree, it is not repeated.
func TestVendorStepShown(t *testing.T) {
	g := fixture()
	g.Steps[1].VendorStep = "2" // the same number as ours
	g.Steps[2].VendorStep = "2" // the vendor's page counts differently here
	opts := Options{Guides: []*steps.Guide{g}, GuideID: g.ID, Services: app.Services{Sessions: openStore(t)}}
	d := newDriver(t, opts, 80, 24)
	completeFixtureTo(d, 1)
	if strings.Contains(d.text(), "vendor's step") {
		t.Fatalf("a vendor number equal to ours was shown:\n%s", d.text())
	}
	completeFixtureTo(d, 2)
	d.contains("Step 3 of 6 · vendor's step 2 · Enter profile")
	checkFits(t, d.text(), 80, 24)
}

// TestHelpBarKeepsMoreKeys: at every built-in step, at the narrowest
// size and at 80 columns, the help bar fits and still says how to see
// every key.
func TestHelpBarKeepsMoreKeys(t *testing.T) {
	for _, size := range [][2]int{{MinWidth, MinHeight}, {80, 24}, {120, 40}} {
		for _, m := range everyScreen(size[0], size[1]) {
			lines := strings.Split(ansi.Strip(m.View().Content), "\n")
			bar := lines[len(lines)-1]
			if !strings.Contains(bar, "more keys") {
				t.Fatalf("%s step %d at %dx%d: the help bar lost \"more keys\": %q", m.guide.ID, m.sh.walker.Index()+1, size[0], size[1], bar)
			}
			if strings.Contains(bar, "…") {
				t.Fatalf("%s step %d at %dx%d: the help bar is cut: %q", m.guide.ID, m.sh.walker.Index()+1, size[0], size[1], bar)
			}
		}
	}
}

// TestHelpInsideTextFields: ? is typed into a text field; f1 opens the
// help there, and the bar says so.
func TestHelpInsideTextFields(t *testing.T) {
	d := newDriver(t, fixtureOpts(t), 80, 24)
	completeFixtureTo(d, 2)
	d.contains("f1 more keys")
	d.typ("a?b")
	if d.m.showHelp || d.m.Walker().Value("domain") != "a?b" {
		t.Fatalf("? did not type into the field: help %v, value %q", d.m.showHelp, d.m.Walker().Value("domain"))
	}
	d.send(tea.KeyPressMsg{Code: tea.KeyF1})
	if !d.m.showHelp {
		t.Fatal("f1 did not open the help in a text field")
	}
	// Outside a text field, ? opens it.
	d2 := newDriver(t, fixtureOpts(t), 80, 24)
	completeFixtureTo(d2, 1)
	d2.contains("? more keys")
	d2.press("?")
	if !d2.m.showHelp {
		t.Fatal("? did not open the help on a checklist")
	}
}

// TestSidebarUsesItsWidth: at 120 columns no step title of a built-in
// guide is cut short in the sidebar.
func TestSidebarUsesItsWidth(t *testing.T) {
	cat, _ := steps.LoadCatalog("")
	for _, g := range cat.List() {
		m := New(Options{Guides: cat.List(), GuideID: g.ID})
		m.Update(tea.WindowSizeMsg{Width: 120, Height: 60})
		m.Update(sessionLoadedMsg{})
		list := ansi.Strip(m.stepList(200))
		if strings.Contains(list, "…") {
			t.Fatalf("%s: a title is cut in the sidebar:\n%s", g.ID, list)
		}
		flat := strings.Join(strings.Fields(list), " ")
		for _, s := range g.Steps {
			if !strings.Contains(flat, strings.Join(strings.Fields(s.Title), " ")) {
				t.Fatalf("%s: %q is not whole in the sidebar:\n%s", g.ID, s.Title, list)
			}
		}
		checkFits(t, ansi.Strip(m.View().Content), 120, 60)
	}
}

// TestSpaceTicksAndStays: in a checklist and a matrix alike, space ticks
// the item under the cursor and leaves the cursor there.
func TestSpaceTicksAndStays(t *testing.T) {
	d := newDriver(t, fixtureOpts(t), 80, 24)
	completeFixtureTo(d, 1)
	d.press("space")
	if c := d.m.screen.(*checklistScreen).cursor; c != 0 || !d.m.Walker().Checked(0) {
		t.Fatalf("checklist: cursor %d after a tick", c)
	}
	d = newDriver(t, fixtureOpts(t), 80, 24)
	completeFixtureTo(d, 4)
	d.press("space")
	if s := d.m.screen.(*matrixScreen); s.row != 0 || s.col != 0 || !d.m.Walker().Cell(0, 0) {
		t.Fatalf("matrix: cursor %d,%d after a tick", s.row, s.col)
	}
}

// TestPickerFilters: / narrows the list as it is typed (letters that are
// keys elsewhere included), enter chooses from what is shown, esc clears.
func TestPickerFilters(t *testing.T) {
	opts := Options{Guides: []*steps.Guide{fixture(), otherGuide()}, Services: app.Services{Sessions: openStore(t)}}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			d := newDriver(t, opts, size[0], size[1])
			d.press("/").typ("oth")
			d.contains("Filter: oth", "Another Sync account")
			if strings.Contains(d.text(), "Fixture Sync account") {
				t.Fatalf("the filter did not narrow the list:\n%s", d.text())
			}
			checkFits(t, d.text(), size[0], size[1])
			golden.RequireEqual(t, d.screen())
			d.press("esc")
			d.contains("Fixture Sync account", "Another Sync account")
			d.press("/").typ("q") // q types into the filter; it does not quit
			if d.quits != 0 {
				t.Fatal("q in the filter quit")
			}
			d.contains("No guide matches")
			d.press("esc", "/").typ("other").press("enter")
			d.contains("Step 1 of 6")
			if d.m.guide.ID != "other" {
				t.Fatalf("chose %q", d.m.guide.ID)
			}
		})
	}
}

// TestPickerMarksGuidesInProgress: a guide with saved progress says where
// it was left.
func TestPickerMarksGuidesInProgress(t *testing.T) {
	store := openStore(t)
	saved := steps.NewSession(otherGuide(), clock.Add(-26*time.Hour))
	saved.Step, saved.UpdatedAt = 2, clock.Add(-3*time.Hour)
	saved.Completed = map[string]time.Time{"retired": clock.Add(-4 * time.Hour), "navigate": clock.Add(-3 * time.Hour)}
	if err := store.SaveSession(saved); err != nil {
		t.Fatal(err)
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			d := newDriver(t, Options{Guides: []*steps.Guide{fixture(), otherGuide()}, Services: app.Services{Sessions: store}}, size[0], size[1])
			d.contains("Another Sync account ●", "in progress: step 3 of 6, 3 h ago")
			if strings.Count(d.text(), "in progress") != 1 {
				t.Fatalf("more than the one guide marked:\n%s", d.text())
			}
			checkFits(t, d.text(), size[0], size[1])
			golden.RequireEqual(t, d.screen())
		})
	}
}

// TestFormFocusGoesToTheFirstBadField: enter on a wrong field stays on
// it; on the last field it goes to the first one still wrong; an error
// goes once it is put right.
func TestFormFocusGoesToTheFirstBadField(t *testing.T) {
	d := newDriver(t, fixtureOpts(t), 120, 40)
	completeFixtureTo(d, 2)
	s := d.m.screen.(*formScreen)
	d.press("enter") // the domain is empty and required
	if s.focus != 0 {
		t.Fatalf("enter on an empty required field moved to field %d", s.focus)
	}
	d.typ("acme.com").press("enter", "enter").typ("me@acme.com").press("tab", "tab", "enter")
	// The choice field has a value now? Not unless chosen: enter stays.
	d.press("right", "enter")
	if d.m.Walker().Index() != 3 {
		t.Fatalf("a form with every field right did not go on; at %d:\n%s", d.m.Walker().Index(), d.text())
	}
	d.press("esc")
	s = d.m.screen.(*formScreen)
	d.m.Walker().SetValue("domain", "")
	s.focusField(4)
	d.press("enter")
	if s.focus != 0 {
		t.Fatalf("enter on the last field did not go to the first wrong one: field %d", s.focus)
	}
}

// TestPlaceholderReadsAsExample: a placeholder cannot pass for a value,
// even without colour.
func TestPlaceholderReadsAsExample(t *testing.T) {
	d := newDriver(t, fixtureOpts(t), 80, 24)
	completeFixtureTo(d, 2)
	d.contains("e.g. example.com")
}

// reportingAddAll is an add-all whose planning says how it goes.
type reportingAddAll struct {
	*apptest.AddAll
	reading []addall.Event
}

func (r *reportingAddAll) PlanEmitting(ctx context.Context, u app.Using, emit func(addall.Event)) (*addall.Plan, string, error) {
	for _, e := range r.reading {
		emit(e)
	}
	return r.Plan(ctx, u)
}

// TestAddAllPlanningShowsProgress: while the plan is read, the screen says
// how many pages and projects are read, and what it waits for.
func TestAddAllPlanningShowsProgress(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	f := &reportingAddAll{AddAll: &apptest.AddAll{}, reading: []addall.Event{
		{Kind: "reading", Rows: 300, Pages: 1, At: t0.Add(time.Second)},
		{Kind: "reading", Rows: 600, Pages: 2, At: t0.Add(2 * time.Second)},
		{Kind: "wait", Reason: "waiting 30 s for Procore's rate limit", Wait: 30 * time.Second, At: t0.Add(3 * time.Second)},
	}}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			clk := &tick{t: t0}
			d := newDriver(t, Options{Guides: []*steps.Guide{addAllGuide()}, GuideID: "adds", Now: clk.now,
				Services: app.Services{Sessions: openStore(t), AddAll: f}}, size[0], size[1])
			d.press("enter")
			d.hold = true
			d.press("enter")
			clk.t = t0.Add(12 * time.Second)
			d.release(isEvents)
			if flat := strings.Join(strings.Fields(d.text()), " "); !strings.Contains(flat, "600 projects read in 2 pages, 12 s so far; waiting 30 s for Procore's rate limit") {
				t.Fatalf("planning progress:\n%s", d.text())
			}
			checkFits(t, d.text(), size[0], size[1])
			golden.RequireEqual(t, d.screen())
			d.release(func(tea.Msg) bool { return true })
			d.contains("The plan")
		})
	}
}

// TestFinishedPasswordStepSaysWhatWasDone: back on a password step whose
// password was kept, the screen says where, enter goes on, and ctrl+g
// does not quietly make another.
func TestFinishedPasswordStepSaysWhatWasDone(t *testing.T) {
	c := &apptest.Keeper{}
	d := newDriver(t, userLoginOpts(t, c), 80, 24)
	completeFixtureTo(d, 3)
	d.typ("Str0ng!pw").press("tab").typ("Str0ng!pw").press("enter")
	d.contains("Kept as profile")
	d.press("enter")
	if d.m.Walker().Index() != 4 {
		t.Fatalf("did not go on; at %d", d.m.Walker().Index())
	}
	d.press("esc")
	d.contains("Kept as profile default on ", "Press enter to keep it and continue")
	before := d.screen()
	d.press("ctrl+g")
	if len(c.Kept) != 1 || d.screen() != before {
		t.Fatalf("ctrl+g changed a kept password: %d kept\n%s", len(c.Kept), d.text())
	}
	checkFits(t, d.text(), 80, 24)
	golden.RequireEqual(t, d.screen())
	d.press("enter")
	if d.m.Walker().Index() != 4 {
		t.Fatalf("enter on a kept password did not go on; at %d", d.m.Walker().Index())
	}
}
