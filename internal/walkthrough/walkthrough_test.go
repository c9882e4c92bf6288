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
