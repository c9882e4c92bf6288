package steps

import (
	"fmt"
	"slices"
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// field checks one field of a form: its type and the keys that type has,
// its default against the field's own rules, and its role.
func (c *checker) field(p, stepName string, j int, f *Field) {
	name := fmt.Sprintf("field %d of %s", j+1, stepName)
	switch where, dup := c.fieldAt[f.ID]; {
	case blank(f.ID):
		c.add(p+".id", "%s: id is required", name)
	case dup:
		c.add(p+".id", "field id %s is already used in %s: field ids are unique in a guide", quote(f.ID), where)
	default:
		name = fmt.Sprintf("field %s", quote(f.ID))
	}
	c.text(p+".id", f.ID)
	if blank(f.Label) {
		c.add(p+".label", "%s: label is required", name)
	}
	for _, k := range []struct{ key, s string }{
		{"label", f.Label}, {"help", f.Help}, {"default", f.Default},
		{"placeholder", f.Placeholder}, {"domain", f.Domain}, {"domain_from", f.DomainFrom},
	} {
		c.text(p+"."+k.key, k.s)
	}
	switch {
	case f.Type == "":
		c.add(p+".type", "%s: type is required: use %s", name, quoteList(FieldTypes))
	case !slices.Contains(FieldTypes, f.Type):
		c.add(p+".type", "%s: type %s is not known: use %s", name, quote(string(f.Type)), quoteList(FieldTypes))
	}
	known := slices.Contains(FieldTypes, f.Type)
	c.secretField(p, name, f)
	c.role(p, name, f, known)

	// Options.
	switch {
	case f.Type == FieldChoice && len(f.Options) < 2:
		c.add(p+".options", "%s: a choice needs at least two options", name)
	case f.Type != FieldChoice && len(f.Options) > 0 && known:
		c.add(p+".options", "%s: options are only for choice fields", name)
	}
	c.limit(p+".options", name, "options", "a choice", len(f.Options), MaxOptions)
	seen := map[string]int{}
	for k, o := range f.Options {
		op := fmt.Sprintf("%s.options[%d]", p, k)
		if blank(o) {
			c.add(op, "%s: option %d is empty", name, k+1)
		} else if prev, ok := seen[o]; ok {
			c.add(op, "%s: option %s is listed twice (options %d and %d)", name, quote(o), prev+1, k+1)
		} else {
			seen[o] = k
		}
		c.text(op, o)
	}

	// Email domains.
	if f.Type != FieldEmail && known {
		if f.Domain != "" {
			c.add(p+".domain", "%s: domain is only for email fields", name)
		}
		if f.DomainFrom != "" {
			c.add(p+".domain_from", "%s: domain_from is only for email fields", name)
		}
	}
	if f.Domain != "" && f.DomainFrom != "" {
		c.add(p+".domain_from", "%s: give domain or domain_from, not both", name)
	}
	if f.Domain != "" {
		d := strings.TrimPrefix(strings.TrimSpace(f.Domain), "@")
		if ValidateDomain(d) != nil {
			c.add(p+".domain", "%s: domain %s is not a domain such as example.com", name, quote(f.Domain))
		}
	}
	if f.DomainFrom != "" {
		_, before := c.fieldAt[f.DomainFrom]
		switch {
		case f.DomainFrom == f.ID:
			c.add(p+".domain_from", "%s: domain_from names this field itself: name an earlier field that asks for the domain", name)
		case before:
		case c.allField[f.DomainFrom]:
			c.add(p+".domain_from", "%s: domain_from %s names a field that comes later: ask for the domain first", name, quote(f.DomainFrom))
		default:
			c.add(p+".domain_from", "%s: domain_from %s names no field in this guide", name, quote(f.DomainFrom))
		}
	}

	// Number bounds.
	if f.Type != FieldNumber && known {
		if f.Min != nil {
			c.add(p+".min", "%s: min is only for number fields", name)
		}
		if f.Max != nil {
			c.add(p+".max", "%s: max is only for number fields", name)
		}
	}
	for _, b := range []struct {
		key string
		set bool
	}{{"min", f.Min != nil}, {"max", f.Max != nil}} {
		// The decoder truncates 1.5 to 1; say so instead.
		if n, ok := lookup(c.ast, p+"."+b.key).(*ast.FloatNode); b.set && ok && n != nil && n.Token != nil {
			c.add(p+"."+b.key, "%s: %s %s: use a whole number", name, b.key, n.Token.Value)
		}
	}
	if f.Min != nil && f.Max != nil && *f.Min > *f.Max {
		c.add(p+".min", "%s: min %d is greater than max %d", name, *f.Min, *f.Max)
	}

	if f.Default != "" && known {
		if err := f.Validate(f.Default, c.defaults); err != nil {
			c.add(p+".default", "%s: default %s: %s", name, quote(f.Default), clip(clean(err.Error()), maxMessage))
		}
	}
	if f.RequiredIf != nil {
		c.condition(p+".required_if", name, f.RequiredIf, false)
		if f.Required {
			c.add(p+".required_if", "%s: it is required always, so required_if says nothing", name)
		}
	}
	if !blank(f.ID) {
		if _, dup := c.fieldAt[f.ID]; !dup {
			c.fieldAt[f.ID] = stepName
			c.defaults[f.ID] = f.Default
			if f.Type == FieldChoice {
				c.choices[f.ID] = f.Options
			}
		}
	}
}

// role refuses an unknown role, a role on a field of the wrong type, and
// a role that another field of the guide already has: code finds the field
// by its role, so each names exactly one field, of the type it reads.
func (c *checker) role(p, name string, f *Field, knownType bool) {
	if f.Role == "" {
		return
	}
	want, ok := f.Role.FieldType()
	switch {
	case !ok:
		c.add(p+".role", "%s: role %s is not known: use %s", name, quote(string(f.Role)), quoteList(Roles))
		return
	case knownType && f.Type != want:
		c.add(p+".role", "%s: role %s is for a field of type %s, not %s", name, f.Role, want, f.Type)
	}
	if prev, dup := c.roleAt[f.Role]; dup {
		c.add(p+".role", "%s: role %s is already given to %s: a role names one field of a guide", name, f.Role, prev)
		return
	}
	c.roleAt[f.Role] = name
}

// secretWords are the words that mark a field as asking for a secret.
var secretWords = []string{"password", "secret", "token", "passphrase"}

// secretField refuses a field that is typed in the clear (text, email,
// number) but whose id or label says it asks for a secret: a form draws its
// value as typed and saves it in the session file, unmasked.
func (c *checker) secretField(p, name string, f *Field) {
	if f.Type == FieldChoice {
		return
	}
	for _, k := range []struct{ key, s string }{{"id", f.ID}, {"label", f.Label}} {
		lower := strings.ToLower(k.s)
		for _, w := range secretWords {
			if strings.Contains(lower, w) {
				c.add(p+"."+k.key, "%s: its %s says %q, but a form field is shown as typed and saved unmasked in the session file: "+
					"ask for a password with a step of kind password, or for a client ID and secret with a step of kind credential_capture",
					name, k.key, w)
				return
			}
		}
	}
}
