package app

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/procore"
)

// demoApp is a demo run's application layer over a keychain in memory and
// a state directory of the test's own.
func demoApp(t *testing.T, profile string) (*App, *credstore.Store, string) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_STATE_HOME", dir)
	store := &credstore.Store{Service: "procore-sa-test", Keyring: &credstore.MemoryKeyring{}}
	a := New(Config{Demo: true, Profile: profile, Credentials: store})
	t.Cleanup(a.Close)
	return a, store, filepath.Join(dir, "procore-sa", "demo")
}

// storeDemoDMSA keeps the simulator's own app in profile, as a demo
// capture does, and returns it.
func storeDemoDMSA(t *testing.T, a *App, store *credstore.Store, profile, env string) credstore.Credential {
	t.Helper()
	s, err := a.Sim()
	if err != nil {
		t.Fatal(err)
	}
	fx := s.Fixtures()
	c := credstore.Credential{Version: 1, Kind: credstore.KindClientCredentials, Environment: env, CompanyID: fx.CompanyID,
		ClientID: fx.DMSAClientID, ClientSecret: secret.New(fx.DMSAClientSecret), Guide: "dmsa", CreatedAt: time.Now().Add(-200 * 24 * time.Hour)}
	if _, err := store.Save(context.Background(), credstore.Placement{Profile: profile}, c, false); err != nil {
		t.Fatal(err)
	}
	return c
}

func stored(t *testing.T, store *credstore.Store, profile string) credstore.Credential {
	t.Helper()
	c, err := store.Load(context.Background(), profile, false)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func works(a *App, c credstore.Credential) bool {
	env, _ := a.Target()
	_, err := procore.ClientCredentials(env, nil, c.ClientID, c.ClientSecret).Token(context.Background())
	return err == nil
}

// captureWith types a client ID, secret and company ID into a capture
// keeping through k, as the capture screen does, and returns it.
func captureWith(t *testing.T, k Keeper, c credstore.Credential, prove bool) *Capture {
	t.Helper()
	cp := NewCapture("rotate", k.Environment())
	cp.Prove = prove
	job, ok := cp.Submit(CaptureInput{ClientID: c.ClientID, ClientSecret: c.ClientSecret.Reveal(), CompanyID: strconv.FormatInt(c.CompanyID, 10)})
	if !ok {
		t.Fatalf("not submitted: %v", cp.Errs)
	}
	cp.Done(job(context.Background(), k, func(string) {}))
	return cp
}

func TestRotationKeepsOldUntilNewIsProved(t *testing.T) {
	ctx := context.Background()
	a, store, stateDir := demoApp(t, "rot")
	old := storeDemoDMSA(t, a, store, "rot", "demo")

	r, err := a.StartRotation(ctx, "rot")
	if err != nil {
		t.Fatal(err)
	}
	if !r.OldWorks {
		t.Fatalf("the stored secret should work before the reset: %v", r.OldErr)
	}
	g, err := r.Guide()
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Steps) != 4 || !strings.Contains(g.Steps[0].Body, "revokes the old secret at once") || !strings.Contains(g.Steps[1].Checklist[2], "Reset Client Secret") {
		t.Fatalf("guide %+v", g.Steps)
	}

	// A new secret that Procore refuses leaves the old one stored, and
	// (with no reset made) working.
	k := r.Keeper()
	wrong := old
	wrong.ClientSecret = secret.New("0000000000000000000000000000000000000000000000000000000000000000")
	cp := captureWith(t, k, wrong, true)
	if cp.Phase != CaptureEditing || cp.Err == nil || !strings.Contains(cp.Err.Error(), "unchanged") {
		t.Fatalf("phase %v, err %v", cp.Phase, cp.Err)
	}
	if got := stored(t, store, "rot"); !got.ClientSecret.Equal(old.ClientSecret) || !works(a, got) {
		t.Fatal("a refused secret changed what is stored, or the old one stopped working")
	}
	// Not checked by the person: proved anyway before anything is replaced.
	cp = captureWith(t, k, wrong, false)
	if cp.Phase == CaptureSaved {
		t.Fatal("an unproved secret was stored")
	}
	if got := stored(t, store, "rot"); !got.ClientSecret.Equal(old.ClientSecret) {
		t.Fatal("an unchecked secret replaced the old one")
	}
	// Another app's client ID is refused before Procore is asked.
	other := old
	other.ClientID = "dmsa-someoneelse"
	if cp := captureWith(t, k, other, true); cp.Phase != CaptureEditing || !strings.Contains(cp.Err.Error(), "another app") {
		t.Fatalf("another app: %v %v", cp.Phase, cp.Err)
	}

	// The reset in the Developer Portal (the simulator's): the old secret
	// is revoked at once, as Procore documents; the keychain still holds it.
	if err := r.DemoReset(); err != nil {
		t.Fatal(err)
	}
	if works(a, old) {
		t.Fatal("the old secret still works after the reset; Procore revokes it")
	}
	if got := stored(t, store, "rot"); !got.ClientSecret.Equal(old.ClientSecret) {
		t.Fatal("the reset changed what is stored")
	}
	fresh, ok := k.DemoCredential()
	if !ok || fresh.ClientSecret.Equal(old.ClientSecret) {
		t.Fatal("no new demo secret")
	}
	cp = NewCapture("rotate", k.Environment())
	job := cp.Fill(fresh)
	cp.Done(job(ctx, k, func(string) {}))
	if cp.Phase != CaptureSaved || cp.Saved.Profile != "rot" || !cp.Saved.Replaced {
		t.Fatalf("phase %v, saved %+v, err %v", cp.Phase, cp.Saved, cp.Err)
	}
	// Only the new one is stored, in the same profile, and it works.
	got := stored(t, store, "rot")
	if !got.ClientSecret.Equal(fresh.ClientSecret) || got.Guide != "dmsa" || !works(a, got) {
		t.Fatal("the new secret is not what is stored, or does not work")
	}
	if names, _ := store.Profiles(ctx); len(names) != 1 || names[0] != "rot" {
		t.Fatalf("profiles %v: the old secret was kept somewhere", names)
	}
	if !r.Replaced() {
		t.Error("Replaced is false")
	}
	last, err := a.LastRotations()
	if err != nil || last["rot"].ClientID != old.ClientID || time.Since(last["rot"].At) > time.Minute {
		t.Fatalf("last rotation %+v, %v", last, err)
	}

	audit, _ := os.ReadFile(filepath.Join(stateDir, "audit.jsonl"))
	for _, want := range []string{"started for client ID", "refused by Procore; the stored one is unchanged", "demo: the simulator reset",
		"proved with its own token", "replaced the old one and was read back; the old secret is removed"} {
		if !strings.Contains(string(audit), want) {
			t.Errorf("audit lacks %q:\n%s", want, audit)
		}
	}
	for _, s := range []secret.Value{old.ClientSecret, fresh.ClientSecret} {
		if strings.Contains(string(audit), s.Reveal()) {
			t.Fatal("a secret is in the audit log")
		}
		_ = filepath.Walk(stateDir, func(p string, fi os.FileInfo, err error) error {
			if err == nil && !fi.IsDir() {
				if b, _ := os.ReadFile(p); strings.Contains(string(b), s.Reveal()) {
					t.Errorf("a secret is in %s", p)
				}
			}
			return nil
		})
	}
}

