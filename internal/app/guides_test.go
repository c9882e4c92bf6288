package app

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/addall"
	"github.com/procore-sa/procore-sa/internal/simtest"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/procore/sim"
	"github.com/procore-sa/procore-sa/steps"
)

// walkValues are what a person types into a guide's fields with roles:
// the defaults the guide gives, else an account that is new to the
// simulator's company (a DMSA's user is found, not typed).
func walkValues(g *steps.Guide, fx sim.Fixtures) map[steps.Role]string {
	v := map[steps.Role]string{}
	for _, st := range g.Steps {
		for _, f := range st.Fields {
			if f.Role != "" && f.Default != "" {
				v[f.Role] = f.Default
			}
		}
	}
	set := func(r steps.Role, s string) {
		if _, ok := g.FieldWithRole(r); ok && v[r] == "" {
			v[r] = s
		}
	}
	switch f, ok := g.FieldWithRole(steps.RoleAccountEmail); {
	case g.AccountModel != steps.DMSA:
		set(steps.RoleAccountEmail, "sync.robot@riversidebuilders.example")
	case ok && f.Required:
		// The app's user, as the person finds it in the directory.
		set(steps.RoleAccountEmail, fx.DMSALogin)
	}
	set(steps.RoleFirstName, "Sync")
	set(steps.RoleLastName, "Robot")
	set(steps.RoleCompanyDomain, "riversidebuilders.example")
	set(steps.RoleAppName, "Riverside Integration (DMSA)")
	return v
}

// TestEveryGuideActsThenAudits walks each built-in guide's automation as
// the wizard does: each step's action planned and done with the admin's
// sign-in (the chosen projects chosen when asked), add_all steps by the
// add-all engine, and then the audit: every requirement of a step the tool
// did holds, but for the ones Procore's API cannot answer, which say why;
// a by-hand step's requirement names its fix.
func TestEveryGuideActsThenAudits(t *testing.T) {
	cat, problems := steps.LoadCatalog(t.TempDir())
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	for _, g := range cat.List() {
		t.Run(g.ID, func(t *testing.T) {
			w := simtest.New(t, sim.Config{Seed: 61, Projects: 15})
			a := storedApp(t, w, true)
			ctx := context.Background()
			u := Using{Guide: g, Values: walkValues(g, w.Fx), Answers: map[string]string{}}
			if !slices.ContainsFunc(g.Steps, func(st steps.Step) bool { return st.Action != nil && st.Action.Name == steps.ActionCreateUser }) && g.AccountModel != steps.DMSA {
				// A retired service account's user exists already.
				if _, err := w.AdminClient(w.Fx.CompanyID, nil).CreateUser(ctx, procore.NewUser{LastName: "Robot", EmailAddress: u.Values[steps.RoleAccountEmail]}); err != nil {
					t.Fatal(err)
				}
			}
			byTool := map[string]bool{}
			adder := a.AddAll()
			for _, st := range g.Steps {
				if ok, _ := st.Applies(u.Answers); !ok {
					continue
				}
				switch st.Kind {
				case steps.KindVerify, steps.KindCredential:
					byTool[st.ID] = true
				case steps.KindAddAll:
					byTool[st.ID] = true
					plan, _, err := adder.Plan(ctx, u)
					if err != nil {
						t.Fatalf("step %s: add-all plan: %v", st.ID, err)
					}
					if _, err := adder.Run(ctx, addall.NewRunID(time.Now()), plan, nil); err != nil {
						t.Fatalf("step %s: add-all: %v", st.ID, err)
					}
					continue
				}
				if st.Action == nil {
					continue
				}
				byTool[st.ID] = true
				p, err := a.Automate().Plan(ctx, *st.Action, u)
				if err != nil {
					t.Fatalf("step %s: plan %s: %v", st.ID, st.Action, err)
				}
				switch {
				case p.Ask != "" && st.Action.Name == steps.ActionAddToProjects:
					u.Projects = w.S.ActiveProjectIDs()[:3]
					p, err = a.Automate().Plan(ctx, *st.Action, u)
				case p.Ask != "" && st.Action.Name == steps.ActionAssignTemplates:
					// The person makes the template the guide names by
					// hand, as the plan asks, and goes on.
					for k, typ := range map[string]string{"company_template": "company_tools", "project_template": "global"} {
						if name := st.Action.With[k]; name != "" && strings.Contains(p.Ask, strconv.Quote(name)) {
							if _, err := w.AdminClient(w.Fx.CompanyID, nil).CreateTemplate(ctx, procore.NewTemplate{Name: name, Type: typ}); err != nil {
								t.Fatal(err)
							}
						}
					}
					p, err = a.Automate().Plan(ctx, *st.Action, u)
				}
				if err != nil || p.Ask != "" {
					t.Fatalf("step %s: plan %s: %+v, %v", st.ID, st.Action, p, err)
				}
				o, err := a.Automate().Do(ctx, *st.Action, p, u)
				if err != nil {
					t.Fatalf("step %s: do %s: %v", st.ID, st.Action, err)
				}
				if o.UserID != 0 {
					u.UserID = o.UserID
				}
			}
			if u.Projects == nil {
				u.Projects = w.S.ActiveProjectIDs()[:3]
			}
			rs, err := a.Check().Audit(ctx, g, u)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rs {
				switch {
				case r.OK:
				case r.Unknown && strings.Contains(r.State, "only for the signed-in user itself"):
					t.Logf("%s: cannot be read through the API: %s", r.ID, r.State)
				case !byTool[r.Step]:
					// A step the person does by hand in Procore; this walk
					// did not, and the audit says so, with the fix.
					if r.Unknown || !strings.HasPrefix(r.Fix, "In ") {
						t.Errorf("%s (by hand): %+v", r.ID, r)
					}
					t.Logf("%s: by hand, not done here: %s", r.ID, r.Fix)
				default:
					t.Errorf("%s: %+v", r.ID, r)
				}
			}
		})
	}
}
