package steps

import (
	"fmt"
	"slices"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
)

// Pos is where a guide declares something: line and column from 1, or zero
// for a guide built in code.
type Pos struct {
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
}

// Action is what the tool does through Procore's API for a step, as the
// guide declares it: `action: NAME` or `action: {name: NAME, with: {...}}`.
type Action struct {
	Name string `json:"name"` // one of ActionNames
	// With is the action's inputs by key: a value that is a role's name
	// ("account_email") stands for the value of the field with that role;
	// anything else is a literal (a template name, a tool level).
	With map[string]string `json:"with,omitempty"`
	Pos  Pos               `json:"-"`

	shape string // what was wrong with the YAML's shape, for the loader to say where
}

// Check is what the tool reads to prove a step's end state:
// `check: NAME`, `check: {name: NAME, with: {...}}`, or a list of either.
type Check struct {
	Name string            `json:"name"` // one of CheckNames
	With map[string]string `json:"with,omitempty"`
	Pos  Pos               `json:"-"`

	shape string
}

// CheckList is a step's checks: one check or a list of them in YAML.
type CheckList []Check

// Token is whose sign-in a check reads Procore with.
const (
	TokenAdmin       = "admin"       // the admin's own sign-in
	TokenIntegration = "integration" // the integration's captured credential
)

// ActionSpec says what an action needs; the loader and docs/guides.md read it.
type ActionSpec struct {
	Name string
	// Needs lists the roles the action reads. Each is met by a field with
	// that role in the same or an earlier step, or by a With key of the
	// role's name (a literal, such as the name a user is renamed to).
	Needs []Role
	// Instead is an input that, given, stands in for all of Needs (a
	// search pattern in place of the account's email address).
	Instead string
	// Inputs are the keys allowed in With; Required must be given, and
	// at least one of OneOf.
	Inputs   []string
	Required []string
	OneOf    []string
	// ChangesDirectory: it needs the admin's sign-in, so an admin_login
	// step must come before it.
	ChangesDirectory bool
	// OnUser: it acts on the account's user, which an earlier action
	// found or made, or which the account_email field names.
	OnUser bool
	// Does is what it does, in a person's words, for docs and plans.
	Does string
}

// CheckSpec says what a check needs and whose sign-in reads it.
type CheckSpec struct {
	Name     string
	Needs    []Role
	Inputs   []string
	Required []string
	Token    string // TokenAdmin or TokenIntegration
	OnUser   bool
	// Reads is what Procore is asked, in a person's words.
	Reads string
}

// Action names: the closed set. Add, never rename.
const (
	ActionCreateUser       = "create_user"
	ActionFindUser         = "find_user"
	ActionRenameUser       = "rename_user"
	ActionInviteUser       = "invite_user"
	ActionAssignTemplates  = "assign_templates"
	ActionCreateTemplate   = "create_template"
	ActionAddToNewProjects = "add_to_new_projects"
	ActionAddToProjects    = "add_to_projects"
)

// Check names: the closed set. Add, never rename.
const (
	CheckUserExists             = "user_exists"
	CheckUserName               = "user_name"
	CheckUserTemplates          = "user_templates"
	CheckCompanyNotAdmin        = "company_not_admin"
	CheckTemplateLevels         = "template_levels"
	CheckInvitationSent         = "invitation_sent"
	CheckAddToNewProjects       = "add_to_new_projects"
	CheckProjectMembership      = "project_membership"
	CheckProjectAssignments     = "project_assignments"
	CheckInstallation           = "installation"
	CheckPermittedProjects      = "permitted_projects"
	CheckIntegrationPermissions = "integration_permissions"
	CheckCredentialWorks        = "credential_works"
)

