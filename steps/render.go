package steps

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode/utf8"
)

// Formats lists the formats Render writes.
var Formats = []string{"text", "markdown", "json"}

// DescribeAccountModel says what an account model is, in words.
func DescribeAccountModel(m AccountModel) string {
	switch m {
	case UserLogin:
		return "dedicated user login"
	case LegacyServiceAccount:
		return "legacy service account (retired March 2025)"
	case DMSA:
		return "Developer Managed Service Account"
	}
	return string(m)
}

// policyRules says a password policy's rules in words, one a line, from the
// policy's fields: "At least 8 characters", "An uppercase letter", ...,
// "One of: !@#$%^&*", and last, when the policy asks for it, that the
// password is typed twice.
func policyRules(p PasswordPolicy) []string {
	var rules []string
	if p.MinLength == 1 {
		rules = append(rules, "At least 1 character")
	} else if p.MinLength > 1 {
		rules = append(rules, fmt.Sprintf("At least %d characters", p.MinLength))
	}
	has := func(c string) bool {
		for _, r := range p.Require {
			if r == c {
				return true
			}
		}
		return false
	}
	for _, c := range PasswordClasses {
		if !has(c) {
			continue
		}
		switch c {
		case RuleUpper:
			rules = append(rules, "An uppercase letter")
		case RuleLower:
			rules = append(rules, "A lowercase letter")
		case RuleDigit:
			rules = append(rules, "A digit")
		case RuleSpecial:
			rules = append(rules, "One of: "+p.Specials)
		}
	}
	if p.Confirm {
		rules = append(rules, "Typed twice, to confirm it")
	}
	return rules
}

// Render writes g in a format: "text", "markdown" or "json" (the Guide as
// indented JSON). Text and markdown show every step with its checklist,
// fields, matrix and password rules; they hold no terminal escapes, whatever
// the guide holds.
func Render(w io.Writer, g *Guide, format string) error {
	var buf bytes.Buffer
	switch format {
	case "json":
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(g); err != nil {
			return err
		}
	case "text":
		renderText(&buf, g)
	case "markdown":
		renderMarkdown(&buf, g)
	default:
		return fmt.Errorf("unknown format %q: use text, markdown or json", format)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// safe drops what could drive a terminal: control characters other than
// new line and tab, and the invisible characters that reorder text.
func safe(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r == '\r':
			return -1
		case r < 0x20 || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069):
			return '\uFFFD'
		}
		return r
	}, s)
}

// line is s on one line: safe, with runs of white space as one space.
func line(s string) string { return strings.Join(strings.Fields(safe(s)), " ") }

