package steps

import (
	"regexp"
	"slices"
	"testing"
)

var snakeRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// TestActionSpecs keeps the closed sets sound: names unique and in the
// name lists, every Needs a known role, Required and Instead among Inputs,
// no input given twice, and something said of each.
func TestActionSpecs(t *testing.T) {
	type spec struct {
		name             string
		needs            []Role
		inputs, required []string
		instead, text    string
	}
	var all []spec
	for _, s := range ActionSpecs {
		all = append(all, spec{s.Name, s.Needs, s.Inputs, s.Required, s.Instead, s.Does})
	}
	nActions := len(all)
	for _, s := range CheckSpecs {
		all = append(all, spec{s.Name, s.Needs, s.Inputs, s.Required, "", s.Reads})
		if s.Token != TokenAdmin && s.Token != TokenIntegration {
			t.Errorf("check %s: token %q is neither %q nor %q", s.Name, s.Token, TokenAdmin, TokenIntegration)
		}
	}
	seen := map[string]map[string]bool{"action": {}, "check": {}}
	for i, s := range all {
		set := "action"
		if i >= nActions {
			set = "check"
		}
		if !snakeRE.MatchString(s.name) {
			t.Errorf("%s %q: not a snake_case name", set, s.name)
		}
		if seen[set][s.name] {
			t.Errorf("%s %s: named twice", set, s.name)
		}
		seen[set][s.name] = true
		if s.text == "" {
			t.Errorf("%s %s: says nothing of what it does or reads", set, s.name)
		}
		for _, r := range s.needs {
			if _, ok := r.FieldType(); !ok {
				t.Errorf("%s %s: needs role %q, which is not known", set, s.name, r)
			}
		}
		for _, k := range s.required {
			if !slices.Contains(s.inputs, k) {
				t.Errorf("%s %s: requires %q, which is not one of its inputs %v", set, s.name, k, s.inputs)
			}
		}
		if s.instead != "" && !slices.Contains(s.inputs, s.instead) {
			t.Errorf("%s %s: %q stands in for its needs but is not one of its inputs", set, s.name, s.instead)
		}
		in := map[string]bool{}
		for _, k := range s.inputs {
			if in[k] {
				t.Errorf("%s %s: input %q listed twice", set, s.name, k)
			}
			in[k] = true
		}
	}
	if !slices.Equal(ActionNames, keysInOrder(ActionSpecs, func(s ActionSpec) string { return s.Name })) ||
		len(ActionNames) != len(seen["action"]) {
		t.Errorf("ActionNames %v do not follow ActionSpecs", ActionNames)
	}
	if len(CheckNames) != len(seen["check"]) {
		t.Errorf("CheckNames %v do not follow CheckSpecs", CheckNames)
	}
	for _, n := range ActionNames {
		if s, ok := ActionSpecFor(n); !ok || s.Name != n {
			t.Errorf("ActionSpecFor(%q) = %v, %v", n, s, ok)
		}
	}
	for _, n := range CheckNames {
		if s, ok := CheckSpecFor(n); !ok || s.Name != n {
			t.Errorf("CheckSpecFor(%q) = %v, %v", n, s, ok)
		}
	}
	if _, ok := ActionSpecFor("nope"); ok {
		t.Error("ActionSpecFor found an action that is not in the set")
	}
	if _, ok := CheckSpecFor("nope"); ok {
		t.Error("CheckSpecFor found a check that is not in the set")
	}
	if !slices.Contains(Kinds, KindAudit) {
		t.Error("Kinds lacks audit")
	}
}

func keysInOrder[S any](specs []S, name func(S) string) []string {
	var out []string
	for _, s := range specs {
		out = append(out, name(s))
	}
	return out
}

// TestDecodeActionAndChecks reads each written form of action and check,
// keeping where each is declared.
func TestDecodeActionAndChecks(t *testing.T) {
	src := "id: x\ntitle: X\naccount_model: user_login\nsteps:\n" +
		"  - id: f\n    kind: form\n    title: F\n    fields:\n" +
		"      - {id: e, label: E, type: email, role: account_email}\n" +
		"  - id: a\n    kind: instruction\n    title: A\n    checklist: [do it]\n" +
		"    action: find_user\n" +
		"    check: user_exists\n" +
		"  - id: b\n    kind: instruction\n    title: B\n    checklist: [do it]\n" +
		"    action: {name: find_user, with: {email_like: \"admin-*@procore.com\"}}\n" +
		"    check:\n      - user_exists\n      - name: user_name\n        with: {first_name: A, last_name: B}\n"
	g, err := Parse("x.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	a, b := g.Steps[1], g.Steps[2]
	if a.Action == nil || a.Action.Name != ActionFindUser || a.Action.With != nil || a.Action.Pos != (Pos{14, 13}) {
		t.Errorf("step a action = %+v", a.Action)
	}
	if len(a.Checks) != 1 || a.Checks[0].Name != CheckUserExists || a.Checks[0].Pos != (Pos{15, 12}) {
		t.Errorf("step a checks = %+v", a.Checks)
	}
	if b.Action == nil || b.Action.With["email_like"] != "admin-*@procore.com" || b.Action.Pos != (Pos{20, 13}) {
		t.Errorf("step b action = %+v", b.Action)
	}
	if len(b.Checks) != 2 || b.Checks[0].Name != CheckUserExists || b.Checks[1].Name != CheckUserName ||
		b.Checks[1].With["last_name"] != "B" || b.Checks[1].Pos != (Pos{23, 9}) {
		t.Errorf("step b checks = %+v at %v", b.Checks, b.Checks[1].Pos)
	}
	if got := g.AllChecks(); len(got) != 3 || got[2].ID() != "b/user_name" {
		t.Errorf("AllChecks = %+v", got)
	}
	if a.ChangesDirectory() || b.ChangesDirectory() {
		t.Errorf("find_user said to change the directory")
	}
	for _, st := range []Step{{Kind: KindAddAll}, {Kind: KindInstruction, Action: &Action{Name: ActionCreateUser}}} {
		if !st.ChangesDirectory() {
			t.Errorf("%s step %v: ChangesDirectory false", st.Kind, st.Action)
		}
	}
}
