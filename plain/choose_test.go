package plain

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/state"
	"github.com/procore-sa/procore-sa/steps"
)

// listing lists Projects.
type listing struct {
	Projects []app.Project
	Lists    int
}

func (l *listing) ActiveProjects(context.Context, app.Using) ([]app.Project, error) {
	l.Lists++
	return slices.Clone(l.Projects), nil
}

// choosing plans as the app layer does for projects: chosen: it asks for
// them until some are chosen, and keeps the projects each change took.
type choosing struct {
	Plans int
	Did   [][]int64
}

func (f *choosing) Plan(_ context.Context, a steps.Action, u app.Using) (app.ActionPlan, error) {
	f.Plans++
	p := app.ActionPlan{Action: a.Name, As: "morgan.reyes@example.com (user 14100001)"}
	if len(u.Projects) == 0 {
		p.Ask, p.ChooseProjects = "choose the projects the account is to be on", true
		return p, nil
	}
	p.Changes = []string{fmt.Sprintf("add ht-data-sync@riverside.example (user 14100007) to %d of %d projects", len(u.Projects), len(u.Projects))}
	return p, nil
}

func (f *choosing) Do(_ context.Context, _ steps.Action, _ app.ActionPlan, u app.Using) (steps.Outcome, error) {
	f.Did = append(f.Did, slices.Clone(u.Projects))
	return steps.Outcome{Kind: steps.OutcomeDone, Detail: fmt.Sprintf("on all %d projects", len(u.Projects))}, nil
}

func choosingGuide() *steps.Guide {
	return &steps.Guide{ID: "choose", Title: "Choose", AccountModel: steps.LegacyServiceAccount, Steps: []steps.Step{
		{ID: "add-specific", Kind: steps.KindInstruction, Title: "To add the connector to specific existing projects",
			Checklist: []string{"Scroll down “Add” for each project you wish to use the connector with."},
			Action:    &steps.Action{Name: "add_to_projects", With: map[string]string{"projects": "chosen"}}},
		{ID: "after", Kind: steps.KindNotice, Title: "After", Body: "Done."},
	}}
}

// plainProjects are n projects, sorted as the app layer sorts them.
func plainProjects(n int) []app.Project {
	ps := make([]app.Project, n)
	for i := range ps {
		name := "Bayfront Offices"
		if i%5 == 2 {
			name = "Harbor Tower"
		}
		ps[i] = app.Project{ID: int64(1000 + i), Number: fmt.Sprintf("%04d", i+1), Name: fmt.Sprintf("%s %d", name, i+1)}
	}
	app.SortProjects(ps)
	return ps
}

func runChoosing(t *testing.T, a *choosing, l *listing, saved *steps.Session, input string) (string, *state.Store, error) {
	t.Helper()
	st, err := state.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if saved != nil {
		if err := st.SaveSession(saved); err != nil {
			t.Fatal(err)
		}
	}
	var out strings.Builder
	r := &Runner{In: strings.NewReader(input), Out: &out, Store: st, Automate: a, Projects: l,
		Now: func() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) }}
	err = r.Run(context.Background(), choosingGuide())
	return out.String(), st, err
}

