package plain

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/addall"
	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/app/apptest"
	"github.com/procore-sa/procore-sa/state"
	"github.com/procore-sa/procore-sa/steps"
)

type fakeAddAll struct{ runs int }

func (f *fakeAddAll) Plan(context.Context, app.Using) (*addall.Plan, string, error) {
	return &addall.Plan{ToAdd: []addall.ProjectRef{{ID: 1, Name: "A"}, {ID: 2, Name: "B"}}, Inactive: 1}, "for user 7", nil
}

func (f *fakeAddAll) Run(_ context.Context, _ string, p *addall.Plan, emit func(addall.Event)) (*addall.Report, error) {
	f.runs++
	emit(addall.Event{Kind: "wait", Reason: "waiting 3 s for Procore's rate limit"})
	emit(addall.Event{Kind: "added", Project: &p.ToAdd[0], Done: 1, Total: 2})
	emit(addall.Event{Kind: "added", Project: &p.ToAdd[1], Done: 2, Total: 2})
	return &addall.Report{Results: []addall.ProjectResult{
		{ProjectRef: p.ToAdd[0], Outcome: addall.OutcomeAdded}, {ProjectRef: p.ToAdd[1], Outcome: addall.OutcomeAdded},
	}}, nil
}

func guide() *steps.Guide {
	return &steps.Guide{ID: "g", Title: "G", AccountModel: steps.DMSA, Steps: []steps.Step{
		{ID: "email", Kind: steps.KindForm, Title: "Who", Fields: []steps.Field{{ID: "email", Label: "Email", Type: steps.FieldEmail, Role: steps.RoleAccountEmail, Required: true}}},
		{ID: "add", Kind: steps.KindAddAll, Title: "Add to all projects", Checklist: []string{"Click Add All"}},
		{ID: "verify", Kind: steps.KindVerify, Title: "Verify", Checklist: []string{"Check it"}},
	}}
}

func TestPlainAddAllAndVerify(t *testing.T) {
	st, err := state.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	f := &fakeAddAll{}
	r := &Runner{
		In: strings.NewReader("not-an-email\nsync@example.com\ny\n"), Out: &out, Store: st,
		Now: func() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) }, AddAll: f,
		Verify: &apptest.Verify{},
	}
	if err := r.Run(context.Background(), guide()); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"Plan for user 7: 2 projects to add, 0 already a member, 1 inactive skipped.",
		"waiting 3 s for Procore's rate limit", "2 of 2 projects done", "2 added, 0 already a member, 0 failed.",
		"ok  " + apptest.Facts[0], "Every step is done.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if f.runs != 1 || strings.Contains(got, "Click Add All") {
		t.Errorf("runs=%d; the manual checklist was asked for:\n%s", f.runs, got)
	}
}

func TestPlainQuitSavesAndResumes(t *testing.T) {
	st, _ := state.Open(t.TempDir())
	var out strings.Builder
	r := &Runner{In: strings.NewReader("sync@example.com\nq\n"), Out: &out, Store: st}
	if err := r.Run(context.Background(), guide()); err != ErrQuit {
		t.Fatalf("got %v", err)
	}
	s, err := st.LoadSession("g")
	if err != nil || s == nil || s.Step != 1 || s.Values["email"] != "sync@example.com" {
		t.Fatalf("saved %+v, %v", s, err)
	}
}
