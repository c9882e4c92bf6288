package steps

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// seedOf maps each built-in guide to the vendor guide (seed) it is made
// from; dmsa is the current generic path and has no seed.
var seedOf = map[string]string{
	"spectrum":     "000",
	"syncezy":      "001",
	"laborchart":   "002",
	"hammertech":   "003",
	"admin-helper": "004",
	"dmsa":         "",
}

// collapse is s with its runs of white space made one space, so that a
// phrase split across YAML lines still matches.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// seedPlaces are the places of a step a seed item may be listed in, and
// whether the item must be the whole piece (a name or a value) or may be a
// phrase within it (running text).
var seedPlaces = map[string]bool{
	"row": true, "column": true, "option": true, "label": true, "value": true,
	"item": false, "title": false, "body": false, "help": false, "for": false,
}

// guidePlaces are the places of the guide itself, all running text.
var guidePlaces = []string{"title", "vendor", "source", "summary"}

// seedPieces is what a step shows a person in one place: its checklist
// items, its fields' labels, values (default, placeholder), choices or help,
// its matrix rows or columns, its title, body or For.
func seedPieces(st *Step, place string) []string {
	var out []string
	switch place {
	case "title":
		out = append(out, st.Title)
	case "body":
		out = append(out, st.Body)
	case "for":
		out = append(out, st.For)
	case "item":
		out = append(out, st.Checklist...)
	case "row", "column":
		if st.Matrix != nil && place == "row" {
			out = append(out, st.Matrix.Rows...)
		} else if st.Matrix != nil {
			out = append(out, st.Matrix.Columns...)
		}
	}
	for _, f := range st.Fields {
		switch place {
		case "label":
			out = append(out, f.Label)
		case "value":
			out = append(out, f.Default, f.Placeholder)
		case "option":
			out = append(out, f.Options...)
		case "help":
			out = append(out, f.Help)
		}
	}
	return out
}

// seedMatch reports whether item is piece (in a place for names and
// values) or a phrase of it (in running text).
func seedMatch(place, piece, item string) bool {
	piece = collapse(piece)
	if seedPlaces[place] {
		return piece == item
	}
	return strings.Contains(piece, item)
}

// TestSeedItemsAppear checks each guide against testdata/seed-items/ID.txt:
// the exact names and values its seed uses (field names, suggested names,
// tools, permission levels, ERP sync types, buttons). See seedItemProblems
// for the file's form.
func TestSeedItemsAppear(t *testing.T) {
	cat, problems := LoadCatalog("")
	for _, p := range problems {
		t.Fatalf("built-in guide: %v", p)
	}
	for id := range seedOf {
		t.Run(id, func(t *testing.T) {
			g, ok := cat.Get(id)
			if !ok {
				t.Fatalf("no built-in guide %q", id)
			}
			n, problems := seedItemProblems(t, g)
			for _, p := range problems {
				t.Error(p)
			}
			if n < 10 {
				t.Errorf("only %d items listed for %s: list every name and value of the seed", n, id)
			}
		})
	}
}

// TestSeedItemsCatchRemoval takes generic items out of the step the seed
// puts them in; each must be missed, although the same word is still
// elsewhere in the guide (the vendor line, another step's text).
func TestSeedItemsCatchRemoval(t *testing.T) {
	tests := []struct {
		guide, step, want string
		remove            func(st *Step)
	}{
		{"spectrum", "erp-permissions", `lacks "Vendor" (row) in step "erp-permissions"`,
			func(st *Step) {
				st.Matrix.Rows = slices.DeleteFunc(st.Matrix.Rows, func(r string) bool { return r == "Vendor" })
			}},
		{"spectrum", "erp-permissions", `lacks "Job" (row) in step "erp-permissions"`,
			func(st *Step) {
				st.Matrix.Rows = slices.DeleteFunc(st.Matrix.Rows, func(r string) bool { return r == "Job" })
			}},
		{"syncezy", "permissions", `lacks "Provide Admin Permissions to the Documents Tool" (item) in step "permissions"`,
			func(st *Step) { st.Checklist = []string{"Provide permissions to the Documents Tool"} }},
		{"spectrum", "add-person", `lacks "Add Person" (item) in step "add-person"`,
			func(st *Step) { st.Checklist = []string{"Click the button"} }},
		{"spectrum", "profile", `lacks "Spectrum" (value) in step "profile"`,
			func(st *Step) { st.Fields[0].Default = "" }},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			// A guide of its own to change: the catalog's are shared.
			src, _ := BuiltinSource(tt.guide)
			g, err := Parse(builtinPrefix+tt.guide+".yaml", src)
			if err != nil {
				t.Fatal(err)
			}
			for i := range g.Steps {
				if g.Steps[i].ID == tt.step {
					tt.remove(&g.Steps[i])
				}
			}
			_, problems := seedItemProblems(t, g)
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, tt.want) }) {
				t.Errorf("not missed; problems: %q", problems)
			}
		})
	}
}

