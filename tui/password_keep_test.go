package tui

import (
	"errors"
	"strings"
	"testing"

	"github.com/procore-sa/procore-sa/internal/app/apptest"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/steps"
)

// userLoginOpts is the fixture as a user-login guide, with custody.
func userLoginOpts(t *testing.T, c *apptest.Keeper) Options {
	o := captureOpts(t, c)
	g := fixture()
	g.AccountModel = steps.UserLogin
	o.Guides = []*steps.Guide{g}
	return o
}

func TestPasswordIsKeptBeforeGoingOn(t *testing.T) {
	c := (&apptest.Keeper{}).FailAlways(errors.New("the keyring is locked"))
	d := newDriver(t, userLoginOpts(t, c), 80, 24)
	completeFixtureTo(d, 3)
	d.typ("Str0ng!pw").press("tab").typ("Str0ng!pw").press("enter")
	if d.m.Walker().Index() != 3 {
		t.Fatal("went on before the password was kept")
	}
	d.contains("The keyring is locked", "try the keychain again")
	c.Heal()
	d.press("r")
	if len(c.Kept) != 1 {
		t.Fatalf("saved %d", len(c.Kept))
	}
	got := c.Kept[0]
	if got.Kind != credstore.KindUserLogin || got.Login != "fixture@acme.com" || got.Password.Reveal() != "Str0ng!pw" {
		t.Fatalf("kept %+v", got)
	}
	d.contains("read back")
	d.press("enter")
	if d.m.Walker().Index() != 4 {
		t.Fatalf("at step %d after keeping the password", d.m.Walker().Index()+1)
	}
}

func TestGeneratedPasswordNeedsDiscardToLeave(t *testing.T) {
	c := &apptest.Keeper{}
	d := newDriver(t, userLoginOpts(t, c), 80, 24)
	completeFixtureTo(d, 3)
	d.press("ctrl+g", "ctrl+c")
	d.contains("The password is not saved anywhere yet", "Type discard")
	if d.quits != 0 {
		t.Fatal("quit without the typed confirmation")
	}
	d.press("esc") // keep it: back to the password
	d.contains("Rules")
	d.press("enter") // accept the generated one: kept
	if len(c.Kept) != 1 || c.Kept[0].Password.Reveal() == "" {
		t.Fatalf("saved %v", c.Kept)
	}
	d.press("enter")
	if d.m.Walker().Index() != 4 {
		t.Fatal("did not go on after keeping")
	}
}

// TestCopySaysWhatItDid: ctrl+y sends the password by OSC 52, which many
// terminals ignore, so the screen says it was sent, not that it was copied.
func TestCopySaysWhatItDid(t *testing.T) {
	d := newDriver(t, fixtureOpts(t), 120, 40)
	completeFixtureTo(d, 3)
	d.press("ctrl+g")
	d.contains("ctrl+y send to clipboard")
	_, cmd := d.m.Update(keyPress("ctrl+y"))
	if cmd == nil {
		t.Fatal("ctrl+y sent nothing")
	}
	d.contains("Sent to the terminal's clipboard (OSC 52); not every", "terminal supports it")
	if strings.Contains(d.text(), "Copied") {
		t.Fatal("the screen claims the password was copied")
	}
}

// TestPresenterDoesNotOfferCopy: on a shared screen the password is not
// sent to the clipboard, and ctrl+y is neither offered nor taken.
func TestPresenterDoesNotOfferCopy(t *testing.T) {
	opts := fixtureOpts(t)
	opts.Presenter = true
	d := newDriver(t, opts, 120, 40)
	completeFixtureTo(d, 3)
	d.press("ctrl+g")
	d.m.showHelp = true
	if strings.Contains(d.text(), "ctrl+y") || strings.Contains(d.text(), "clipboard (OSC") {
		t.Fatalf("presenter mode offers the clipboard:\n%s", d.text())
	}
	if _, cmd := d.m.Update(keyPress("ctrl+y")); cmd != nil {
		t.Fatal("ctrl+y sent something in presenter mode")
	}
	d.contains("Presenter mode does")
}
