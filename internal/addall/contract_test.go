package addall_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/procore-sa/procore-sa/internal/addall"
	"github.com/procore-sa/procore-sa/internal/simtest"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/procore/sim"
)

const bulkRoute = "POST /rest/v1.3/companies/{cid}/users/bulk_add"

// TestAddAllEveryShapeAnswerLost runs add-all over more than 1,000
// projects against the simulator set to each shape of bulk_add's answer,
// with answers dropped after Procore acted: once (the client's retry gets
// the answer) and more often than the client retries (the answer is never
// read). Every project ends a member, created once, and the report agrees
// with the simulator's state; a lost answer is a notice, not a stop.
func TestAddAllEveryShapeAnswerLost(t *testing.T) {
	const projects = 2500 // 2,250 active: three bulk_add calls
	for _, shape := range []sim.BulkShape{sim.BulkShapeItems, sim.BulkShapeProjectObjects, sim.BulkShapeSingleKey, sim.BulkShapeKeyed} {
		for _, drops := range []int{1, 3} {
			t.Run(strconv.Itoa(int(shape))+"/drops="+strconv.Itoa(drops), func(t *testing.T) {
				w := simtest.New(t, sim.Config{Seed: 51, Projects: projects})
				w.S.SetFaults(sim.Faults{BulkAddShape: shape, DropAnswers: map[string]int{bulkRoute: drops}})
				ctx := context.Background()
				var evs events
				c := addAllClient(w, &evs, func(cfg *procore.Config) { cfg.MaxRetries = 2 })
				user := w.Fx.ServiceUserID
				plan, err := addall.MakePlan(ctx, c, addall.Request{UserID: user, Template: w.Fx.TemplateName, NewProjects: true})
				if err != nil {
					t.Fatal(err)
				}
				rep, err := addall.Run(ctx, c, plan, nil, evs.add)
				if err != nil {
					t.Fatal(err)
				}
				checkMembers(t, w.S, user, projects)
				checkReport(t, w.S, rep)
				for _, r := range rep.Results {
					if _, in := w.S.MemberTemplate(user, r.ID); !in || r.Outcome != addall.OutcomeAdded {
						t.Fatalf("project %d: reported %s, member %t", r.ID, r.Outcome, in)
					}
				}
				st := w.S.Stats()
				if st.Dropped != drops {
					t.Errorf("%d answers dropped, want %d", st.Dropped, drops)
				}
				lost := drops > 2 // more drops than the client retries
				if lost != (len(rep.Notices) > 0) || lost != (evs.count("notice") > 0) {
					t.Errorf("notices %q with the answer lost %t", rep.Notices, lost)
				}
				// Confirmed by reading back, never by adding one at a time.
				if n := st.ByRoute["POST /rest/v1.0/projects/{pid}/users/{id}/actions/add"]; n != 0 {
					t.Errorf("%d projects added one at a time", n)
				}
				if !rep.NewProjectsSet || !w.S.AddToNewProjects(user) {
					t.Error("add_to_new_projects not set")
				}
			})
		}
	}
}

// TestAddAllUnreadableAnswer: a bulk_add answer in a shape no reader knows
// is reported, confirmed by reading back, and the run goes on.
func TestAddAllUnreadableAnswer(t *testing.T) {
	w := simtest.New(t, sim.Config{Seed: 52, Projects: 1200})
	w.SetIntercept(func(rw http.ResponseWriter, r *http.Request) bool {
		if !strings.HasSuffix(r.URL.Path, "/bulk_add") {
			return false
		}
		rec := httptest.NewRecorder()
		w.S.ServeHTTP(rec, r) // Procore acts...
		rw.Header().Set("Content-Type", "application/json")
		rw.Write([]byte(`{"result":{"queued":true}}`)) // ...and answers in an unknown shape
		return true
	})
	ctx := context.Background()
	var evs events
	c := addAllClient(w, &evs, nil)
	plan, err := addall.MakePlan(ctx, c, addall.Request{UserID: w.Fx.ServiceUserID})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := addall.Run(ctx, c, plan, nil, evs.add)
	if err != nil {
		t.Fatal(err)
	}
	checkMembers(t, w.S, w.Fx.ServiceUserID, 1200)
	checkReport(t, w.S, rep)
	if len(rep.Notices) != 2 || !strings.Contains(rep.Notices[0], "not fully read") {
		t.Errorf("notices %q; want one for each of the two calls", rep.Notices)
	}
}

// TestAddAllNotDirectoryAdmin: the DMSA, as Procore's guide advises it be
// set up, may not change the directory. add-all with its credential stops
// with the typed error that says to sign in as an admin with
// `procore-sa login`, having changed nothing, and reports every project
// as pending: nothing half-done goes unreported.
func TestAddAllNotDirectoryAdmin(t *testing.T) {
	for _, refused := range []bool{false, true} {
		t.Run("bulk_add refused="+strconv.FormatBool(refused), func(t *testing.T) {
			w := simtest.New(t, sim.Config{Seed: 53, Projects: 40, DMSAPermitAll: true})
			w.S.SetFaults(sim.Faults{BulkAddRefused: refused})
			ctx := context.Background()
			c := w.Client(w.Fx.CompanyID, nil)
			plan, err := addall.MakePlan(ctx, c, addall.Request{UserID: w.Fx.ServiceUserID, NewProjects: true})
			if err != nil {
				t.Fatal(err)
			}
			rep, err := addall.Run(ctx, c, plan, nil, nil)
			if !errors.Is(err, procore.ErrNotDirectoryAdmin) || !strings.Contains(err.Error(), "procore-sa login") {
				t.Fatalf("got %v; want the error that says to sign in as an admin", err)
			}
			if rep == nil || len(rep.Pending) != len(plan.ToAdd) || rep.Count(addall.OutcomeAdded) != 0 || rep.OK() {
				t.Fatalf("report %+v", rep)
			}
			for _, pid := range w.S.ActiveProjectIDs() {
				if w.S.AddCount(w.Fx.ServiceUserID, pid) != 0 {
					t.Fatalf("project %d was changed", pid)
				}
			}
			if w.S.AddToNewProjects(w.Fx.ServiceUserID) {
				t.Fatal("add_to_new_projects was set")
			}
		})
	}
	// The same DMSA made a Directory Admin does the run.
	w := simtest.New(t, sim.Config{Seed: 53, Projects: 40, DMSAPermitAll: true, DMSADirectoryAdmin: true})
	c := w.Client(w.Fx.CompanyID, nil)
	plan, err := addall.MakePlan(context.Background(), c, addall.Request{UserID: w.Fx.ServiceUserID})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := addall.Run(context.Background(), c, plan, nil, nil)
	if err != nil || !rep.OK() {
		t.Fatalf("a Directory Admin DMSA: %v, %+v", err, rep)
	}
	checkMembers(t, w.S, w.Fx.ServiceUserID, 40)
}
