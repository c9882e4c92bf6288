package plain

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/procore-sa/procore-sa/internal/app/apptest"
)

// TestPlainCaptureUnreachable: a network failure reads as one, not as a
// refusal; the secret typed is kept for another try, and d prints the
// whole text.
func TestPlainCaptureUnreachable(t *testing.T) {
	dns := fmt.Errorf("check the credentials with Procore: %w", &url.Error{Op: "Post", URL: "https://login.procore.com/oauth/token",
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "login.procore.com", IsNotFound: true}}})
	c := &apptest.Keeper{ProveErr: dns}
	got, _, err := runCapture(t, c, lines("", "id-1", testSecret, "4264807", "y", "d", "", "", "", "n", ""))
	if err != nil || len(c.Kept) != 1 || c.Kept[0].ClientSecret.Reveal() != testSecret {
		t.Fatalf("err %v, kept %d:\n%s", err, len(c.Kept), got)
	}
	for _, want := range []string{"Could not reach Procore: the name login.procore.com does not resolve.",
		"still here and was not judged", "Type d at the next question for the details", "Details: ", "no such host"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "refused") {
		t.Errorf("a network failure reads as a refusal:\n%s", got)
	}
	if i, j := strings.Index(got, "Could not reach"), strings.Index(got, "no such host"); j < i {
		t.Errorf("the details came before the sentence:\n%s", got)
	}
	noLeak(t, "the output", got, testSecret)
}
