package steps

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// MaxChecks is the most checks one step may declare.
const MaxChecks = 20

// Levels a template or a token may grant a tool, as template_levels and
// integration_permissions take them: "Directory=admin,Documents=read_only".
var Levels = []string{"none", "read_only", "standard", "admin"}

// automation is what the checker knows, step by step, for the rules of
// actions and checks.
type automation struct {
	adminLogin bool // an admin_login step came before this one
	capture    bool // a credential_capture step came before this one
	userKnown  bool // an earlier step finds or makes the account's user
	audits     []int
	checks     int
}

// automation checks a step's action and checks against their specs and
// the steps before it. It runs after the step's fields, so a role given
// in the same step counts.
func (c *checker) automation(i int, p, name string, st *Step) {
	a := &c.auto
	known := slices.Contains(Kinds, st.Kind)
	if st.Action != nil {
		c.action(p+".action", name, st)
	}
	if st.ChangesDirectory() && !a.adminLogin {
		what := "an add_all step adds the account to projects"
		at := p + ".kind"
		if st.Action != nil {
			what = fmt.Sprintf("action %s changes the Company Directory", st.Action.Name)
			at = p + ".action"
		}
		c.add(at, "%s: %s, which takes the admin's own sign-in: put a step of kind admin_login before it", name, what)
	}
	// The step's checks read after its action, so a user it finds is known to them.
	if st.Action != nil && (st.Action.Name == ActionFindUser || st.Action.Name == ActionCreateUser) {
		a.userKnown = true
	}
	c.checkList(p, name, st)

	if st.Kind == KindAudit {
		a.audits = append(a.audits, i)
		if len(st.Checks) > 0 {
			c.add(p+".check", "%s: an audit step reads every check of the guide; declare the checks on the steps they prove", name)
		}
		if st.Action != nil {
			c.add(p+".action", "%s: an audit step changes nothing, so it has no action", name)
		}
	}
	if st.Action != nil && known && st.Kind != KindInstruction && st.Kind != KindForm {
		c.add(p+".action", "%s: an action is for an instruction or a form step, whose checklist is how it is done by hand, not a step of kind %s", name, st.Kind)
	}
	if st.Action != nil && len(st.Checklist) == 0 {
		c.add(p+".action", "%s: a step with an action needs a checklist: it is how the person does it by hand", name)
	}

	// What the steps after this one may count on.
	switch {
	case st.Kind == KindAdminLogin:
		a.adminLogin = true
	case st.Kind == KindCredential:
		a.capture = true
		// A DMSA's user is the one its own credential reads as /me.
		a.userKnown = true
	}
}

// audit checks the guide-level rules: at most one audit step, the last,
// and only in a guide that declares a check.
func (c *checker) audit(g *Guide) {
	a := &c.auto
	for k, i := range a.audits {
		p := fmt.Sprintf("$.steps[%d]", i)
		switch {
		case k > 0:
			c.add(p+".kind", "step %s: a second audit step: a guide has at most one, its last", quote(g.Steps[i].ID))
		case i != len(g.Steps)-1:
			c.add(p+".kind", "step %s: the audit step must be the guide's last step", quote(g.Steps[i].ID))
		}
	}
	if len(a.audits) > 0 && a.checks == 0 {
		c.add(fmt.Sprintf("$.steps[%d].kind", a.audits[0]), "step %s: an audit step needs at least one check in the guide to read", quote(g.Steps[a.audits[0]].ID))
	}
}

func (c *checker) action(p, name string, st *Step) {
	act := st.Action
	if act.shape != "" {
		c.addAt(p, act.Pos, "%s: action %s", name, act.shape)
		return
	}
	spec, ok := ActionSpecFor(act.Name)
	if !ok {
		c.addAt(p, act.Pos, "%s: action %s is not known%s: use %s", name, quote(act.Name), suggest(act.Name, ActionNames), quoteList(ActionNames))
		return
	}
	what := fmt.Sprintf("%s: action %s", name, act.Name)
	c.with(p, act.Pos, what, act.With, spec.Inputs, spec.Required)
	if len(spec.OneOf) > 0 && !slices.ContainsFunc(spec.OneOf, func(k string) bool { _, ok := act.With[k]; return ok }) {
		c.addAt(p, act.Pos, "%s needs with %s", what, quoteList(spec.OneOf))
	}
	_, instead := act.With[spec.Instead]
	if spec.Instead == "" || !instead {
		c.needs(p, act.Pos, what, act.With, spec.Needs, spec.Instead)
	}
	if spec.OnUser {
		c.onUser(p, act.Pos, what)
	}
	if v, ok := act.With["type"]; ok && act.Name == ActionCreateTemplate && v != "company" && v != "project" {
		c.addAt(p+".with.type", act.Pos, "%s: type %s: use \"company\" (a company permission template) or \"project\" (a project permission template, for all projects)", what, quote(v))
	}
	if v, ok := act.With["projects"]; ok && act.Name == ActionAddToProjects && !projectsValue(v, false) {
		c.addAt(p+".with.projects", act.Pos, "%s: projects %s: use \"chosen\" or project ids separated by commas (every project is a step of kind add_all)", what, quote(v))
	}
}