func TestRotationRefusesOtherKinds(t *testing.T) {
	ctx := context.Background()
	a, store, _ := demoApp(t, "x")
	store.Save(ctx, credstore.Placement{Profile: "user"}, credstore.Credential{Kind: credstore.KindUserLogin, Login: "a@b.c", Password: secret.New("pw")}, false)
	store.Save(ctx, credstore.Placement{Profile: "adm"}, credstore.Credential{Kind: credstore.KindAdminOAuth, RefreshToken: secret.New("tok")}, false)
	if _, err := a.StartRotation(ctx, "user"); err == nil || !strings.Contains(err.Error(), "change the password in Procore") {
		t.Errorf("user login: %v", err)
	}
	if _, err := a.StartRotation(ctx, "adm"); err == nil || !strings.Contains(err.Error(), "procore-sa login") {
		t.Errorf("admin sign-in: %v", err)
	}
	if _, err := a.StartRotation(ctx, "none"); credstore.ClassOf(err) != credstore.NotFound {
		t.Errorf("missing: %v", err)
	}
}

// TestRotationGuideQuotesWhatItIsGiven: whatever the stored client ID and
// Procore's refusal say, the rotation's steps parse, and say it as given.
func TestRotationGuideQuotesWhatItIsGiven(t *testing.T) {
	for _, id := range []string{`dmsa-plain`, `a"b\c: d`, "#x {y} [z] & *w !v |u >t", "line\nbreak"} {
		r := &Rotation{Profile: "p", Old: credstore.Credential{Kind: credstore.KindClientCredentials, ClientID: id, CompanyID: 7},
			OldErr: errErr(`refused: "invalid_client": bad\nsecret`), a: New(Config{})}
		g, err := r.Guide()
		if err != nil {
			t.Fatalf("client ID %q: %v", id, err)
		}
		if !strings.Contains(g.Steps[2].Body, id) || !strings.Contains(g.Steps[0].Body, `"invalid_client"`) {
			t.Errorf("client ID %q: steps %q / %q", id, g.Steps[2].Body, g.Steps[0].Body)
		}
	}
}

type errErr string

func (e errErr) Error() string { return string(e) }
