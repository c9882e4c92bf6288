package check

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/iostreams"
	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/internal/simtest"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/procore/sim"
	"github.com/procore-sa/procore-sa/steps"
)

// factory points a run at w, with the admin's sign-in kept as profile
// admin and the DMSA's credential as default, in a keychain in memory.
func factory(t *testing.T, w *simtest.World) (*cmdutil.Factory, *bytes.Buffer) {
	t.Helper()
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	config := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config)
	// The stricter dmsa guide the end-to-end test audits with, as a
	// person's own guide.
	strict, err := os.ReadFile("../../../e2e/testdata/dmsa-audit.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(config, "procore-sa", "guides"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(config, "procore-sa", "guides", "dmsa-audit.yaml"), strict, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PROCORE_CLIENT_ID", "")
	t.Setenv("PROCORE_CLIENT_SECRET", "")
	ctx := context.Background()
	store := credstore.NewStore("procore-sa-test")
	store.Keyring = &credstore.MemoryKeyring{}
	code, err := w.S.IssueCode(w.Fx.AdminClientID, procore.OOBRedirect)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := procore.Exchange(ctx, nil, w.Env, w.Fx.AdminClientID, secret.New(w.Fx.AdminClientSecret), code)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		profile string
		cred    credstore.Credential
	}{
		{app.AdminProfile, credstore.Credential{Kind: credstore.KindAdminOAuth, CompanyID: w.Fx.CompanyID, ClientID: w.Fx.AdminClientID,
			ClientSecret: secret.New(w.Fx.AdminClientSecret), RefreshToken: secret.New(tok.RefreshToken)}},
		{"default", credstore.Credential{Kind: credstore.KindClientCredentials, CompanyID: w.Fx.CompanyID, ClientID: w.Fx.DMSAClientID,
			ClientSecret: secret.New(w.Fx.DMSAClientSecret)}},
	} {
		if _, err := store.Save(ctx, credstore.Placement{Profile: c.profile}, c.cred, false); err != nil {
			t.Fatal(err)
		}
	}
	ios, _, out, _ := iostreams.Test()
	f := cmdutil.New(ios, cmdutil.BuildInfo{Version: "test"})
	f.Credentials = store
	f.Flags = cmdutil.GlobalFlags{Env: "production", APIURL: w.Env.APIURL, LoginURL: w.Env.LoginURL, Company: w.Fx.CompanyID, Profile: "default"}
	return f, out
}

func runCheck(t *testing.T, f *cmdutil.Factory, args ...string) error {
	t.Helper()
	cmd := NewCmdCheck(f, nil)
	cmd.SetArgs(args)
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	return cmd.ExecuteContext(context.Background())
}

