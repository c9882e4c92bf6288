package login_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/procore-sa/procore-sa/internal/cmd/cmdtest"
	"github.com/procore-sa/procore-sa/internal/cmdutil"

	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/state"
)

// TestRefreshNeverReplacesAnotherCredential: a refresh stores the new
// refresh token under the same rule as every other write: when the
// profile was given another credential while the run used its sign-in (a
// capture saved there meanwhile), that one is kept, the token goes beside
// it, and the person and the audit log are told where.
func TestRefreshNeverReplacesAnotherCredential(t *testing.T) {
	cmdtest.Env(t)
	r, fx, at := cmdtest.StartSim(t)
	c := cmdtest.NewCredApp(t, "")
	code, err := r.IssueCode(fx.AdminClientID, procore.OOBRedirect)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := procore.Exchange(context.Background(), nil, r.Environment(), fx.AdminClientID, secret.New(fx.AdminClientSecret), code)
	if err != nil {
		t.Fatal(err)
	}
	c.Save(t, "adm", credstore.Credential{Version: 1, Kind: credstore.KindAdminOAuth, Environment: "custom", CompanyID: fx.CompanyID,
		ClientID: fx.AdminClientID, ClientSecret: secret.New(fx.AdminClientSecret), RefreshToken: secret.New(tok.RefreshToken)})
	captured := cmdtest.AppCred("captured-app", "captured-secret-do-not-print")
	captured.Environment = "custom"
	// The entry as a capture writes it, made in a keychain of its own.
	scratch := &credstore.MemoryKeyring{}
	if _, err := (&credstore.Store{Service: "procore-sa", Keyring: scratch}).Save(context.Background(), credstore.Placement{Profile: "adm"}, captured, false); err != nil {
		t.Fatal(err)
	}
	doc, err := scratch.Get("procore-sa", "adm")
	if err != nil {
		t.Fatal(err)
	}
	// The run reads its sign-in once; every read of adm after that sees
	// the capture saved there meanwhile.
	var mu sync.Mutex
	reads := 0
	c.KR.Mu.Lock()
	c.KR.OnGet = func(account string) {
		if account != "adm" {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if reads++; reads == 2 {
			_ = c.KR.MemoryKeyring.Set("procore-sa", "adm", doc)
		}
	}
	c.KR.Mu.Unlock()
	out, errOut, exit := c.Run(t, append(at, "verify", "--profile", "adm")...)
	c.KR.Mu.Lock()
	c.KR.OnGet = nil
	c.KR.Mu.Unlock()
	if exit != cmdutil.ExitOK {
		t.Fatalf("verify: exit %d\n%s%s", exit, out, errOut)
	}
	if h := c.Held(t, "adm"); h != "captured-secret-do-not-print||" {
		t.Fatalf("the refresh replaced the capture in adm: it holds %q", h)
	}
	beside, err := c.Store.Load(context.Background(), "adm-2", false)
	if err != nil || beside.Kind != credstore.KindAdminOAuth || beside.RefreshToken.Reveal() == tok.RefreshToken || beside.RefreshToken.Reveal() == "" {
		t.Fatalf("the new refresh token is not beside it in adm-2: %v", err)
	}
	if !strings.Contains(errOut, `stored as profile "adm-2"`) || !strings.Contains(errOut, "--profile adm-2") {
		t.Errorf("the person is not told where the token went:\n%s", errOut)
	}
	var refresh *state.AuditEntry
	for _, e := range cmdtest.AuditEntries(t) {
		if e.Action == "refresh" {
			refresh = &e
		}
	}
	if refresh == nil || refresh.Profile != "adm-2" || !strings.Contains(refresh.Detail, "kept") {
		t.Errorf("audit line %+v", refresh)
	}
	if strings.Contains(out+errOut, "do-not-print") {
		t.Fatal("a secret was printed")
	}
}
