package procore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/procore"
)

// The secrets a hostile server repeats. None may show, whole or in part,
// in any error, wherever in the answer they stand.
const (
	hostileSecret  = "S3CR3T+canary/XYZ-9q"
	hostileRefresh = "RFRSH-canary-7788-ww"
	hostileCode    = "AUTHC-canary-4455-vv"
	hostileAccess  = "ACCSS-canary-1122-uu"
)

// clipLen is how much of what Procore said an error repeats (maxErrorText).
const clipLen = 300

// leaks reports the first piece of s (six characters or more, in any of
// the forms a server may echo it) found in text.
func leaks(text string, secrets ...string) string {
	for _, s := range secrets {
		for _, form := range []string{s, url.QueryEscape(s), jsonEscaped(s)} {
			for n := 6; n <= len(form); n++ {
				for i := 0; i+n <= len(form); i++ {
					if strings.Contains(text, form[i:i+n]) {
						return form[i : i+n]
					}
				}
			}
		}
	}
	return ""
}

func jsonEscaped(s string) string {
	b, _ := json.Marshal(s)
	return strings.Trim(string(b), `"`)
}

// offsets are where a secret starts in the text an error keeps: every
// place from wholly inside the kept part to wholly past it.
func offsets(secretLen int) []int {
	var out []int
	for o := clipLen - secretLen - 3; o <= clipLen+3; o++ {
		out = append(out, o)
	}
	return append(out, 0, 40)
}

// bodies are the shapes of error answers, with the secret s at offset o
// of the words a shape puts in the error.
func bodies(s string, o int) map[string]string {
	pad := strings.Repeat("x", o)
	j := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	return map[string]string{
		"errors string":     j(map[string]any{"errors": pad + s + " tail"}),
		"errors list":       j(map[string]any{"errors": []string{pad + s + " tail", "second"}}),
		"errors fields":     j(map[string]any{"errors": map[string]any{"name": []string{pad + s}, pad + s: "key"}}),
		"message":           j(map[string]any{"message": pad + s + " tail"}),
		"error_description": j(map[string]any{"error": "invalid_client", "error_description": pad + s}),
		"error code":        j(map[string]any{"error": pad + s}),
		"plain text":        pad + s + " tail",
		"form echo":         pad + url.QueryEscape(s) + "&x=1",
	}
}

// TestTokenErrorsWithholdBeforeClipping: an error answer to a token request
// that repeats the client secret, the refresh token or the code near the
// length an error keeps shows none of it: the secret is withheld before the
// words are clipped, in every body shape.
func TestTokenErrorsWithholdBeforeClipping(t *testing.T) {
	for _, o := range offsets(len(hostileSecret)) {
		for shape := range bodies(hostileSecret, 0) {
			for _, grant := range []string{"client_credentials", "authorization_code", "refresh_token"} {
				name := fmt.Sprintf("%s/%s/%d", grant, shape, o)
				echo := map[string]string{"client_credentials": hostileSecret, "authorization_code": hostileCode, "refresh_token": hostileRefresh}[grant]
				ts := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
					rw.WriteHeader(http.StatusUnauthorized)
					rw.Write([]byte(bodies(echo, o)[shape]))
				}))
				err := tokenCall(grant, procore.Environment{Name: "echo", APIURL: ts.URL, LoginURL: ts.URL})
				ts.Close()
				if err == nil {
					t.Fatalf("%s: no error", name)
				}
				msg := fmt.Sprintf("%v | %+v | %#v", err, err, err.Error())
				if l := leaks(msg, hostileSecret, hostileCode, hostileRefresh); l != "" {
					t.Fatalf("%s: the error shows %q: %s", name, l, msg)
				}
			}
		}
	}
}

// tokenCall makes one token request of grant against env.
func tokenCall(grant string, env procore.Environment) error {
	ctx := context.Background()
	var err error
	switch grant {
	case "client_credentials":
		_, err = procore.ClientCredentials(env, nil, "id", secret.New(hostileSecret)).Token(ctx)
	case "authorization_code":
		_, err = procore.Exchange(ctx, nil, env, "id", secret.New(hostileSecret), hostileCode)
	case "refresh_token":
		_, err = procore.RefreshingAuth(env, nil, "id", secret.New(hostileSecret), &oauth2.Token{RefreshToken: hostileRefresh},
			func(context.Context, *oauth2.Token) error { return nil }).Token(ctx)
	}
	return err
}

