package tui

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/app/apptest"
	"github.com/procore-sa/procore-sa/steps"
)

func verifyGuide() *steps.Guide {
	return &steps.Guide{ID: "check", Title: "Verify fixture", AccountModel: steps.DMSA, Steps: []steps.Step{
		{ID: "intro", Kind: steps.KindNotice, Title: "Before", Body: "Then prove the credential."},
		{ID: "verify", Kind: steps.KindVerify, Title: "Verify the credential",
			Body:      "Prove that the stored credential reaches Procore.",
			Checklist: []string{"The token is issued", "The company's projects are visible"}},
		{ID: "after", Kind: steps.KindNotice, Title: "After", Body: "Done."},
	}}
}

func verifyDriver(t *testing.T, f *apptest.Verify, w, h int) *driver {
	d := newDriver(t, Options{Guides: []*steps.Guide{verifyGuide()}, GuideID: "check", Services: app.Services{Sessions: openStore(t), Verify: f}}, w, h)
	d.press("enter") // past the notice
	return d
}

var errRefused = errors.New("the credential was refused: 401 Unauthorized (invalid_client)")

func TestVerifyScreens(t *testing.T) {
	cases := []struct {
		name string
		f    *apptest.Verify
		do   func(d *driver)
	}{
		{"idle", &apptest.Verify{Answers: []error{nil}}, func(d *driver) {}},
		{"checking", &apptest.Verify{Answers: []error{nil}}, func(d *driver) { d.hold = true; d.press("enter") }},
		{"passed", &apptest.Verify{Answers: []error{nil}}, func(d *driver) { d.press("enter") }},
		{"failed", &apptest.Verify{Answers: []error{errRefused}}, func(d *driver) { d.press("enter") }},
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/%dx%d", c.name, size[0], size[1]), func(t *testing.T) {
				d := verifyDriver(t, c.f, size[0], size[1])
				c.do(d)
				checkFits(t, d.text(), size[0], size[1])
				golden.RequireEqual(t, d.screen())
			})
		}
	}
}

// TestVerifyPassesThenGoesOn: a passed check ticks the step's checklist,
// which it proved, and enter goes on.
func TestVerifyPassesThenGoesOn(t *testing.T) {
	f := &apptest.Verify{Answers: []error{nil}}
	d := verifyDriver(t, f, 80, 24)
	d.contains("Press enter to check the credential")
	d.hold = true
	d.press("enter")
	d.contains("Checking with Procore…")
	if strings.Contains(d.text(), "check now") || strings.Contains(d.text(), "esc back") {
		t.Fatalf("keys offered that a running check does not take:\n%s", d.text())
	}
	d.press("esc", "enter") // neither leaves nor checks twice while checking
	if d.m.Walker().Index() != 1 || len(d.held) != 1 {
		t.Fatalf("at step %d with %d checks under way", d.m.Walker().Index()+1, len(d.held))
	}
	d.hold = false
	d.release(func(tea.Msg) bool { return true })
	d.contains("✓ Signed in as sync@example.com", "250 projects visible", "The credential works")
	w := d.m.Walker()
	// The check's outcome is recorded; no tick is made up for it.
	if o, _ := w.Outcome("verify"); o.Kind != steps.OutcomeDone || !strings.Contains(o.Detail, "250 projects visible") {
		t.Fatalf("outcome %+v", o)
	}
	if w.Checked(0) || w.Checked(1) {
		t.Fatal("ticks were made up for a step the tool did")
	}
	d.press("enter")
	if w.Index() != 2 {
		t.Fatalf("enter after a pass did not go on; at step %d", w.Index()+1)
	}
	if f.Calls != 1 {
		t.Fatalf("checked %d times", f.Calls)
	}
}

// TestVerifyFailureCanBeRetried: a refused credential is shown, the step
// stays, and enter checks again.
func TestVerifyFailureCanBeRetried(t *testing.T) {
	f := &apptest.Verify{Answers: []error{errRefused, nil}}
	d := verifyDriver(t, f, 80, 24)
	d.press("enter")
	d.contains("✗ The credential was refused: 401", "Press enter to check again")
	if d.m.Walker().Checked(0) {
		t.Fatal("a failed check ticked the checklist")
	}
	d.press("enter")
	if f.Calls != 2 {
		t.Fatalf("enter after a failure did not check again; %d checks", f.Calls)
	}
	d.contains("The credential works")
	if strings.Contains(d.text(), "refused") {
		t.Fatal("the old failure stayed on screen")
	}
	d.press("esc")
	if d.m.Walker().Index() != 0 {
		t.Fatal("esc did not go back")
	}
}
