// Package walkthrough derives, from a guide, the keys a person presses to
// walk it from the first step to the last with valid answers. Tests use it to
// drive the wizard through any guide: in-process (teatest) and in a real
// terminal (tmux), so that a guide edit never needs a test edit.
package walkthrough

import (
	"slices"
	"strconv"
	"strings"

	"github.com/procore-sa/procore-sa/steps"
)

// Password meets Procore's default policy and seed 000's.
const Password = "Sync3r!Passw0rd"

// Action is one thing done at the keyboard: press a named key (as Bubble
// Tea names it: "enter", "space", "tab", "down"...) or type some text.
type Action struct {
	Key  string
	Text string
	// Wait, when set, is text to wait for on the screen before going on
	// (the end of work the wizard does in the background).
	Wait string
}

// Capture is what to enter at a credential capture step, when the wizard
// keeps credentials (else the step is a checklist).
type Capture struct {
	ClientID, Secret, CompanyID string
	NoProve                     bool // untick "check them with Procore first"
}

// Options say which steps the wizard runs for real rather than as
// checklists.
type Options struct {
	Capture    *Capture // credential capture steps take these
	LiveVerify bool     // verify steps check with Procore (the demo)
	LiveAddAll bool     // add-all steps run through Procore's API (the demo)
	LiveLogin  bool     // admin-login steps sign in (the demo approves at once)
	// KeepPasswords: a user login's password is saved to the keychain
	// before the wizard goes on.
	KeepPasswords bool
	// LiveActions: a step's action is planned and done through Procore's
	// API (the demo); else the step is its checklist.
	LiveActions bool
	// LiveAudit: the audit step reads every check from Procore (the demo).
	LiveAudit bool
	// Answers, when set, says for a guide what to type into a field with
	// a role and no default, when valid there: the simulator's app name,
	// the email address of a user that is there already. An email's
	// domain field takes its domain.
	Answers func(*steps.Guide) map[steps.Role]string
	// Choose, by field id, is the option a choice field takes instead of
	// its default ("existing": "Specific ones"); the steps that answer
	// makes not apply are passed over.
	Choose map[string]string
	// PickProjects is how many projects, from the top of the list, a live
	// action of the chosen projects ticks when its plan asks for them.
	PickProjects int
}

// ActionDone and AuditRead are what the wizard shows once a step's action
// is done, and once the audit is read; Chooser, while it offers the
// projects to choose.
const (
	ActionDone = "✓ done:"
	AuditRead  = "Requirement"
	Chooser    = "Tick the projects the account is to be on"
)

// Step is the actions that complete one step.
type Step struct {
	Index   int
	Title   string
	Actions []Action
}

func press(keys ...string) []Action {
	a := make([]Action, len(keys))
	for i, k := range keys {
		a[i] = Action{Key: k}
	}
	return a
}

// Script returns, step by step, the keys that walk g to its end, with
// every step a screen of its kind or a checklist. A step with an action,
// and the audit step, are walked as checklists (the audit as a page to read)
// while the wizard has no part that does them; a step that an earlier
// answer makes not apply has no keys, as the wizard passes over it.
func Script(g *steps.Guide) []Step { return ScriptWith(g, Options{}) }