// TestTokenAnswerThatRepeatsASecret: a 200 answer to a token request whose
// fields repeat what was sent (the secret in expires_in, say) fails to
// parse in oauth2, whose error quotes the field: none of it may show.
func TestTokenAnswerThatRepeatsASecret(t *testing.T) {
	for _, grant := range []string{"client_credentials", "authorization_code", "refresh_token"} {
		for _, echo := range []string{hostileSecret, hostileCode, hostileRefresh, hostileAccess} {
			for _, field := range []string{"expires_in", "token_type", "access_token"} {
				name := fmt.Sprintf("%s/%s/%s", grant, echo[:5], field)
				ts := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
					rw.Header().Set("Content-Type", "application/json")
					answer := map[string]any{"access_token": hostileAccess, "token_type": "bearer", "expires_in": 7200, "refresh_token": hostileRefresh}
					switch field {
					case "access_token":
						answer[field] = map[string]string{"v": echo} // not a string: oauth2 cannot read it
					default:
						answer[field] = echo + `"` + strings.Repeat("y", 400)
						if field == "token_type" {
							answer[field] = []string{echo}
						}
					}
					b, _ := json.Marshal(answer)
					rw.Write(b)
				}))
				err := tokenCall(grant, procore.Environment{Name: "echo", APIURL: ts.URL, LoginURL: ts.URL})
				ts.Close()
				if err == nil {
					t.Fatalf("%s: a token answer that does not parse was accepted", name)
				}
				msg := fmt.Sprintf("%v | %+v", err, err)
				if l := leaks(msg, hostileSecret, hostileCode, hostileRefresh, hostileAccess); l != "" {
					t.Fatalf("%s: the error shows %q: %s", name, l, msg)
				}
				if len(err.Error()) > 800 {
					t.Errorf("%s: the error is %d bytes long", name, len(err.Error()))
				}
			}
		}
	}
}

// TestAPIErrorsWithholdEverySecret: an API answer that repeats the access
// token (and what the token request carried, the client secret and the
// refresh token, which the same server saw) near the clip length shows none
// of them, whole or in part.
func TestAPIErrorsWithholdEverySecret(t *testing.T) {
	for _, o := range offsets(len(hostileAccess)) {
		for shape := range bodies(hostileAccess, 0) {
			for _, echo := range []string{hostileAccess, hostileSecret, hostileRefresh} {
				name := fmt.Sprintf("%s/%s/%d", echo[:5], shape, o)
				ts := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
					if r.URL.Path == "/oauth/token" {
						rw.Header().Set("Content-Type", "application/json")
						rw.Write([]byte(`{"access_token":"` + hostileAccess + `","token_type":"bearer","expires_in":7200,"refresh_token":"` + hostileRefresh + `"}`))
						return
					}
					rw.WriteHeader(http.StatusForbidden)
					rw.Write([]byte(bodies(echo, o)[shape]))
				}))
				env := procore.Environment{Name: "echo", APIURL: ts.URL, LoginURL: ts.URL}
				var errs []error
				for _, auth := range []procore.Auth{
					procore.ClientCredentials(env, nil, "id", secret.New(hostileSecret)),
					procore.RefreshingAuth(env, nil, "id", secret.New(hostileSecret), &oauth2.Token{RefreshToken: "first-refresh"},
						func(context.Context, *oauth2.Token) error { return nil }),
				} {
					c, err := procore.New(procore.Config{Env: env, CompanyID: 1, Auth: auth, MaxRetries: 1})
					if err != nil {
						t.Fatal(err)
					}
					_, err = c.Me(context.Background())
					errs = append(errs, err)
				}
				ts.Close()
				for i, err := range errs {
					if err == nil || procore.StatusOf(err) != http.StatusForbidden {
						t.Fatalf("%s/%d: %v", name, i, err)
					}
					msg := fmt.Sprintf("%v | %+v", err, err)
					if l := leaks(msg, hostileAccess, hostileSecret, hostileRefresh); l != "" {
						t.Fatalf("%s/%d: the error shows %q: %s", name, i, l, msg)
					}
				}
			}
		}
	}
}
