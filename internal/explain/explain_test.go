package explain

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/procore"
)

func TestOf(t *testing.T) {
	dnsErr := &url.Error{Op: "Post", URL: "https://login.procore.com/oauth/token",
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "login.procore.com", IsNotFound: true}}}
	refused := &url.Error{Op: "Get", URL: "https://api.procore.com/rest/v1.0/me",
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}}
	cases := []struct {
		name   string
		err    error
		kind   Kind
		has    []string
		hasNot []string
		status int
	}{
		{"dns", fmt.Errorf("prove the credential: %w", dnsErr), Unreachable,
			[]string{"Could not reach Procore", "login.procore.com does not resolve"}, []string{"refused the credentials", "dial tcp"}, 0},
		{"connection refused", refused, Unreachable, []string{"api.procore.com refused the connection"}, nil, 0},
		{"no answer", fmt.Errorf("GET /me: %w", procore.ErrNoAnswer), Unreachable, []string{"did not answer in time"}, nil, 0},
		{"deadline", fmt.Errorf("verify: %w", context.DeadlineExceeded), Unreachable, []string{"did not answer in time"}, nil, 0},
		{"cancelled", fmt.Errorf("plan: %w", context.Canceled), Stopped, []string{"stopped"}, nil, 0},
		{"invalid client", fmt.Errorf("prove: %w", &procore.Error{Method: "POST", Path: "/oauth/token", Status: 401, Code: "invalid_client"}), Refused,
			[]string{"refused the client ID and secret"}, []string{"POST"}, 401},
		{"expired token", &procore.Error{Method: "GET", Path: "/rest/v1.0/me", Status: 401}, Refused, []string{"expired or revoked"}, nil, 401},
		{"forbidden", &procore.Error{Status: 403, Message: "no"}, Refused, []string{"may not do that"}, nil, 403},
		{"not installed", &procore.Error{Status: 403, Message: "App is not connected to company"}, Refused, []string{"not installed"}, nil, 403},
		{"invalid grant", &procore.Error{Status: 400, Code: "invalid_grant"}, Refused, []string{"used up or expired"}, nil, 400},
		{"rate limit", &procore.Error{Status: 429, RetryAfter: 42 * time.Second}, RateLimited, []string{"rate limit", "42s"}, nil, 429},
		{"server", &procore.Error{Status: 503}, ServerFault, []string{"on its side", "503"}, nil, 503},
		{"keychain", &credstore.StoreError{Op: credstore.OpSave, Profile: "dmsa", Err: errors.New("locked")}, Keychain, []string{"dmsa"}, nil, 0},
		{"other", errors.New("something odd"), Other, []string{"Something odd."}, nil, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := Of(c.err)
			if x.Kind != c.kind {
				t.Fatalf("kind %v, want %v (%q)", x.Kind, c.kind, x.Sentence)
			}
			for _, h := range c.has {
				if !strings.Contains(x.Sentence, h) {
					t.Errorf("sentence %q lacks %q", x.Sentence, h)
				}
			}
			for _, h := range c.hasNot {
				if strings.Contains(x.Sentence, h) {
					t.Errorf("sentence %q has %q", x.Sentence, h)
				}
			}
			if x.Status != c.status {
				t.Errorf("status %d, want %d", x.Status, c.status)
			}
			if x.Detail == "" || x.String() != x.Sentence {
				t.Errorf("detail %q, string %q", x.Detail, x.String())
			}
			if strings.Count(strings.TrimSuffix(x.Sentence, "."), ". ") > 2 {
				t.Errorf("more than a sentence or two: %q", x.Sentence)
			}
		})
	}
	if x := Of(errors.New("as it was")); x.Detail != "as it was" || x.HasMore() {
		t.Fatalf("detail %q, more %v", x.Detail, x.HasMore())
	}
	if x := Of(nil); x.Kind != Other || x.Sentence != "" {
		t.Fatalf("nil explained as %+v", x)
	}
}

// TestOfRealFailures explains errors the standard library makes, not
// hand-built ones: a closed port and a name that cannot resolve.
func TestOfRealFailures(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close()
	_, err := http.Get(addr)
	if x := Of(err); x.Kind != Unreachable || !strings.Contains(x.Sentence, "refused the connection") {
		t.Fatalf("closed port explained as %v %q", x.Kind, x.Sentence)
	}
	_, err = http.Get("http://name-that-does-not-resolve.invalid/")
	if x := Of(err); x.Kind != Unreachable {
		t.Fatalf("unresolvable name explained as %v %q", x.Kind, x.Sentence)
	}
}

func TestSafe(t *testing.T) {
	for k, want := range map[Kind]bool{Unreachable: true, ServerFault: true, RateLimited: true, Stopped: true, Refused: false, Keychain: false, Other: false} {
		if got := (Explanation{Kind: k}).Safe(); got != want {
			t.Errorf("%v safe = %v", k, got)
		}
	}
}

func TestSentence(t *testing.T) {
	for in, want := range map[string]string{"": "", "it failed": "It failed.", "Done.": "Done.", "ékran": "Ékran.", "why?": "why?"} {
		if in == "why?" {
			want = "Why?"
		}
		if got := Sentence(in); got != want {
			t.Errorf("Sentence(%q) = %q, want %q", in, got, want)
		}
	}
}
