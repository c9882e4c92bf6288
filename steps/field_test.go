package steps

import (
	"strings"
	"testing"
)

func TestValidateDomain(t *testing.T) {
	good := []string{"example.com", "Example.COM", "mail.example.co.uk", "a-b.example", "xn--bcher-kva.example", "bücher.example", "1password.com"}
	for _, d := range good {
		if err := ValidateDomain(d); err != nil {
			t.Errorf("%q: %v", d, err)
		}
	}
	bad := []struct{ in, want string }{
		{"", "enter a domain such as example.com"},
		{"foo", "needs a dot"},
		{"a b", "no spaces"},
		{"a b.com", "no spaces"},
		{"example .com", "no spaces"},
		{"@example.com", "the part after the @"},
		{"me@example.com", "the part after the @"},
		{"https://example.com", "without https://"},
		{"example.com/x", "without https://"},
		{".example.com", "no empty part"},
		{"example.com.", "no empty part"},
		{"example..com", "no empty part"},
		{"-example.com", "hyphen"},
		{"example-.com", "hyphen"},
		{"exa_mple.com", `'_' cannot be in a domain`},
		{"exam!ple.com", `'!' cannot be in a domain`},
		{strings.Repeat("a", 64) + ".com", "at most 63"},
		{strings.Repeat("a.", 127) + "com", "at most 253"},
	}
	for _, tt := range bad {
		err := ValidateDomain(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want one saying %q", tt.in, err, tt.want)
		}
	}
}

func TestFieldValidateDomain(t *testing.T) {
	f := Field{ID: "domain", Label: "Company email domain", Type: FieldDomain, Required: true}
	for in, ok := range map[string]bool{"example.com": true, " example.com ": true, "": false, "foo": false, "a b": false} {
		if err := f.Validate(in, nil); (err == nil) != ok {
			t.Errorf("%q: error %v", in, err)
		}
	}
	opt := Field{ID: "domain", Label: "Domain", Type: FieldDomain}
	if err := opt.Validate("", nil); err != nil {
		t.Errorf("an optional empty domain: %v", err)
	}
}

// TestBuiltinDomainFields checks that the company email domain asked for by
// spectrum and syncezy is validated as a domain as it is typed: "foo" or
// "a b" used to pass, and then every email address was refused.
func TestBuiltinDomainFields(t *testing.T) {
	cat, problems := LoadCatalog("")
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	for _, id := range []string{"spectrum", "syncezy"} {
		t.Run(id, func(t *testing.T) {
			g, _ := cat.Get(id)
			var domain *Field
			var email *Field
			for i := range g.Steps {
				for j := range g.Steps[i].Fields {
					f := &g.Steps[i].Fields[j]
					if f.Type == FieldEmail && f.DomainFrom != "" {
						email = f
					}
					if f.ID == "domain" {
						domain = f
					}
				}
			}
			if domain == nil || email == nil || email.DomainFrom != domain.ID {
				t.Fatalf("no company domain field named by an email's domain_from")
			}
			if domain.Type != FieldDomain {
				t.Errorf("the company domain field is of type %s, want %s", domain.Type, FieldDomain)
			}
			// The form screen and the plain mode call Validate as the
			// person types and on submit.
			for _, in := range []string{"foo", "a b", "@example.com", "name@example.com"} {
				if domain.Validate(in, nil) == nil {
					t.Errorf("domain %q is accepted", in)
				}
			}
			if err := domain.Validate("example.com", nil); err != nil {
				t.Errorf("domain example.com: %v", err)
			}
			values := map[string]string{domain.ID: "example.com"}
			if err := email.Validate("sync@example.com", values); err != nil {
				t.Errorf("an address on the domain given: %v", err)
			}
		})
	}
}

// TestAppLevelsField: an app's declared levels are refused, saying why,
// unless each is Tool=level with a known level; empty is allowed.
func TestAppLevelsField(t *testing.T) {
	f := Field{ID: "levels", Label: "Levels", Type: FieldText, Role: RoleAppLevels}
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"Directory=read_only", ""},
		{"Directory=read_only, Documents=admin", ""},
		{"Test", "write each tool as Tool=level"},
		{"Directory=boss", `level "boss"`},
		{"*=admin", "name each tool"},
		{"Directory=admin,Directory=none", "given twice"},
	} {
		err := f.Validate(tt.in, nil)
		if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%q: %v, want %q", tt.in, err, tt.want)
		}
	}
}
