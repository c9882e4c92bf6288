package wizard_test

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/credstore"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/cmd/cmdtest"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/steps"
)

// TestWizardPlanReadsTheAccountByRole: the wizard's add-all finds the
// account by the walk's account_email value, and under --demo creates it
// with the first_name and last_name values, whatever the fields' ids.
func TestWizardPlanReadsTheAccountByRole(t *testing.T) {
	cmdtest.Env(t)
	a := cmdtest.Factory(strings.NewReader(""), io.Discard, io.Discard)
	a.Flags.Demo, a.Flags.Profile = true, "nothing-saved-here"
	// A keychain of its own: the session's real one is shared with tests
	// of other packages running at once, whose demo sign-ins name other
	// simulators.
	a.Credentials = &credstore.Store{Service: "procore-sa-demo", Keyring: &credstore.MemoryKeyring{}, Timeout: 5 * time.Second, InteractiveTimeout: 5 * time.Second}
	a.Start()
	defer a.App().Close()
	ctx := context.Background()
	w := a.App().AddAll()
	_, who, err := w.Plan(ctx, app.Using{Values: map[steps.Role]string{
		steps.RoleAccountEmail: " role.user@example.com ", steps.RoleFirstName: "Role", steps.RoleLastName: "User"}})
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`^for role\.user@example\.com \(user (\d+)\) in company \d+, acting as the admin's sign-in$`).FindStringSubmatch(who)
	if m == nil {
		t.Fatalf("planned %q, not for the account_email value", who)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	c, _, err := a.App().ClientFor(ctx, "admin", app.DemoAdmin, nil)
	if err != nil {
		t.Fatal(err)
	}
	u, err := c.User(ctx, id)
	if err != nil || u.FirstName != "Role" || u.LastName != "User" {
		t.Fatalf("created %+v, %v; want Role User", u, err)
	}
	// Values under no role are not the account's: the integration's own
	// user (the demo's DMSA), found with its own token.
	fx := mustSim(t, a).Fixtures()
	if _, who, err := w.Plan(ctx, app.Using{}); err != nil || !strings.Contains(who, fmt.Sprintf("(user %d)", fx.DMSAUserID)) {
		t.Fatalf("with no account_email: %q, %v", who, err)
	}
}

func mustSim(t *testing.T, a *cmdutil.Factory) *app.Sim {
	t.Helper()
	s, err := a.App().Sim()
	if err != nil {
		t.Fatal(err)
	}
	return s
}
