package procore_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/oauth2"

	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/internal/simtest"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/procore/sim"
)

// countingTransport fails every request and counts them: a test that
// expects nothing to be sent checks it stayed at zero.
type countingTransport struct{ n atomic.Int32 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	if r.Body != nil {
		r.Body.Close()
	}
	return nil, errors.New("no network in this test")
}

// TestLoginURLMustBeSafe builds an Environment by hand, as Override would
// not allow, with a plain-http login host that is not loopback: no grant
// may send the client secret, a code or a refresh token there.
func TestLoginURLMustBeSafe(t *testing.T) {
	w := simtest.New(t, sim.Config{Seed: 2})
	env := procore.Environment{Name: "hand-built", APIURL: w.TS.URL, LoginURL: "http://login.example.com"}
	sec := secret.New(w.Fx.DMSAClientSecret)
	ctx := context.Background()
	tests := []struct {
		name string
		call func(hc *http.Client) error
	}{
		{"client credentials", func(hc *http.Client) error {
			c, err := procore.New(procore.Config{Env: env, CompanyID: w.Fx.CompanyID, HTTPClient: hc,
				Auth: procore.ClientCredentials(env, hc, w.Fx.DMSAClientID, sec)})
			if err != nil {
				return err
			}
			_, err = c.Me(ctx)
			return err
		}},
		{"authorization code", func(hc *http.Client) error {
			_, err := procore.Exchange(ctx, hc, env, w.Fx.AdminClientID, sec, "a-code")
			return err
		}},
		{"refresh", func(hc *http.Client) error {
			auth := procore.RefreshingAuth(env, hc, w.Fx.AdminClientID, sec, &oauth2.Token{RefreshToken: "a-refresh-token"},
				func(context.Context, *oauth2.Token) error { return nil })
			_, err := auth.Token(ctx)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := &countingTransport{}
			err := tt.call(&http.Client{Transport: rt})
			if err == nil || !strings.Contains(err.Error(), "login URL") || !strings.Contains(err.Error(), "use https") {
				t.Fatalf("got %v; want a refusal of the plain-http login URL", err)
			}
			if n := rt.n.Load(); n != 0 {
				t.Fatalf("%d requests were sent", n)
			}
			if strings.Contains(err.Error(), w.Fx.DMSAClientSecret) {
				t.Fatal("the error holds the secret")
			}
		})
	}
}

// TestTokenRequestsFollowNoRedirect: a login host that answers the token
// request with a 307 must not get the client secret sent on, in the body
// of the repeated POST, to wherever the redirect points.
func TestTokenRequestsFollowNoRedirect(t *testing.T) {
	var leaked atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if strings.Contains(string(body), "client_secret") {
			leaked.Add(1)
		}
		rw.Header().Set("Content-Type", "application/json")
		rw.Write([]byte(`{"access_token":"x","token_type":"bearer","expires_in":5400}`))
	}))
	defer elsewhere.Close()
	login := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		http.Redirect(rw, r, elsewhere.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer login.Close()
	env := procore.Environment{Name: "redirecting", APIURL: login.URL, LoginURL: login.URL}
	ctx := context.Background()
	for _, hc := range []*http.Client{nil, {}} {
		auth := procore.ClientCredentials(env, hc, "id", secret.New("the-client-secret"))
		if tok, err := auth.Token(ctx); err == nil {
			t.Fatalf("client credentials through a redirect = %+v", tok)
		}
		if _, err := procore.Exchange(ctx, hc, env, "id", secret.New("the-client-secret"), "code"); err == nil {
			t.Fatal("an exchange through a redirect succeeded")
		}
	}
	if n := leaked.Load(); n != 0 {
		t.Fatalf("the client secret followed %d redirects", n)
	}
}

// TestTokenErrorsWithholdSecrets: a server (a proxy, a misconfigured login
// URL) that repeats the request in its error must not put the client
// secret, the refresh token or the authorization code into the error.
func TestTokenErrorsWithholdSecrets(t *testing.T) {
	const canary, refresh, code = "S3CRET+canary/xyz", "refresh-canary-7788", "code-canary-4455"
	for _, shape := range []string{"json", "text"} {
		t.Run(shape, func(t *testing.T) {
			ts := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				if shape == "json" {
					rw.Header().Set("Content-Type", "application/json")
					rw.WriteHeader(http.StatusUnauthorized)
					b, _ := json.Marshal(map[string]string{"error": "invalid_client", "error_description": "you sent " + string(body) + " and " + canary})
					rw.Write(b)
					return
				}
				rw.Header().Set("Content-Type", "text/plain")
				rw.WriteHeader(http.StatusBadRequest)
				rw.Write([]byte("you sent " + string(body)))
			}))
			defer ts.Close()
			env := procore.Environment{Name: "echo", APIURL: ts.URL, LoginURL: ts.URL}
			ctx := context.Background()
			var errs []error
			_, err := procore.ClientCredentials(env, nil, "id", secret.New(canary)).Token(ctx)
			errs = append(errs, err)
			_, err = procore.Exchange(ctx, nil, env, "id", secret.New(canary), code)
			errs = append(errs, err)
			_, err = procore.RefreshingAuth(env, nil, "id", secret.New(canary), &oauth2.Token{RefreshToken: refresh},
				func(context.Context, *oauth2.Token) error { return nil }).Token(ctx)
			errs = append(errs, err)
			for i, err := range errs {
				if err == nil {
					t.Fatalf("call %d: no error", i)
				}
				msg := fmt.Sprintf("%v %+v", err, err)
				for _, s := range []string{canary, url.QueryEscape(canary), refresh, code} {
					if strings.Contains(msg, s) {
						t.Errorf("call %d: the error repeats %q: %s", i, s, msg)
					}
				}
				if !strings.Contains(msg, "[withheld]") {
					t.Errorf("call %d: the error does not say something was withheld: %s", i, msg)
				}
			}
		})
	}
}

// TestRefreshRetriesAConnectionLostBeforeProcore: a refresh whose request
// never reached Procore leaves the refresh token unspent, so the client
// tries it again rather than end the person's sign-in.
func TestRefreshRetriesAConnectionLostBeforeProcore(t *testing.T) {
	w := simtest.New(t, sim.Config{Seed: 5})
	c := w.AdminClient(w.Fx.CompanyID, nil)
	var hung atomic.Int32
	w.SetIntercept(func(rw http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/oauth/token" || hung.Add(1) > 2 {
			return false
		}
		// Hang up before the simulator sees the request.
		hj, ok := rw.(http.Hijacker)
		if !ok {
			t.Error("cannot hang up")
			return false
		}
		conn, _, err := hj.Hijack()
		if err == nil {
			conn.Close()
		}
		return true
	})
	w.S.ExpireTokens()
	if _, err := c.Me(context.Background()); err != nil {
		t.Fatalf("the refresh was not tried again: %v", err)
	}
	if n := hung.Load(); n != 3 {
		t.Fatalf("%d token requests, want two lost and one answered", n)
	}
}
