package automate

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzParseLevels: a guide's levels input, whatever it holds, is read or
// refused with a message, never a panic; what is read names a known level
// for each tool, and reads the same again when written back.
func FuzzParseLevels(f *testing.F) {
	for _, s := range []string{"Directory=admin", "Directory=admin,Documents=read_only", "project.Daily Log=Standard", "company.Directory=none",
		"=", ",", "Directory", "Directory=owner", " , Documents = Read Only ,", "a=b=c", "project.=admin", "\x00=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ls, err := parseLevels(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an empty message")
			}
			return
		}
		var parts []string
		for _, l := range ls {
			if l.Rank < 0 || l.Rank >= len(levelWords) {
				t.Fatalf("%q: rank %d", s, l.Rank)
			}
			if strings.ContainsAny(l.Label, "=,") {
				continue // not written back: such a label cannot be
			}
			prefix := ""
			if l.Scope != "" {
				prefix = l.Scope + "."
			}
			parts = append(parts, prefix+l.Label+"="+levelWords[l.Rank])
		}
		if len(parts) != len(ls) {
			return
		}
		again, err := parseLevels(strings.Join(parts, ","))
		if err != nil || len(again) != len(ls) {
			t.Fatalf("%q read as %+v; written back %q: %+v, %v", s, ls, strings.Join(parts, ","), again, err)
		}
		for i := range ls {
			if again[i].Tool != ls[i].Tool || again[i].Rank != ls[i].Rank || again[i].Scope != ls[i].Scope {
				t.Fatalf("%q: %+v then %+v", s, ls[i], again[i])
			}
		}
	})
}

// FuzzLevelRank: a level as Procore sends it inside a template (its shape
// is not documented: a word, a number, an object) is a known level or -1.
func FuzzLevelRank(f *testing.F) {
	for _, s := range []string{`"admin"`, `"Read Only"`, `2`, `{"id":3,"name":"Admin"}`, `{"name":{"name":"none"}}`, `null`, `[1]`, `3.5`, `-1`, `"9"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		var v any
		if json.Unmarshal([]byte(raw), &v) != nil {
			return
		}
		if r := levelRank(v); r < -1 || r >= len(levelWords) {
			t.Fatalf("%s: rank %d", raw, r)
		}
	})
}