// ScriptWith is Script for a wizard that runs some steps for real.
func ScriptWith(g *steps.Guide, o Options) []Step {
	fill := newFiller(g, o)
	values := map[string]string{}
	out := make([]Step, 0, len(g.Steps))
	for i, st := range g.Steps {
		if ok, _ := st.Applies(values); !ok {
			continue // an earlier answer made it not apply: the wizard passes over it
		}
		var a []Action
		switch {
		case st.Kind == steps.KindCredential && o.Capture != nil:
			a = append(a, Action{Text: o.Capture.ClientID}, Action{Key: "tab"}, Action{Text: o.Capture.Secret},
				Action{Key: "tab"}, Action{Text: o.Capture.CompanyID})
			if o.Capture.NoProve {
				a = append(a, Action{Key: "tab"}, Action{Key: "space"})
			}
			a = append(a, Action{Key: "enter"}, Action{Wait: "Press enter to keep it and continue"}, Action{Key: "enter"})
			out = append(out, Step{Index: i, Title: st.Title, Actions: a})
			continue
		case st.Kind == steps.KindAddAll && o.LiveAddAll:
			a = append(a, Action{Key: "enter"}, Action{Wait: "Press enter to add"}, Action{Key: "enter"},
				Action{Wait: "Press enter to continue"}, Action{Key: "enter"})
			out = append(out, Step{Index: i, Title: st.Title, Actions: a})
			continue
		case st.Kind == steps.KindAdminLogin && o.LiveLogin:
			a = append(a, Action{Key: "enter"}, Action{Wait: "Press enter to continue"}, Action{Key: "enter"})
			out = append(out, Step{Index: i, Title: st.Title, Actions: a})
			continue
		case st.Kind == steps.KindAudit && o.LiveAudit:
			a = append(a, Action{Key: "enter"}, Action{Wait: AuditRead}, Action{Key: "enter"})
			out = append(out, Step{Index: i, Title: st.Title, Actions: a})
			continue
		case st.Action != nil && o.LiveActions && st.Kind == steps.KindForm:
			// The form first: going on from it reads the plan.
			a = append(a, fill.form(st, values)...)
			a = append(a, Action{Key: "enter"}, Action{Wait: "The plan"}, Action{Key: "enter"},
				Action{Wait: ActionDone}, Action{Key: "enter"})
			out = append(out, Step{Index: i, Title: st.Title, Actions: a})
			continue
		case st.Action != nil && o.LiveActions && st.Kind != steps.KindPassword:
			a = append(a, Action{Key: "enter"})
			if o.PickProjects > 0 && strings.EqualFold(st.Action.With["projects"], "chosen") {
				// The plan asks for the projects: tick the first few, confirm.
				a = append(a, Action{Wait: Chooser})
				for range o.PickProjects {
					a = append(a, press("space", "down")...)
				}
				a = append(a, Action{Key: "enter"})
			}
			a = append(a, Action{Wait: "The plan"}, Action{Key: "enter"},
				Action{Wait: ActionDone}, Action{Key: "enter"})
			out = append(out, Step{Index: i, Title: st.Title, Actions: a})
			continue
		case st.Kind == steps.KindVerify && o.LiveVerify:
			a = append(a, Action{Key: "enter"}, Action{Wait: "The credential works"}, Action{Key: "enter"})
			out = append(out, Step{Index: i, Title: st.Title, Actions: a})
			continue
		}
		for range st.Checklist {
			a = append(a, press("space", "down")...) // a tick stays on its item
		}
		switch st.Kind {
		case steps.KindForm:
			a = append(a, fill.form(st, values)...)
		case steps.KindPassword:
			a = append(a, Action{Text: Password})
			if g.Policy().Confirm {
				a = append(a, press("tab")...)
				a = append(a, Action{Text: Password})
			}
			if o.KeepPasswords && g.AccountModel == steps.UserLogin {
				a = append(a, Action{Key: "enter"}, Action{Wait: "Press enter to keep it and continue"})
			}
		case steps.KindMatrix:
			cols := len(st.Matrix.Columns)
			for r := range st.Matrix.Rows {
				for c := range cols {
					a = append(a, press("space")...)
					if c < cols-1 {
						a = append(a, press("right")...)
					}
				}
				if r < len(st.Matrix.Rows)-1 {
					a = append(a, press("down")...)
					for range cols - 1 {
						a = append(a, press("left")...)
					}
				}
			}
		}
		a = append(a, press("enter")...)
		out = append(out, Step{Index: i, Title: st.Title, Actions: a})
	}
	return out
}

