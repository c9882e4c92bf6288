package app

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/simtest"
	"github.com/procore-sa/procore-sa/procore/sim"
	"github.com/procore-sa/procore-sa/state"
	"github.com/procore-sa/procore-sa/steps"
)

// specificGuide is the shape of the hammertech guide's choice: all the
// projects, or specific ones, which the next step adds the account to and
// checks, and the audit checks again.
func specificGuide() *steps.Guide {
	return &steps.Guide{ID: "specific", Title: "Specific projects", Steps: []steps.Step{
		{ID: "who", Kind: steps.KindForm, Fields: []steps.Field{
			{ID: "email", Label: "Email", Type: steps.FieldEmail, Role: steps.RoleAccountEmail, Required: true},
			{ID: "existing", Label: "Existing projects", Type: steps.FieldChoice, Options: []string{"All of them", "Specific ones"}, Default: "All of them"},
		}},
		{ID: "add-all", Kind: steps.KindInstruction, Checklist: []string{"Add All"},
			SkipIf: &steps.Condition{Field: "existing", Is: "Specific ones"},
			Checks: steps.CheckList{{Name: "project_membership"}}},
		{ID: "add-specific", Kind: steps.KindInstruction, Checklist: []string{"Add each"},
			SkipIf: &steps.Condition{Field: "existing", Is: "All of them"},
			Action: &steps.Action{Name: "add_to_projects", With: map[string]string{"projects": "chosen"}},
			Checks: steps.CheckList{{Name: "project_membership", With: map[string]string{"projects": "chosen"}}}},
		{ID: "audit", Kind: steps.KindAudit},
	}}
}

