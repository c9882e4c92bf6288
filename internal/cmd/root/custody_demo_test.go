package root

import (
	"io"
	"strings"
	"testing"

	"github.com/procore-sa/procore-sa/internal/credstore"
)

// TestCustodyDemoCredential: the keeper offers the simulator's own app
// under --demo only.
func TestCustodyDemoCredential(t *testing.T) {
	guidesEnv(t)
	a := newCLI(strings.NewReader(""), io.Discard, io.Discard)
	a.Start()
	k, err := a.App().Keeper()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := k.DemoCredential(); ok {
		t.Fatal("a demo credential is offered outside --demo")
	}
	a.Flags.Demo = true
	a.Start()
	defer a.App().Close()
	if k, err = a.App().Keeper(); err != nil {
		t.Fatal(err)
	}
	cred, ok := k.DemoCredential()
	s, err := a.App().Sim()
	if err != nil {
		t.Fatal(err)
	}
	fx := s.Fixtures()
	if !ok || cred.ClientID != fx.DMSAClientID || cred.ClientSecret.Reveal() != fx.DMSAClientSecret ||
		cred.CompanyID != fx.CompanyID || cred.Kind != credstore.KindClientCredentials || cred.Environment != "demo" {
		t.Fatalf("offered %+v, %v", cred, ok)
	}
}