// ActionSpecs is every action, in the order docs/guides.md gives them.
var ActionSpecs = []ActionSpec{
	{Name: ActionCreateUser, Needs: []Role{RoleAccountEmail, RoleFirstName, RoleLastName},
		Inputs: []string{"account_email", "first_name", "last_name", "company_template", "project_template"}, ChangesDirectory: true,
		Does: "adds the account's user to the Company Directory; if it is there already, finds it"},
	{Name: ActionFindUser, Needs: []Role{RoleAccountEmail}, Instead: "email_like",
		Inputs: []string{"account_email", "email_like"},
		Does:   "searches the Company Directory for the account's user and keeps its user ID"},
	{Name: ActionRenameUser, Needs: []Role{RoleFirstName, RoleLastName},
		Inputs: []string{"first_name", "last_name"}, ChangesDirectory: true, OnUser: true,
		Does: "sets the user's first and last name"},
	{Name: ActionInviteUser, ChangesDirectory: true, OnUser: true,
		Does: "sends the user Procore's invitation (welcome email)"},
	{Name: ActionCreateTemplate, Inputs: []string{"template", "type", "levels"}, Required: []string{"template", "type", "levels"},
		ChangesDirectory: true,
		Does:             "creates a company or project permission template with the tool levels given, unless Procore has one of that name"},
	{Name: ActionAssignTemplates, Inputs: []string{"company_template", "project_template", "company_levels", "project_levels"},
		OneOf: []string{"company_template", "project_template"}, ChangesDirectory: true, OnUser: true,
		Does: "finds the company and project permission templates by name, creates one that is missing when its levels are given, and sets them on the user"},
	{Name: ActionAddToNewProjects, ChangesDirectory: true, OnUser: true,
		Does: "turns on the user's Add to all new projects"},
	{Name: ActionAddToProjects, Inputs: []string{"projects", "project_template"}, Required: []string{"projects"},
		ChangesDirectory: true, OnUser: true,
		Does: "adds the user to the projects chosen"},
}

// CheckSpecs is every check, in the order docs/guides.md gives them.
var CheckSpecs = []CheckSpec{
	{Name: CheckUserExists, Inputs: []string{"email_like"}, Token: TokenAdmin, OnUser: true,
		Reads: "the account's user is in the Company Directory and active"},
	{Name: CheckUserName, Needs: []Role{RoleFirstName, RoleLastName}, Inputs: []string{"first_name", "last_name"},
		Token: TokenAdmin, OnUser: true,
		Reads: "the user's first and last name"},
	{Name: CheckUserTemplates, Inputs: []string{"company_template", "project_template"},
		Token: TokenAdmin, OnUser: true,
		Reads: "the user's company and project permission templates"},
	{Name: CheckCompanyNotAdmin, Token: TokenAdmin, OnUser: true,
		Reads: "the user's company permission template is not Company Admin"},
	{Name: CheckTemplateLevels, Inputs: []string{"template", "levels"}, Required: []string{"levels"},
		Token: TokenAdmin,
		Reads: "a permission template (by name, else the user's company permission template) grants at least the tool levels given"},
	{Name: CheckInvitationSent, Token: TokenAdmin, OnUser: true,
		Reads: "the user's invitation (welcome email) was sent"},
	{Name: CheckAddToNewProjects, Token: TokenIntegration, OnUser: true,
		Reads: "the user's Add to all new projects is on (Procore shows it only to the user itself)"},
	{Name: CheckProjectMembership, Inputs: []string{"projects"}, Token: TokenAdmin, OnUser: true,
		Reads: "the user is on every active project, or on the projects chosen"},
	{Name: CheckProjectAssignments, Token: TokenAdmin, OnUser: true,
		Reads: "which active projects the user is on, with its template on each (a report: it holds whatever the answer)"},
	{Name: CheckInstallation, Needs: []Role{RoleAppName}, Inputs: []string{"app_name", "app_version_key"},
		Token: TokenAdmin,
		Reads: "the app is installed in the company (App Management)"},
	{Name: CheckPermittedProjects, Token: TokenIntegration,
		Reads: "the projects the integration's own token sees"},
	{Name: CheckIntegrationPermissions, Inputs: []string{"levels"}, Required: []string{"levels"},
		Token: TokenIntegration,
		Reads: "the tool levels the integration's own token holds"},
	{Name: CheckCredentialWorks, Token: TokenIntegration,
		Reads: "the captured credential gets a token and reads /me and the companies"},
}

// ActionNames and CheckNames are the closed sets, in spec order.
var (
	ActionNames = specNames(ActionSpecs, func(s ActionSpec) string { return s.Name })
	CheckNames  = specNames(CheckSpecs, func(s CheckSpec) string { return s.Name })
)

func specNames[S any](specs []S, name func(S) string) []string {
	out := make([]string, len(specs))
	for i, s := range specs {
		out[i] = name(s)
	}
	return out
}

// ActionSpecFor is the spec of the action called name.
func ActionSpecFor(name string) (ActionSpec, bool) {
	i := slices.IndexFunc(ActionSpecs, func(s ActionSpec) bool { return s.Name == name })
	if i < 0 {
		return ActionSpec{}, false
	}
	return ActionSpecs[i], true
}

// CheckSpecFor is the spec of the check called name.
func CheckSpecFor(name string) (CheckSpec, bool) {
	i := slices.IndexFunc(CheckSpecs, func(s CheckSpec) bool { return s.Name == name })
	if i < 0 {
		return CheckSpec{}, false
	}
	return CheckSpecs[i], true
}

