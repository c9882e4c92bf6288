package steps

import (
	"regexp"
	"slices"
	"strings"
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

// TestParseAutomation: each rule of actions, checks, conditions and the
// audit step, refused at the line and column of what is wrong.
func TestParseAutomation(t *testing.T) {
	head := "id: x\ntitle: X\naccount_model: user_login\nsteps:\n" +
		"  - id: f\n    kind: form\n    title: F\n    fields:\n" + // lines 5-8
		"      - {id: e, label: E, type: email, role: account_email}\n" + // 9
		"      - {id: fn, label: First, type: text, role: first_name}\n" + // 10
		"      - {id: how, label: How, type: choice, options: [Mine, Vendor]}\n" + // 11
		"  - id: login\n    kind: admin_login\n    title: L\n    body: Sign in.\n" // 12-15
	step := func(extra string) string {
		return "  - id: s\n    kind: instruction\n    title: S\n    checklist: [do it]\n" + extra // 16-19, extra from 20
	}
	for _, tt := range []struct {
		name, src, want string
	}{
		{"unknown action", head + step("    action: creat_user\n"),
			`x.yaml:20:13: step "s": action "creat_user" is not known (did you mean create_user?): use create_user, find_user,`},
		{"unknown action far", head + step("    action: zzzzzzzzzz\n"),
			`x.yaml:20:13: step "s": action "zzzzzzzzzz" is not known: use create_user`},
		{"unknown check", head + step("    check: user_exist\n"),
			`x.yaml:20:12: step "s": check "user_exist" is not known (did you mean user_exists?)`},
		{"unknown check in list", head + step("    check:\n      - user_exists\n      - {name: instalation}\n"),
			`x.yaml:22:9: step "s": check "instalation" is not known (did you mean installation?)`},
		{"with key not an input", head + step("    action: {name: assign_templates, with: {company_template: A, project_template: B, project_templat: C}}\n"),
			`x.yaml:20:104: step "s": action assign_templates has no input "project_templat" (did you mean project_template?): use company_template, project_template, company_levels or project_levels`},
		{"with on an action without inputs", head + step("    action: {name: invite_user, with: {who: me}}\n"),
			`x.yaml:20:45: step "s": action invite_user takes no inputs, so with "who" does not belong here`},
		{"required input missing", head + step("    action: {name: assign_templates, with: {company_levels: Directory=admin}}\n"),
			`x.yaml:20:13: step "s": action assign_templates needs with company_template or project_template`},
		{"required check input missing", head + step("    check: {name: template_levels, with: {template: A}}\n"),
			`x.yaml:20:12: step "s": check template_levels needs with levels`},
		{"needs a role no field has", head + step("    action: create_user\n"),
			`x.yaml:20:13: step "s": action create_user needs a field with role last_name in this step or an earlier one, or with last_name`},
		{"with names a role no field has", head + step("    action: {name: rename_user, with: {first_name: first_name, last_name: app_name}}\n"),
			`x.yaml:20:75: step "s": action rename_user: last_name names role app_name, which no field in this step or an earlier one has`},
		{"role given later", "id: x\ntitle: X\naccount_model: user_login\nsteps:\n" +
			"  - id: login\n    kind: admin_login\n    title: L\n    body: Sign in.\n" +
			"  - id: s\n    kind: instruction\n    title: S\n    checklist: [do it]\n    action: invite_user\n" +
			"  - id: f\n    kind: form\n    title: F\n    fields:\n      - {id: e, label: E, type: email, role: account_email}\n",
			`x.yaml:13:13: step "s": action invite_user acts on the account's user, but no step before says which`},
		{"directory change before the admin's sign-in", "id: x\ntitle: X\naccount_model: user_login\nsteps:\n" +
			"  - id: f\n    kind: form\n    title: F\n    fields:\n      - {id: e, label: E, type: email, role: account_email}\n" +
			"  - id: s\n    kind: instruction\n    title: S\n    checklist: [do it]\n    action: invite_user\n",
			`x.yaml:14:13: step "s": action invite_user changes the Company Directory, which takes the admin's own sign-in: put a step of kind admin_login before it`},
		{"add_all before the admin's sign-in", "id: x\ntitle: X\naccount_model: user_login\nsteps:\n" +
			"  - id: a\n    kind: add_all\n    title: A\n    body: Adds.\n",
			`x.yaml:6:11: step "a": an add_all step adds the account to projects, which takes the admin's own sign-in`},
		{"action on a notice", head + "  - id: s\n    kind: notice\n    title: S\n    body: B\n    action: find_user\n",
			`x.yaml:20:13: step "s": an action is for an instruction or a form step`},
		{"action on a form without a checklist", head + "  - id: s\n    kind: form\n    title: S\n    fields: [{id: n, label: N, type: text}]\n    action: find_user\n",
			`x.yaml:20:13: step "s": a step with an action needs a checklist`},
		{"action without a checklist", head + "  - id: s\n    kind: instruction\n    title: S\n    body: B\n    action: find_user\n",
			`x.yaml:20:13: step "s": a step with an action needs a checklist`},
		{"action of a wrong shape", head + step("    action: [find_user]\n"),
			`x.yaml:20:13: step "s": action must be a name, or a mapping of name and with`},
		{"action mapping with a stray key", head + step("    action: {name: find_user, wiht: {}}\n"),
			`x.yaml:20:13: step "s": action must be a name, or a mapping of name and with`},
		{"check twice", head + step("    check: [user_exists, user_exists]\n"),
			`x.yaml:20:26: step "s": check user_exists is declared twice in this step`},
		{"bad levels", head + step("    check: {name: template_levels, with: {template: T, levels: \"Directory=boss\"}}\n"),
			`x.yaml:20:64: step "s": check template_levels: levels "Directory=boss": Directory: level "boss": use none, read_only, standard or admin`},
		{"integration check before a capture", head + step("    check: credential_works\n"),
			`x.yaml:20:12: step "s": check credential_works: reads with the integration's own credential, so a step of kind credential_capture must come before it`},
		{"projects not chosen", head + step("    action: {name: add_to_projects, with: {projects: all}}\n"),
			`x.yaml:20:54: step "s": action add_to_projects: projects "all": use "chosen" or project ids`},
		{"template of no known type", head + step("    action: {name: create_template, with: {template: T, type: vendor, levels: \"*=standard\"}}\n"),
			`x.yaml:20:63: step "s": action create_template: type "vendor": use "company" (a company permission template) or "project"`},
		{"template without levels", head + step("    action: {name: create_template, with: {template: T, type: project}}\n"),
			`x.yaml:20:13: step "s": action create_template needs with levels`},
		{"check projects not a set", head + step("    check: {name: project_membership, with: {projects: \"1,x\"}}\n"),
			`x.yaml:20:56: step "s": check project_membership: projects "1,x": use "all", "chosen" or project ids`},
		{"two audits", head + step("    check: user_exists\n") + "  - id: a1\n    kind: audit\n    title: A\n    body: B\n  - id: a2\n    kind: audit\n    title: A\n    body: B\n",
			`x.yaml:26:11: step "a2": a second audit step`},
		{"audit not last", head + step("    check: user_exists\n") + "  - id: a1\n    kind: audit\n    title: A\n    body: B\n  - id: n\n    kind: notice\n    title: N\n    body: B\n",
			`x.yaml:22:11: step "a1": the audit step must be the guide's last step`},
		{"audit without checks", head + "  - id: a1\n    kind: audit\n    title: A\n    body: B\n",
			`x.yaml:17:11: step "a1": an audit step needs at least one check in the guide to read`},
		{"audit with its own check", head + step("    check: user_exists\n") + "  - id: a1\n    kind: audit\n    title: A\n    body: B\n    check: user_exists\n",
			`x.yaml:25:12: step "a1": an audit step reads every check of the guide`},
		{"skip_if without because", head + step("    skip_if: {field: how, is: Vendor}\n"),
			`x.yaml:20:14: step "s": skip_if needs because`},
		{"skip_if not an option", head + step("    skip_if: {field: how, is: Theirs, because: B}\n"),
			`x.yaml:20:31: step "s": skip_if: "Theirs" is not an option of field "how": use "Mine" or "Vendor"`},
		{"skip_if not a choice", head + step("    skip_if: {field: e, is: x, because: B}\n"),
			`x.yaml:20:22: step "s": skip_if names field "e", which is not a choice field`},
		{"skip_if unknown field", head + step("    skip_if: {field: nope, is: x, because: B}\n"),
			`x.yaml:20:22: step "s": skip_if names field "nope", which is not in this guide`},
		{"required_if later field", "id: x\ntitle: X\naccount_model: user_login\nsteps:\n  - id: f\n    kind: form\n    title: F\n    fields:\n" +
			"      - {id: k, label: K, type: text, required_if: {field: how, is: Mine}}\n" +
			"      - {id: how, label: How, type: choice, options: [Mine, Vendor]}\n",
			`x.yaml:9:60: field "k": required_if names field "how", which comes later: ask it first`},
		{"required_if with because", "id: x\ntitle: X\naccount_model: user_login\nsteps:\n  - id: f\n    kind: form\n    title: F\n    fields:\n" +
			"      - {id: how, label: How, type: choice, options: [Mine, Vendor]}\n" +
			"      - {id: k, label: K, type: text, required_if: {field: how, is: Mine, because: B}}\n",
			`x.yaml:10:84: field "k": because is only for skip_if`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(tt.src))
			if err == nil || !strings.HasPrefix("\n"+err.Error(), "\n"+tt.want) && !strings.Contains(err.Error(), "\n"+tt.want) {
				t.Errorf("error %v\nwant a line to start %q", err, tt.want)
			}
		})
	}
}

