package steps

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// idRE is what a guide id may look like: it is typed on the command line.
var idRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// issue is one semantic problem, at a YAML path resolved to a line and
// column only when it is reported.
type issue struct{ path, msg string }

// checker validates a decoded guide: everything the YAML types cannot say.
type checker struct {
	ast    *ast.File
	issues []issue

	stepIDs  map[string]int    // step id -> index
	fieldAt  map[string]string // field id -> the step that defines it
	allField map[string]bool   // every field id in the guide
	defaults map[string]string // field id -> default, of the fields so far
	roleAt   map[Role]string   // role -> the field that has it
}

func (c *checker) add(path, format string, args ...any) {
	c.issues = append(c.issues, issue{path: path, msg: fmt.Sprintf(format, args...)})
}

// err is the problems found, positioned and in file order, or nil.
func (c *checker) err(file string, f *ast.File) error {
	if len(c.issues) == 0 {
		return nil
	}
	n := min(len(c.issues), maxProblems)
	list := make([]*ParseError, 0, n+1)
	for _, is := range c.issues[:n] {
		line, col := position(f, is.path)
		list = append(list, &ParseError{File: file, Line: line, Column: col, Msg: clean(is.msg)})
	}
	slices.SortStableFunc(list, func(a, b *ParseError) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	if more := len(c.issues) - n; more > 0 {
		last := list[len(list)-1]
		list = append(list, &ParseError{File: file, Line: last.Line, Column: last.Column,
			Msg: fmt.Sprintf("and %d more problems", more)})
	}
	if len(list) == 1 {
		return list[0]
	}
	errs := make([]error, len(list))
	for i, e := range list {
		errs[i] = e
	}
	return errors.Join(errs...)
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

// text refuses control characters (other than new line and tab) and the
// invisible characters that reorder text: a guide must not be able to move
// the cursor, colour the terminal or disguise what it says. It also refuses
// a text longer than MaxText characters.
func (c *checker) text(path, s string) {
	n := 0
	for _, r := range s {
		n++
		if r == '\n' || r == '\t' {
			continue
		}
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			c.add(path, "%s holds the control character %U, which a guide may not contain (it could disguise what the screen shows)", pathName(path), r)
			return
		}
	}
	if n > MaxText {
		c.add(path, "%s is %d characters long: a text may have at most %d", pathName(path), n, MaxText)
	}
}

// pathName names the value at a YAML path in a message: "body",
// "checklist item 2", "option 1".
func pathName(path string) string {
	name := path[strings.LastIndexByte(path, '.')+1:]
	key, index, ok := strings.Cut(name, "[")
	if !ok {
		return name
	}
	n, err := strconv.Atoi(strings.TrimSuffix(index, "]"))
	if err != nil {
		return key
	}
	switch key {
	case "checklist":
		key = "checklist item"
	case "options":
		key = "option"
	case "rows":
		key = "matrix row"
	case "columns":
		key = "matrix column"
	}
	return fmt.Sprintf("%s %d", key, n+1)
}

// limit refuses a list longer than most, pointing at its first item too
// many: "step "a": 41 checklist items: a step may have at most 40".
func (c *checker) limit(path, name, what, holder string, n, most int) {
	if n > most {
		c.add(fmt.Sprintf("%s[%d]", path, most), "%s: %d %s: %s may have at most %d", name, n, what, holder, most)
	}
}

func quoteList[T ~string](vs []T) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = string(v)
	}
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

