package verify_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/cmd/cmdtest"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/procore"
)

// TestVerifySaysProcoreIsSlow: verify against an API that takes a token
// request and then never answers (or answers a byte at a time) says on
// stderr, while it waits, that Procore has not answered and how to stop,
// then gives up within the call's bound saying what was slow. (It used to
// wait ten minutes without a word.)
func TestVerifySaysProcoreIsSlow(t *testing.T) {
	for name, hang := range map[string]func(http.ResponseWriter, *http.Request){
		"no answer": func(rw http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
		"slow body": func(rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "application/json")
			rw.WriteHeader(http.StatusOK)
			for _, b := range []byte(`{"id":1,"login":"x@example.com","name":"X"}`) {
				rw.Write([]byte{b})
				rw.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(150 * time.Millisecond):
				}
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			cmdtest.Env(t)
			ts := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/oauth/token" {
					rw.Header().Set("Content-Type", "application/json")
					rw.Write([]byte(`{"access_token":"slow-access-token","token_type":"bearer","expires_in":7200}`))
					return
				}
				hang(rw, r)
			}))
			defer ts.Close()
			t.Setenv("PROCORE_CLIENT_ID", "slow-app")
			t.Setenv("PROCORE_CLIENT_SECRET", "slow-app-secret-do-not-print")
			var out, errb bytes.Buffer
			f := cmdtest.Factory(strings.NewReader(""), &out, &errb)
			f.ClientBounds = func(c *procore.Config) {
				c.RequestTimeout, c.CallTimeout, c.SlowAfter = 400*time.Millisecond, 1200*time.Millisecond, 150*time.Millisecond
			}
			start := time.Now()
			code := cmdtest.Execute(f, "--api-url", ts.URL, "--login-url", ts.URL, "--company", "7", "verify")
			took := time.Since(start)
			errOut := errb.String()
			if code != cmdutil.ExitFailed || !strings.Contains(errOut, "did not answer within") {
				t.Fatalf("exit %d after %v\nstdout:\n%s\nstderr:\n%s", code, took, out.String(), errOut)
			}
			if !strings.Contains(errOut, "Procore has not answered for") || !strings.Contains(errOut, "ctrl+c to stop") {
				t.Errorf("verify waited without saying so:\n%s", errOut)
			}
			if took > 5*time.Second {
				t.Errorf("verify gave up after %v; the call's bound is 1.2 s", took)
			}
			if strings.Contains(errOut+out.String(), "do-not-print") || strings.Contains(errOut+out.String(), "slow-access-token") {
				t.Fatal("a secret was printed")
			}
		})
	}
}
