package steps

// Role names what a field's value is to the program. Code never finds a
// field by its id, which is the guide author's to choose: it asks for the
// field with a role, which the loader checks (known, on a field of the
// right type, on at most one field of a guide).
type Role string

const (
	// RoleAccountEmail is the email address of the account the guide sets
	// up: the user that add-all adds to projects and whose password a
	// password step keeps.
	RoleAccountEmail Role = "account_email"
	// RoleFirstName and RoleLastName are that account's name, for creating
	// or renaming its user.
	RoleFirstName Role = "first_name"
	RoleLastName  Role = "last_name"
	// RoleCompanyDomain is the company's email domain.
	RoleCompanyDomain Role = "company_domain"
	// RoleAppName and RoleAppVersionKey name the app a DMSA guide installs,
	// for checking the installation.
	RoleAppName       Role = "app_name"
	RoleAppVersionKey Role = "app_version_key"
	// RoleAppLevels is the tool levels an app declares, as
	// "Tool=level,Tool=level", for proving its own token holds them.
	RoleAppLevels Role = "app_levels"
)

// Roles lists every role, in the order docs/guides.md gives them.
var Roles = []Role{RoleAccountEmail, RoleFirstName, RoleLastName, RoleCompanyDomain, RoleAppName, RoleAppVersionKey, RoleAppLevels}

// FieldType is the type of field a role may be given to, and whether the
// role is known.
func (r Role) FieldType() (FieldType, bool) {
	switch r {
	case RoleAccountEmail:
		return FieldEmail, true
	case RoleFirstName, RoleLastName, RoleAppName, RoleAppVersionKey, RoleAppLevels:
		return FieldText, true
	case RoleCompanyDomain:
		return FieldDomain, true
	}
	return "", false
}

// FieldWithRole is the guide's field with this role, if it has one.
func (g *Guide) FieldWithRole(r Role) (*Field, bool) {
	if r == "" {
		return nil, false
	}
	for i := range g.Steps {
		for j := range g.Steps[i].Fields {
			if f := &g.Steps[i].Fields[j]; f.Role == r {
				return f, true
			}
		}
	}
	return nil, false
}

// RoleValue is the value of the field with this role, or "" when the guide
// has no such field or it is empty.
func (w *Walker) RoleValue(r Role) string {
	if f, ok := w.Guide.FieldWithRole(r); ok {
		return w.Session.Values[f.ID]
	}
	return ""
}

// RoleValues is the value of every field that has a role, by role: a copy,
// for handing to work done elsewhere while the walk goes on.
func (w *Walker) RoleValues() map[Role]string {
	out := map[Role]string{}
	for _, st := range w.Guide.Steps {
		for _, f := range st.Fields {
			if f.Role != "" {
				out[f.Role] = w.Session.Values[f.ID]
			}
		}
	}
	return out
}

// DefaultRoleValues is the default of every field that has a role and
// one, by role: what an audit of a setup made outside a walk checks
// against, as the guide recommends it (a name it suggests).
func (g *Guide) DefaultRoleValues() map[Role]string {
	out := map[Role]string{}
	for _, st := range g.Steps {
		for _, f := range st.Fields {
			if f.Role != "" && f.Default != "" {
				out[f.Role] = f.Default
			}
		}
	}
	return out
}

// DefaultAnswers is the default of every field that has one, by field id:
// the answers an audit outside a walk takes, so that a step an answer
// makes not apply is left out as the guide's default says.
func (g *Guide) DefaultAnswers() map[string]string {
	out := map[string]string{}
	for _, st := range g.Steps {
		for _, f := range st.Fields {
			if f.Default != "" {
				out[f.ID] = f.Default
			}
		}
	}
	return out
}