func (c *checker) guide(g *Guide) {
	c.stepIDs = map[string]int{}
	c.fieldAt = map[string]string{}
	c.allField = map[string]bool{}
	c.defaults = map[string]string{}
	c.roleAt = map[Role]string{}

	switch {
	case blank(g.ID):
		c.add("$.id", `id is required: a short name in lowercase letters, digits and hyphens, such as "my-guide"`)
	case !idRE.MatchString(g.ID):
		c.add("$.id", "id %s: use lowercase letters, digits and hyphens (at most 64), starting with a letter or digit", quote(g.ID))
	}
	if blank(g.Title) {
		c.add("$.title", "title is required")
	}
	c.text("$.title", g.Title)
	c.text("$.vendor", g.Vendor)
	c.text("$.source", g.Source)
	c.text("$.summary", g.Summary)
	switch {
	case g.AccountModel == "":
		c.add("$.account_model", "account_model is required: use %s", quoteList(AccountModels))
	case !slices.Contains(AccountModels, g.AccountModel):
		c.add("$.account_model", "account_model %s is not known: use %s", quote(string(g.AccountModel)), quoteList(AccountModels))
	}
	if g.Password != nil {
		c.policy("$.password_policy", *g.Password)
	}
	switch {
	case len(g.Steps) == 0:
		c.add("$.steps", "a guide needs at least one step")
	case len(g.Steps) > MaxSteps:
		c.add(fmt.Sprintf("$.steps[%d]", MaxSteps), "%d steps: a guide may have at most %d", len(g.Steps), MaxSteps)
		return
	}
	for _, st := range g.Steps {
		for _, f := range st.Fields {
			c.allField[f.ID] = true
		}
	}
	for i := range g.Steps {
		c.step(i, &g.Steps[i])
	}
}

