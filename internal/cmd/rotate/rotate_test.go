package rotate_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/cmd/cmdtest"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/procore/sim"
)

// demoStore is a keychain in memory holding the demo simulator's own app
// in profile.
func demoStore(t *testing.T, profile string) (*credstore.Store, string) {
	t.Helper()
	fx := sim.New(sim.Config{Seed: 1}).Fixtures() // the demo's simulator
	store := &credstore.Store{Service: "procore-sa-demo", Keyring: &credstore.MemoryKeyring{}}
	c := credstore.Credential{Version: 1, Kind: credstore.KindClientCredentials, Environment: "demo", CompanyID: fx.CompanyID,
		ClientID: fx.DMSAClientID, ClientSecret: secret.New(fx.DMSAClientSecret), Guide: "dmsa", CreatedAt: time.Now().Add(-200 * 24 * time.Hour)}
	if _, err := store.Save(context.Background(), credstore.Placement{Profile: profile}, c, false); err != nil {
		t.Fatal(err)
	}
	return store, fx.DMSAClientSecret
}

func run(t *testing.T, store *credstore.Store, answers []string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	f := cmdtest.Factory(strings.NewReader(strings.Join(answers, "\n")+"\n"), &out, &errb)
	f.Credentials = store
	code := cmdtest.Execute(f, args...)
	return out.String(), errb.String(), code
}

func held(t *testing.T, store *credstore.Store, profile string) string {
	t.Helper()
	c, err := store.Load(context.Background(), profile, false)
	if err != nil {
		t.Fatal(err)
	}
	return c.ClientSecret.Reveal()
}

// TestRotatePlain walks the rotation at line prompts under --demo: a new
// secret Procore refuses leaves the old one stored (exit 1); the
// simulator's reset one replaces it once proved (exit 0), and status shows
// the rotation.
func TestRotatePlain(t *testing.T) {
	cmdtest.Env(t)
	store, old := demoStore(t, "lc")
	fx := sim.New(sim.Config{Seed: 1}).Fixtures()
	cid := fx.DMSAClientID

	wrong := "0000000000000000000000000000000000000000000000000000000000000000"
	out, errOut, code := run(t, store, []string{"", "y", "y", "y", "y", cid, wrong, "562949953421312", "", "d", "q", "discard"},
		"--demo", "--plain", "rotate", "lc")
	if code != 1 || held(t, store, "lc") != old {
		t.Fatalf("refused secret: exit %d, old kept %v\n%s\n%s", code, held(t, store, "lc") == old, out, errOut)
	}
	for _, want := range []string{"revokes the old secret at once", "Procore refused the client ID and secret", "is unchanged"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	for _, want := range []string{"the stored secret works now", "still holds the old secret"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}

	out, errOut, code = run(t, store, []string{"", "y", "y", "y", "y", "demo", "", "", ""}, "--demo", "--plain", "rotate", "lc")
	fresh := held(t, store, "lc")
	if code != 0 || fresh == old || fresh == "" {
		t.Fatalf("rotation: exit %d, replaced %v\n%s\n%s", code, fresh != old, out, errOut)
	}
	if names, _ := store.Profiles(context.Background()); len(names) != 1 {
		t.Errorf("profiles %v: the old secret was kept beside", names)
	}
	for _, want := range []string{"Procore accepted them.", "ok  The token works", `Rotated: profile "lc" holds the new secret`} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	for _, s := range []string{old, fresh, wrong} {
		if strings.Contains(out+errOut, s) {
			t.Fatal("a secret reached the output")
		}
	}
	out, _, _ = run(t, store, nil, "--demo", "status")
	if !strings.Contains(out, "last rotated ") {
		t.Errorf("status does not show the rotation:\n%s", out)
	}

	// What cannot be rotated is a usage error.
	store.Save(context.Background(), credstore.Placement{Profile: "user"}, credstore.Credential{Kind: credstore.KindUserLogin, Login: "a@b.c", Password: secret.New("pw")}, false)
	if _, errOut, code := run(t, store, nil, "--demo", "--plain", "rotate", "user"); code != 2 || !strings.Contains(errOut, "change the password in Procore") {
		t.Errorf("user login: exit %d\n%s", code, errOut)
	}
	if _, _, code := run(t, store, nil, "--demo", "rotate"); code != 2 {
		t.Errorf("no profile: exit %d", code)
	}
	audit, _ := os.ReadFile(filepath.Join(os.Getenv("XDG_STATE_HOME"), "procore-sa", "demo", "audit.jsonl"))
	if strings.Count(string(audit), `"action":"rotate"`) < 6 {
		t.Errorf("audit:\n%s", audit)
	}
}