const conditionalGuide = `id: cond
title: Conditional
account_model: dmsa
steps:
  - id: app
    kind: form
    title: The app
    fields:
      - {id: whose, label: Whose app, type: choice, options: [Ours, A vendor's], default: Ours}
      - {id: key, label: Key, type: text, required_if: {field: whose, is: Ours}}
  - id: capture
    kind: credential_capture
    title: Capture
    checklist: [Copy the secret]
    skip_if: {field: whose, is: "A vendor's", because: The vendor holds the credential.}
    check: credential_works
  - id: end
    kind: notice
    title: End
    body: Done.
`

// TestSkipIfAndRequiredIf: an answer makes a later field required, and
// makes a later step not apply, recorded with why and passed over both
// ways; a changed answer brings the step back.
func TestSkipIfAndRequiredIf(t *testing.T) {
	g, err := Parse("cond.yaml", []byte(conditionalGuide))
	if err != nil {
		t.Fatal(err)
	}
	w := NewWalker(g, nil, nil)
	if ac := g.ChecksApplying(nil); len(ac) != 1 || ac[0].ID() != "capture/credential_works" {
		t.Errorf("ChecksApplying(nil) = %+v", ac)
	}
	if err := w.Next(); err == nil || !strings.Contains(err.Error(), "required, since the answer is Ours") {
		t.Fatalf("the key went unasked for our own app: %v", err)
	}
	w.SetValue("whose", "A vendor's")
	must(t, w.Next())
	if w.Current().ID != "end" {
		t.Fatalf("on step %q; the capture step does not apply to a vendor's app", w.Current().ID)
	}
	if o, ok := w.Outcome("capture"); !ok || o.Kind != OutcomeNotApplicable || o.Detail != "The vendor holds the credential." {
		t.Fatalf("capture outcome %+v, %v", o, ok)
	}
	if na := w.NotApplicable(); len(na) != 1 || na[0].Step.ID != "capture" || na[0].Index != 1 {
		t.Fatalf("NotApplicable = %+v", na)
	}
	if ac := g.ChecksApplying(w.Session.Values); len(ac) != 0 {
		t.Errorf("ChecksApplying for a vendor's app = %+v", ac)
	}
	tr := string(Transcript(g, w.Session))
	if !strings.Contains(tr, "Does not apply: The vendor holds the credential.") || strings.Contains(tr, "[ ] Copy the secret") {
		t.Errorf("transcript:\n%s", tr)
	}
	if !w.Back() || w.Current().ID != "app" {
		t.Fatalf("Back went to %q, not over the capture step to the app", w.Current().ID)
	}
	w.SetValue("whose", "Ours")
	w.SetValue("key", "k-1")
	must(t, w.Next())
	if w.Current().ID != "capture" {
		t.Fatalf("on %q: the capture step applies again", w.Current().ID)
	}
	if _, ok := w.Outcome("capture"); ok {
		t.Fatal("a stale does-not-apply outcome stayed")
	}
	if err := w.Next(); err == nil {
		t.Fatal("the capture step went on unticked")
	}
	w.Toggle(0)
	must(t, w.Next())
	if o, _ := w.Outcome("capture"); o.Kind != OutcomeByHand {
		t.Fatalf("capture by hand recorded as %+v", o)
	}
	must(t, w.Next())
	if !w.Finished() {
		t.Fatal("not finished")
	}
}

