// Package steps holds setup guides as data: the guide model, its step kinds,
// the password policy, the loader for built-in and personal guide files, and
// the step engine that walks a guide. It has no terminal code, so the wizard,
// a plain line mode and the tests all drive the same engine.
package steps

import "strings"

// AccountModel names the kind of account a guide sets up.
type AccountModel string

const (
	// UserLogin is a dedicated, person-like directory user with an email
	// address and a password (seeds 000 and 001).
	UserLogin AccountModel = "user_login"
	// LegacyServiceAccount is Procore's retired service account (seeds 002
	// and 003): no longer creatable since January 2025, dead since March 2025.
	LegacyServiceAccount AccountModel = "legacy_service_account"
	// DMSA is a Developer Managed Service Account: an installed app whose
	// directory user Procore creates (seed 004 and the generic dmsa guide).
	DMSA AccountModel = "dmsa"
)

// AccountModels lists the valid account models, in display order.
var AccountModels = []AccountModel{UserLogin, LegacyServiceAccount, DMSA}

// Kind is a step kind. Each kind has one screen in the wizard.
type Kind string

const (
	KindNotice      Kind = "notice"      // text to read; no input
	KindInstruction Kind = "instruction" // something to do in Procore, with a checklist to tick
	KindForm        Kind = "form"        // fields to fill in
	KindPassword    Kind = "password"    // choose a password that meets the guide's policy
	KindMatrix      Kind = "matrix"      // rows by columns of checkboxes

	// Kinds the tool does through the API, each with a screen of its own.
	// Done, they are recorded as an Outcome; done by hand instead, their
	// checklist is the person's.
	KindCredential Kind = "credential_capture" // one-time client ID and secret
	KindAdminLogin Kind = "admin_login"        // the admin's own OAuth login
	KindAddAll     Kind = "add_all"            // add the account to every project
	KindVerify     Kind = "verify"             // prove the credential works

	// KindAudit is a guide's last step: every check of the guide, read
	// from Procore, each requirement held or not with how to fix it.
	KindAudit Kind = "audit"
)

// Kinds lists every valid step kind.
var Kinds = []Kind{
	KindNotice, KindInstruction, KindForm, KindPassword, KindMatrix,
	KindCredential, KindAdminLogin, KindAddAll, KindVerify, KindAudit,
}

// Automated reports whether the tool does steps of this kind, so that one
// is complete only with an outcome or, done by hand, its checklist ticked.
func (k Kind) Automated() bool {
	switch k {
	case KindCredential, KindAdminLogin, KindAddAll, KindVerify:
		return true
	}
	return false
}

// Guide is one setup guide: the steps a person follows to set up the
// account an integration uses to reach Procore.
type Guide struct {
	ID           string          `yaml:"id" json:"id"`
	Title        string          `yaml:"title" json:"title"`
	Vendor       string          `yaml:"vendor" json:"vendor"`
	Source       string          `yaml:"source" json:"source"` // the vendor page this guide is made from
	AccountModel AccountModel    `yaml:"account_model" json:"account_model"`
	Summary      string          `yaml:"summary" json:"summary"`
	Password     *PasswordPolicy `yaml:"password_policy,omitempty" json:"password_policy,omitempty"`
	Steps        []Step          `yaml:"steps" json:"steps"`

	// File is where the guide was read from: "builtin:NAME.yaml" or a path.
	File string `yaml:"-" json:"file"`
}

// Policy returns the guide's password policy, or Procore's documented
// default where the guide names none.
func (g *Guide) Policy() PasswordPolicy {
	if g.Password != nil {
		return *g.Password
	}
	return DefaultPolicy()
}

// Step is one step of a guide. Which fields matter depends on Kind.
type Step struct {
	ID    string `yaml:"id" json:"id"`
	Kind  Kind   `yaml:"kind" json:"kind"`
	Title string `yaml:"title" json:"title"`
	Body  string `yaml:"body,omitempty" json:"body,omitempty"`

	// Level is "info" or "warning" for a notice.
	Level string `yaml:"level,omitempty" json:"level,omitempty"`
	// Checklist items must all be ticked before the step is complete.
	Checklist []string `yaml:"checklist,omitempty" json:"checklist,omitempty"`
	// Fields of a form.
	Fields []Field `yaml:"fields,omitempty" json:"fields,omitempty"`
	// Matrix of a permissions matrix step.
	Matrix *Matrix `yaml:"matrix,omitempty" json:"matrix,omitempty"`
	// For names whose password a password step sets ("the Spectrum account").
	For string `yaml:"for,omitempty" json:"for,omitempty"`

	// Action is what the tool does for this step through Procore's API;
	// the checklist stays for doing it by hand.
	Action *Action `yaml:"action,omitempty" json:"action,omitempty"`
	// Checks are what the tool reads to prove the step's end state.
	Checks CheckList `yaml:"check,omitempty" json:"check,omitempty"`
	// SkipIf makes the step not apply when an earlier choice has this
	// answer; Because, required there, says why.
	SkipIf *Condition `yaml:"skip_if,omitempty" json:"skip_if,omitempty"`
	// VendorStep is the vendor page's own number for this step ("3",
	// "4.2"), shown beside the wizard's where the two differ.
	VendorStep string `yaml:"vendor_step,omitempty" json:"vendor_step,omitempty"`
}

