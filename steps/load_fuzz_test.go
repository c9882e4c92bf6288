package steps

import (
	"bytes"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzParse feeds Parse arbitrary bytes, seeded with every built-in guide
// and every test file. Parse must not panic; an error must name the file, a
// line and a column on each of its lines; a guide that parses must be one
// the rest of the program can use.
func FuzzParse(f *testing.F) {
	for _, data := range seedFiles(f) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const file = "fuzz.yaml"
		start := time.Now()
		g, err := Parse(file, data)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("Parse took %v", d)
		}
		if err != nil {
			if g != nil {
				t.Fatal("a guide came back with an error")
			}
			checkErrorLines(t, file, err)
			// A message quotes at most a clipped line of the file.
			for l := range strings.SplitSeq(err.Error(), "\n") {
				if n := utf8.RuneCountInString(l); n > 600 {
					t.Fatalf("an error line of %d characters: %.200q", n, l)
				}
			}
			return
		}
		if g == nil {
			t.Fatal("neither a guide nor an error")
		}
		if g.File != file || !idRE.MatchString(g.ID) || len(g.Steps) == 0 || len(g.Steps) > MaxSteps ||
			!slices.Contains(AccountModels, g.AccountModel) {
			t.Fatalf("an invalid guide parsed: %+v", g)
		}
		roles := map[Role]bool{}
		audits := 0
		for i, st := range g.Steps {
			if st.Action != nil {
				if _, ok := ActionSpecFor(st.Action.Name); !ok || st.Action.shape != "" || len(st.Checklist) == 0 {
					t.Fatalf("step %q: action %+v passed", st.ID, st.Action)
				}
			}
			for _, c := range st.Checks {
				if _, ok := CheckSpecFor(c.Name); !ok || c.shape != "" {
					t.Fatalf("step %q: check %+v passed", st.ID, c)
				}
			}
			if st.Kind == KindAudit {
				if audits++; audits > 1 || i != len(g.Steps)-1 || len(g.AllChecks()) == 0 {
					t.Fatalf("audit step %q passed at %d of %d", st.ID, i, len(g.Steps))
				}
			}
			if !slices.Contains(Kinds, st.Kind) || (st.Kind == KindMatrix && st.Matrix == nil) {
				t.Fatalf("step %q: kind %q, matrix %v", st.ID, st.Kind, st.Matrix)
			}
			if len(st.Checklist) > MaxItems || len(st.Fields) > MaxFields ||
				(st.Matrix != nil && (len(st.Matrix.Rows) > MaxMatrix || len(st.Matrix.Columns) > MaxMatrix)) {
				t.Fatalf("step %q is beyond a limit", st.ID)
			}
			for _, f := range st.Fields {
				if len(f.Options) > MaxOptions {
					t.Fatalf("field %q has %d options", f.ID, len(f.Options))
				}
				if f.Role == "" {
					continue
				}
				if typ, ok := f.Role.FieldType(); !ok || typ != f.Type || roles[f.Role] {
					t.Fatalf("field %q: role %q on a %s field, or twice", f.ID, f.Role, f.Type)
				}
				roles[f.Role] = true
			}
		}
		if g.Password != nil {
			if err := g.Password.Validate(); err != nil {
				t.Fatalf("the policy passed Parse but not Validate: %v", err)
			}
		}
		for _, format := range Formats {
			var buf bytes.Buffer
			if err := Render(&buf, g, format); err != nil {
				t.Fatalf("render %s: %v", format, err)
			}
			if format != "json" && bytes.ContainsAny(buf.Bytes(), "\x1b\r\u009b") {
				t.Fatalf("render %s wrote a control character", format)
			}
			if format == "json" {
				var back Guide
				if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
					t.Fatalf("the json does not read back: %v", err)
				}
			}
		}
		// The step engine can walk it.
		w := NewWalker(g, nil, func() time.Time { return time.Unix(0, 0) })
		for range g.Steps {
			_ = w.Problem()
			w.Toggle(0)
			w.ToggleCell(0, 0)
			if w.Next() != nil {
				break
			}
		}
		_ = Render(io.Discard, g, "text")
	})
}