// paragraph is s trimmed, safe, without trailing white space on its lines.
func paragraph(s string) string {
	lines := strings.Split(strings.TrimSpace(safe(s)), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Join(lines, "\n")
}

func kindWords(st *Step) string {
	k := string(st.Kind)
	if st.Kind == KindNotice && st.Level != "" {
		k += " (" + st.Level + ")"
	}
	return line(k)
}

// fieldFacts describes a field after its label: type, required, and the
// rules that go with its type.
func fieldFacts(g *Guide, f *Field, code func(string) string) []string {
	facts := []string{line(string(f.Type))}
	if f.Required {
		facts = append(facts, "required")
	} else {
		facts = append(facts, "optional")
	}
	if d := strings.TrimPrefix(strings.TrimSpace(f.Domain), "@"); d != "" {
		facts = append(facts, "an address on "+line(d))
	}
	if f.DomainFrom != "" {
		facts = append(facts, fmt.Sprintf("an address on the domain given in %q", line(fieldLabel(g, f.DomainFrom))))
	}
	if len(f.Options) > 0 {
		opts := make([]string, len(f.Options))
		for i, o := range f.Options {
			opts[i] = code(line(o))
		}
		facts = append(facts, "one of: "+strings.Join(opts, ", "))
	}
	switch {
	case f.Min != nil && f.Max != nil:
		facts = append(facts, fmt.Sprintf("from %d to %d", *f.Min, *f.Max))
	case f.Min != nil:
		facts = append(facts, fmt.Sprintf("at least %d", *f.Min))
	case f.Max != nil:
		facts = append(facts, fmt.Sprintf("at most %d", *f.Max))
	}
	if c := f.RequiredIf; c != nil {
		facts = append(facts, fmt.Sprintf("required when %q is %s", line(fieldLabel(g, c.Field)), code(line(c.Is))))
	}
	if f.Default != "" {
		facts = append(facts, "default: "+code(line(f.Default)))
	}
	if f.Placeholder != "" {
		facts = append(facts, "for example: "+code(line(f.Placeholder)))
	}
	return facts
}

// fieldLabel is the label of the field with this id, or the id.
func fieldLabel(g *Guide, id string) string {
	for _, st := range g.Steps {
		for _, f := range st.Fields {
			if f.ID == id && f.Label != "" {
				return f.Label
			}
		}
	}
	return id
}

func renderText(b *bytes.Buffer, g *Guide) {
	fmt.Fprintln(b, line(g.Title))
	if IsYours(g) {
		fmt.Fprintf(b, "(your guide, from %s)\n", line(g.File))
	}
	fmt.Fprintf(b, "Guide: %s\n", line(g.ID))
	if g.Vendor != "" {
		fmt.Fprintf(b, "Vendor: %s\n", line(g.Vendor))
	}
	if g.Source != "" {
		fmt.Fprintf(b, "Source: %s\n", line(g.Source))
	}
	fmt.Fprintf(b, "Account model: %s\n", line(DescribeAccountModel(g.AccountModel)))
	if g.AccountModel == LegacyServiceAccount {
		fmt.Fprintln(b, "Note: Procore no longer creates legacy service accounts; the dmsa guide is the current path.")
	}
	if s := paragraph(g.Summary); s != "" {
		fmt.Fprintf(b, "\n%s\n", s)
	}
	n := len(g.Steps)
	for i := range g.Steps {
		st := &g.Steps[i]
		fmt.Fprintf(b, "\nStep %d of %d: %s\n", i+1, n, line(st.Title))
		fmt.Fprintf(b, "Kind: %s\n", kindWords(st))
		if body := paragraph(st.Body); body != "" {
			fmt.Fprintf(b, "\n%s\n", body)
		}
		if auto := automationLines(g, st, line, line, strconv.Quote); len(auto) > 0 {
			fmt.Fprintln(b)
			for _, l := range auto {
				fmt.Fprintln(b, l)
			}
		}
		if len(st.Checklist) > 0 {
			fmt.Fprintln(b)
			for _, item := range st.Checklist {
				fmt.Fprintf(b, "  [ ] %s\n", line(item))
			}
		}
		if len(st.Fields) > 0 {
			fmt.Fprintln(b, "\nFields:")
			for j := range st.Fields {
				f := &st.Fields[j]
				fmt.Fprintf(b, "  - %s: %s\n", line(f.Label), strings.Join(fieldFacts(g, f, strconv.Quote), "; "))
				if h := line(f.Help); h != "" {
					fmt.Fprintf(b, "    %s\n", h)
				}
			}
		}
		if m := st.Matrix; m != nil {
			fmt.Fprintln(b)
			tw := tabwriter.NewWriter(b, 0, 0, 3, ' ', 0)
			fmt.Fprint(tw, "  ")
			for _, c := range m.Columns {
				fmt.Fprintf(tw, "\t%s", line(c))
			}
			fmt.Fprintln(tw, "\t")
			for _, r := range m.Rows {
				fmt.Fprintf(tw, "  %s", line(r))
				for range m.Columns {
					fmt.Fprint(tw, "\t[ ]")
				}
				fmt.Fprintln(tw, "\t")
			}
			tw.Flush()
			if m.RequireAll {
				fmt.Fprintln(b, "Every box must be ticked.")
			}
		}
		if st.Kind == KindPassword {
			fmt.Fprintln(b)
			if st.For != "" {
				fmt.Fprintf(b, "Password for: %s\n", line(st.For))
			}
			fmt.Fprintln(b, "Password rules:")
			for _, r := range policyRules(g.Policy()) {
				fmt.Fprintf(b, "  - %s\n", line(r))
			}
		}
	}
	trimTrailingSpace(b)
}

func renderMarkdown(b *bytes.Buffer, g *Guide) {
	fmt.Fprintf(b, "# %s\n\n", mdLine(g.Title))
	if IsYours(g) {
		fmt.Fprintf(b, "(your guide, from %s)\n\n", codeSpan(line(g.File)))
	}
	fmt.Fprintf(b, "- **Guide:** %s\n", codeSpan(line(g.ID)))
	if g.Vendor != "" {
		fmt.Fprintf(b, "- **Vendor:** %s\n", mdLine(g.Vendor))
	}
	if g.Source != "" {
		fmt.Fprintf(b, "- **Source:** %s\n", mdSource(g.Source))
	}
	fmt.Fprintf(b, "- **Account model:** %s\n", mdLine(DescribeAccountModel(g.AccountModel)))
	if g.AccountModel == LegacyServiceAccount {
		fmt.Fprintf(b, "\n> **Note:** Procore no longer creates legacy service accounts; the %s guide is the current path.\n", codeSpan("dmsa"))
	}
	if s := paragraph(g.Summary); s != "" {
		fmt.Fprintf(b, "\n%s\n", s)
	}
	n := len(g.Steps)
	for i := range g.Steps {
		st := &g.Steps[i]
		fmt.Fprintf(b, "\n## Step %d of %d: %s\n\n", i+1, n, mdLine(st.Title))
		kind := codeSpan(line(string(st.Kind)))
		if st.Kind == KindNotice && st.Level != "" {
			kind += " (" + mdLine(st.Level) + ")"
		}
		fmt.Fprintf(b, "Kind: %s\n", kind)
		if body := paragraph(st.Body); body != "" {
			fmt.Fprintf(b, "\n%s\n", body)
		}
		if auto := automationLines(g, st, mdLine, codeSpan, codeSpan); len(auto) > 0 {
			for _, l := range auto {
				fmt.Fprintf(b, "\n%s\n", l)
			}
		}
		if len(st.Checklist) > 0 {
			fmt.Fprintln(b)
			for _, item := range st.Checklist {
				fmt.Fprintf(b, "- [ ] %s\n", mdLine(item))
			}
		}
		if len(st.Fields) > 0 {
			fmt.Fprintln(b, "\nFields:")
			fmt.Fprintln(b)
			for j := range st.Fields {
				f := &st.Fields[j]
				fmt.Fprintf(b, "- **%s**: %s\n", mdLine(f.Label), strings.Join(fieldFacts(g, f, codeSpan), "; "))
				if h := line(f.Help); h != "" {
					fmt.Fprintf(b, "  %s\n", mdLine(h))
				}
			}
		}
		if m := st.Matrix; m != nil && len(m.Columns) > 0 {
			fmt.Fprintln(b)
			fmt.Fprint(b, "| |")
			for _, c := range m.Columns {
				fmt.Fprintf(b, " %s |", mdCell(c))
			}
			fmt.Fprint(b, "\n|---|")
			for range m.Columns {
				fmt.Fprint(b, "---|")
			}
			fmt.Fprintln(b)
			for _, r := range m.Rows {
				fmt.Fprintf(b, "| %s |", mdCell(r))
				for range m.Columns {
					fmt.Fprint(b, " [ ] |")
				}
				fmt.Fprintln(b)
			}
			if m.RequireAll {
				fmt.Fprintln(b, "\nEvery box must be ticked.")
			}
		}
		if st.Kind == KindPassword {
			fmt.Fprintln(b)
			if st.For != "" {
				fmt.Fprintf(b, "Password for: %s\n\n", mdLine(st.For))
			}
			fmt.Fprintln(b, "Password rules:")
			fmt.Fprintln(b)
			for _, r := range policyRules(g.Policy()) {
				if rest, ok := strings.CutPrefix(r, "One of: "); ok {
					r = "One of: " + codeSpan(line(rest))
				} else {
					r = mdLine(r)
				}
				fmt.Fprintf(b, "- %s\n", r)
			}
		}
	}
	trimTrailingSpace(b)
}

// mdLine is s on one line, with the characters that would start markdown
// emphasis, code, links, HTML or a table cell escaped. Line starts are not a
// concern: mdLine's text always follows other text.
func mdLine(s string) string {
	return mdEscaper.Replace(line(s))
}

var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "<", `\<`, "|", `\|`,
)