// Condition is an answer to an earlier choice field: the field's id and
// one of its options.
type Condition struct {
	Field string `yaml:"field" json:"field"`
	Is    string `yaml:"is" json:"is"`
	// Because says, for a step it skips, why the step does not apply.
	Because string `yaml:"because,omitempty" json:"because,omitempty"`
}

// Holds reports whether the answers in values meet the condition.
func (c *Condition) Holds(values map[string]string) bool {
	return c != nil && strings.TrimSpace(values[c.Field]) == c.Is
}

// Applies reports whether the step applies given the answers so far, and
// when it does not, why.
func (s *Step) Applies(values map[string]string) (ok bool, because string) {
	if s.SkipIf.Holds(values) {
		return false, s.SkipIf.Because
	}
	return true, ""
}

// Automated reports whether the tool can do this step: a kind it does, or
// a step with an action. Without an outcome such a step is the person's to
// do by hand, by its checklist.
func (s *Step) Automated() bool { return s.Kind.Automated() || s.Action != nil }

// FieldType is the type of a form field.
type FieldType string

const (
	FieldText   FieldType = "text"
	FieldEmail  FieldType = "email"
	FieldNumber FieldType = "number"
	FieldChoice FieldType = "choice"
	// FieldDomain is an internet domain such as example.com: the company's
	// email domain that an email field's domain_from names.
	FieldDomain FieldType = "domain"
)

// FieldTypes lists every valid field type.
var FieldTypes = []FieldType{FieldText, FieldEmail, FieldNumber, FieldChoice, FieldDomain}

// Field is one input of a form step.
type Field struct {
	ID          string    `yaml:"id" json:"id"`
	Label       string    `yaml:"label" json:"label"`
	Type        FieldType `yaml:"type" json:"type"`
	Help        string    `yaml:"help,omitempty" json:"help,omitempty"`
	Default     string    `yaml:"default,omitempty" json:"default,omitempty"`
	Placeholder string    `yaml:"placeholder,omitempty" json:"placeholder,omitempty"`
	Required    bool      `yaml:"required,omitempty" json:"required,omitempty"`
	// Role names what the value is to the program, for a field that code
	// reads (the account's email address, its name); see Roles.
	Role Role `yaml:"role,omitempty" json:"role,omitempty"`

	// Domain is the domain an email must be on (e.g. "procore.com").
	Domain string `yaml:"domain,omitempty" json:"domain,omitempty"`
	// DomainFrom names an earlier field (any step) whose value is the domain
	// an email must be on, e.g. the company's domain asked for first.
	DomainFrom string `yaml:"domain_from,omitempty" json:"domain_from,omitempty"`
	// Options of a choice field.
	Options []string `yaml:"options,omitempty" json:"options,omitempty"`
	// Min and Max bound a number field.
	Min *int64 `yaml:"min,omitempty" json:"min,omitempty"`
	Max *int64 `yaml:"max,omitempty" json:"max,omitempty"`
	// RequiredIf makes the field required when an earlier choice has this
	// answer (an App Version Key for a custom install).
	RequiredIf *Condition `yaml:"required_if,omitempty" json:"required_if,omitempty"`
}

// Matrix is a grid of checkboxes, e.g. ERP sync types by Can Import and Can
// Export. With RequireAll every box must be ticked to go on.
type Matrix struct {
	Rows       []string `yaml:"rows" json:"rows"`
	Columns    []string `yaml:"columns" json:"columns"`
	RequireAll bool     `yaml:"require_all,omitempty" json:"require_all,omitempty"`
}

// PasswordPolicy is a guide's password rules. Passwords cannot be set through
// Procore's API, so the policy checks what the admin will type into Procore.
type PasswordPolicy struct {
	MinLength int `yaml:"min_length" json:"min_length"`
	// Require lists the character classes needed: upper, lower, digit, special.
	Require []string `yaml:"require" json:"require"`
	// Specials is the set of allowed special characters.
	Specials string `yaml:"specials" json:"specials"`
	// Confirm asks for the password twice.
	Confirm bool `yaml:"confirm" json:"confirm"`
}

// ProcoreSpecials is the special-character set Procore's help pages list.
const ProcoreSpecials = "!@#$%^&*"

// DefaultPolicy is Procore's documented policy for people: at least 8
// characters with an uppercase letter, a lowercase letter, a digit and one
// of !@#$%^&*, typed twice.
func DefaultPolicy() PasswordPolicy {
	return PasswordPolicy{
		MinLength: 8,
		Require:   []string{"upper", "lower", "digit", "special"},
		Specials:  ProcoreSpecials,
		Confirm:   true,
	}
}