// ChangesDirectory reports whether doing the step changes the Company
// Directory with the admin's sign-in: an add_all step, or a step whose
// action does.
func (s *Step) ChangesDirectory() bool {
	if s.Kind == KindAddAll {
		return true
	}
	if s.Action != nil {
		sp, ok := ActionSpecFor(s.Action.Name)
		return ok && sp.ChangesDirectory
	}
	return false
}

// AllChecks is every check of the guide with the step that declares it, in
// step order: what an audit reads.
func (g *Guide) AllChecks() []StepCheck {
	var out []StepCheck
	for _, st := range g.Steps {
		for _, c := range st.Checks {
			out = append(out, StepCheck{Step: st.ID, Check: c})
		}
	}
	return out
}

// ChecksApplying is AllChecks without the checks of steps that the
// answers in values make not apply (a vendor's app has no credential to
// prove); with no answers, every check.
func (g *Guide) ChecksApplying(values map[string]string) []StepCheck {
	var out []StepCheck
	for i := range g.Steps {
		st := &g.Steps[i]
		if ok, _ := st.Applies(values); !ok {
			continue
		}
		for _, c := range st.Checks {
			out = append(out, StepCheck{Step: st.ID, Check: c})
		}
	}
	return out
}

// StepCheck is one check of a guide and the step that declares it.
type StepCheck struct {
	Step  string
	Check Check
}

// ID is the check's stable requirement id: "<step id>/<check name>".
func (sc StepCheck) ID() string { return sc.Step + "/" + sc.Check.Name }

// namedWith is the mapping form of an action or a check.
type namedWith struct {
	Name string            `yaml:"name"`
	With map[string]string `yaml:"with"`
}

// decodeNamed reads a name or a {name, with} mapping. A node of another
// shape, or a mapping with other keys, is kept as a shape problem that
// the loader reports at the node's position.
func decodeNamed(n ast.Node) (name string, with map[string]string, pos Pos, shape string) {
	line, col := nodePos(n)
	pos = Pos{Line: line, Column: col}
	switch v := unwrap(n).(type) {
	case *ast.StringNode:
		return v.Value, nil, pos, ""
	case *ast.MappingNode, *ast.MappingValueNode:
		var nw namedWith
		if err := yaml.NodeToValue(n, &nw, yaml.Strict()); err != nil {
			return "", nil, pos, "must be a name, or a mapping of name and with (a mapping of text values)"
		}
		if nw.Name == "" {
			return "", nil, pos, "has no name"
		}
		return nw.Name, nw.With, pos, ""
	}
	return "", nil, pos, "must be a name, or a mapping of name and with"
}

// unwrap skips a tag or an anchor around a node.
func unwrap(n ast.Node) ast.Node {
	for {
		switch v := n.(type) {
		case *ast.TagNode:
			n = v.Value
		case *ast.AnchorNode:
			n = v.Value
		default:
			return n
		}
	}
}

// UnmarshalYAML reads an action from its node, keeping where it is.
func (a *Action) UnmarshalYAML(n ast.Node) error {
	a.Name, a.With, a.Pos, a.shape = decodeNamed(n)
	return nil
}

// UnmarshalYAML reads a check from its node, keeping where it is.
func (c *Check) UnmarshalYAML(n ast.Node) error {
	c.Name, c.With, c.Pos, c.shape = decodeNamed(n)
	return nil
}

// UnmarshalYAML reads one check or a list of them.
func (l *CheckList) UnmarshalYAML(n ast.Node) error {
	if seq, ok := unwrap(n).(*ast.SequenceNode); ok {
		out := make(CheckList, len(seq.Values))
		for i, v := range seq.Values {
			if err := out[i].UnmarshalYAML(v); err != nil {
				return err
			}
		}
		*l = out
		return nil
	}
	var c Check
	if err := c.UnmarshalYAML(n); err != nil {
		return err
	}
	*l = CheckList{c}
	return nil
}

// String is the action as a guide would write it, for messages.
func (a Action) String() string { return describeNamed(a.Name, a.With) }

// String is the check as a guide would write it, for messages.
func (c Check) String() string { return describeNamed(c.Name, c.With) }

func describeNamed(name string, with map[string]string) string {
	if len(with) == 0 {
		return name
	}
	keys := make([]string, 0, len(with))
	for k := range with {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	s := name + " {"
	for i, k := range keys {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s: %q", k, with[k])
	}
	return s + "}"
}

// Describe says what the action does, for the offer before its plan, in
// the closed set's own words.
func (a Action) Describe() string {
	if spec, ok := ActionSpecFor(a.Name); ok && spec.Does != "" {
		return "it " + spec.Does
	}
	return "it runs " + a.Name + " through Procore's API"
}