// TestCheckDMSA: the built-in dmsa guide's audit on the fresh company
// fails (ErrSilent, exit 1) with a table naming each fix, and once the
// admin has added the DMSA's user everywhere, holds (exit 0); --json
// prints one object a requirement with id, ok and fix.
func TestCheckDMSA(t *testing.T) {
	w := simtest.New(t, sim.Config{Seed: 51, Projects: 12})
	f, out := factory(t, w)
	guides := []string{"dmsa-audit"}
	if cat, _ := f.Catalog(); cat != nil {
		if g, ok := cat.Get("dmsa"); ok && len(g.AllChecks()) > 0 {
			guides = append(guides, "dmsa")
		}
	}
	for _, g := range guides {
		out.Reset()
		err := runCheck(t, f, g)
		if !errors.Is(err, cmdutil.ErrSilent) {
			t.Fatalf("%s on the fresh company: %v\n%s", g, err, out)
		}
		text := out.String()
		for _, want := range []string{"REQUIREMENT", "STATE", "HOW TO FIX", "NO  ", "/project_membership", "Projects: Add All", "requirements of guide " + g + " hold"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: the table lacks %q:\n%s", g, want, text)
			}
		}
	}

	ctx := context.Background()
	admin := w.AdminClient(w.Fx.CompanyID, nil)
	for _, id := range w.S.ActiveProjectIDs() {
		if err := admin.AddToProject(ctx, id, w.Fx.DMSAUserID, w.Fx.TemplateID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := admin.SetAddToNewProjects(ctx, w.Fx.DMSAUserID, true); err != nil {
		t.Fatal(err)
	}
	for _, g := range guides {
		out.Reset()
		if err := runCheck(t, f, g, "--json", "--user", strconv.FormatInt(w.Fx.DMSAUserID, 10)); err != nil {
			t.Fatalf("%s after the admin's changes: %v\n%s", g, err, out)
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		for _, l := range lines {
			var m map[string]any
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Fatalf("%q: %v", l, err)
			}
			for _, k := range []string{"id", "ok", "fix"} {
				if _, ok := m[k]; !ok {
					t.Errorf("%q has no %s", l, k)
				}
			}
			if m["ok"] != true {
				t.Errorf("does not hold: %s", l)
			}
		}
		if len(lines) < 3 {
			t.Errorf("%s: %d requirements", g, len(lines))
		}
	}
}

// TestCheckUsage: mistakes in how check is called are usage errors (exit
// 2), found before anything is read.
func TestCheckUsage(t *testing.T) {
	w := simtest.New(t, sim.Config{Seed: 52, Projects: 3})
	f, _ := factory(t, w)
	before := w.S.Stats().Requests
	for _, args := range [][]string{{}, {"a", "b"}, {"no-such-guide"}, {"dmsa", "--user", ""}, {"dmsa", "--user", "-4"}, {"dmsa", "--user", "not-an-id"}} {
		var u *cmdutil.UsageError
		if err := runCheck(t, f, args...); !errors.As(err, &u) {
			t.Errorf("%q: %v, want a usage error", args, err)
		}
	}
	if n := w.S.Stats().Requests - before; n != 0 {
		t.Errorf("%d requests sent for calls that were wrong", n)
	}
}

// TestTable: the table at a glance: a mark, the requirement, Procore's
// state and the fix, with Procore's text kept printable and in its cell.
func TestTable(t *testing.T) {
	var b bytes.Buffer
	g := &steps.Guide{ID: "g"}
	reqs := []app.Requirement{
		{ID: "a/user_exists", Text: "The account's user is in the company directory", OK: true, State: "found"},
		{ID: "b/project_membership", Text: "On every project", State: "on 1 of 3\tprojects\x1b[31m", Fix: "In Procore: Add All"},
		{ID: "c/credential_works", Text: "Token", Unknown: true, State: "could not be read: no credential"},
	}
	err := printTable(&b, g, reqs, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := `    REQUIREMENT                                                    STATE                             HOW TO FIX
ok  a/user_exists: The account's user is in the company directory  found
NO  b/project_membership: On every project                         on 1 of 3 projects [31m           In Procore: Add All
??  c/credential_works: Token                                      could not be read: no credential  -

1 of 3 requirements of guide g hold; 1 do not; 1 could not be read.
`
	if got := b.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// TestNarrowTerminal: a table wider than the terminal becomes a block a
// requirement, every line within the width.
func TestNarrowTerminal(t *testing.T) {
	var b bytes.Buffer
	reqs := []app.Requirement{
		{ID: "add-all/project_membership", Text: "The account's user is on every active project", State: "on 0 of 11 projects; not on 598134325600001 Project 0001 – Granite Office Tower, and 10 more",
			Fix: "In Procore: Company Directory > Users > Edit next to admin-actions-bc1d1cc8@procore.com > Projects: Add All, then Save"},
		{ID: "verify/credential_works", Text: "Token", OK: true, State: "token works"},
	}
	if err := printTable(&b, &steps.Guide{ID: "dmsa"}, reqs, 80); err != nil {
		t.Fatal(err)
	}
	want := `NO  add-all/project_membership: The account's user is on every active project
    state: on 0 of 11 projects; not on 598134325600001 Project 0001 – Granite
           Office Tower, and 10 more
    fix:   In Procore: Company Directory > Users > Edit next to
           admin-actions-bc1d1cc8@procore.com > Projects: Add All, then Save
ok  verify/credential_works: Token
    state: token works

1 of 2 requirements of guide dmsa hold; 1 do not.
`
	if got := b.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// TestCheckChosenProjects: the hammertech guide's specific projects are
// named with --projects: without it, that requirement could not be read
// and says to pass it; with it, the audit reads the account's membership
// of exactly those projects (not on them: NO, with the projects named;
// on them: ok) and leaves out the check of every project.
func TestCheckChosenProjects(t *testing.T) {
	w := simtest.New(t, sim.Config{Seed: 53, Projects: 12})
	f, out := factory(t, w)
	rows := func(args ...string) (map[string]Line, error) {
		out.Reset()
		err := runCheck(t, f, append([]string{"hammertech", "--json", "--user", strconv.FormatInt(w.Fx.ServiceUserID, 10)}, args...)...)
		got := map[string]Line{}
		for l := range strings.SplitSeq(strings.TrimSpace(out.String()), "\n") {
			var r Line
			if jerr := json.Unmarshal([]byte(l), &r); jerr != nil {
				t.Fatalf("%q: %v", l, jerr)
			}
			got[r.ID] = r
		}
		return got, err
	}
	const chosen, every = "add-specific/project_membership", "add-all/project_membership"

	got, err := rows()
	if !errors.Is(err, cmdutil.ErrSilent) {
		t.Fatalf("without --projects: %v", err)
	}
	// The guide's default answer (all projects) leaves the chosen step out.
	if r, ok := got[chosen]; ok {
		t.Errorf("without --projects the chosen row is there: %+v", r)
	}
	if _, ok := got[every]; !ok {
		t.Errorf("without --projects the every-project row is left out")
	}

	var pick []int64
	for _, id := range w.S.ActiveProjectIDs() {
		if _, on := w.S.MemberTemplate(w.Fx.ServiceUserID, id); !on && len(pick) < 2 {
			pick = append(pick, id)
		}
	}
	if len(pick) != 2 {
		t.Fatalf("the service user is on nearly every project already")
	}
	arg := fmt.Sprintf("%d,%d", pick[0], pick[1])
	got, err = rows("--projects", arg)
	if !errors.Is(err, cmdutil.ErrSilent) {
		t.Fatalf("before the projects are added: %v", err)
	}
	if r := got[chosen]; r.OK || r.Unknown || !strings.HasPrefix(r.State, "on 0 of 2 projects; not on ") ||
		!strings.Contains(r.State, fmt.Sprint(pick[0])) || !strings.Contains(r.State, fmt.Sprint(pick[1])) || r.Fix == "" {
		t.Errorf("before: the chosen row is %+v", r)
	}
	if _, ok := got[every]; ok {
		t.Errorf("with --projects the every-project row is there: %+v", got[every])
	}

	admin := w.AdminClient(w.Fx.CompanyID, nil)
	for _, id := range pick {
		if err := admin.AddToProject(context.Background(), id, w.Fx.ServiceUserID, w.Fx.TemplateID); err != nil {
			t.Fatal(err)
		}
	}
	got, _ = rows("--projects", arg+","+fmt.Sprint(pick[0]))
	if r := got[chosen]; !r.OK || r.State != "on 2 of 2 projects" {
		t.Errorf("after: the chosen row is %+v", r)
	}

	for _, bad := range [][]string{{"hammertech", "--projects", ""}, {"hammertech", "--projects", "12,x"}, {"hammertech", "--projects", "0"}, {"dmsa", "--projects", arg}} {
		var u *cmdutil.UsageError
		if err := runCheck(t, f, bad...); !errors.As(err, &u) {
			t.Errorf("%q: %v, want a usage error", bad, err)
		}
	}
}
