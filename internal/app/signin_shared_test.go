package app

import (
	"context"
	"sync"
	"testing"

	"github.com/procore-sa/procore-sa/internal/simtest"
	"github.com/procore-sa/procore-sa/procore/sim"
)

// TestSignInSharedAcrossClients: clients made at once from the same
// stored sign-in (a plan and a check read in parallel) share its token:
// Procore's refresh tokens are single-use, so each refreshing on its own
// left all but the first refused ("invalid_grant"). One refresh, every
// read answered, and a later client still works from the kept token.
func TestSignInSharedAcrossClients(t *testing.T) {
	w := simtest.New(t, sim.Config{Seed: 5, Projects: 3})
	a := storedApp(t, w, true)
	ctx := context.Background()
	before := w.S.Stats().ByRoute["POST /oauth/token"]
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			c, err := a.AdminSignIn(ctx, "", nil)
			if err == nil {
				_, err = c.Me(ctx)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("client %d: %v", i, err)
		}
	}
	if n := w.S.Stats().ByRoute["POST /oauth/token"] - before; n != 1 {
		t.Errorf("%d token requests, want one refresh", n)
	}
	w.S.ExpireTokens()
	c, err := a.AdminSignIn(ctx, "", nil)
	if err == nil {
		_, err = c.Me(ctx)
	}
	if err != nil {
		t.Errorf("after the token expired: %v", err)
	}
}