// TestChosenProjectsThroughAWalk: the company's active projects are listed
// for choosing with the admin's sign-in, sorted and printable; until some
// are chosen the plan asks for them; the choice is the walk's session (it
// survives a save and a resume, and holds no secret), and the action, the
// step's check and the audit after it all take it; the account ends on
// exactly the projects chosen and the audit holds.
func TestChosenProjectsThroughAWalk(t *testing.T) {
	w := simtest.New(t, sim.Config{Seed: 31, Projects: 20})
	a := storedApp(t, w, true)
	ctx := context.Background()
	g := specificGuide()

	ps, err := a.Projects().ActiveProjects(ctx, Using{Guide: g})
	if err != nil {
		t.Fatal(err)
	}
	if active := w.S.ActiveProjectIDs(); len(ps) != len(active) {
		t.Fatalf("%d projects listed, %d active", len(ps), len(active))
	}
	if !slices.IsSortedFunc(ps, func(x, y Project) int { return natural(strings.ToLower(x.Name), strings.ToLower(y.Name)) }) {
		t.Errorf("not sorted by name: %v", ps)
	}
	for _, p := range ps {
		if p.ID == 0 || p.Number == "" || p.Name == "" || strings.ContainsAny(p.Name, "\x1b\n\t") || !strings.HasPrefix(p.Label(), p.Number+" ") {
			t.Errorf("listed %+v, label %q", p, p.Label())
		}
	}

	clock := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	walk := steps.NewWalker(g, nil, func() time.Time { return clock })
	walk.SetValue("email", w.Fx.ServiceUserEmail)
	walk.SetValue("existing", "Specific ones")
	if err := walk.Next(); err != nil {
		t.Fatal(err)
	}
	if walk.Current().ID != "add-specific" || !TakesChosenProjects(walk.Current()) {
		t.Fatalf("at %q", walk.Current().ID)
	}
	act := *walk.Current().Action
	p, err := a.Automate().Plan(ctx, act, UsingWalk(walk))
	if err != nil || !p.ChooseProjects || p.Ask == "" {
		t.Fatalf("plan before a choice: %+v, %v", p, err)
	}

	pick := []int64{ps[3].ID, ps[0].ID}
	ChooseProjects(walk, append(pick, ps[3].ID, 0))
	if got := UsingWalk(walk).Projects; !slices.Equal(got, pick) {
		t.Fatalf("the walk chose %v, want %v", got, pick)
	}

	// Saved and resumed, the choice is the walk's still.
	store, err := state.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := store.SaveSession(walk.Session); err != nil {
		t.Fatal(err)
	}
	saved, err := store.LoadSession(g.ID)
	if err != nil {
		t.Fatal(err)
	}
	walk = steps.NewWalker(g, saved, func() time.Time { return clock })
	if got := UsingWalk(walk).Projects; !slices.Equal(got, pick) {
		t.Fatalf("the resumed walk chose %v, want %v", got, pick)
	}
	err = filepath.WalkDir(store.Root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		for _, secret := range []string{w.Fx.AdminClientSecret, w.Fx.DMSAClientSecret} {
			if strings.Contains(string(b), secret) {
				t.Errorf("%s holds a secret", path)
			}
		}
		if !strings.Contains(string(b), `"chosen"`) {
			t.Errorf("%s holds no choice:\n%s", path, b)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	before := map[int64]bool{}
	for _, id := range w.S.ActiveProjectIDs() {
		_, before[id] = w.S.MemberTemplate(w.Fx.ServiceUserID, id)
	}
	u := UsingWalk(walk)
	p, err = a.Automate().Plan(ctx, act, u)
	if err != nil || p.ChooseProjects || p.Ask != "" || len(p.Changes) != 1 || !strings.Contains(p.Changes[0], "to 2 of 2 projects") {
		t.Fatalf("plan after the choice: %+v, %v", p, err)
	}
	o, err := a.Automate().Do(ctx, act, p, u)
	if err != nil || !strings.Contains(o.Detail, "on all 2 projects") {
		t.Fatalf("outcome %+v, %v", o, err)
	}
	walk.Record("add-specific", o)
	rs, err := a.Check().Check(ctx, walk.Current().Checks, u)
	if err != nil || len(rs) != 1 || !rs[0].OK || rs[0].Text != "The account's user is on the chosen projects" || rs[0].State != "on 2 of 2 projects" {
		t.Fatalf("the step's check: %+v, %v", rs, err)
	}
	if err := walk.Next(); err != nil || walk.Current().ID != "audit" {
		t.Fatalf("to the audit: %v", err)
	}
	u = UsingWalk(walk)
	if !slices.Equal(u.Projects, pick) {
		t.Fatalf("the audit takes %v, want %v", u.Projects, pick)
	}
	rs, err = a.Check().Audit(ctx, g, u)
	if err != nil || len(rs) != 1 || rs[0].ID != "add-specific/project_membership" || !rs[0].OK {
		t.Fatalf("audit %+v, %v", rs, err)
	}

	// The projects chosen, and no other, were added to.
	for _, id := range w.S.ActiveProjectIDs() {
		if _, on := w.S.MemberTemplate(w.Fx.ServiceUserID, id); on != (before[id] || slices.Contains(pick, id)) || (before[id] && slices.Contains(pick, id)) {
			t.Errorf("project %d: member %v, before %v", id, on, before[id])
		}
	}

	// Choosing none forgets the choice: the plan asks again.
	walk.Back()
	ChooseProjects(walk, nil)
	if got := UsingWalk(walk).Projects; got != nil {
		t.Fatalf("an emptied choice still chooses %v", got)
	}
	if p, err := a.Automate().Plan(ctx, act, UsingWalk(walk)); err != nil || !p.ChooseProjects {
		t.Fatalf("plan once the choice is forgotten: %+v, %v", p, err)
	}
}

// TestAnswersChoosing: the hammertech guide's audit of chosen projects
// answers "Specific ones", so that it leaves out the every-project check
// and keeps the chosen one.
func TestAnswersChoosing(t *testing.T) {
	cat, problems := steps.LoadCatalog("")
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	g, _ := cat.Get("hammertech")
	ans := AnswersChoosing(g)
	if ans["existing"] != "Specific ones" || len(ans) != 1 {
		t.Fatalf("answers %v", ans)
	}
	var ids []string
	for _, c := range g.ChecksApplying(ans) {
		ids = append(ids, c.ID())
	}
	if slices.Contains(ids, "add-all/project_membership") || !slices.Contains(ids, "add-specific/project_membership") {
		t.Errorf("checks %v", ids)
	}
	dmsa, _ := cat.Get("dmsa")
	if a := AnswersChoosing(dmsa); a != nil {
		t.Errorf("dmsa chooses no projects, answers %v", a)
	}
}

func TestFilterProjects(t *testing.T) {
	ps := []Project{{ID: 11, Number: "0001", Name: "Riverside Clinic"}, {ID: 12, Number: "0002", Name: "Harbor Tower"}, {ID: 13, Name: "Riverside School"}}
	for q, want := range map[string][]int{
		"":              {0, 1, 2},
		"river":         {0, 2},
		"RIVER school":  {2},
		"0002":          {1},
		"13":            {2},
		"tower clinic":  {},
		"  harbor   ":   {1},
		"riverside cli": {0},
	} {
		if got := FilterProjects(ps, q); !slices.Equal(got, want) {
			t.Errorf("filter %q: %v, want %v", q, got, want)
		}
	}
	if got := DescribeChosen(ps, []int64{12, 13, 99}); got != "0002 Harbor Tower, Riverside School, project 99" {
		t.Errorf("described %q", got)
	}
}

func TestSortProjects(t *testing.T) {
	ps := []Project{{ID: 5, Name: "Tower phase 10"}, {ID: 4, Name: "tower Phase 2"}, {ID: 3, Name: "Annex"},
		{ID: 2, Number: "0010", Name: "Tower phase 2"}, {ID: 1, Number: "9", Name: "Tower phase 2"}, {ID: 6, Name: "Tower phase 02b"}}
	SortProjects(ps)
	var got []int64
	for _, p := range ps {
		got = append(got, p.ID)
	}
	if want := []int64{3, 4, 1, 2, 6, 5}; !slices.Equal(got, want) {
		t.Errorf("sorted %v, want %v", got, want)
	}
}
