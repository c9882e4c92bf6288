package root

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/procore"
)

// TestExitCodeExplains: a command's failure to reach Procore, or a
// refusal, is said in a person's words first, with the whole text after.
func TestExitCodeExplains(t *testing.T) {
	dns := fmt.Errorf("verify profile default: %w", &url.Error{Op: "Get", URL: "https://api.procore.com/rest/v1.0/me",
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "api.procore.com", IsNotFound: true}}})
	for _, c := range []struct {
		err  error
		want []string
	}{
		{dns, []string{"procore-sa: Could not reach Procore: the name api.procore.com does not resolve.", "Details: verify profile default: Get", "no such host"}},
		{fmt.Errorf("verify: %w", &procore.Error{Method: "GET", Path: "/rest/v1.0/me", Status: 401}), []string{"procore-sa: Procore refused the credential", "Details: "}},
		{fmt.Errorf("plain failure"), []string{"procore-sa: plain failure\n"}},
	} {
		var stderr bytes.Buffer
		if code := ExitCode(context.Background(), c.err, true, &stderr); code != cmdutil.ExitFailed {
			t.Errorf("%v: exit %d", c.err, code)
		}
		for _, w := range c.want {
			if !strings.Contains(stderr.String(), w) {
				t.Errorf("stderr lacks %q:\n%s", w, stderr.String())
			}
		}
	}
}
