package tui

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/app/apptest"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/steps"
)

const testSecret = "CS-9f8e7d6c5b4a-QUOKKA"

func captureOpts(t *testing.T, c *apptest.Keeper) Options {
	o := fixtureOpts(t)
	o.Services.Keeper = c
	return o
}

// toCapture walks the fixture to its capture step.
func toCapture(t *testing.T, c *apptest.Keeper, w, h int) *driver {
	d := newDriver(t, captureOpts(t, c), w, h)
	completeFixtureTo(d, 5)
	return d
}

func (d *driver) fillCapture(secret string) *driver {
	return d.typ("dmsa-client-1234").press("tab").typ(secret).press("tab").typ("4264807")
}

func noSecret(t *testing.T, d *driver) {
	t.Helper()
	for _, part := range []string{testSecret, testSecret[:8], testSecret[len(testSecret)-8:]} {
		if strings.Contains(d.screen(), part) {
			t.Fatalf("the secret (or part of it) was drawn:\n%s", d.text())
		}
	}
}

func TestCaptureScreens(t *testing.T) {
	keychainDown := errors.New(`could not save the credential for profile "default" in the Secret Service (D-Bus): no Secret Service is running on the D-Bus session bus; install and start gnome-keyring`)
	cases := []struct {
		name string
		fail error
		do   func(d *driver)
	}{
		{"empty", nil, func(d *driver) {}},
		{"invalid", nil, func(d *driver) {
			d.typ("has space").press("tab").typ(testSecret).press("tab").typ("12x").press("enter")
		}},
		{"saving", nil, func(d *driver) { d.hold = true; d.fillCapture(testSecret).press("enter") }},
		{"saved", nil, func(d *driver) { d.fillCapture(testSecret).press("enter") }},
		{"keychain-failed", keychainDown, func(d *driver) { d.fillCapture(testSecret).press("enter") }},
		{"export", keychainDown, func(d *driver) { d.fillCapture(testSecret).press("enter", "a").typ("a long passphrase") }},
		{"discard", nil, func(d *driver) { d.fillCapture(testSecret).press("esc") }},
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/%dx%d", c.name, size[0], size[1]), func(t *testing.T) {
				d := toCapture(t, (&apptest.Keeper{}).FailAlways(c.fail), size[0], size[1])
				c.do(d)
				noSecret(t, d)
				checkFits(t, d.text(), size[0], size[1])
				golden.RequireEqual(t, d.screen())
			})
		}
	}
}

func TestCaptureSavesThenUnlocksNext(t *testing.T) {
	c := &apptest.Keeper{}
	d := toCapture(t, c, 80, 24)
	d.press("enter", "enter", "enter") // nothing entered: stays, marks the fields
	if d.m.Walker().Index() != 5 || len(c.Kept) != 0 {
		t.Fatal("went on or saved with nothing entered")
	}
	d.contains("✗ paste the client ID")
	// Focus went to the first field to correct; a paste with white space
	// around it is trimmed.
	if f := d.m.screen.(*captureScreen).focus; f != capClientID {
		t.Fatalf("focus on field %d, not the first to correct", f)
	}
	d.m.screen.(*captureScreen).inputs[capClientID].SetValue("  dmsa-client-1234 \n")
	d.press("tab").typ(testSecret).press("tab").typ("4264807").press("enter")
	if len(c.Kept) != 1 {
		t.Fatalf("saved %d credentials", len(c.Kept))
	}
	got := c.Kept[0]
	if got.ClientID != "dmsa-client-1234" || got.ClientSecret.Reveal() != testSecret || got.CompanyID != 4264807 ||
		got.Kind != credstore.KindClientCredentials || got.Guide != "fixture" {
		t.Fatalf("saved %+v (secret ok: %v)", got, got.ClientSecret.Reveal() == testSecret)
	}
	d.contains("Kept as profile default", "read back")
	d.press("enter")
	if !d.m.Walker().Finished() {
		t.Fatal("the step did not complete after the save")
	}
	// The tool kept it: its outcome says where, and no tick was made up.
	if o, _ := d.m.Walker().Outcome("capture"); o.Kind != steps.OutcomeDone || o.Profile != "default" {
		t.Fatalf("outcome %+v", o)
	}
}

