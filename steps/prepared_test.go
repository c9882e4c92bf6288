package steps

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestPreparedGuidesAreUpToDate: the embedded guides.json is what the
// YAML gives today; after editing a built-in guide, run go generate ./steps.
func TestPreparedGuidesAreUpToDate(t *testing.T) {
	want, err := PrepareBuiltins()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(preparedGuides, want) {
		t.Fatal("steps/guides.json is out of date with steps/guides/*.yaml: run go generate ./steps")
	}
	got, problems := decodePrepared()
	parsed, _ := parseBuiltins(builtinFS, builtinOrder)
	if len(problems) > 0 || len(got) != len(parsed) {
		t.Fatalf("decoded %d guides, %v", len(got), problems)
	}
	for i := range parsed {
		// What the program reads at run time is the same; where the YAML
		// declared things is the loader's alone.
		a, _ := json.Marshal(got[i])
		b, _ := json.Marshal(parsed[i])
		if !bytes.Equal(a, b) || got[i].File != "builtin:"+builtinOrder[i]+".yaml" {
			t.Errorf("guide %s decodes differently from its YAML", parsed[i].ID)
		}
	}
}

// BenchmarkDecodePrepared is what starting the program pays for the
// built-in guides now (BenchmarkLoadCatalog parses the YAML).
func BenchmarkDecodePrepared(b *testing.B) {
	for b.Loop() {
		if g, p := decodePrepared(); len(p) > 0 || len(g) != len(builtinOrder) {
			b.Fatal(p)
		}
	}
}
