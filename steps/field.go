package steps

import (
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
)

// Validate checks a field's value. values holds every field's value in the
// guide, for fields whose rule depends on another (DomainFrom).
func (f Field) Validate(value string, values map[string]string) error {
	value = strings.TrimSpace(value)
	if value == "" {
		if f.Required {
			return errors.New("required")
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
