package plain

import (
	"strings"
	"testing"

	"github.com/procore-sa/procore-sa/internal/app/apptest"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/secret"
)

// demoSecret is the simulator's app secret of these tests.
const demoSecret = "5im-d3m0-9a8b7c6d5e4f-WOMBAT"

func TestPlainCaptureDemoFillsAndSaves(t *testing.T) {
	c := &apptest.Keeper{Demo: &credstore.Credential{
		Version: 1, Kind: credstore.KindClientCredentials, Environment: "demo",
		CompanyID: 4264807, ClientID: "dmsa-0123456789abcdef", ClientSecret: secret.New(demoSecret),
	}}
	// demo at Client ID; then straight to the check question (enter: yes).
	got, dir, err := runCapture(t, c, lines("", " demo ", "", ""))
	if err != nil {
		t.Fatalf("%v\n%s", err, got)
	}
	if len(c.Kept) != 1 || c.Proved != 1 {
		t.Fatalf("saved %d, proved %d:\n%s", len(c.Kept), c.Proved, got)
	}
	cred := c.Kept[0]
	if cred.Kind != credstore.KindClientCredentials || cred.ClientID != "dmsa-0123456789abcdef" || cred.CompanyID != 4264807 ||
		cred.ClientSecret.Reveal() != demoSecret || cred.Environment != "production" || cred.Guide != "cap" {
		t.Errorf("saved %+v (secret ok: %v)", cred, cred.ClientSecret.Reveal() == demoSecret)
	}
	demoLine := "Demo: type demo at Client ID to use the simulator's own app (the secret stays hidden)."
	for _, want := range []string{
		demoLine, "Using the simulator's app: client ID dmsa-0123456789abcdef, company ID 4264807",
		"Procore accepted them.", "read back.", "Step 3 of 3: End", "Every step is done.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if i, j := strings.Index(got, demoLine), strings.Index(got, "Client ID: "); i < 0 || j < i {
		t.Errorf("the demo line is not before the Client ID prompt:\n%s", got)
	}
	for _, asked := range []string{"Client secret", "Company ID: "} {
		if strings.Contains(got, asked) {
			t.Errorf("%q was asked after demo:\n%s", asked, got)
		}
	}
	noLeak(t, "the output", got, demoSecret)
	noLeakInDir(t, dir, demoSecret)
}

func TestPlainCaptureNoDemoOutsideDemo(t *testing.T) {
	c := &apptest.Keeper{}
	// Outside the demo, demo is a client ID like any other.
	got, _, err := runCapture(t, c, lines("", "demo", testSecret, "4264807", "n", ""))
	if err != nil {
		t.Fatalf("%v\n%s", err, got)
	}
	if strings.Contains(got, "Demo:") || strings.Contains(got, "simulator") {
		t.Errorf("the demo is offered outside the demo:\n%s", got)
	}
	if len(c.Kept) != 1 || c.Kept[0].ClientID != "demo" || c.Kept[0].ClientSecret.Reveal() != testSecret {
		t.Fatalf("saved %+v", c.Kept)
	}
}
