package plain

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/procore-sa/procore-sa/internal/app/apptest"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/procore"
)

// echoingKeeper proves a credential against a server that repeats the
// secret it was sent, and saves it to a keychain that repeats what it was
// given in its failure.
type echoingKeeper struct {
	apptest.Keeper
	env   procore.Environment
	store *credstore.Store
}

func (k *echoingKeeper) Prove(ctx context.Context, c credstore.Credential) error {
	_, err := procore.ClientCredentials(k.env, nil, c.ClientID, c.ClientSecret).Token(ctx)
	return err
}

func (k *echoingKeeper) Save(ctx context.Context, c credstore.Credential) (credstore.Saved, error) {
	return k.store.Save(ctx, credstore.Placement{Profile: "default"}, c, true)
}

// repeatingKeyring fails every write of a profile with pad and then the
// entry it was given.
type repeatingKeyring struct{ pad string }

func (r *repeatingKeyring) Get(string, string) (string, error) { return "", keyring.ErrNotFound }
func (r *repeatingKeyring) Set(_, account, value string) error {
	if strings.HasPrefix(account, "_") {
		return nil
	}
	return errors.New(r.pad + value)
}
func (r *repeatingKeyring) Delete(string, string) error { return nil }

// pieceOf is the first piece (six characters or more) of s in text, as it
// is or encoded as a server may repeat it.
func pieceOf(text, s string) string {
	j, _ := json.Marshal(s)
	for _, form := range []string{s, url.QueryEscape(s), strings.Trim(string(j), `"`)} {
		for n := 6; n <= len(form); n++ {
			for i := 0; i+n <= len(form); i++ {
				if strings.Contains(text, form[i:i+n]) {
					return form[i : i+n]
				}
			}
		}
	}
	return ""
}

// TestPlainCaptureWithholdsAnEchoedSecret: at the line prompt, a refusal
// and a keychain failure that repeat the secret at any offset around the
// length an error keeps (300 characters of Procore's words, 240 of the
// keychain's) print none of it, whole or in part.
func TestPlainCaptureWithholdsAnEchoedSecret(t *testing.T) {
	var mu sync.Mutex
	pad := ""
	ts := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		mu.Lock()
		p := pad
		mu.Unlock()
		rw.Header().Set("Content-Type", "application/json")
		rw.WriteHeader(http.StatusUnauthorized)
		b, _ := json.Marshal(map[string]string{"error": "invalid_client", "error_description": p + r.Form.Get("client_secret") + " is not right"})
		rw.Write(b)
	}))
	defer ts.Close()
	env := procore.Environment{Name: "echo", APIURL: ts.URL, LoginURL: ts.URL}
	var offsets []int
	for _, cut := range []int{240, 300} {
		for o := cut - len(testSecret) - 4; o <= cut+4; o++ {
			offsets = append(offsets, o)
		}
	}
	for _, o := range append(offsets, 0, 33) {
		mu.Lock()
		pad = strings.Repeat("x", o)
		mu.Unlock()
		got, _, _ := runCapture(t, &echoingKeeper{env: env}, lines("", "id-1", testSecret, "4264807", "y"))
		if !strings.Contains(got, "Procore refused the client ID and secret") {
			t.Fatalf("%d: no refusal:\n%s", o, got)
		}
		if p := pieceOf(got, testSecret); p != "" {
			t.Fatalf("%d: a refusal prints %q of the secret:\n%s", o, p, got)
		}
		store := credstore.NewStore("procore-sa-test")
		store.Keyring = &repeatingKeyring{pad: "keychain: " + strings.Repeat("y", o)}
		got, _, _ = runCapture(t, &echoingKeeper{env: env, store: store}, lines("", "id-1", testSecret, "4264807", "n"))
		if !strings.Contains(got, "ould not save the credential") {
			t.Fatalf("%d: no keychain failure:\n%s", o, got)
		}
		if p := pieceOf(got, testSecret); p != "" {
			t.Fatalf("%d: a keychain failure prints %q of the secret:\n%s", o, p, got)
		}
	}
}
