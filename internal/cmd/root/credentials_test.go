package root

import (
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/procore/sim"
)

// needKeyring skips unless the test command started a real Secret Service
// (scripts/test does); under CI its absence is a failure.
func needKeyring(t *testing.T) {
	t.Helper()
	if os.Getenv("PROCORE_SA_KEYRING_READY") != "1" {
		if os.Getenv("CI") != "" {
			t.Fatal("no Secret Service: run the tests with scripts/test")
		}
		t.Skip("no Secret Service; scripts/test starts one")
	}
}

// TestLoginStoresRefreshToken signs in to a simulator as a person would
// (the code pasted on standard input), reads the entry back with an
// independent client, secret-tool, and checks the refresh token is replaced
// each time it is used.
func TestLoginStoresRefreshToken(t *testing.T) {
	needKeyring(t)
	guidesEnv(t)
	r, err := app.StartSim("127.0.0.1:0", sim.Config{Seed: 4, Projects: 20}, sim.Faults{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop()
	fx := r.Fixtures()
	code0, err := r.IssueCode(fx.AdminClientID, procore.OOBRedirect)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("PROCORE_CLIENT_SECRET", fx.AdminClientSecret)
	profile := "test-login"
	at := []string{"--api-url", r.URL, "--login-url", r.URL, "--company", strconv.FormatInt(fx.CompanyID, 10), "--profile", profile}
	out, errOut, code := runWithInput(t, code0+"\n", append(at, "login", "--client-id", fx.AdminClientID)...)
	if code != exitOK {
		t.Fatalf("login: exit %d\n%s%s", code, out, errOut)
	}
	t.Cleanup(func() { runWithInput(t, "", "secret", "delete", profile) })
	if strings.Contains(out+errOut, fx.AdminClientSecret) {
		t.Fatal("login printed the client secret")
	}
	if !strings.Contains(out, "keychain") || strings.Contains(out, "memory only") {
		t.Fatalf("login did not use the keychain:\n%s", out)
	}
	raw, err := exec.Command("secret-tool", "lookup", "service", "procore-sa", "username", profile).Output()
	if err != nil {
		t.Fatalf("secret-tool lookup: %v", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("the entry is not JSON: %v", err)
	}
	if doc["kind"] != "admin_oauth" || doc["refresh_token"] == "" || doc["version"] != float64(1) {
		t.Fatalf("entry %v", keysOf(doc))
	}
	// The refresh token is single use: verify uses it, stores the new one.
	first := doc["refresh_token"]
	if out, errOut, code := runWithInput(t, "", append(at, "verify")...); code != exitOK {
		t.Fatalf("verify: exit %d\n%s%s", code, out, errOut)
	}
	raw, _ = exec.Command("secret-tool", "lookup", "service", "procore-sa", "username", profile).Output()
	_ = json.Unmarshal(raw, &doc)
	if doc["refresh_token"] == first {
		t.Error("the refresh token was not replaced after use")
	}

	out, _, code = runWithInput(t, "", "status", "--json")
	if code != exitOK || !strings.Contains(out, `"profile": "`+profile+`"`) || strings.Contains(out, first.(string)) {
		t.Fatalf("status --json (exit %d):\n%s", code, out)
	}
	out, _, _ = runWithInput(t, "", "secret", "list")
	if !strings.Contains(out, profile) || !strings.Contains(out, "admin_oauth") || strings.Contains(out, first.(string)) {
		t.Fatalf("secret list:\n%s", out)
	}
	if _, _, code := runWithInput(t, "", "secret", "delete", profile); code != exitOK {
		t.Fatal("delete failed")
	}
	if err := exec.Command("secret-tool", "lookup", "service", "procore-sa", "username", profile).Run(); err == nil {
		t.Fatal("the entry is still there after delete")
	}
	audit, _ := os.ReadFile(os.Getenv("XDG_STATE_HOME") + "/procore-sa/audit.jsonl")
	for _, action := range []string{`"login"`, `"refresh"`, `"delete"`} {
		if !strings.Contains(string(audit), action) {
			t.Errorf("audit log lacks %s:\n%s", action, audit)
		}
	}
}

func keysOf(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}
