package steps

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// specRows are docs/guides.md's table rows for the actions and the
// checks, made from the specs, so the page says what the loader checks.
func specRows() (actions, checks []string) {
	code := func(vs []string) string {
		if len(vs) == 0 {
			return "none"
		}
		out := make([]string, len(vs))
		for i, v := range vs {
			out[i] = "`" + v + "`"
		}
		return strings.Join(out, ", ")
	}
	inputs := func(in, required, oneOf []string) string {
		var parts []string
		for _, k := range in {
			switch {
			case contains(required, k):
				parts = append(parts, "`"+k+"` (required)")
			default:
				parts = append(parts, "`"+k+"`")
			}
		}
		s := strings.Join(parts, ", ")
		if s == "" {
			s = "none"
		}
		if len(oneOf) > 0 {
			s += "; at least one of " + code(oneOf)
		}
		return s
	}
	needs := func(rs []Role, instead string, onUser bool) string {
		var parts []string
		for _, r := range rs {
			parts = append(parts, "`"+string(r)+"`")
		}
		s := strings.Join(parts, ", ")
		if instead != "" {
			s += ", or `" + instead + "`"
		}
		if onUser {
			if s != "" {
				s += "; "
			}
			s += "the account's user"
		}
		if s == "" {
			s = "nothing"
		}
		return s
	}
	for _, a := range ActionSpecs {
		dir := "no"
		if a.ChangesDirectory {
			dir = "yes"
		}
		actions = append(actions, fmt.Sprintf("| `%s` | %s | %s | %s | %s |",
			a.Name, inputs(a.Inputs, a.Required, a.OneOf), needs(a.Needs, a.Instead, a.OnUser), dir, a.Does))
	}
	for _, c := range CheckSpecs {
		who := "admin"
		if c.Token == TokenIntegration {
			who = "*integration*"
		}
		checks = append(checks, fmt.Sprintf("| `%s` | %s | %s | %s | %s |",
			c.Name, inputs(c.Inputs, c.Required, nil), needs(c.Needs, "", c.OnUser), who, c.Reads))
	}
	return actions, checks
}

func contains(vs []string, v string) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

// TestDocsActionsAndChecks: docs/guides.md has a row for every action and
// every check, as its spec says, and the list of step kinds is complete.
func TestDocsActionsAndChecks(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "guides.md"))
	if err != nil {
		t.Fatal(err)
	}
	actions, checks := specRows()
	for _, row := range append(actions, checks...) {
		if !strings.Contains(string(doc), row+"\n") {
			t.Errorf("docs/guides.md lacks the row\n%s", row)
		}
	}
	for _, k := range Kinds {
		if !strings.Contains(string(doc), "| `"+string(k)+"` | ") {
			t.Errorf("docs/guides.md does not describe the step kind %s", k)
		}
	}
}
