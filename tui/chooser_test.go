package tui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/walkthrough"
	"github.com/procore-sa/procore-sa/steps"
)

// fakeLister lists Projects (or fails with Err once).
type fakeLister struct {
	mu       sync.Mutex
	Projects []app.Project
	Err      error
	Lists    int
}

var _ app.ProjectLister = (*fakeLister)(nil)

func (f *fakeLister) ActiveProjects(context.Context, app.Using) ([]app.Project, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Lists++
	if err := f.Err; err != nil {
		f.Err = nil
		return nil, err
	}
	return slices.Clone(f.Projects), nil
}

// someProjects are n projects as the app layer lists them, sorted by name.
func someProjects(n int) []app.Project {
	names := []string{"Bayfront Offices", "Cedar Park Library", "Harbor Tower", "Lakeside Apartments", "Mill Street Garage",
		"Northgate Clinic", "Oak Ridge School", "Pier 9 Warehouse", "Riverside Clinic", "Summit Elementary"}
	ps := make([]app.Project, n)
	for i := range ps {
		ps[i] = app.Project{ID: int64(598134325600001 + i), Number: fmt.Sprintf("%04d", i+1),
			Name: fmt.Sprintf("%s phase %d", names[i%len(names)], i/len(names)+1)}
	}
	app.SortProjects(ps)
	return ps
}

// choosingAutomator plans as the app layer does for projects: chosen,
// asking for them until some are chosen; it keeps the projects it was
// given.
type choosingAutomator struct {
	mu    sync.Mutex
	Plans int
	Did   [][]int64
}

func (f *choosingAutomator) Plan(_ context.Context, a steps.Action, u app.Using) (app.ActionPlan, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Plans++
	p := app.ActionPlan{Action: a.Name, As: createPlan.As}
	if len(u.Projects) == 0 {
		p.Ask, p.ChooseProjects = "choose the projects the account is to be on", true
		return p, nil
	}
	p.Changes = []string{fmt.Sprintf("add ht-data-sync@riverside.example (user 14100007) to %d of %d projects (0 already) with the permission template \"HammerTech Sync Project Permissions\"", len(u.Projects), len(u.Projects))}
	return p, nil
}

func (f *choosingAutomator) Do(_ context.Context, _ steps.Action, _ app.ActionPlan, u app.Using) (steps.Outcome, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Did = append(f.Did, slices.Clone(u.Projects))
	return steps.Outcome{Kind: steps.OutcomeDone, Detail: fmt.Sprintf("ht-data-sync@riverside.example (user 14100007) is on all %d projects", len(u.Projects))}, nil
}

func chooserGuide() *steps.Guide {
	return &steps.Guide{ID: "choose", Title: "Chooser fixture", AccountModel: steps.LegacyServiceAccount, Steps: []steps.Step{
		{ID: "intro", Kind: steps.KindNotice, Title: "Before", Body: "Then the projects."},
		{ID: "add-specific", Kind: steps.KindInstruction, Title: "To add the connector to specific existing projects",
			Body:      "procore-sa can add the connector to the projects you choose.",
			Checklist: []string{"Scroll down “Add” for each project you wish to use the connector with.", "Then Save"},
			Action:    &steps.Action{Name: "add_to_projects", With: map[string]string{"projects": "chosen"}},
			Checks:    steps.CheckList{{Name: "project_membership", With: map[string]string{"projects": "chosen"}}}},
		{ID: "after", Kind: steps.KindNotice, Title: "After", Body: "Done."},
	}}
}

func chooserDriver(t *testing.T, a app.Automator, l app.ProjectLister, w, h int) *driver {
	t.Helper()
	svc := app.Services{Sessions: openStore(t), Automate: a}
	if l != nil {
		svc.Projects = l
	}
	d := newDriver(t, Options{Guides: []*steps.Guide{chooserGuide()}, GuideID: "choose", Services: svc}, w, h)
	d.press("enter") // past the notice
	return d
}