func (c *checker) checkList(p, name string, st *Step) {
	if len(st.Checks) == 0 {
		return
	}
	list := false
	if _, ok := lookup(c.ast, p+".check").(*ast.SequenceNode); ok {
		list = true
	}
	c.limit(p+".check", name, "checks", "a step", len(st.Checks), MaxChecks)
	seen := map[string]bool{}
	for j, ch := range st.Checks {
		cp := p + ".check"
		if list {
			cp = fmt.Sprintf("%s[%d]", cp, j)
		}
		c.auto.checks++
		if ch.shape != "" {
			c.addAt(cp, ch.Pos, "%s: check %s", name, ch.shape)
			continue
		}
		spec, ok := CheckSpecFor(ch.Name)
		if !ok {
			c.addAt(cp, ch.Pos, "%s: check %s is not known%s: use %s", name, quote(ch.Name), suggest(ch.Name, CheckNames), quoteList(CheckNames))
			continue
		}
		if seen[ch.Name] {
			c.addAt(cp, ch.Pos, "%s: check %s is declared twice in this step: each check is one requirement", name, ch.Name)
		}
		seen[ch.Name] = true
		what := fmt.Sprintf("%s: check %s", name, ch.Name)
		c.with(cp, ch.Pos, what, ch.With, spec.Inputs, spec.Required)
		c.needs(cp, ch.Pos, what, ch.With, spec.Needs, "")
		_, named := ch.With["template"]
		_, like := ch.With["email_like"]
		if (spec.OnUser && !like) || (ch.Name == CheckTemplateLevels && !named) {
			c.onUser(cp, ch.Pos, what)
		}
		if spec.Token == TokenIntegration && !c.auto.capture && st.Kind != KindCredential {
			c.addAt(cp, ch.Pos, "%s: reads with the integration's own credential, so a step of kind credential_capture must come before it", what)
		}
		if v, ok := ch.With["projects"]; ok && !projectsValue(v, true) {
			c.addAt(cp+".with.projects", ch.Pos, "%s: projects %s: use \"all\", \"chosen\" or project ids separated by commas", what, quote(v))
		}
	}
}

// with checks an action's or a check's inputs: each key one it takes, each
// required key given, each value plain text, and a value naming a role
// naming one a field of the guide has by now.
func (c *checker) with(p string, pos Pos, what string, with map[string]string, inputs, required []string) {
	keys := make([]string, 0, len(with))
	for k := range with {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := with[k]
		kp := p + ".with." + k
		if !slices.Contains(inputs, k) {
			if len(inputs) == 0 {
				c.addAt(kp, pos, "%s takes no inputs, so with %s does not belong here", what, quote(k))
			} else {
				c.addAt(kp, pos, "%s has no input %s%s: use %s", what, quote(k), suggest(k, inputs), quoteList(inputs))
			}
			continue
		}
		c.text(kp, v)
		if blank(v) {
			c.addAt(kp, pos, "%s: %s is empty", what, k)
			continue
		}
		if r := Role(v); slices.Contains(Roles, r) {
			if _, ok := c.roleAt[r]; !ok {
				c.addAt(kp, pos, "%s: %s names role %s, which no field in this step or an earlier one has", what, k, r)
			}
			continue
		}
		if k == "levels" || k == "company_levels" || k == "project_levels" {
			if _, err := ParseLevels(v); err != nil {
				c.addAt(kp, pos, "%s: levels %s: %s", what, quote(v), err)
			}
		}
	}
	for _, k := range required {
		if _, ok := with[k]; !ok {
			c.addAt(p, pos, "%s needs with %s", what, k)
		}
	}
}

// needs checks that every role the spec reads is met by a field with
// that role by now, or a With key of the role's name.
func (c *checker) needs(p string, pos Pos, what string, with map[string]string, needs []Role, instead string) {
	for _, r := range needs {
		if _, ok := with[string(r)]; ok {
			continue
		}
		if _, ok := c.roleAt[r]; ok {
			continue
		}
		msg := fmt.Sprintf("%s needs a field with role %s in this step or an earlier one", what, r)
		if instead != "" {
			msg += fmt.Sprintf(", or with %s", instead)
		} else if slices.Contains(Roles, r) {
			msg += fmt.Sprintf(", or with %s", r)
		}
		c.addAt(p, pos, "%s", msg)
	}
}

// onUser checks that the steps so far say whose user it is: an
// account_email field, an earlier step that finds or makes the user, or an
// earlier credential capture (a DMSA's user is its credential's /me).
func (c *checker) onUser(p string, pos Pos, what string) {
	if _, ok := c.roleAt[RoleAccountEmail]; ok || c.auto.userKnown {
		return
	}
	c.addAt(p, pos, "%s acts on the account's user, but no step before says which: add a field with role account_email, or a find_user or create_user action before it", what)
}

// ParseLevels reads "Tool=level,Tool=level": each tool's name and the
// level it needs at least, one of Levels.
func ParseLevels(s string) (map[string]string, error) {
	out := map[string]string{}
	for part := range strings.SplitSeq(s, ",") {
		tool, level, ok := strings.Cut(part, "=")
		tool, level = strings.TrimSpace(tool), strings.TrimSpace(level)
		switch {
		case !ok || tool == "":
			return nil, fmt.Errorf("write each tool as Tool=level, such as Directory=admin")
		case !slices.Contains(Levels, level):
			return nil, fmt.Errorf("%s: level %s: use %s", tool, quote(level), quoteList(Levels))
		case out[tool] != "":
			return nil, fmt.Errorf("%s is given twice", tool)
		}
		out[tool] = level
	}
	return out, nil
}

// projectsValue reports whether v names projects: "chosen", project ids
// separated by commas, or (where allowed) "all".
func projectsValue(v string, all bool) bool {
	switch v {
	case "chosen":
		return true
	case "all":
		return all
	}
	ids := strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' })
	for _, id := range ids {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil || n <= 0 {
			return false
		}
	}
	return len(ids) > 0
}

// suggest is " (did you mean NAME?)" for the name closest to s, or "".
func suggest(s string, names []string) string {
	best, bestD := "", 4
	for _, n := range names {
		if d := editDistance(strings.ToLower(s), n); d < bestD {
			best, bestD = n, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}