func (c *checker) step(i int, st *Step) {
	p := fmt.Sprintf("$.steps[%d]", i)
	name := fmt.Sprintf("step %d", i+1)
	switch j, dup := c.stepIDs[st.ID]; {
	case blank(st.ID):
		c.add(p+".id", "%s: id is required", name)
	case dup:
		c.add(p+".id", "step id %s is already used by step %d", quote(st.ID), j+1)
	default:
		c.stepIDs[st.ID] = i
		name = fmt.Sprintf("step %s", quote(st.ID))
	}
	c.text(p+".id", st.ID)
	if blank(st.Title) {
		c.add(p+".title", "%s: title is required", name)
	}
	c.text(p+".title", st.Title)
	c.text(p+".body", st.Body)
	c.text(p+".for", st.For)

	switch {
	case st.Kind == "":
		c.add(p+".kind", "%s: kind is required: use %s", name, quoteList(Kinds))
	case !slices.Contains(Kinds, st.Kind):
		c.add(p+".kind", "%s: kind %s is not known: use %s", name, quote(string(st.Kind)), quoteList(Kinds))
	}
	if st.Level != "" {
		switch {
		case st.Kind != KindNotice:
			c.add(p+".level", "%s: level is only for notice steps", name)
		case st.Level != "info" && st.Level != "warning":
			c.add(p+".level", "%s: level %s: use info or warning", name, quote(st.Level))
		}
	}
	c.limit(p+".checklist", name, "checklist items", "a step", len(st.Checklist), MaxItems)
	for j, item := range st.Checklist {
		ip := fmt.Sprintf("%s.checklist[%d]", p, j)
		if blank(item) {
			c.add(ip, "%s: checklist item %d is empty", name, j+1)
		}
		c.text(ip, item)
	}
	switch {
	case st.Kind == KindNotice && blank(st.Body):
		c.add(p+".body", "%s: a notice needs a body", name)
	case (st.Kind == KindInstruction || st.Kind.Automated()) && blank(st.Body) && len(st.Checklist) == 0:
		c.add(p+".body", "%s: a step of kind %s needs a body or a checklist", name, st.Kind)
	}

	switch {
	case st.Kind == KindForm && len(st.Fields) == 0:
		c.add(p+".fields", "%s: a form needs at least one field", name)
	case st.Kind != KindForm && len(st.Fields) > 0 && st.Kind != "" && slices.Contains(Kinds, st.Kind):
		c.add(p+".fields", "%s: fields are only for form steps, not %s", name, st.Kind)
	}
	c.limit(p+".fields", name, "fields", "a form", len(st.Fields), MaxFields)
	for j := range st.Fields {
		c.field(fmt.Sprintf("%s.fields[%d]", p, j), name, j, &st.Fields[j])
	}

	switch {
	case st.Kind == KindMatrix && st.Matrix == nil:
		c.add(p+".matrix", "%s: a matrix step needs a matrix with rows and columns", name)
	case st.Kind == KindMatrix:
		c.matrix(p+".matrix", name, st.Matrix)
	case st.Matrix != nil && st.Kind != "" && slices.Contains(Kinds, st.Kind):
		c.add(p+".matrix", "%s: a matrix is only for matrix steps, not %s", name, st.Kind)
	}
	if st.For != "" && st.Kind != KindPassword && st.Kind != "" && slices.Contains(Kinds, st.Kind) {
		c.add(p+".for", "%s: for is only for password steps", name)
	}
}

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
	if !blank(f.ID) {
		if _, dup := c.fieldAt[f.ID]; !dup {
			c.fieldAt[f.ID] = stepName
			c.defaults[f.ID] = f.Default
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

func (c *checker) matrix(p, stepName string, m *Matrix) {
	for _, part := range []struct {
		key, what string
		labels    []string
	}{{"rows", "row", m.Rows}, {"columns", "column", m.Columns}} {
		if len(part.labels) == 0 {
			c.add(p+"."+part.key, "%s: a matrix needs at least one %s", stepName, part.what)
		}
		c.limit(p+"."+part.key, stepName, part.what+"s", "a matrix", len(part.labels), MaxMatrix)
		seen := map[string]int{}
		for k, l := range part.labels {
			lp := fmt.Sprintf("%s.%s[%d]", p, part.key, k)
			if blank(l) {
				c.add(lp, "%s: matrix %s %d is empty", stepName, part.what, k+1)
			} else if prev, ok := seen[l]; ok {
				c.add(lp, "%s: matrix %s %s is listed twice (%ss %d and %d)", stepName, part.what, quote(l), part.what, prev+1, k+1)
			} else {
				seen[l] = k
			}
			c.text(lp, l)
		}
	}
}

func (c *checker) policy(p string, pol PasswordPolicy) {
	switch {
	case pol.MinLength == 0:
		c.add(p+".min_length", "password_policy: min_length is required: %d to %d", MinPolicyLength, MaxPasswordLength)
	case pol.MinLength < MinPolicyLength || pol.MinLength > MaxPasswordLength:
		c.add(p+".min_length", "password_policy: min_length %d: use %d to %d", pol.MinLength, MinPolicyLength, MaxPasswordLength)
	}
	seen := map[string]bool{}
	for k, r := range pol.Require {
		rp := fmt.Sprintf("%s.require[%d]", p, k)
		switch {
		case !slices.Contains(PasswordClasses, r):
			c.add(rp, "password_policy: require %s: use %s", quote(r), quoteList(PasswordClasses))
		case seen[r]:
			c.add(rp, "password_policy: require lists %s twice", quote(r))
		}
		seen[r] = true
	}
	if seen[RuleSpecial] && pol.Specials == "" {
		c.add(p+".specials", "password_policy: special characters are required, so list the allowed ones in specials, such as %q", ProcoreSpecials)
	}
	dup := map[rune]bool{}
	for _, r := range pol.Specials {
		switch {
		case r == ' ':
			c.add(p+".specials", "password_policy: specials: a space is not allowed")
		case (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9'):
			c.add(p+".specials", "password_policy: specials: %q is a letter or digit, not a special character", r)
		case r < 0x21 || r > 0x7e:
			c.add(p+".specials", "password_policy: specials: %q is not printable ASCII", r)
		case dup[r]:
			c.add(p+".specials", "password_policy: specials: %q is listed twice", r)
		}
		dup[r] = true
	}
}