func TestChooserScreens(t *testing.T) {
	if chooserShown != walkthrough.Chooser {
		t.Fatalf("the chooser says %q; walkthroughs wait for %q", chooserShown, walkthrough.Chooser)
	}
	cases := []struct {
		name string
		do   func(d *driver)
	}{
		{"choose", func(d *driver) { d.press("enter", "space", "down", "down", "space") }},
		{"choose-filtered", func(d *driver) { d.press("enter", "space").typ("harbor") }},
		{"choose-filter-ticked", func(d *driver) { d.press("enter", "/").typ("oak ridge").press("enter", "down", "space") }},
		{"choose-scrolled", func(d *driver) {
			d.press("enter")
			for range 25 {
				d.press("down")
			}
			d.press("space")
		}},
		{"choose-none", func(d *driver) { d.press("enter", "enter") }},
		{"chosen-plan", func(d *driver) { d.press("enter", "space", "down", "space", "enter") }},
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/%dx%d", c.name, size[0], size[1]), func(t *testing.T) {
				d := chooserDriver(t, &choosingAutomator{}, &fakeLister{Projects: someProjects(40)}, size[0], size[1])
				c.do(d)
				checkFits(t, d.text(), size[0], size[1])
				golden.RequireEqual(t, d.screen())
			})
		}
	}
}

// TestChooserChoosesThenPlans: a plan that asks for the projects offers
// the list at once; nothing is chosen by enter alone; typing filters and
// esc clears it; the choice is the walk's, and the new plan and the change
// take it; c chooses again, with the last choice ticked.
func TestChooserChoosesThenPlans(t *testing.T) {
	a := &choosingAutomator{}
	l := &fakeLister{Projects: someProjects(40)}
	d := chooserDriver(t, a, l, 80, 24)
	d.contains("procore-sa can do this step for you")
	d.press("enter")
	d.contains(chooserShown, "0 chosen of 40 active projects", "[ ] 0001  Bayfront Offices phase 1", "space tick", "esc back")
	if s, ok := d.m.screen.(*actionScreen); !ok || s.Typing() {
		t.Fatal("the chooser takes letters as text before the filter is opened")
	}
	d.press("enter")
	d.contains("Tick at least one project first")
	if a.Plans != 1 {
		t.Fatalf("%d plans: enter with nothing ticked planned again", a.Plans)
	}
	// Typing filters at once; enter keeps the filter, space then ticks.
	d.typ("riv")
	d.contains(`match "riv"`, "Riverside Clinic phase 1")
	if strings.Contains(d.text(), "Harbor Tower") {
		t.Fatalf("the filter shows what does not match:\n%s", d.text())
	}
	d.press("enter", "space", "down", "space")
	d.contains("2 chosen of 40 active projects")
	d.press("esc") // clears the filter, keeps the ticks
	d.contains("2 chosen of 40 active projects", "Bayfront Offices")
	riverside := []int64{}
	for _, p := range l.Projects {
		if strings.HasPrefix(p.Name, "Riverside") && len(riverside) < 2 {
			riverside = append(riverside, p.ID)
		}
	}
	d.press("enter")
	w := d.m.Walker()
	if got := w.Chosen("add-specific"); !slices.Equal(got, riverside) {
		t.Fatalf("chose %v, want %v", got, riverside)
	}
	d.contains("The plan", "to 2 of 2 projects", "c to change the projects", "Projects chosen: 0009 Riverside Clinic phase 1, 0019", "c change the projects")
	// c: the list again, the last choice ticked; one more.
	d.press("c")
	d.contains("2 chosen of 40 active projects")
	d.press("space") // the first row, not chosen before
	d.press("esc")   // back to the plan: nothing changes
	d.contains("The plan", "to 2 of 2 projects")
	if got := w.Chosen("add-specific"); !slices.Equal(got, riverside) {
		t.Fatalf("esc from the chooser changed the choice to %v", got)
	}
	d.press("c", "space", "enter")
	d.contains("to 3 of 3 projects")
	d.press("y")
	d.contains("✓ done: ht-data-sync@riverside.example (user 14100007) is on all 3 projects")
	if len(a.Did) != 1 || len(a.Did[0]) != 3 || !slices.Contains(a.Did[0], riverside[0]) {
		t.Fatalf("the change took %v", a.Did)
	}
	if l.Lists != 3 {
		t.Errorf("listed %d times", l.Lists)
	}
}

// TestChooserLettersFilterAndBack: in the chooser every letter narrows
// the list, h, j, k and x too (a name typed at once); esc goes back to the
// offer, where h is the checklist, and nothing is chosen.
func TestChooserLettersFilterAndBack(t *testing.T) {
	d := chooserDriver(t, &choosingAutomator{}, &fakeLister{Projects: someProjects(12)}, 80, 24)
	d.press("enter")
	d.typ("harbor")
	d.contains(`1 match "harbor"`, "Harbor Tower phase 1")
	d.press("esc") // clears the filter
	d.contains("0 chosen of 12 active projects", "Bayfront Offices")
	d.press("esc") // back to the offer
	d.contains("procore-sa can do this step for you")
	d.press("h")
	d.contains("Done by hand: tick each item")
	if got := d.m.Walker().Chosen("add-specific"); got != nil {
		t.Fatalf("chose %v without confirming", got)
	}
	d.press("esc", "enter")
	d.contains(chooserShown)
	d.press("x")
	d.contains(`0 match "x"`, "No project matches") // x is a letter here
	d.press("enter", "down", "space")
	if !strings.Contains(d.text(), "0 chosen") {
		t.Fatalf("a project no filter shows was ticked:\n%s", d.text())
	}
}

