package credstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/procore-sa/procore-sa/internal/secret"
)

// echoKeyring is a keychain whose failures repeat what it was given, the
// way a backend that quotes its command or its input does: the write of a
// profile (or the read-back after it) fails with pad, then what was
// written (whole, or as a plain secret), then more words.
type echoKeyring struct {
	mu      sync.Mutex
	entries map[string]string
	op      string // "set" or "get": which call of the profile fails
	echo    func(doc string) string
}

func (k *echoKeyring) Get(service, account string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.entries[account]
	if account != indexAccount && k.op == "get" && ok {
		return "", errors.New(k.echo(v))
	}
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (k *echoKeyring) Set(service, account, value string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if account != indexAccount && k.op == "set" {
		return errors.New(k.echo(value))
	}
	k.entries[account] = value
	return nil
}

func (k *echoKeyring) Delete(service, account string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.entries, account)
	return nil
}

// fragmentOf is the first piece of s (six characters or more, as it is or
// encoded the ways a backend may repeat it) found in text.
func fragmentOf(text string, secrets ...string) string {
	for _, s := range secrets {
		b, _ := json.Marshal(s)
		for _, form := range []string{s, url.QueryEscape(s), strings.Trim(string(b), `"`)} {
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

// TestKeychainErrorsWithholdTheSecret: a keychain failure that repeats the
// credential being saved (its secret alone, or the whole entry) at any
// offset around the length a message keeps shows none of it, whole or in
// part, for every kind of credential, on the write and on the read-back.
func TestKeychainErrorsWithholdTheSecret(t *testing.T) {
	const (
		cs = "KCSECRET-canary-Zx81q"
		pw = "KCPASSW-canary-Yw72r!"
		rt = "KCREFRESH-canary-Vu63s"
	)
	creds := map[string]Credential{
		"client_credentials": {Version: 1, Kind: KindClientCredentials, Environment: "sandbox", CompanyID: 42, ClientID: "cid", ClientSecret: secret.New(cs), CreatedAt: testCreated},
		"user_login":         {Version: 1, Kind: KindUserLogin, Environment: "sandbox", CompanyID: 42, Login: "a@b.c", Password: secret.New(pw), CreatedAt: testCreated},
		"admin_oauth":        {Version: 1, Kind: KindAdminOAuth, Environment: "sandbox", ClientID: "app", ClientSecret: secret.New(cs), RefreshToken: secret.New(rt), CreatedAt: testCreated},
	}
	for kind, c := range creds {
		for _, op := range []string{"set", "get"} {
			for _, what := range []string{"secret", "entry"} {
				for o := 0; o <= maxCause+20; o++ {
					name := fmt.Sprintf("%s/%s/%s/%d", kind, op, what, o)
					k := &echoKeyring{entries: map[string]string{}, op: op, echo: func(doc string) string {
						said := doc
						if what == "secret" {
							said = c.ClientSecret.Reveal() + c.Password.Reveal() + " " + c.RefreshToken.Reveal()
						}
						return "backend: " + strings.Repeat("x", o) + said + " was refused"
					}}
					s := &Store{Service: "procore-sa-test", Keyring: k}
					_, err := s.Save(context.Background(), Placement{Profile: "p"}, c, false)
					if err == nil {
						t.Fatalf("%s: the save succeeded", name)
					}
					msg := fmt.Sprintf("%v | %+v", err, WithFallback(err, WizardFallback))
					if f := fragmentOf(msg, cs, pw, rt); f != "" {
						t.Fatalf("%s: the error shows %q: %s", name, f, msg)
					}
				}
			}
		}
	}
}

// FuzzKeychainErrorWithholds: whatever a failing keychain says around the
// secret it was given, and however long, no eight characters of the
// secret are left in the save's error.
func FuzzKeychainErrorWithholds(f *testing.F) {
	f.Add("backend: ", " was refused", 230, false)
	f.Add(`{"item":"`, `"}`, 0, true)
	f.Add("", "", 239, false)
	f.Fuzz(func(t *testing.T, before, after string, pad int, onRead bool) {
		const s = "Qz7-KEYCHAIN-fuzz-Wm4"
		if pad < 0 || pad > 2000 || strings.Contains(before+after, "Qz7") || strings.Contains(before+after, "Wm4") {
			return
		}
		op := "set"
		if onRead {
			op = "get"
		}
		k := &echoKeyring{entries: map[string]string{}, op: op, echo: func(string) string {
			return before + strings.Repeat("x", pad) + s + after
		}}
		c := Credential{Version: 1, Kind: KindClientCredentials, Environment: "sandbox", CompanyID: 42, ClientID: "cid", ClientSecret: secret.New(s), CreatedAt: testCreated}
		_, err := (&Store{Service: "procore-sa-test", Keyring: k}).Save(context.Background(), Placement{Profile: "p"}, c, false)
		if err == nil {
			t.Fatal("the save succeeded")
		}
		msg := err.Error()
		for i := 0; i+8 <= len(s); i++ {
			if strings.Contains(msg, s[i:i+8]) {
				t.Fatalf("the error shows %q: %s", s[i:i+8], msg)
			}
		}
	})
}
