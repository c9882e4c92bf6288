package check

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/procore-sa/procore-sa/internal/automate"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/internal/simtest"
	"github.com/procore-sa/procore-sa/internal/walkthrough"
	"github.com/procore-sa/procore-sa/procore/sim"
	"github.com/procore-sa/procore-sa/steps"
)

// TestCheckEveryGuideBeforeAndAfterItsActions: for each built-in guide,
// check fails on the fresh company and holds once the guide's actions are
// done as its walk does them (each action planned and done with the
// admin's sign-in, an add_all step adding the account to every active
// project).
func TestCheckEveryGuideBeforeAndAfterItsActions(t *testing.T) {
	cat, problems := steps.LoadCatalog("")
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	for i, id := range []string{"spectrum", "syncezy", "laborchart", "hammertech", "admin-helper", "dmsa"} {
		t.Run(id, func(t *testing.T) {
			ctx := context.Background()
			w := simtest.New(t, sim.Config{Seed: int64(70 + i), Projects: 12})
			f, out := factory(t, w)
			g, _ := cat.Get(id)

			// The fields with a role, filled as the demo's walk fills them.
			opts := walkthrough.Options{Answers: func(g *steps.Guide) map[steps.Role]string { return walkthrough.DemoAnswers(g, w.Fx) }}
			roles, values := map[steps.Role]string{}, map[string]string{}
			for _, st := range g.Steps {
				for _, fl := range st.Fields {
					if v := walkthrough.Value(g, opts, fl, values); fl.Role != "" {
						roles[fl.Role] = v
					}
				}
			}
			user := strconv.FormatInt(w.Fx.DMSAUserID, 10)
			if g.AccountModel == steps.UserLogin {
				user = roles[steps.RoleAccountEmail]
			}

			if err := runCheck(t, f, id, "--user", user); !errors.Is(err, cmdutil.ErrSilent) {
				t.Fatalf("on the fresh company: %v, want it to fail\n%s", err, out)
			}

			admin := w.AdminClient(w.Fx.CompanyID, nil)
			e := &automate.Env{Admin: admin, Integration: w.Client(w.Fx.CompanyID, nil), IntegrationClientID: w.Fx.DMSAClientID, Values: roles}
			if g.AccountModel != steps.UserLogin {
				e.UserID = w.Fx.DMSAUserID
			}
			for _, st := range g.Steps {
				if ok, _ := st.Applies(values); !ok {
					continue
				}
				switch {
				case st.Action != nil:
					p, err := automate.PlanAction(ctx, *st.Action, e)
					if err != nil || p.Ask != "" {
						t.Fatalf("plan %s: %+v, %v", st.ID, p, err)
					}
					d, err := automate.Do(ctx, *st.Action, p, e)
					if err != nil {
						t.Fatalf("do %s: %v", st.ID, err)
					}
					if d.UserID != 0 {
						e.UserID = d.UserID
					}
				case st.Kind == steps.KindAddAll:
					// As the wizard's add-all does: every active project,
					// and every new one.
					for _, pid := range w.S.ActiveProjectIDs() {
						if err := admin.AddToProject(ctx, pid, e.UserID, 0); err != nil {
							t.Fatalf("add to project %d: %v", pid, err)
						}
					}
					if _, err := admin.SetAddToNewProjects(ctx, e.UserID, true); err != nil {
						t.Fatal(err)
					}
				}
			}

			out.Reset()
			if err := runCheck(t, f, id, "--user", user); err != nil {
				t.Fatalf("after the guide's actions: %v\n%s", err, out)
			}
		})
	}
}