// mdSource is a guide's source in markdown: a web address as an autolink,
// anything else (such as a breadcrumb "Support Home > Integrations > ...")
// as plain text.
func mdSource(src string) string {
	s := line(src)
	if lower := strings.ToLower(s); strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "http://") {
		return "<" + strings.NewReplacer("<", "%3C", ">", "%3E", " ", "%20").Replace(s) + ">"
	}
	return mdLine(s)
}

// mdCell is s for a markdown table cell.
func mdCell(s string) string { return mdLine(s) }

// codeSpan is s as markdown inline code, fenced with enough backticks.
func codeSpan(s string) string {
	if s == "" {
		return "``"
	}
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if longest > 0 || strings.HasPrefix(s, " ") || strings.HasSuffix(s, " ") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// trimTrailingSpace removes spaces at line ends, which tabwriter leaves.
func trimTrailingSpace(b *bytes.Buffer) {
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	b.Reset()
	b.WriteString(strings.Join(lines, "\n"))
}

// automationLines say when a step does not apply, what procore-sa does for
// it and what it reads to prove it: text makes a guide's words safe for
// the format, code marks a name, value quotes an answer.
func automationLines(g *Guide, st *Step, text, code, value func(string) string) []string {
	var out []string
	if c := st.SkipIf; c != nil {
		out = append(out, fmt.Sprintf("Does not apply when %s is %s: %s",
			text(strconv.Quote(line(fieldLabel(g, c.Field)))), value(line(c.Is)), text(c.Because)))
	}
	if a := st.Action; a != nil {
		l := "procore-sa does: " + code(line(a.String()))
		if sp, ok := ActionSpecFor(a.Name); ok {
			l += ", which " + text(sp.Does)
		}
		out = append(out, l)
	}
	if len(st.Checks) > 0 {
		names := make([]string, len(st.Checks))
		for i, c := range st.Checks {
			names[i] = code(line(c.String()))
		}
		out = append(out, "procore-sa checks: "+strings.Join(names, ", "))
	}
	return out
}
