package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/procore-sa/procore-sa/internal/app/apptest"
	"github.com/procore-sa/procore-sa/internal/credstore"
)

// slowKeyring answers reads of a profile after delay: a keychain waiting
// for its unlock password.
type slowKeyring struct {
	credstore.MemoryKeyring
	delay time.Duration
}

func (k *slowKeyring) Get(service, account string) (string, error) {
	if !strings.HasPrefix(account, "_") {
		time.Sleep(k.delay)
	}
	return k.MemoryKeyring.Get(service, account)
}

// storeCustody saves through a real store, over whatever keyring it has.
type storeCustody struct {
	*apptest.Keeper
	store *credstore.Store
}

func (c *storeCustody) Save(ctx context.Context, cred credstore.Credential) (credstore.Saved, error) {
	return c.store.Save(ctx, credstore.Placement{Profile: "default"}, cred, true)
}

// TestCaptureSaysItWaitsForTheKeychain: once a save has waited on the
// keychain for a second, the capture screen says it is the keychain it
// waits for, not Procore.
func TestCaptureSaysItWaitsForTheKeychain(t *testing.T) {
	kr := &slowKeyring{delay: credstore.SlowAfter + 300*time.Millisecond}
	c := &storeCustody{Keeper: &apptest.Keeper{}, store: &credstore.Store{Service: "procore-sa-test", Keyring: kr, Timeout: time.Second, InteractiveTimeout: 10 * time.Second}}
	o := fixtureOpts(t)
	o.Services.Keeper = c
	d := newDriver(t, o, 100, 30)
	completeFixtureTo(d, 5)
	d.hold = true
	d.fillCapture(testSecret).press("enter")
	d.contains("Checking the credentials with Procore")
	seen, saved := false, false
	for len(d.held) > 0 {
		if strings.Contains(d.text(), credstore.KeychainWait) {
			seen = true
			if strings.Contains(d.text(), "Checking the credentials with Procore") {
				t.Fatalf("the screen still says it checks with Procore:\n%s", d.text())
			}
		}
		d.release(func(msg tea.Msg) bool {
			_, done := msg.(captureDoneMsg)
			saved = saved || done
			return true
		})
	}
	if !seen || !saved {
		t.Fatalf("seen the keychain wait: %v; saved: %v\n%s", seen, saved, d.text())
	}
	d.contains("Kept as profile default")
}
