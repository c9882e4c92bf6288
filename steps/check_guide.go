package steps

import (
	"fmt"
	"slices"
)

// guide checks the guide as a whole, then each step in order.
func (c *checker) guide(g *Guide) {
	c.stepIDs = map[string]int{}
	c.fieldAt = map[string]string{}
	c.allField = map[string]bool{}
	c.defaults = map[string]string{}
	c.roleAt = map[Role]string{}
	c.choices = map[string][]string{}

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
	c.audit(g)
}
