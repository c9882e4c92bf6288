package steps

import (
	"maps"
	"strings"
	"testing"
	"time"
)

func TestParseRoles(t *testing.T) {
	head := "id: x\ntitle: X\naccount_model: user_login\nsteps:\n  - id: a\n    kind: form\n    title: A\n    fields:\n"
	for _, tt := range []struct {
		name, fields, want string
	}{
		{"unknown", "      - {id: e, label: E, type: email, role: email}\n",
			`x.yaml:9:46: field "e": role "email" is not known: use account_email, first_name, last_name, company_domain, app_name, app_version_key or app_levels`},
		{"wrong type", "      - {id: e, label: E, type: text, role: account_email}\n",
			`x.yaml:9:45: field "e": role account_email is for a field of type email, not text`},
		{"twice", "      - {id: e, label: E, type: email, role: account_email}\n      - {id: f, label: F, type: email, role: account_email}\n",
			`x.yaml:10:46: field "f": role account_email is already given to field "e": a role names one field of a guide`},
		{"domain on text", "      - {id: d, label: D, type: text, role: company_domain}\n",
			`x.yaml:9:45: field "d": role company_domain is for a field of type domain, not text`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(head+tt.fields))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error %v\nwant it to start %q", err, tt.want)
			}
		})
	}
	ok := head + "      - {id: d, label: D, type: domain, role: company_domain}\n      - {id: e, label: E, type: email, role: account_email, domain_from: d}\n" +
		"      - {id: f, label: F, type: text, role: first_name}\n      - {id: l, label: L, type: text, role: last_name}\n"
	g, err := Parse("x.yaml", []byte(ok))
	if err != nil {
		t.Fatal(err)
	}
	for r, id := range map[Role]string{RoleCompanyDomain: "d", RoleAccountEmail: "e", RoleFirstName: "f", RoleLastName: "l"} {
		if f, ok := g.FieldWithRole(r); !ok || f.ID != id {
			t.Errorf("FieldWithRole(%s) = %v, %v; want field %s", r, f, ok, id)
		}
	}
	if f, ok := g.FieldWithRole(RoleAppName); ok {
		t.Errorf("FieldWithRole(app_name) = %v in a guide without one", f)
	}
	if f, ok := g.FieldWithRole(""); ok {
		t.Errorf("FieldWithRole(\"\") = %v", f)
	}
}

// TestRolesHaveTypes keeps Roles and FieldType in step.
func TestRolesHaveTypes(t *testing.T) {
	for _, r := range Roles {
		if _, ok := r.FieldType(); !ok {
			t.Errorf("role %s has no field type", r)
		}
	}
	if _, ok := Role("email").FieldType(); ok {
		t.Error("an unknown role has a type")
	}
}

// TestBuiltinRoles: the fields that code reads carry their roles, on the
// fields it used to find by id, so the built-in guides behave as before.
func TestBuiltinRoles(t *testing.T) {
	cat, _ := LoadCatalog("")
	want := map[string]map[Role]string{
		"spectrum":     {RoleCompanyDomain: "domain", RoleFirstName: "first-name", RoleLastName: "last-name", RoleAccountEmail: "email"},
		"syncezy":      {RoleCompanyDomain: "domain", RoleFirstName: "first-name", RoleLastName: "last-name", RoleAccountEmail: "email"},
		"admin-helper": {RoleFirstName: "first-name", RoleLastName: "last-name"},
		"dmsa":         {RoleAppName: "app-name", RoleAppVersionKey: "app-version-key", RoleAppLevels: "app-levels", RoleAccountEmail: "app-user-email"},
		"laborchart":   {RoleAccountEmail: "email"},
		"hammertech":   {RoleAccountEmail: "email"},
	}
	for _, g := range cat.List() {
		got := map[Role]string{}
		for _, st := range g.Steps {
			for _, f := range st.Fields {
				if f.Role != "" {
					got[f.Role] = f.ID
				}
			}
		}
		if !maps.Equal(got, want[g.ID]) {
			t.Errorf("%s: roles %v, want %v", g.ID, got, want[g.ID])
		}
	}
}

func TestWalkerRoleValues(t *testing.T) {
	cat, _ := LoadCatalog("")
	g, _ := cat.Get("spectrum")
	w := NewWalker(g, nil, func() time.Time { return time.Unix(0, 0) })
	w.SetValue("domain", "acme.com")
	w.SetValue("email", "spectrum@acme.com")
	if got := w.RoleValue(RoleAccountEmail); got != "spectrum@acme.com" {
		t.Errorf("RoleValue(account_email) = %q", got)
	}
	if got := w.RoleValue(RoleAppName); got != "" {
		t.Errorf("RoleValue(app_name) = %q in a guide without one", got)
	}
	vals := w.RoleValues()
	want := map[Role]string{RoleCompanyDomain: "acme.com", RoleAccountEmail: "spectrum@acme.com", RoleFirstName: "Spectrum", RoleLastName: "Microservice"}
	if !maps.Equal(vals, want) {
		t.Errorf("RoleValues() = %v, want %v", vals, want)
	}
	vals[RoleAccountEmail] = "changed"
	if w.RoleValue(RoleAccountEmail) != "spectrum@acme.com" {
		t.Error("RoleValues shares the session's values")
	}
}
