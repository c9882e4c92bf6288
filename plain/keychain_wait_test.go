package plain

import (
	"context"
	"strings"
	"testing"
	"time"

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

// TestPlainSaysItWaitsForTheKeychain: a save that waits on the keychain
// for a second says, once, that it is the keychain it waits for.
func TestPlainSaysItWaitsForTheKeychain(t *testing.T) {
	kr := &slowKeyring{delay: credstore.SlowAfter + 300*time.Millisecond}
	c := &storeCustody{Keeper: &apptest.Keeper{}, store: &credstore.Store{Service: "procore-sa-test", Keyring: kr, Timeout: time.Second, InteractiveTimeout: 10 * time.Second}}
	got, _, err := runCapture(t, c, lines("", "dmsa-client-1234", testSecret, "4264807", "y", ""))
	if err != nil {
		t.Fatalf("%v\n%s", err, got)
	}
	wait := strings.Index(got, credstore.KeychainWait)
	if wait < 0 || strings.Count(got, credstore.KeychainWait) != 1 {
		t.Fatalf("the keychain wait is not said once:\n%s", got)
	}
	if saving, saved := strings.Index(got, "Saving to"), strings.Index(got, "and read back"); !(saving < wait && wait < saved) {
		t.Errorf("the wait is not said between saving and saved:\n%s", got)
	}
}