// TestCaptureScreenHidesLength: the screen is the same whatever the
// length of the secret or the passphrase, focused on the field or not.
func TestCaptureScreenHidesLength(t *testing.T) {
	keychainDown := errors.New("no Secret Service")
	screens := func(secret, pass string) []string {
		d := toCapture(t, (&apptest.Keeper{}).FailAlways(keychainDown), 80, 24)
		d.typ("dmsa-client-1234").press("tab").typ(secret)
		out := []string{d.screen()}
		d.press("tab").typ("4264807")
		out = append(out, d.screen())
		d.press("enter", "a").typ(pass)
		out = append(out, d.screen())
		d.press("tab")
		return append(out, d.screen())
	}
	short, long := screens("abc", "a long passphrase"), screens(testSecret+testSecret, "a much, much longer passphrase than that")
	for i := range short {
		if short[i] != long[i] {
			t.Errorf("screen %d differs with the length of what was typed:\n%s\n---\n%s", i, short[i], long[i])
		}
	}
}

func TestCaptureKeychainFailureKeepsSecretAndExports(t *testing.T) {
	c := (&apptest.Keeper{}).FailAlways(errors.New("the keyring is locked"))
	d := toCapture(t, c, 80, 24)
	d.fillCapture(testSecret).press("enter")
	d.contains("The keyring is locked", "try the keychain again")
	if d.m.Walker().Index() != 5 {
		t.Fatal("went on after a failed save")
	}
	// Unlocked now: r tries again with what was typed.
	c.Heal()
	d.press("r")
	if len(c.Kept) != 1 || c.Kept[0].ClientSecret.Reveal() != testSecret {
		t.Fatal("the retry lost the secret")
	}

	c2 := (&apptest.Keeper{}).FailAlways(errors.New("no Secret Service"))
	d2 := toCapture(t, c2, 80, 24)
	d2.fillCapture(testSecret).press("enter", "a")
	d2.typ("short").press("enter").typ("short").press("enter", "enter")
	d2.contains("at least 12 characters")
	d2.typ("a long passphrase").press("enter").typ("a different one!").press("enter", "enter")
	d2.contains("differ")
	d2.typ("a long passphrase").press("enter").typ("a long passphrase").press("enter", "enter")
	if p, ok := c2.Exported["/home/admin/procore-sa-default.age"]; !ok || p.Reveal() != "a long passphrase" {
		t.Fatalf("exported %v", c2.Exported)
	}
	d2.contains("Written to /home/admin/procore-sa-default.age", "age -d")
	noSecret(t, d2)
}

func TestCaptureLeavingNeedsDiscard(t *testing.T) {
	for _, how := range []string{"esc", "ctrl+c"} {
		t.Run(how, func(t *testing.T) {
			c := &apptest.Keeper{}
			d := toCapture(t, c, 80, 24)
			d.fillCapture(testSecret).press(how)
			d.contains("Procore shows this secret only once", "Type discard")
			d.typ("yes").press("enter")
			d.contains("Type the word discard")
			if d.quits != 0 || d.m.Walker().Index() != 5 {
				t.Fatal("left without the typed confirmation")
			}
			d.press("esc") // keep it
			d.contains("Client secret")
			d.press(how).typ("discard").press("enter")
			switch how {
			case "esc":
				if d.m.Walker().Index() != 4 {
					t.Fatalf("at step %d after discarding", d.m.Walker().Index()+1)
				}
			case "ctrl+c":
				if d.quits != 1 {
					t.Fatal("did not quit after discarding")
				}
			}
			if len(c.Kept) != 0 {
				t.Fatal("saved after a discard")
			}
		})
	}
}

// TestCaptureSavedBesideSaysSo: when the profile in use holds another
// credential, the keeper saves beside it; the screen shows where it went
// and what was kept, from the save's own answer, and hands that profile on
// to the later steps.
func TestCaptureSavedBesideSaysSo(t *testing.T) {
	c := &apptest.Keeper{Beside: "fixture"}
	d := toCapture(t, c, 100, 30)
	d.fillCapture(testSecret).press("enter")
	d.contains("Kept as profile fixture and read back",
		"Profile default holds a user_login credential (login sync@example.com), which is kept;",
		"saved beside it as profile fixture", "Later steps use profile fixture")
	// The later steps take the profile from the walk's record of this one.
	if u := app.UsingWalk(d.m.Walker()); u.Integration != "fixture" {
		d.press("enter")
		if u := app.UsingWalk(d.m.Walker()); u.Integration != "fixture" {
			t.Errorf("the later steps use %q, not where the secret went", u.Integration)
		}
	}
	noSecret(t, d)
}