// TestActionStepByHand: a step with an action and no outcome is the
// person's checklist; ticked, it is recorded as done by hand.
func TestActionStepByHand(t *testing.T) {
	src := "id: x\ntitle: X\naccount_model: user_login\nsteps:\n" +
		"  - id: f\n    kind: form\n    title: F\n    fields:\n      - {id: e, label: E, type: email, role: account_email}\n" +
		"  - id: login\n    kind: admin_login\n    title: L\n    body: Sign in.\n" +
		"  - id: invite\n    kind: instruction\n    title: Invite\n    checklist: [Click Send Invite]\n    action: invite_user\n    check: invitation_sent\n" +
		"  - id: audit\n    kind: audit\n    title: Audit\n    body: Reads every check.\n"
	g, err := Parse("x.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	w := NewWalker(g, nil, nil)
	w.SetValue("e", "a@example.com")
	must(t, w.Next())
	w.Toggle(0)
	must(t, w.Next())
	if err := w.Next(); err == nil {
		t.Fatal("the invite step went on unticked")
	}
	w.Toggle(0)
	must(t, w.Next())
	if o, _ := w.Outcome("invite"); o.Kind != OutcomeByHand {
		t.Fatalf("invite recorded as %+v", o)
	}
	if w.Current().Kind != KindAudit || w.Problem() != nil {
		t.Fatalf("the audit step, with no checker, is not one to read and go on: %v", w.Problem())
	}
	must(t, w.Next())
	if !w.Finished() {
		t.Fatal("not finished")
	}
	if ac := g.AllChecks(); len(ac) != 1 || ac[0].ID() != "invite/invitation_sent" {
		t.Fatalf("AllChecks = %+v", ac)
	}
}

func TestParseLevels(t *testing.T) {
	m, err := ParseLevels("Directory=admin, Documents = read_only")
	if err != nil || m["Directory"] != "admin" || m["Documents"] != "read_only" || len(m) != 2 {
		t.Fatalf("ParseLevels = %v, %v", m, err)
	}
	for _, bad := range []string{"", "Directory", "=admin", "Directory=boss", "A=admin,A=none"} {
		if _, err := ParseLevels(bad); err == nil {
			t.Errorf("ParseLevels(%q) took it", bad)
		}
	}
}

// TestAutomationTestdata: the test file that seeds the fuzzer uses every
// action and every check, in each written form.
func TestAutomationTestdata(t *testing.T) {
	g, err := Parse("automation.yaml", readTestdata(t, "automation.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	actions, checks := map[string]bool{}, map[string]bool{}
	for _, st := range g.Steps {
		if st.Action != nil {
			actions[st.Action.Name] = true
		}
		for _, c := range st.Checks {
			checks[c.Name] = true
		}
	}
	for _, n := range ActionNames {
		if !actions[n] {
			t.Errorf("automation.yaml does not use action %s", n)
		}
	}
	for _, n := range CheckNames {
		if !checks[n] {
			t.Errorf("automation.yaml does not use check %s", n)
		}
	}
}
