package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/app/apptest"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/handover"
)

// handingKeeper is a test keeper that can hand what it kept to a vendor.
type handingKeeper struct {
	*apptest.Keeper
	h *fakeHandoverer
}

func (k handingKeeper) Handover() app.Handoverer { return k.h }

type fakeHandoverer struct {
	planned, written int
	profile          string
}

func (f *fakeHandoverer) PlanHandover(_ context.Context, profile string, rs []handover.Recipient, _ string, _ bool) (*app.HandoverPlan, error) {
	f.planned++
	f.profile = profile
	return &app.HandoverPlan{Profile: profile, Cred: credstore.Credential{Environment: "production"}, Recipients: rs, New: rs,
		Out: "/home/admin/procore-sa-default-handover-20261202-063000.age"}, nil
}

func (f *fakeHandoverer) WriteHandover(_ context.Context, p *app.HandoverPlan, armored bool) (app.HandoverResult, error) {
	f.written++
	return app.HandoverResult{Path: p.Out, Recipients: p.Recipients, Armored: armored}, nil
}

const vendorKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsKLqeplhpW+uObz5dvMgjz1OxfM/XXUB+VHtZ6isGN ops@vendor.example"

func TestCaptureHandsOverToTheVendor(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			h := &fakeHandoverer{}
			o := fixtureOpts(t)
			o.Services.Keeper = handingKeeper{Keeper: &apptest.Keeper{}, h: h}
			d := newDriver(t, o, size[0], size[1])
			completeFixtureTo(d, 5)
			d.fillCapture(testSecret).press("enter")
			d.contains("Press enter to keep it and continue", "Press a to hand it over to the vendor")

			d.press("a").typ("ssh-rsa AAAAnot-a-key").press("enter")
			d.contains("not a valid one")
			if h.planned != 0 {
				t.Fatal("a bad key was planned")
			}
			d.send(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}) // clear the field
			d.typ(vendorKey).press("enter")
			if h.planned != 1 || h.profile == "" {
				t.Fatalf("planned %d for %q", h.planned, h.profile)
			}
			d.contains("SHA256:", "ops@vendor.example", "production credential", "Press y to write it")
			t.Run("confirm", func(t *testing.T) { golden.RequireEqual(t, d.screen()) })
			d.press("y")
			if h.written != 1 {
				t.Fatal("not written")
			}
			d.contains("Written to", "age -d -i")
			noSecret(t, d)
			checkFits(t, d.text(), size[0], size[1])
			t.Run("written", func(t *testing.T) { golden.RequireEqual(t, d.screen()) })
			d.press("enter")
			d.contains("Handed over to the vendor in")
			if strings.Contains(d.text(), "Hand it over to the vendor\n") {
				t.Error("the dialog stayed open")
			}
			if k := o.Services.Keeper.(handingKeeper); len(k.Kept) != 1 {
				t.Errorf("kept %d credentials, want the one captured", len(k.Kept))
			}
		})
	}
}