// Value is the valid value a walk of g under o gives field f, given the
// values of the fields answered before it (by field id), and records it
// there: its default when valid (a choice's default, else its first
// option), the answer o gives its role, or a value made to fit its type.
// A front-end that asks field by field (the plain wizard) is answered
// with it as the full-screen wizard is typed into.
func Value(g *steps.Guide, o Options, f steps.Field, values map[string]string) string {
	return newFiller(g, o).value(f, values)
}

// filler knows what to type into fields.
type filler struct {
	domainOf map[string]string
	roles    map[steps.Role]string
	choose   map[string]string
}

// newFiller is the filler for g under o: the answers for roles, and the
// domain each field an email takes its domain from is given.
func newFiller(g *steps.Guide, o Options) filler {
	fill := filler{domainOf: map[string]string{}, choose: o.Choose} // field ids used as an email's domain, and the domain
	if o.Answers != nil {
		fill.roles = o.Answers(g)
	}
	for _, st := range g.Steps {
		for _, f := range st.Fields {
			if f.DomainFrom != "" {
				d := "example.com"
				if _, at, ok := strings.Cut(fill.roles[f.Role], "@"); ok && at != "" {
					d = at
				}
				fill.domainOf[f.DomainFrom] = d
			}
		}
	}
	return fill
}

// form fills every field of a form step with a valid value.
func (fl filler) form(st steps.Step, values map[string]string) []Action {
	var a []Action
	for j, f := range st.Fields {
		a = append(a, fl.field(f, values)...)
		if j < len(st.Fields)-1 {
			a = append(a, press("tab")...)
		}
	}
	return a
}

// field returns the keys that give f a valid value, recording it in values.
func (fl filler) field(f steps.Field, values map[string]string) []Action {
	v := fl.value(f, values)
	switch {
	case f.Type == steps.FieldChoice && v != fl.start(f):
		// Right moves to the next option, from the default (none: the
		// first press selects the first).
		n, to := len(f.Options), slices.Index(f.Options, v)
		if from := slices.Index(f.Options, f.Default); from >= 0 {
			n = (to - from + n) % n
		} else {
			n = to + 1
		}
		return press(slices.Repeat([]string{"right"}, n)...)
	case f.Type == steps.FieldChoice && f.Default == "":
		return press("right") // the first press of right selects the first option
	case f.Type == steps.FieldChoice, f.Default != "" && v == f.Default:
		return nil // already filled in
	}
	return []Action{{Text: v}}
}

// value is the valid value f gets, recorded in values.
func (fl filler) value(f steps.Field, values map[string]string) string {
	v := fl.pick(f, values)
	values[f.ID] = v
	return v
}

// start is the option a choice field holds before anything is pressed.
func (fl filler) start(f steps.Field) string {
	if f.Default == "" {
		return f.Options[0]
	}
	return f.Default
}

func (fl filler) pick(f steps.Field, values map[string]string) string {
	if f.Type == steps.FieldChoice {
		if v, ok := fl.choose[f.ID]; ok && slices.Contains(f.Options, v) {
			return v
		}
		return fl.start(f)
	}
	if f.Default != "" && f.Validate(f.Default, values) == nil {
		return f.Default
	}
	if v, ok := fl.roles[f.Role]; ok && f.Role != "" && f.Default == "" && f.Validate(v, values) == nil {
		return v
	}
	switch f.Type {
	case steps.FieldEmail:
		d := f.Domain
		if f.DomainFrom != "" {
			d = values[f.DomainFrom]
		}
		if d == "" {
			d = "example.com"
		}
		return "integration@" + d
	case steps.FieldNumber:
		n := int64(1)
		if f.Min != nil {
			n = *f.Min
		}
		return strconv.FormatInt(n, 10)
	}
	if domain, ok := fl.domainOf[f.ID]; ok {
		return domain
	}
	if f.Role == steps.RoleAppLevels {
		return DemoAppLevels
	}
	return "Test"
}