// TestChooserNotAtHand: without a lister the choice is the person's in
// Procore, as before; a list that cannot be read says so and is read
// again with enter.
func TestChooserNotAtHand(t *testing.T) {
	d := chooserDriver(t, &choosingAutomator{}, nil, 80, 24)
	d.press("enter")
	d.contains("A choice only you can make: choose the projects the account is to be on")
	l := &fakeLister{Projects: someProjects(5), Err: errors.New("403 Forbidden listing the projects")}
	d = chooserDriver(t, &choosingAutomator{}, l, 80, 24)
	d.press("enter")
	d.contains("✗ The plan could not be read: list the projects to choose from: 403")
	d.press("enter")
	d.contains(chooserShown, "0 chosen of 5 active projects")
}

// TestChooserResumes: projects chosen in an earlier run are ticked, and
// the plan takes them at once.
func TestChooserResumes(t *testing.T) {
	ps := someProjects(5)
	d := chooserDriver(t, &choosingAutomator{}, &fakeLister{Projects: ps}, 80, 24)
	app.ChooseProjects(d.m.Walker(), []int64{ps[1].ID})
	d.press("enter")
	d.contains("to 1 of 1 projects", "Projects chosen: project ")
	d.press("c")
	d.contains("1 chosen of 5 active projects", "[x] "+ps[1].Number)
}

// TestChooserDrawsOnlyWhatFits: a company of thousands of projects draws
// the rows that fit, the cursor's among them, at any size.
func TestChooserDrawsOnlyWhatFits(t *testing.T) {
	ps := someProjects(3000)
	for _, size := range [][2]int{{60, 16}, {80, 24}, {120, 40}} {
		d := chooserDriver(t, &choosingAutomator{}, &fakeLister{Projects: ps}, size[0], size[1])
		d.press("enter")
		for range 400 {
			d.press("down")
		}
		d.press("space")
		checkFits(t, d.text(), size[0], size[1])
		d.contains("▸ [x] ", "↓ ")
		if size[1] >= 24 {
			d.contains("1 chosen of 3000 active projects", "↑ 3")
		}
	}
}

// TestFlowChooserWalkthrough walks the fixture in a real program with the
// keys a walkthrough gives a live walk that picks two projects, as the
// terminal tests do under the demo: the chooser, two ticks, the plan, the
// change.
func TestFlowChooserWalkthrough(t *testing.T) {
	g := chooserGuide()
	a, l := &choosingAutomator{}, &fakeLister{Projects: someProjects(30)}
	at := make(chan probeState, 4096)
	m := probe{Model: New(Options{Guides: []*steps.Guide{g}, GuideID: g.ID, Now: fixedNow,
		Services: app.Services{Sessions: openStore(t), Automate: a, Projects: l}}), at: at}
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	waitFor(t, at, func(p probeState) bool { return p.phase == phaseStep })
	for _, st := range walkthrough.ScriptWith(g, walkthrough.Options{LiveActions: true, PickProjects: 2}) {
		for _, act := range st.Actions {
			switch {
			case act.Wait != "":
				waitFor(t, at, func(p probeState) bool { return strings.Contains(p.view, act.Wait) })
			case act.Text != "":
				tm.Type(act.Text)
			default:
				tm.Send(keyPress(act.Key))
			}
		}
		want := st.Index + 1
		waitFor(t, at, func(p probeState) bool {
			return p.step == want || (want == len(g.Steps) && p.phase >= phaseFinishing)
		})
	}
	waitFor(t, at, func(p probeState) bool { return p.phase == phaseDone })
	tm.Send(keyPress("enter"))
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(probe)
	if final.Outcome() != OutcomeFinished {
		t.Fatal("the guide did not finish")
	}
	want := []int64{l.Projects[0].ID, l.Projects[1].ID}
	if got := final.Walker().Chosen("add-specific"); !slices.Equal(got, want) {
		t.Fatalf("chose %v, want %v", got, want)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.Did) != 1 || !slices.Equal(a.Did[0], want) {
		t.Fatalf("the change took %v", a.Did)
	}
}