// TestPlainChoosesProjects: a plan that asks for the projects lists them
// 20 at a time; numbers and ranges tick and untick, a word narrows the
// list, n and p turn the page, enter is refused until one is chosen; the
// choice is planned, carried out and recorded in the transcript; c on the
// plan chooses again and b there goes back to the plan unchanged.
func TestPlainChoosesProjects(t *testing.T) {
	a, l := &choosing{}, &listing{Projects: plainProjects(25)}
	input := strings.Join([]string{
		"",            // read the plan: it asks, the list follows
		"",            // nothing chosen yet
		"n", "n", "p", // page 2, no page 3, page 1
		"1,3-4", "3", // three ticked, one unticked
		"harbor", "1", // narrowed, the first Harbor Tower ticked
		"zzz", "99", "*", // no match; not in the list; every project again
		"",            // done: 3 chosen
		"c", "2", "b", // choose again, tick one, go back: unchanged
		"y", // make the change
		"",  // the notice after
	}, "\n") + "\n"
	out, _, err := runChoosing(t, a, l, nil, input)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	ps := l.Projects
	harbor := ps[slices.IndexFunc(ps, func(p app.Project) bool { return strings.HasPrefix(p.Name, "Harbor") })]
	want := []int64{ps[0].ID, ps[3].ID, harbor.ID}
	slices.SortFunc(want, func(x, y int64) int {
		return slices.IndexFunc(ps, func(p app.Project) bool { return p.ID == x }) - slices.IndexFunc(ps, func(p app.Project) bool { return p.ID == y })
	})
	wants(t, out,
		"A choice only you can make: choose the projects the account is to be on.",
		"Choose the projects the account is to be on. Type the numbers of the projects to tick or untick them, for example 1,3-5.",
		"25 active projects; 0 chosen. Projects 1 to 20:",
		"  1. [ ] "+ps[0].Label(), "5 more: type n for the next page.",
		"No project is chosen yet: tick at least one, or type b to go back.",
		"25 active projects; 0 chosen. Projects 21 to 25:", "This is the last page.",
		"Ticked "+ps[0].Label()+"; ticked "+ps[2].Label()+"; ticked "+ps[3].Label()+". 3 chosen.",
		"Unticked "+ps[2].Label()+". 2 chosen.",
		`5 of 25 active projects match "harbor"; 2 chosen. Projects 1 to 5:`,
		"Ticked "+harbor.Label()+". 3 chosen.",
		`No project matches "zzz"; the list is as it was.`,
		"The list has projects 1 to 5; 99 is not among them.",
		"You chose 3 projects: "+app.DescribeChosen(ps, want)+".",
		"add ht-data-sync@riverside.example (user 14100007) to 3 of 3 projects",
		"Projects chosen: "+app.DescribeChosen(ps, want)+".",
		"  4. (C)hange the chosen projects",
		"25 active projects; 3 chosen.",
		"Done: on all 3 projects.")
	if len(a.Did) != 1 || !slices.Equal(a.Did[0], want) {
		t.Fatalf("the change took %v, want %v", a.Did, want)
	}
	if l.Lists != 2 {
		t.Errorf("listed %d times", l.Lists)
	}
	m := regexp.MustCompile(`Support transcript \(no password or secret\): (\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no transcript:\n%s", out)
	}
	tr, err := os.ReadFile(m[1])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(tr), fmt.Sprintf("- Projects chosen: %d, %d, %d", want[0], want[1], want[2])) {
		t.Errorf("the transcript lacks the projects chosen:\n%s", tr)
	}
}

// TestPlainChooserBackAndResume: b at the list goes back to the step's
// choices, which can skip it; a walk resumed with projects chosen plans
// them without listing.
func TestPlainChooserBackAndResume(t *testing.T) {
	a, l := &choosing{}, &listing{Projects: plainProjects(3)}
	out, st, err := runChoosing(t, a, l, nil, "\nb\ns\nq\n")
	if !errors.Is(err, ErrQuit) {
		t.Fatalf("%v\n%s", err, out)
	}
	wants(t, out, "No project is chosen, so nothing can be planned. What now?", "  1. (C)hoose the projects", "Skipped: this step is not done.")
	s, err := st.LoadSession("choose")
	if err != nil || s == nil {
		t.Fatal(err)
	}
	if o := s.Outcomes["add-specific"]; o.Kind != steps.OutcomeSkipped || len(s.Chosen) != 0 {
		t.Fatalf("outcome %+v, chosen %v", o, s.Chosen)
	}

	g := choosingGuide()
	w := steps.NewWalker(g, nil, nil)
	w.Choose("add-specific", []int64{l.Projects[1].ID})
	a, l = &choosing{}, &listing{Projects: plainProjects(3)}
	out, _, err = runChoosing(t, a, l, w.Session, "\n\ny\nq\n")
	if !errors.Is(err, ErrQuit) {
		t.Fatalf("%v\n%s", err, out)
	}
	wants(t, out, "to 1 of 1 projects", fmt.Sprintf("Projects chosen: project %d.", l.Projects[1].ID), "Done: on all 1 projects.")
	if l.Lists != 0 || len(a.Did) != 1 || !slices.Equal(a.Did[0], []int64{l.Projects[1].ID}) {
		t.Fatalf("listed %d times; did %v", l.Lists, a.Did)
	}
}

func TestParseSelection(t *testing.T) {
	for in, want := range map[string][]int{"1": {0}, "1,3-5": {0, 2, 3, 4}, "5-3 1": {2, 3, 4, 0}, "2, 2,2-3": {1, 2}} {
		if got, err := parseSelection(in, 5); err != nil || !slices.Equal(got, want) {
			t.Errorf("%q: %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"0", "6", "1-9", "1--2", ",", "3-"} {
		if got, err := parseSelection(in, 5); err == nil {
			t.Errorf("%q: %v, no error", in, got)
		}
	}
}
