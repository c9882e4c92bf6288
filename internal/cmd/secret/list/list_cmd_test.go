package list_test

import (
	"strings"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/cmd/cmdtest"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/internal/credstore"
)

// TestListSaysItWaitsForTheKeychain: secret list and status, waiting on a
// keychain that asks for its unlock password, say so on stderr after a
// second instead of staying silent.
func TestListSaysItWaitsForTheKeychain(t *testing.T) {
	cmdtest.Env(t)
	for _, cmd := range [][]string{{"secret", "list"}, {"status"}} {
		c := cmdtest.NewCredApp(t, "")
		c.Save(t, "default", cmdtest.AppCred("app-1", "first-secret"))
		cmdtest.SlowGets(c, credstore.SlowAfter+300*time.Millisecond)
		out, errOut, code := c.Run(t, cmd...)
		if code != cmdutil.ExitOK || strings.Count(errOut, credstore.KeychainWait) != 1 || !strings.Contains(out, "default") {
			t.Errorf("%v: exit %d\nstdout:\n%s\nstderr:\n%s", cmd, code, out, errOut)
		}
		cmdtest.SlowGets(c, 0)
		c.Out.Reset()
		c.Errb.Reset()
		if _, errOut, _ := c.Run(t, cmd...); strings.Contains(errOut, "Waiting") {
			t.Errorf("%v: a quick keychain is said to be waited for: %s", cmd, errOut)
		}
	}
}
