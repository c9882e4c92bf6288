package main

import (
	"io"
	"strings"
	"testing"

	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/procore"
)

// TestCustodyDemoCredential: the keeper offers the simulator's own app
// under --demo only.
func TestCustodyDemoCredential(t *testing.T) {
	a := newApp(strings.NewReader(""), io.Discard, io.Discard)
	c := &custody{a: a, env: procore.Environment{Name: "production"}}
	if _, ok := c.DemoCredential(); ok {
		t.Fatal("a demo credential is offered outside --demo")
	}
	a.demo = true
	env, err := a.target()
	if err != nil {
		t.Fatal(err)
	}
	defer a.stopDemo()
	c.env = env
	cred, ok := c.DemoCredential()
	fx := a.sim.Fixtures()
	if !ok || cred.ClientID != fx.DMSAClientID || cred.ClientSecret.Reveal() != fx.DMSAClientSecret ||
		cred.CompanyID != fx.CompanyID || cred.Kind != credstore.KindClientCredentials || cred.Environment != "demo" {
		t.Fatalf("offered %+v, %v", cred, ok)
	}
}