// seedItemProblems checks g against testdata/seed-items/ID.txt and returns
// how many items it lists and what is missing. The file is in sections, one
// for each step ([STEP-ID]) and one for the guide itself ([guide]); each line
// of a section is PLACE: ITEM. An item must be in that step, in that place:
// a whole matrix row or column, a field's label, value (default or
// placeholder) or option; or a phrase in a checklist item, the title, the
// body, a field's help or the password step's for. So a generic item such
// as "Vendor" or "Admin" is met only where the seed puts it.
func seedItemProblems(t *testing.T, g *Guide) (n int, problems []string) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "seed-items", g.ID+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	steps := map[string]*Step{}
	for i := range g.Steps {
		steps[g.Steps[i].ID] = &g.Steps[i]
	}
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	section, lineNo := "", 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lineNo++
		text := collapse(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		at := fmt.Sprintf("seed-items/%s.txt:%d", g.ID, lineNo)
		if strings.HasPrefix(text, "[") && strings.HasSuffix(text, "]") {
			section = text[1 : len(text)-1]
			if _, ok := steps[section]; !ok && section != "guide" {
				fail("%s: %s has no step %q", at, g.ID, section)
			}
			continue
		}
		place, item, ok := strings.Cut(text, ": ")
		if !ok || item == "" {
			fail("%s: %q is not PLACE: ITEM", at, text)
			continue
		}
		var pieces []string
		switch st := steps[section]; {
		case section == "guide" && slices.Contains(guidePlaces, place):
			pieces = guidePieces(g, place)
		case section == "guide":
			fail("%s: place %q: the guide's places are %s", at, place, strings.Join(guidePlaces, ", "))
			continue
		case st == nil:
			fail("%s: %q is not in a [STEP-ID] section", at, text)
			continue
		default:
			if _, known := seedPlaces[place]; !known {
				fail("%s: unknown place %q", at, place)
				continue
			}
			pieces = seedPieces(st, place)
		}
		n++
		if !slices.ContainsFunc(pieces, func(p string) bool { return seedMatch(place, p, item) }) {
			fail("%s: %s lacks %q (%s) in %s", at, g.ID, item, place, where(section))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return n, problems
}

func where(section string) string {
	if section == "guide" {
		return "the guide"
	}
	return fmt.Sprintf("step %q", section)
}

// guidePieces is what the guide itself shows in one place.
func guidePieces(g *Guide, place string) []string {
	switch place {
	case "title":
		return []string{g.Title}
	case "vendor":
		return []string{g.Vendor}
	case "source":
		return []string{g.Source}
	case "summary":
		return []string{g.Summary}
	}
	return nil
}

// TestGuideShapes pins what the product requires of the
// built-in guides as a set.
func TestGuideShapes(t *testing.T) {
	cat, _ := LoadCatalog("")
	kinds := map[Kind]bool{}
	for id := range seedOf {
		g, ok := cat.Get(id)
		if !ok {
			t.Fatalf("no built-in guide %q", id)
		}
		for _, st := range g.Steps {
			kinds[st.Kind] = true
		}
		if last := g.Steps[len(g.Steps)-1]; last.Kind != KindAudit {
			t.Errorf("%s: the last step is %s, not the audit", id, last.Kind)
		}
		for _, st := range g.Steps {
			if st.Automated() && st.Kind != KindAdminLogin && st.Kind != KindCredential && len(st.Checklist) == 0 {
				t.Errorf("%s step %s: the tool does it, but there is no checklist to do it by hand", id, st.ID)
			}
		}
		first := g.Steps[0]
		if g.AccountModel == LegacyServiceAccount {
			text := first.Title + " " + first.Body
			if first.Kind != KindNotice || first.Level != "warning" {
				t.Errorf("%s: a legacy guide must open with a warning notice, not %s", id, first.Kind)
			}
			for _, want := range []string{"March 2025", "dmsa"} {
				if !strings.Contains(text, want) {
					t.Errorf("%s: the opening notice does not say %q:\n%s", id, want, text)
				}
			}
		}
		if g.Source == "" && seedOf[id] != "" {
			t.Errorf("%s: no source page named", id)
		}
	}
	for _, k := range Kinds {
		if !kinds[k] {
			t.Errorf("no built-in guide uses step kind %s", k)
		}
	}

	sp, _ := cat.Get("spectrum")
	if got, want := sp.Policy().Specials, "!@#$%^&*()-_=+`~'\",<.>/?[{]}\\|;:"; got != want {
		t.Errorf("spectrum specials %q, want seed 000's %q", got, want)
	}
	var matrix *Matrix
	var domainFrom bool
	for _, st := range sp.Steps {
		if st.Matrix != nil {
			matrix = st.Matrix
		}
		for _, f := range st.Fields {
			if f.Type == FieldEmail && f.DomainFrom != "" {
				domainFrom = true
			}
		}
	}
	if matrix == nil || len(matrix.Rows) != 6 || strings.Join(matrix.Columns, ",") != "Can Import,Can Export" || !matrix.RequireAll {
		t.Errorf("spectrum: want six ERP sync types by Can Import and Can Export, all required; got %+v", matrix)
	}
	if !domainFrom {
		t.Error("spectrum: the account's email must be on the company's domain (domain_from)")
	}
	// Procore's reference: the LaborChart and HammerTech guides describe the retired service accounts.
	for _, id := range []string{"laborchart", "hammertech"} {
		if g, _ := cat.Get(id); g.AccountModel != LegacyServiceAccount {
			t.Errorf("%s: account model %s, want %s", id, g.AccountModel, LegacyServiceAccount)
		}
	}
	dm, _ := cat.Get("dmsa")
	if dm.AccountModel != DMSA {
		t.Errorf("dmsa guide's account model is %s", dm.AccountModel)
	}
}

// TestBuiltinChoicePaths walks the built-in guides' choices that change
// which steps apply: a vendor's DMSA app passes over the capture and the
// verification saying why, and needs the app's user named; HammerTech's
// specific projects pass over add-all to the step that adds those, and all
// projects the other way.
func TestBuiltinChoicePaths(t *testing.T) {
	cat, _ := LoadCatalog("")
	walkTo := func(t *testing.T, w *Walker, id string, answers map[string]string) {
		t.Helper()
		for k, v := range answers {
			w.SetValue(k, v)
		}
		for w.Current().ID != id {
			st := w.Current()
			for i := range st.Checklist {
				if !w.Checked(i) {
					w.Toggle(i)
				}
			}
			for r := range w.Session.Cells[st.ID] {
				for c := range w.Session.Cells[st.ID][r] {
					w.ToggleCell(r, c)
				}
			}
			if st.Kind == KindPassword {
				w.accepted[st.ID] = true
			}
			if err := w.Next(); err != nil {
				t.Fatalf("step %q: %v", st.ID, err)
			}
			if w.Finished() {
				t.Fatalf("finished before step %q", id)
			}
		}
	}

	dmsa, _ := cat.Get("dmsa")
	w := NewWalker(dmsa, nil, nil)
	walkTo(t, w, "app", nil)
	w.SetValue("app-name", "Acme Sync")
	w.SetValue("install-method", "Custom install with the App Version Key")
	if err := w.Next(); err == nil || !strings.Contains(err.Error(), "App Version Key: required") {
		t.Fatalf("a custom install went on without its App Version Key: %v", err)
	}
	w.SetValue("app-version-key", "k-1")
	w.SetValue("owner", "A vendor's")
	walkTo(t, w, "app-user", nil)
	if err := w.Next(); err == nil {
		t.Fatal("a vendor's app went on without its user named")
	}
	w.SetValue("app-user-email", "app@acme.example")
	walkTo(t, w, "audit", nil)
	var passed []string
	for _, na := range w.NotApplicable() {
		passed = append(passed, na.Step.ID)
		if !strings.Contains(na.Because, "vendor") {
			t.Errorf("step %s passed over without saying why: %q", na.Step.ID, na.Because)
		}
	}
	if !slices.Equal(passed, []string{"credentials", "verify"}) {
		t.Errorf("a vendor's app passed over %v, want the capture and the verification", passed)
	}
	for _, c := range dmsa.ChecksApplying(w.Session.Values) {
		if c.Step == "verify" || c.Step == "credentials" {
			t.Errorf("check %s of a step that does not apply is audited", c.ID())
		}
	}

	ht, _ := cat.Get("hammertech")
	for _, tc := range []struct{ answer, lands, passes string }{
		{"Specific ones", "add-specific", "add-all"},
		{"All of them", "add-all", "add-specific"},
	} {
		w := NewWalker(ht, nil, nil)
		walkTo(t, w, "which-projects", map[string]string{"email": "ht@acme.example"})
		w.SetValue("existing", tc.answer)
		if err := w.Next(); err != nil {
			t.Fatal(err)
		}
		walkTo(t, w, "audit", nil)
		if _, ok := w.Outcome(tc.lands); !ok && !w.Done(tc.lands) {
			t.Errorf("%s: step %s was not walked", tc.answer, tc.lands)
		}
		if o, _ := w.Outcome(tc.passes); o.Kind != OutcomeNotApplicable {
			t.Errorf("%s: step %s recorded %+v, not passed over", tc.answer, tc.passes, o)
		}
	}
}
