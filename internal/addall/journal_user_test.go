package addall_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/addall"
	"github.com/procore-sa/procore-sa/internal/simtest"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/procore/sim"
)

// TestJournalHeaderNamesTheUser: a run's header records who its user is,
// as Procore gave it, and a resume checks that against what Procore says
// now: a header edited to point the run at another user is refused.
func TestJournalHeaderNamesTheUser(t *testing.T) {
	w := simtest.New(t, sim.Config{Seed: 3, Projects: 5})
	c := w.Client(w.Fx.CompanyID, nil)
	ctx := context.Background()
	u, err := c.User(ctx, w.Fx.ServiceUserID)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := addall.MakePlan(ctx, c, addall.Request{UserID: u.ID})
	if err != nil {
		t.Fatal(err)
	}
	var journal bytes.Buffer
	j := addall.NewJournal(&journal, "run-u")
	j.SetUser(*u)
	if _, err := addall.Run(ctx, c, plan, j, nil); err != nil {
		t.Fatal(err)
	}
	h, _, err := addall.ReadJournal(bytes.NewReader(journal.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if h.UserID != u.ID || h.UserEmail != w.Fx.ServiceUserEmail {
		t.Fatalf("header %+v does not name user %d, %s", h, u.ID, w.Fx.ServiceUserEmail)
	}
	if err := addall.CheckUser(ctx, c, h); err != nil {
		t.Fatalf("the header as written: %v", err)
	}

	tests := []struct {
		name string
		edit func(*addall.JournalHeader)
		want string
	}{
		{"another user's id", func(h *addall.JournalHeader) { h.UserID = w.Fx.AdminUserID }, "Procore says user"},
		{"no such user", func(h *addall.JournalHeader) { h.UserID = 999999 }, "999999"},
		{"no identity", func(h *addall.JournalHeader) { h.UserEmail, h.UserLogin = "", "" }, "does not say who its user is"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			edited := h
			tt.edit(&edited)
			err := addall.CheckUser(ctx, c, edited)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "run-u") {
				t.Fatalf("got %v; want a refusal naming the run and %q", err, tt.want)
			}
		})
	}
}

// TestJournalUserMustBeTheRequests: a journal told one user cannot start
// a run for another.
func TestJournalUserMustBeTheRequests(t *testing.T) {
	w := simtest.New(t, sim.Config{Seed: 3, Projects: 2})
	c := w.Client(w.Fx.CompanyID, nil)
	plan, err := addall.MakePlan(context.Background(), c, addall.Request{UserID: w.Fx.ServiceUserID})
	if err != nil {
		t.Fatal(err)
	}
	var journal bytes.Buffer
	j := addall.NewJournal(&journal, addall.NewRunID(time.Now()))
	j.SetUser(procore.User{ID: w.Fx.AdminUserID, EmailAddress: "someone@example.com"})
	if _, err := addall.Run(context.Background(), c, plan, j, nil); err == nil {
		t.Fatal("a journal for one user recorded a run for another")
	}
}
