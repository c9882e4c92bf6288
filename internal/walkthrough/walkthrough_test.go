package walkthrough

import (
	"slices"
	"testing"

	"github.com/procore-sa/procore-sa/steps"
)

// TestScriptPassesOverStepsThatDoNotApply: the keys walk exactly the
// steps the wizard shows, in order; a step an earlier answer makes not
// apply gets none.
func TestScriptPassesOverStepsThatDoNotApply(t *testing.T) {
	cat, problems := steps.LoadCatalog("")
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	for _, g := range cat.List() {
		script := Script(g)
		var idx []int
		for _, st := range script {
			idx = append(idx, st.Index)
			if len(st.Actions) == 0 {
				t.Errorf("%s step %d: no keys", g.ID, st.Index+1)
			}
		}
		if !slices.IsSorted(idx) || len(slices.Compact(slices.Clone(idx))) != len(idx) {
			t.Errorf("%s: steps out of order or twice: %v", g.ID, idx)
		}
		w := steps.NewWalker(g, nil, nil)
		for _, st := range script {
			for _, f := range g.Steps[st.Index].Fields {
				if f.Type == steps.FieldChoice && f.Default != "" {
					w.SetValue(f.ID, f.Default)
				}
			}
		}
		for i, st := range g.Steps {
			ok, _ := st.Applies(w.Session.Values)
			if in := slices.Contains(idx, i); in != ok {
				t.Errorf("%s step %q: scripted %v, applies %v", g.ID, st.ID, in, ok)
			}
		}
		if last := g.Steps[len(g.Steps)-1]; last.Kind != steps.KindAudit || idx[len(idx)-1] != len(g.Steps)-1 {
			t.Errorf("%s: the walk does not end on the audit step", g.ID)
		}
	}
	hammertech, _ := cat.Get("hammertech")
	for _, st := range Script(hammertech) {
		if hammertech.Steps[st.Index].ID == "add-specific" {
			t.Error("hammertech: the specific-projects step is walked though all projects were chosen")
		}
	}
}

// TestValue: each field gets a valid value, as the keys of a script type
// it: a choice its default or first option, a valid default kept, the
// answer for its role, an email on the domain an earlier field gave.
func TestValue(t *testing.T) {
	one := int64(3)
	g := &steps.Guide{ID: "g", Steps: []steps.Step{{ID: "s", Kind: steps.KindForm, Fields: []steps.Field{
		{ID: "how", Type: steps.FieldChoice, Options: []string{"A", "B"}, Default: "B"},
		{ID: "pick", Type: steps.FieldChoice, Options: []string{"X", "Y"}},
		{ID: "name", Type: steps.FieldText, Default: "kept", Required: true},
		{ID: "app", Type: steps.FieldText, Role: steps.RoleAppName, Required: true},
		{ID: "domain", Type: steps.FieldDomain, Role: steps.RoleCompanyDomain},
		{ID: "email", Type: steps.FieldEmail, Role: steps.RoleAccountEmail, DomainFrom: "domain", Required: true},
		{ID: "n", Type: steps.FieldNumber, Min: &one},
		{ID: "key", Type: steps.FieldText, RequiredIf: &steps.Condition{Field: "how", Is: "B"}},
	}}}}
	o := Options{Answers: func(*steps.Guide) map[steps.Role]string {
		return map[steps.Role]string{steps.RoleAppName: "Riverside", steps.RoleAccountEmail: "sync@builders.example"}
	}}
	values := map[string]string{}
	want := map[string]string{"how": "B", "pick": "X", "name": "kept", "app": "Riverside", "domain": "builders.example",
		"email": "sync@builders.example", "n": "3", "key": "Test"}
	for _, f := range g.Steps[0].Fields {
		v := Value(g, o, f, values)
		if v != want[f.ID] || values[f.ID] != v {
			t.Errorf("field %s: %q (recorded %q), want %q", f.ID, v, values[f.ID], want[f.ID])
		}
		if err := f.Validate(v, values); err != nil {
			t.Errorf("field %s: %q is not valid: %v", f.ID, v, err)
		}
	}
}

// TestScriptChoosesSpecificProjects: with Choose, hammertech's which-projects
// form moves to "Specific ones" (one right from the default), the add-all
// step is passed over, and the specific step waits for the chooser, ticks
// PickProjects projects and confirms before the plan.
func TestScriptChoosesSpecificProjects(t *testing.T) {
	cat, problems := steps.LoadCatalog("")
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	g, _ := cat.Get("hammertech")
	o := Options{LiveActions: true, Choose: map[string]string{"existing": "Specific ones"}, PickProjects: 2}
	var specific []Action
	for _, st := range ScriptWith(g, o) {
		switch g.Steps[st.Index].ID {
		case "add-all":
			t.Error("the every-project step is walked though specific ones were chosen")
		case "which-projects":
			if !slices.Equal(st.Actions, press("right", "enter")) {
				t.Errorf("which-projects keys %+v", st.Actions)
			}
		case "add-specific":
			specific = st.Actions
		}
	}
	want := []Action{{Key: "enter"}, {Wait: Chooser}, {Key: "space"}, {Key: "down"}, {Key: "space"}, {Key: "down"}, {Key: "enter"},
		{Wait: "The plan"}, {Key: "enter"}, {Wait: ActionDone}, {Key: "enter"}}
	if !slices.Equal(specific, want) {
		t.Errorf("add-specific keys %+v, want %+v", specific, want)
	}
	f := steps.Field{ID: "c", Type: steps.FieldChoice, Options: []string{"A", "B", "C"}, Default: "B"}
	for to, keys := range map[string]int{"A": 2, "B": 0, "C": 1} {
		fl := newFiller(g, Options{Choose: map[string]string{"c": to}})
		if got := fl.field(f, map[string]string{}); len(got) != keys {
			t.Errorf("from B to %s: %+v", to, got)
		}
	}
	f.Default = ""
	fl := newFiller(g, Options{Choose: map[string]string{"c": "C"}})
	if got := fl.field(f, map[string]string{}); len(got) != 3 {
		t.Errorf("from none to C: %+v", got)
	}
}
