package steps

import (
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Validate checks a field's value. values holds every field's value in the
// guide, for fields whose rule depends on another (DomainFrom).
func (f Field) Validate(value string, values map[string]string) error {
	value = strings.TrimSpace(value)
	if value == "" {
		if f.Required {
			return errors.New("required")
		}
		if f.RequiredIf.Holds(values) {
			return fmt.Errorf("required, since the answer is %s", f.RequiredIf.Is)
		}
		return nil
	}
	switch f.Type {
	case FieldEmail:
		return f.validateEmail(value, values)
	case FieldNumber:
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return errors.New("enter a whole number, digits only")
		}
		if f.Min != nil && n < *f.Min {
			return fmt.Errorf("must be at least %d", *f.Min)
		}
		if f.Max != nil && n > *f.Max {
			return fmt.Errorf("must be at most %d", *f.Max)
		}
	case FieldChoice:
		if !slices.Contains(f.Options, value) {
			return fmt.Errorf("choose one of: %s", strings.Join(f.Options, ", "))
		}
	case FieldDomain:
		return ValidateDomain(value)
	}
	if f.Role == RoleAppLevels {
		return validateAppLevels(value)
	}
	return nil
}

// validateAppLevels checks an app's declared tool levels: each named, as
// its own token is asked for each.
func validateAppLevels(value string) error {
	levels, err := ParseLevels(value)
	if err != nil {
		return err
	}
	if _, ok := levels["*"]; ok {
		return errors.New("name each tool the app declares, such as Directory=read_only; * stands for no tool here")
	}
	return nil
}

// maxDomain is the longest domain name DNS allows, in characters.
const maxDomain = 253

// ValidateDomain checks that s is a domain name such as example.com, the
// part of an email address after the @: labels of letters, digits and
// hyphens joined by dots, with at least one dot.
func ValidateDomain(s string) error {
	const example = "enter a domain such as example.com"
	switch {
	case s == "":
		return errors.New(example)
	case strings.Contains(s, "@"):
		return errors.New("enter only the part after the @, such as example.com")
	case strings.Contains(s, "://") || strings.ContainsAny(s, "/:"):
		return errors.New("enter only the domain, such as example.com, without https:// or a path")
	case strings.IndexFunc(s, unicode.IsSpace) >= 0:
		return errors.New("a domain has no spaces: " + example)
	case !strings.Contains(s, "."):
		return errors.New("a domain needs a dot, as in example.com")
	case utf8.RuneCountInString(s) > maxDomain:
		return fmt.Errorf("a domain is at most %d characters long", maxDomain)
	}
	for label := range strings.SplitSeq(s, ".") {
		switch {
		case label == "":
			return errors.New("a domain has no empty part between dots: " + example)
		case utf8.RuneCountInString(label) > 63:
			return errors.New("each part of a domain between dots is at most 63 characters long")
		case strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-"):
			return errors.New("a part of a domain may not start or end with a hyphen")
		}
		for _, r := range label {
			if r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return fmt.Errorf("%q cannot be in a domain: use letters, digits, hyphens and dots", r)
			}
		}
	}
	return nil
}

func (f Field) validateEmail(value string, values map[string]string) error {
	addr, err := mail.ParseAddress(value)
	if err != nil || addr.Address != value || addr.Name != "" {
		return errors.New("enter an email address such as name@example.com")
	}
	at := strings.LastIndexByte(value, '@')
	host := strings.ToLower(value[at+1:])
	if !strings.Contains(host, ".") {
		return errors.New("the domain needs a dot, as in example.com")
	}
	want := f.Domain
	if f.DomainFrom != "" {
		want = values[f.DomainFrom]
	}
	want = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(want), "@"))
	if want != "" && host != want {
		return fmt.Errorf("must be an address on %s", want)
	}
	return nil
}
