package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/procore-sa/procore-sa/internal/app/apptest"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/secret"
)

// demoSecret is the simulator's app secret of these tests.
const demoSecret = "5im-d3m0-9a8b7c6d5e4f-WOMBAT"

// newDemoCustody is a keeper under --demo: it offers the simulator's own
// app.
func newDemoCustody() *apptest.Keeper {
	return &apptest.Keeper{Demo: &credstore.Credential{
		Version: 1, Kind: credstore.KindClientCredentials, Environment: "demo",
		CompanyID: 4264807, ClientID: "dmsa-0123456789abcdef", ClientSecret: secret.New(demoSecret),
	}}
}

func toDemoCapture(t *testing.T, c *apptest.Keeper, w, h int) *driver {
	o := fixtureOpts(t)
	o.Services.Keeper, o.Demo = c, true
	d := newDriver(t, o, w, h)
	completeFixtureTo(d, 5)
	return d
}

// ctrlO is the demo's fill-in key.
func (d *driver) ctrlO() *driver {
	d.send(tea.KeyPressMsg{Code: 'o', Mod: tea.ModCtrl})
	return d
}

// noDemoSecret fails when the demo secret, or a recognisable part of it,
// is in the view (raw, with its escape sequences, and as text).
func noDemoSecret(t *testing.T, d *driver) {
	t.Helper()
	views := []string{d.m.View().Content, d.screen(), d.text()}
	for _, v := range views {
		for _, part := range []string{demoSecret, demoSecret[:8], demoSecret[len(demoSecret)-8:]} {
			if strings.Contains(v, part) {
				t.Fatalf("the demo secret (or part of it) was drawn:\n%s", d.text())
			}
		}
	}
}

func TestCaptureDemoScreens(t *testing.T) {
	cases := []struct {
		name string
		do   func(d *driver)
	}{
		{"offered", func(d *driver) {}},
		{"filled", func(d *driver) { d.ctrlO() }},
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/%dx%d", c.name, size[0], size[1]), func(t *testing.T) {
				d := toDemoCapture(t, newDemoCustody(), size[0], size[1])
				c.do(d)
				noDemoSecret(t, d)
				checkFits(t, d.text(), size[0], size[1])
				golden.RequireEqual(t, d.screen())
			})
		}
	}
}

func TestCaptureDemoFillsAndSaves(t *testing.T) {
	c := newDemoCustody()
	d := toDemoCapture(t, c, 80, 24)
	d.contains("Demo: ctrl+o fills in the simulator's app", "the secret stays hidden")
	d.ctrlO()
	s := d.m.screen.(*captureScreen)
	if got := [3]string{s.inputs[capClientID].Value(), s.inputs[capSecret].Value(), s.inputs[capCompany].Value()}; got != [3]string{"dmsa-0123456789abcdef", demoSecret, "4264807"} {
		t.Fatalf("filled %q, %q (secret ok: %v), %q", got[0], "…", got[1] == demoSecret, got[2])
	}
	d.contains("dmsa-0123456789abcdef", "4264807", "(entered, hidden)", "Filled in with the simulator's app")
	noDemoSecret(t, d)
	if d.m.Walker().Index() != 5 || len(c.Kept) != 0 {
		t.Fatal("filling in went on or saved by itself")
	}
	d.press("enter")
	noDemoSecret(t, d)
	if len(c.Kept) != 1 {
		t.Fatalf("saved %d credentials", len(c.Kept))
	}
	got := c.Kept[0]
	if got.ClientID != (*c.Demo).ClientID || got.ClientSecret.Reveal() != demoSecret || got.CompanyID != (*c.Demo).CompanyID ||
		got.Kind != credstore.KindClientCredentials || got.Guide != "fixture" {
		t.Fatalf("saved %+v (secret ok: %v)", got, got.ClientSecret.Reveal() == demoSecret)
	}
	d.contains("Kept as profile default", "read back")
	if strings.Contains(d.text(), "ctrl+o") {
		t.Fatalf("the demo key is still offered once saved:\n%s", d.text())
	}
}

func TestCaptureDemoKeyInHelp(t *testing.T) {
	d := toDemoCapture(t, newDemoCustody(), 120, 40)
	var keys []string
	for _, b := range d.m.screen.ShortHelp() {
		keys = append(keys, b.Help().Key)
	}
	if !strings.Contains(strings.Join(keys, " "), "ctrl+o") {
		t.Fatalf("the capture step's bindings lack ctrl+o: %v", keys)
	}
	lines := strings.Split(strings.TrimRight(d.text(), "\n "), "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, "ctrl+o fill in demo") {
		t.Fatalf("the help bar lacks the demo key: %q", last)
	}
}

func TestCaptureNoDemoOutsideDemo(t *testing.T) {
	c := &apptest.Keeper{}
	d := toCapture(t, c, 80, 24)
	if strings.Contains(d.text(), "Demo:") || strings.Contains(d.text(), "ctrl+o") {
		t.Fatalf("the demo is offered outside the demo:\n%s", d.text())
	}
	d.ctrlO()
	s := d.m.screen.(*captureScreen)
	for i := range s.inputs {
		if v := s.inputs[i].Value(); v != "" {
			t.Fatalf("ctrl+o filled field %d outside the demo: %q", i, v)
		}
	}
}
