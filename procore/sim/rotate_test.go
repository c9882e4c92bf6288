package sim

import (
	"net/url"
	"testing"
)

// TestResetClientSecret: a reset issues a new secret for the same client
// ID; the old secret is refused from then on, and every token issued
// through the app is revoked, as the Developer Portal says.
func TestResetClientSecret(t *testing.T) {
	e := newEnv(t, nil)
	oldTok := e.dmsa()
	adminTok := e.admin()
	wantStatus(t, e.get("/rest/v1.0/me", oldTok), 200)

	fresh, err := e.s.ResetClientSecret(e.fx.DMSAClientID)
	if err != nil {
		t.Fatal(err)
	}
	if fresh == e.fx.DMSAClientSecret || len(fresh) != 64 {
		t.Fatalf("new secret %d chars, same as the old: %v", len(fresh), fresh == e.fx.DMSAClientSecret)
	}
	if e.s.ClientSecret(e.fx.DMSAClientID) != fresh {
		t.Error("ClientSecret is not the new one")
	}
	grant := func(sec string) answer {
		return e.form("/oauth/token", url.Values{"grant_type": {"client_credentials"},
			"client_id": {e.fx.DMSAClientID}, "client_secret": {sec}})
	}
	wantStatus(t, grant(e.fx.DMSAClientSecret), 401)
	wantStatus(t, e.get("/rest/v1.0/me", oldTok), 401)
	a := grant(fresh)
	wantStatus(t, a, 200)
	var tok tokenResponse
	a.json(t, &tok)
	wantStatus(t, e.get("/rest/v1.0/me", tok.AccessToken), 200)

	// Another app's tokens are untouched.
	wantStatus(t, e.get("/rest/v1.0/me", adminTok.AccessToken), 200)
	if _, err := e.s.ResetClientSecret("no-such-app"); err == nil {
		t.Error("reset an unknown app")
	}
}
