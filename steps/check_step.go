package steps

import (
	"fmt"
	"slices"
)

// step checks one step: its id, texts, kind, checklist and the parts
// only some kinds have.
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
	case (st.Kind == KindInstruction || st.Kind == KindAudit || st.Kind.Automated()) && blank(st.Body) && len(st.Checklist) == 0:
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
	if st.SkipIf != nil {
		c.condition(p+".skip_if", name, st.SkipIf, true)
	}
	c.automation(i, p, name, st)
}

// condition checks a skip_if or required_if: it names an earlier choice
// field and one of its options; a skip says why.
func (c *checker) condition(p, name string, cond *Condition, skip bool) {
	key := "required_if"
	if skip {
		key = "skip_if"
	}
	c.text(p+".is", cond.Is)
	c.text(p+".because", cond.Because)
	opts, isChoice := c.choices[cond.Field]
	_, before := c.fieldAt[cond.Field]
	switch {
	case blank(cond.Field):
		c.add(p+".field", "%s: %s needs field: the id of an earlier choice field", name, key)
	case isChoice:
		if !slices.Contains(opts, cond.Is) {
			c.add(p+".is", "%s: %s: %s is not an option of field %s: use %s", name, key, quote(cond.Is), quote(cond.Field), quoteList(quoteEach(opts)))
		}
	case before:
		c.add(p+".field", "%s: %s names field %s, which is not a choice field", name, key, quote(cond.Field))
	case c.allField[cond.Field]:
		c.add(p+".field", "%s: %s names field %s, which comes later: ask it first", name, key, quote(cond.Field))
	default:
		c.add(p+".field", "%s: %s names field %s, which is not in this guide", name, key, quote(cond.Field))
	}
	switch {
	case skip && blank(cond.Because):
		c.add(p, "%s: skip_if needs because: say why the step does not apply", name)
	case !skip && cond.Because != "":
		c.add(p+".because", "%s: because is only for skip_if", name)
	}
}

func quoteEach(vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = quote(v)
	}
	return out
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
