package tui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/zalando/go-keyring"

	"github.com/procore-sa/procore-sa/internal/app/apptest"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/procore"
)

// echoingKeeper proves a credential against a server that repeats the
// secret it was sent at offset, and saves it to a keychain that repeats
// what it was given in its failure: the two ways an error the capture
// screen shows can carry the secret.
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
type repeatingKeyring struct {
	mu  sync.Mutex
	pad string
}

func (r *repeatingKeyring) Get(string, string) (string, error) { return "", keyring.ErrNotFound }
func (r *repeatingKeyring) Set(_, account, value string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if strings.HasPrefix(account, "_") {
		return nil
	}
	return errors.New(r.pad + value)
}
func (r *repeatingKeyring) Delete(string, string) error { return nil }

// onScreen is the first piece (six characters or more) of s on the screen,
// as drawn or with the wrapping undone.
func onScreen(d *driver, s string) string { return inText(d.text(), s) }

// inText is the longest-first piece of s, of six characters or more, that
// text holds, in any of the forms an answer could repeat it in; "" when
// none.
func inText(text, s string) string {
	unwrapped := strings.Join(strings.Fields(text), "")
	j, _ := json.Marshal(s)
	for _, form := range []string{s, url.QueryEscape(s), strings.Trim(string(j), `"`)} {
		for n := 6; n <= len(form); n++ {
			for i := 0; i+n <= len(form); i++ {
				if p := form[i : i+n]; strings.Contains(text, p) || strings.Contains(unwrapped, p) {
					return p
				}
			}
		}
	}
	return ""
}

// TestCaptureScreenWithholdsAnEchoedSecret: the capture screen shows what
// went wrong when Procore refuses a credential and when the keychain fails
// to keep it; a server or keychain that repeats the secret, at any offset
// around the length an error keeps and the width a line wraps at, shows
// none of it, whole or in part, at 80x24 and 120x40.
func TestCaptureScreenWithholdsAnEchoedSecret(t *testing.T) {
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
	// Each error keeps its first 300 characters (Procore's words) or 240
	// (the keychain's): every offset from well inside to past the cut, at
	// 80x24; a few at 120x40.
	near := func(cut int) []int {
		var out []int
		for o := cut - len(testSecret) - 4; o <= cut+4; o++ {
			out = append(out, o)
		}
		return out
	}
	sizes := map[[2]int][]int{
		{80, 24}:  append(append([]int{0, 7, 61, 139}, near(240)...), near(300)...),
		{120, 40}: {0, 101, 232, 290, 300},
	}
	for size, offsets := range sizes {
		for _, o := range offsets {
			name := fmt.Sprintf("%dx%d/%d", size[0], size[1], o)
			mu.Lock()
			pad = strings.Repeat("x", o)
			mu.Unlock()
			// Procore refuses: the screen says why.
			k := &echoingKeeper{env: env}
			d := toCaptureWith(t, k, size[0], size[1])
			d.fillCapture(testSecret).press("enter")
			d.contains("Procore refused the client ID and secret")
			if p := onScreen(d, testSecret); p != "" {
				t.Fatalf("%s: a refusal shows %q of the secret:\n%s", name, p, d.text())
			}
			// Nor do its details, Procore's own words, once asked for.
			// (All of them: the screen may show only part of a long one.)
			d.send(tea.KeyPressMsg{Code: 't', Mod: tea.ModCtrl})
			details := ansi.Strip(problemView(d.m.sh, d.m.screen.(troubled).problem(), size[0], ""))
			if !strings.Contains(details, "Details:") {
				t.Fatalf("%s: no details:\n%s", name, details)
			}
			if p := inText(details, testSecret); p != "" {
				t.Fatalf("%s: a refusal's details show %q of the secret:\n%s", name, p, details)
			}
			// The keychain fails: the screen says why.
			store := credstore.NewStore("procore-sa-test")
			store.Keyring = &repeatingKeyring{pad: "keychain: " + strings.Repeat("y", o)}
			k = &echoingKeeper{env: env, store: store}
			d = toCaptureWith(t, k, size[0], size[1])
			d.fillCapture(testSecret).press("tab", " ", "enter") // not proved: straight to the save
			d.contains("ould not save the credential")
			if p := onScreen(d, testSecret); p != "" {
				t.Fatalf("%s: a keychain failure shows %q of the secret:\n%s", name, p, d.text())
			}
		}
	}
}

// toCaptureWith walks the fixture to its capture step with k as keeper.
func toCaptureWith(t *testing.T, k *echoingKeeper, w, h int) *driver {
	o := fixtureOpts(t)
	o.Services.Keeper = k
	d := newDriver(t, o, w, h)
	completeFixtureTo(d, 5)
	return d
}
