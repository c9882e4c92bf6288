package steps

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
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

// guideText is everything of g a person can read, on one line per piece.
func guideText(t *testing.T, g *Guide) string {
	t.Helper()
	var b bytes.Buffer
	if err := Render(&b, g, "text"); err != nil {
		t.Fatal(err)
	}
	// Render wraps nothing, but collapse white space so that a phrase
	// split across YAML lines still matches.
	return strings.Join(strings.Fields(b.String()), " ")
}

// TestSeedItemsAppear checks each guide against testdata/seed-items/ID.txt:
// the exact names and values its seed uses (field names, suggested names,
// tools, permission levels, ERP sync types, buttons), one per line.
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
			f, err := os.Open(filepath.Join("testdata", "seed-items", id+".txt"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			text := guideText(t, g)
			n := 0
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				item := strings.Join(strings.Fields(sc.Text()), " ")
				if item == "" || strings.HasPrefix(item, "#") {
					continue
				}
				n++
				if !strings.Contains(text, item) {
					t.Errorf("%s lacks %q", id, item)
				}
			}
			if err := sc.Err(); err != nil {
				t.Fatal(err)
			}
			if n < 10 {
				t.Errorf("only %d items listed for %s: list every name and value of the seed", n, id)
			}
		})
	}
}

// TestGuideShapes pins what PRODUCT.md and the issue require of the
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
	// procore-api.md: seeds 002 and 003 describe the retired service accounts.
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
