package automate

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/steps"
)

// everyTool is the tool of a levels item that stands for every tool the
// company's templates of that kind list ("*=standard": Standard on each,
// as clicking a column header in Procore's permission matrix gives).
const everyTool = "*"

// templateKind is a create_template "type": the template type Procore
// knows it by and the words a person reads.
func templateKind(typ string) (procore.TemplateType, string, error) {
	switch typ {
	case "company":
		return procore.CompanyTools, "company permission template", nil
	case "project":
		return procore.GlobalTools, "project permission template", nil
	}
	return "", "", fmt.Errorf("create_template: type %q: use company or project", typ)
}

// createTemplate creates the template name of type typ with levels, and
// reads it back: what Procore holds is what is reported.
func createTemplate(ctx context.Context, c *procore.Client, name string, typ procore.TemplateType, levels string) (*procore.TemplateDetail, error) {
	want, err := parseLevels(levels)
	if err != nil {
		return nil, err
	}
	if slices.ContainsFunc(want, func(w wantLevel) bool { return w.Tool == everyTool }) {
		tools, err := templateTools(ctx, c, typ)
		if err != nil {
			return nil, fmt.Errorf("create the permission template %q: %w", name, err)
		}
		want = expandLevels(want, tools)
	}
	ual := map[string]any{}
	for _, l := range want {
		ual[l.Tool] = levelWords[l.Rank]
	}
	t, err := c.CreateTemplate(ctx, procore.NewTemplate{Name: name, Type: string(typ), UserAccessLevels: ual})
	if err != nil {
		return nil, refused(fmt.Sprintf("create the permission template %q", name), err)
	}
	back, err := c.PermissionTemplate(ctx, t.ID)
	if err != nil {
		return nil, fmt.Errorf("read back the permission template %q (template %d) just created: %w", name, t.ID, err)
	}
	return back, nil
}

// templateTools is the tools the company's templates of type typ list, read
// from the first that lists any: Procore documents no list of tools, and a
// company's own templates name the ones it has.
func templateTools(ctx context.Context, c *procore.Client, typ procore.TemplateType) ([]string, error) {
	for t, err := range c.PermissionTemplates(ctx, typ) {
		if err != nil {
			return nil, err
		}
		d, err := c.PermissionTemplate(ctx, t.ID)
		if err != nil {
			return nil, err
		}
		if len(d.UserAccessLevels) > 0 {
			return slices.Sorted(maps.Keys(d.UserAccessLevels)), nil
		}
	}
	return nil, errors.New(`no template of the company lists its tools, so "*" names none: name each tool, as in Directory=standard`)
}

// expandLevels puts each of tools in place of "*", at its level, where the
// tool is not named on its own.
func expandLevels(want []wantLevel, tools []string) []wantLevel {
	var out []wantLevel
	named := map[string]bool{}
	for _, w := range want {
		if w.Tool != everyTool {
			named[w.Tool] = true
			out = append(out, w)
		}
	}
	for _, w := range want {
		if w.Tool != everyTool {
			continue
		}
		for _, t := range tools {
			if !named[t] {
				out = append(out, wantLevel{Scope: w.Scope, Tool: t, Label: toolLabel(t), Rank: w.Rank})
			}
		}
	}
	return out
}

func planCreateTemplate(ctx context.Context, a steps.Action, e *Env) (Plan, error) {
	c, err := e.admin()
	if err != nil {
		return Plan{}, err
	}
	name, levels := e.input(a.With, "template", ""), e.input(a.With, "levels", "")
	typ, kind, err := templateKind(e.input(a.With, "type", ""))
	if err != nil {
		return Plan{}, err
	}
	if _, err := parseLevels(levels); err != nil {
		return Plan{}, err
	}
	t, err := findTemplate(ctx, c, typ, name)
	if err != nil {
		return Plan{}, fmt.Errorf("find the %s %q: %w", kind, name, err)
	}
	if t != nil {
		return Plan{Nothing: true, Changes: []string{fmt.Sprintf("Procore has the %s %q already (template %d); the check reads its levels", kind, procore.Printable(t.Name), t.ID)}}, nil
	}
	return Plan{Changes: []string{fmt.Sprintf("create the %s %q with %s", kind, name, describeLevels(levels))}}, nil
}

func doCreateTemplate(ctx context.Context, a steps.Action, _ Plan, e *Env) (Done, error) {
	c, err := e.admin()
	if err != nil {
		return Done{}, err
	}
	name := e.input(a.With, "template", "")
	typ, kind, err := templateKind(e.input(a.With, "type", ""))
	if err != nil {
		return Done{}, err
	}
	d, err := createTemplate(ctx, c, name, typ, e.input(a.With, "levels", ""))
	if err != nil {
		return Done{}, err
	}
	// What it grants; the tools at None are many in a real company, so
	// they are counted, not listed.
	var held []string
	none := 0
	for _, k := range slices.Sorted(maps.Keys(d.UserAccessLevels)) {
		if r := levelRank(d.UserAccessLevels[k]); r > 0 {
			held = append(held, fmt.Sprintf("%s %s", toolLabel(k), levelName(r)))
		} else {
			none++
		}
	}
	switch {
	case len(held) == 0:
		held = append(held, "None on every tool")
	case none == 1:
		held = append(held, "None on 1 other tool")
	case none > 1:
		held = append(held, fmt.Sprintf("None on %d other tools", none))
	}
	return Done{Detail: fmt.Sprintf("Procore holds the %s %q (template %d): %s", kind, procore.Printable(d.Name), d.ID, strings.Join(held, ", "))}, nil
}

// describeLevels says levels in a person's words: "*" is every tool.
func describeLevels(levels string) string {
	want, err := parseLevels(levels)
	if err != nil {
		return levels
	}
	var out []string
	every := ""
	for _, w := range want {
		switch {
		case w.Tool != everyTool:
			out = append(out, w.Label+" "+levelName(w.Rank))
		case len(want) > 1:
			every = "every other tool " + levelName(w.Rank)
		default:
			every = "every tool " + levelName(w.Rank)
		}
	}
	if every != "" {
		out = append(out, every)
	}
	return strings.Join(out, ", ")
}

// toolLabel is a tool key as a person reads it: "daily_log" is "Daily Log".
func toolLabel(key string) string {
	words := strings.Fields(strings.ReplaceAll(procore.Printable(key), "_", " "))
	for i, w := range words {
		r, n := utf8.DecodeRuneInString(w)
		words[i] = string(unicode.ToUpper(r)) + w[n:]
	}
	return strings.Join(words, " ")
}
