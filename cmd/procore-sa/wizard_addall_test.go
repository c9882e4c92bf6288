package main

import (
	"context"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/procore-sa/procore-sa/steps"
)

// TestWizardPlanReadsTheAccountByRole: the wizard's add-all finds the
// account by the walk's account_email value, and under --demo creates it
// with the first_name and last_name values, whatever the fields' ids.
func TestWizardPlanReadsTheAccountByRole(t *testing.T) {
	guidesEnv(t)
	a := newApp(strings.NewReader(""), io.Discard, io.Discard)
	a.demo, a.profile = true, "nothing-saved-here"
	if _, err := a.target(); err != nil {
		t.Fatal(err)
	}
	defer a.stopDemo()
	ctx := context.Background()
	w := &wizardAddAll{a: a}
	_, who, err := w.Plan(ctx, map[steps.Role]string{
		steps.RoleAccountEmail: " role.user@example.com ", steps.RoleFirstName: "Role", steps.RoleLastName: "User"})
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`^for role\.user@example\.com \(user (\d+)\) in company \d+$`).FindStringSubmatch(who)
	if m == nil {
		t.Fatalf("planned %q, not for the account_email value", who)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	c, _, err := a.client(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	u, err := c.User(ctx, id)
	if err != nil || u.FirstName != "Role" || u.LastName != "User" {
		t.Fatalf("created %+v, %v; want Role User", u, err)
	}
	// Values under no role are not the account's: the credential's own user.
	if _, who, err := w.Plan(ctx, map[steps.Role]string{}); err != nil || !strings.Contains(who, "the credential's own user") {
		t.Fatalf("with no account_email: %q, %v", who, err)
	}
}
