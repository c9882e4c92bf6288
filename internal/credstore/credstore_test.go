package credstore

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"

	"github.com/procore-sa/procore-sa/internal/secret"
)

// fakeKeyring is an in-memory keychain with hooks for failures.
type fakeKeyring struct {
	mu      sync.Mutex
	entries map[string]string // service + "\x00" + account
	getErr  error
	setErr  error
	block   chan struct{}         // when set, every call waits on it
	mangle  func(v string) string // when set, Get returns mangle(stored)
	// getDelay, when set, is how long a Get of account takes; a negative
	// one never answers (until block, if set, is closed).
	getDelay func(account string) time.Duration
	hang     chan struct{}
	calls    int
}

func newFake() *fakeKeyring { return &fakeKeyring{entries: map[string]string{}} }

func (f *fakeKeyring) wait() {
	f.mu.Lock()
	b := f.block
	f.calls++
	f.mu.Unlock()
	if b != nil {
		<-b
	}
}

func (f *fakeKeyring) Get(service, account string) (string, error) {
	f.wait()
	if f.getDelay != nil {
		switch d := f.getDelay(account); {
		case d < 0:
			<-f.hang
		case d > 0:
			time.Sleep(d)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.getErr != nil {
		return "", f.getErr
	}
	v, ok := f.entries[service+"\x00"+account]
	if !ok {
		return "", keyring.ErrNotFound
	}
	if f.mangle != nil && account != indexAccount {
		v = f.mangle(v)
	}
	return v, nil
}

func (f *fakeKeyring) Set(service, account, value string) error {
	f.wait()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.setErr != nil {
		return f.setErr
	}
	f.entries[service+"\x00"+account] = value
	return nil
}

func (f *fakeKeyring) Delete(service, account string) error {
	f.wait()
	f.mu.Lock()
	defer f.mu.Unlock()
	k := service + "\x00" + account
	if _, ok := f.entries[k]; !ok {
		return keyring.ErrNotFound
	}
	delete(f.entries, k)
	return nil
}

const (
	testSecret   = "s3cr&t<x>-do-not-print"
	testPassword = "pa55-do-not-print"
	testRefresh  = "rt-do-not-print"
)

var testCreated = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func dmsaCredential() Credential {
	return Credential{
		Version: 1, Kind: KindClientCredentials, Environment: "sandbox", CompanyID: 42,
		ClientID: "cid", ClientSecret: secret.New(testSecret), Guide: "dmsa", CreatedAt: testCreated,
	}
}

// dmsaDocument is exactly what dmsaCredential is stored as.
const dmsaDocument = `{"version":1,"kind":"client_credentials","environment":"sandbox","company_id":42,"client_id":"cid","client_secret":"s3cr&t<x>-do-not-print","guide":"dmsa","created_at":"2026-01-02T03:04:05Z"}`

// saveAt saves c to profile alone, as a caller that will not go beside it.
func (s *Store) saveAt(ctx context.Context, profile string, c Credential, interactive bool) error {
	_, err := s.Save(ctx, Placement{Profile: profile}, c, interactive)
	return err
}

func fakeStore(f *fakeKeyring) *Store {
	return &Store{Service: "procore-sa-test", Keyring: f, Timeout: 200 * time.Millisecond, InteractiveTimeout: 400 * time.Millisecond}
}

// noSecretIn fails when text holds any of the test secrets.
func noSecretIn(t *testing.T, what, text string) {
	t.Helper()
	for _, s := range []string{testSecret, testPassword, testRefresh, "do-not-print"} {
		if strings.Contains(text, s) {
			t.Errorf("%s shows a secret: %s", what, text)
		}
	}
}

func TestCredentialDocumentLayout(t *testing.T) {
	cases := []struct {
		name string
		c    Credential
		keys []string
	}{
		{"client_credentials", dmsaCredential(),
			[]string{"version", "kind", "environment", "company_id", "client_id", "client_secret", "guide", "created_at"}},
		{"user_login", Credential{Version: 1, Kind: KindUserLogin, Environment: "production", CompanyID: 7,
			Login: "robot@example.com", Password: secret.New(testPassword), Guide: "spectrum", CreatedAt: testCreated},
			[]string{"version", "kind", "environment", "company_id", "login", "password", "guide", "created_at"}},
		{"admin_oauth", Credential{Version: 1, Kind: KindAdminOAuth, Environment: "production", CompanyID: 7,
			ClientID: "app", ClientSecret: secret.New(testSecret), RefreshToken: secret.New(testRefresh), Guide: "admin-helper", CreatedAt: testCreated},
			[]string{"version", "kind", "environment", "company_id", "client_id", "client_secret", "refresh_token", "guide", "created_at"}},
		{"admin_oauth without app", Credential{Version: 1, Kind: KindAdminOAuth, RefreshToken: secret.New(testRefresh)},
			[]string{"version", "kind", "refresh_token"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := encodeCredential(tc.c)
			if err != nil {
				t.Fatal(err)
			}
			// Keys in order, straight from the text.
			dec := json.NewDecoder(strings.NewReader(doc))
			var keys []string
			if _, err := dec.Token(); err != nil {
				t.Fatal(err)
			}
			for dec.More() {
				k, _ := dec.Token()
				keys = append(keys, k.(string))
				var skip json.RawMessage
				if err := dec.Decode(&skip); err != nil {
					t.Fatal(err)
				}
			}
			if !slices.Equal(keys, tc.keys) {
				t.Errorf("keys %v, want %v", keys, tc.keys)
			}
			back, err := decodeCredential(doc)
			if err != nil {
				t.Fatal(err)
			}
			if !credEqual(back, tc.c) {
				t.Errorf("round trip changed the credential")
			}
		})
	}
	doc, err := encodeCredential(dmsaCredential())
	if err != nil || doc != dmsaDocument {
		t.Errorf("document\n%s\nwant\n%s (%v)", doc, dmsaDocument, err)
	}
}

func credEqual(a, b Credential) bool {
	return a.Version == b.Version && a.Kind == b.Kind && a.Environment == b.Environment &&
		a.CompanyID == b.CompanyID && a.ClientID == b.ClientID && a.ClientSecret.Equal(b.ClientSecret) &&
		a.Login == b.Login && a.Password.Equal(b.Password) && a.RefreshToken.Equal(b.RefreshToken) &&
		a.Guide == b.Guide && a.CreatedAt.Equal(b.CreatedAt)
}

func TestCredentialDocumentRejects(t *testing.T) {
	bad := []Credential{
		{Version: 1, Kind: "robot", ClientID: "x", ClientSecret: secret.New("y")},
		{Version: 2, Kind: KindClientCredentials, ClientID: "x", ClientSecret: secret.New("y")},
		{Version: 1, Kind: KindClientCredentials, ClientID: "x"},
		{Version: 1, Kind: KindClientCredentials, ClientID: "x", ClientSecret: secret.New("y"), Password: secret.New(testPassword)},
		{Version: 1, Kind: KindUserLogin, Login: "a", Password: secret.New("b"), RefreshToken: secret.New(testRefresh)},
		{Version: 1, Kind: KindAdminOAuth, ClientID: "x"},
	}
	for i, c := range bad {
		if _, err := encodeCredential(c); err == nil {
			t.Errorf("%d: encoded %+v", i, c)
		} else {
			noSecretIn(t, "encode error", err.Error())
		}
	}
	for _, doc := range []string{
		``, `{`, `[]`, `{"version":1,"kind":"client_credentials","client_id":"a","client_secret":"` + testSecret + `","extra":1}`,
		`{"version":1,"kind":"client_credentials","client_id":"a","client_secret":"` + testSecret + `","created_at":"` + testSecret + `"}`,
		`{"version":1,"kind":"client_credentials","client_id":1,"client_secret":"` + testSecret + `"}`,
	} {
		_, err := decodeCredential(doc)
		if err == nil {
			t.Errorf("decoded %q", doc)
			continue
		}
		noSecretIn(t, "decode error", err.Error())
	}
}

func TestCredentialPrintsNoSecret(t *testing.T) {
	c := Credential{Version: 1, Kind: KindAdminOAuth, ClientID: "app", ClientSecret: secret.New(testSecret),
		Login: "l", Password: secret.New(testPassword), RefreshToken: secret.New(testRefresh)}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		noSecretIn(t, verb, fmt.Sprintf(verb, c))
		noSecretIn(t, verb+" pointer", fmt.Sprintf(verb, &c))
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	noSecretIn(t, "json", string(b))
	if !strings.Contains(string(b), secret.Mask) {
		t.Errorf("json shows no mask: %s", b)
	}
}

func TestValidateProfile(t *testing.T) {
	for _, ok := range []string{"a", "acme", "Acme-2.prod_x", strings.Repeat("a", 64), "9lives"} {
		if err := ValidateProfile(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", strings.Repeat("a", 65), "_profiles", "-x", ".x", "a b", "a/b", "é", "a\n", "a:b"} {
		if err := ValidateProfile(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	s := fakeStore(newFake())
	err := s.saveAt(context.Background(), "a b", dmsaCredential(), false)
	if err == nil || !strings.Contains(err.Error(), "letters, digits") {
		t.Errorf("Save with a bad name: %v", err)
	}
}

func TestStoreSaveLoadDeleteFake(t *testing.T) {
	f := newFake()
	s := fakeStore(f)
	ctx := context.Background()
	c := dmsaCredential()
	if err := s.saveAt(ctx, "acme", c, false); err != nil {
		t.Fatal(err)
	}
	if got := f.entries["procore-sa-test\x00acme"]; got != dmsaDocument {
		t.Errorf("stored %s", got)
	}
	back, err := s.Load(ctx, "acme", false)
	if err != nil || !credEqual(back, c) {
		t.Fatalf("Load: %v", err)
	}
	if err := s.saveAt(ctx, "beta", Credential{Kind: KindUserLogin, Login: "r", Password: secret.New(testPassword)}, true); err != nil {
		t.Fatal(err)
	}
	if names, err := s.Profiles(ctx); err != nil || !slices.Equal(names, []string{"acme", "beta"}) {
		t.Errorf("Profiles %v %v", names, err)
	}
	if f.entries["procore-sa-test\x00_profiles"] != `["acme","beta"]` {
		t.Errorf("index %s", f.entries["procore-sa-test\x00_profiles"])
	}
	if err := s.Delete(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, "acme", false); ClassOf(err) != NotFound {
		t.Errorf("Load after Delete: %v", err)
	} else if !strings.Contains(err.Error(), "secret list") {
		t.Errorf("NotFound message: %v", err)
	}
	if err := s.Delete(ctx, "acme"); ClassOf(err) != NotFound {
		t.Errorf("second Delete: %v", err)
	}
	if names, _ := s.Profiles(ctx); !slices.Equal(names, []string{"beta"}) {
		t.Errorf("Profiles after Delete %v", names)
	}
	if err := s.Delete(ctx, "beta"); err != nil {
		t.Fatal(err)
	}
	if names, err := s.Profiles(ctx); err != nil || len(names) != 0 {
		t.Errorf("Profiles after all deleted %v %v", names, err)
	}
	if len(f.entries) != 0 {
		t.Errorf("left behind %v", f.entries)
	}
	if err := s.Probe(ctx); err != nil {
		t.Errorf("Probe: %v", err)
	}
	// A zero version and time are filled in on save.
	if err := s.saveAt(ctx, "gamma", Credential{Kind: KindAdminOAuth, RefreshToken: secret.New(testRefresh)}, false); err != nil {
		t.Fatal(err)
	}
	if g, err := s.Load(ctx, "gamma", false); err != nil || g.Version != 1 || g.CreatedAt.IsZero() {
		t.Errorf("gamma %+v %v", g, err)
	}
}

func TestStoreDamagedIndexDoesNotBlockSave(t *testing.T) {
	f := newFake()
	f.entries["procore-sa-test\x00_profiles"] = "not json"
	s := fakeStore(f)
	if _, err := s.Profiles(context.Background()); err == nil || ClassOf(err) != Other {
		t.Errorf("Profiles on a damaged index: %v", err)
	}
	if err := s.saveAt(context.Background(), "acme", dmsaCredential(), false); err != nil {
		t.Fatal(err)
	}
	if names, err := s.Profiles(context.Background()); err != nil || !slices.Equal(names, []string{"acme"}) {
		t.Errorf("%v %v", names, err)
	}
}

func TestStoreReadBackMismatch(t *testing.T) {
	f := newFake()
	f.mangle = func(v string) string { return strings.Replace(v, "s3cr", "S3CR", 1) }
	s := fakeStore(f)
	c := dmsaCredential()
	err := s.saveAt(context.Background(), "acme", c, false)
	var se *StoreError
	if !errors.As(err, &se) || se.Op != OpVerify || !errors.Is(err, errMismatch) {
		t.Fatalf("Save: %v", err)
	}
	if !strings.Contains(err.Error(), "could not confirm") {
		t.Errorf("message: %v", err)
	}
	noSecretIn(t, "mismatch error", err.Error())
}

func TestStoreTimesOut(t *testing.T) {
	f := newFake()
	f.block = make(chan struct{})
	t.Cleanup(func() { close(f.block) }) // lets the abandoned goroutines end
	s := fakeStore(f)
	c := dmsaCredential()
	for _, interactive := range []bool{false, true} {
		want := s.timeout(interactive)
		start := time.Now()
		err := s.saveAt(context.Background(), "acme", c, interactive)
		took := time.Since(start)
		if ClassOf(err) != TimedOut {
			t.Fatalf("interactive=%v: %v", interactive, err)
		}
		if took < want || took > want+time.Second {
			t.Errorf("interactive=%v: took %s, timeout %s", interactive, took, want)
		}
		if !strings.Contains(err.Error(), "did not answer within "+want.String()) || !strings.Contains(err.Error(), "unlock the keychain") {
			t.Errorf("message: %v", err)
		}
		noAdviceThatReadsTheKeychain(t, err.Error())
		noSecretIn(t, "timeout error", err.Error())
	}
	start := time.Now()
	if err := s.Probe(context.Background()); ClassOf(err) != TimedOut {
		t.Errorf("Probe: %v", err)
	}
	if err := s.Delete(Interactive(context.Background()), "acme"); ClassOf(err) != TimedOut {
		t.Errorf("Delete: %v", err)
	}
	if took := time.Since(start); took < s.Timeout+s.InteractiveTimeout {
		t.Errorf("Interactive(ctx) did not lengthen Delete's wait: %s", took)
	}
	// A caller's cancel is not a timeout.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Load(ctx, "acme", false); !errors.Is(err, context.Canceled) || ClassOf(err) != Other {
		t.Errorf("cancelled Load: %v", err)
	}
	if DefaultTimeout != 5*time.Second || DefaultInteractiveTimeout != 2*time.Minute || NewStore("x").timeout(true) != DefaultInteractiveTimeout {
		t.Error("defaults changed")
	}
}

func TestStoreTooBig(t *testing.T) {
	f := newFake()
	s := fakeStore(f)
	c := dmsaCredential()
	c.ClientSecret = secret.New(strings.Repeat("x", MaxValueBytes))
	err := s.saveAt(context.Background(), "acme", c, false)
	if ClassOf(err) != TooBig {
		t.Fatalf("Save: %v", err)
	}
	if f.calls != 0 {
		t.Errorf("the keychain was called %d times for an entry too big for it", f.calls)
	}
	if !strings.Contains(err.Error(), "more than the 2500") {
		t.Errorf("message: %v", err)
	}
	// And the keychain's own refusal.
	f.setErr = keyring.ErrSetDataTooBig
	if err := s.saveAt(context.Background(), "acme", dmsaCredential(), false); ClassOf(err) != TooBig {
		t.Errorf("ErrSetDataTooBig: %v", err)
	}
}

func TestClassify(t *testing.T) {
	cases := []struct {
		err  error
		want ErrorClass
	}{
		{nil, Other},
		{keyring.ErrNotFound, NotFound},
		{fmt.Errorf("read: %w", keyring.ErrNotFound), NotFound},
		{errors.New("secret not found in keyring"), Other}, // only the value itself means NotFound
		{keyring.ErrSetDataTooBig, TooBig},
		{errTooBig{3000}, TooBig},
		{errTimedOut{time.Second}, TimedOut},
		{context.DeadlineExceeded, TimedOut},
		{&busError{"no bus"}, Unavailable},
		{keyring.ErrUnsupportedPlatform, Unavailable},
		{errors.New(`exec: "dbus-launch": executable file not found in $PATH`), Unavailable},
		{errors.New("dial unix /nonexistent: connect: no such file or directory"), Unavailable},
		{errors.New("The name org.freedesktop.secrets was not provided by any .service files"), Unavailable},
		{errors.New("failed to unlock correct collection '/org/freedesktop/secrets/collection/login'"), Locked},
		{errors.New("something else"), Other},
		{&StoreError{Class: Locked, Err: errors.New("x")}, Locked},
		{fmt.Errorf("wrapped: %w", &StoreError{Class: TooBig, Err: errors.New("x")}), TooBig},
	}
	for _, tc := range cases {
		if got := ClassOf(tc.err); got != tc.want {
			t.Errorf("ClassOf(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// TestStoreErrorMessages checks that each failure says its own thing, with
// what to do; that what to do never sends the person to a command that reads
// the failing keychain; and that the wizard's age-file choice is named only
// where the caller offers it.
func TestStoreErrorMessages(t *testing.T) {
	rows := []struct {
		err  error
		want []string
	}{
		{errors.New(`exec: "dbus-launch": executable file not found in $PATH`), []string{"no D-Bus session bus", "gnome-keyring", "doctor"}},
		{errors.New("dial unix /x: connect: no such file or directory"), []string{"is gone", "gnome-keyring", "doctor"}},
		{errors.New("The name org.freedesktop.secrets was not provided by any .service files"), []string{"no Secret Service is running", "KeePassXC", "doctor"}},
		{errors.New("failed to unlock correct collection '/org/freedesktop/secrets/collection/login'"), []string{"is locked", "unlock the login keyring"}},
		{errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"), []string{"no login keyring", "unlock the login keyring"}},
		{errors.New("boom"), []string{"boom", "doctor"}},
	}
	seen := map[string]bool{}
	for _, r := range rows {
		f := newFake()
		f.getErr, f.setErr = r.err, r.err
		err := fakeStore(f).saveAt(context.Background(), "acme", dmsaCredential(), false)
		if err == nil {
			t.Fatalf("%v: Save succeeded", r.err)
		}
		msg := err.Error()
		if seen[msg] {
			t.Errorf("two failures share the message %q", msg)
		}
		seen[msg] = true
		if !strings.HasPrefix(msg, `could not save the credential for profile "acme"`) || strings.Contains(msg, "\n") {
			t.Errorf("not one sentence about the save: %q", msg)
		}
		for _, w := range r.want {
			if runtime.GOOS == "linux" && !strings.Contains(msg, w) {
				t.Errorf("%q lacks %q", msg, w)
			}
		}
		noSecretIn(t, "error", msg)
		noAdviceThatReadsTheKeychain(t, msg)
		if strings.Contains(msg, "age file") {
			t.Errorf("offers an age file the caller did not offer: %q", msg)
		}
		wiz := WithFallback(err, WizardFallback).Error()
		if !strings.HasPrefix(wiz, msg) || !strings.Contains(wiz, "press a to write it to an age file") {
			t.Errorf("with the wizard's fallback: %q", wiz)
		}
		if ClassOf(WithFallback(err, WizardFallback)) != ClassOf(err) || err.Error() != msg {
			t.Errorf("WithFallback changed the class or the original error")
		}
	}
	// Not found is not a keychain failure: no fallback is offered.
	nf := fakeStore(newFake())
	_, err := nf.Load(context.Background(), "none", false)
	if got := WithFallback(err, WizardFallback).Error(); strings.Contains(got, "age file") {
		t.Errorf("not found offers an age file: %q", got)
	}
	if e := errors.New("plain"); WithFallback(e, WizardFallback) != e {
		t.Error("WithFallback changed an error that is not the store's")
	}
}

// noAdviceThatReadsTheKeychain fails when a keychain failure's advice sends
// the person to `procore-sa secret export`, which reads the same keychain.
func noAdviceThatReadsTheKeychain(t *testing.T, msg string) {
	t.Helper()
	if strings.Contains(msg, "secret export") {
		t.Errorf("advises secret export, which reads the failing keychain: %q", msg)
	}
}

// ciRequires is true when a missing prerequisite must fail the test rather
// than skip it: CI has to run the real keychain tests.
func ciRequires() bool {
	for _, k := range []string{"CI", "PROCORE_SA_TEST_CI"} {
		if v := os.Getenv(k); v != "" && v != "0" && v != "false" {
			return true
		}
	}
	return false
}

func skipOrFail(t *testing.T, why string) {
	t.Helper()
	if ciRequires() {
		t.Fatalf("%s (required when CI is set; run the tests with scripts/test)", why)
	}
	t.Skip(why)
}

// realStore is a store on the Secret Service scripts/test unlocked.
func realStore(t *testing.T) *Store {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the real keychain tests run on Linux (Secret Service)")
	}
	if os.Getenv("PROCORE_SA_KEYRING_READY") != "1" {
		skipOrFail(t, "PROCORE_SA_KEYRING_READY is not 1: no unlocked Secret Service")
	}
	s := NewStore("procore-sa-test")
	s.Timeout = 10 * time.Second // a loaded CI machine, not a person
	return s
}

func testProfile(t *testing.T) string {
	p := fmt.Sprintf("t%d-%s", os.Getpid(), strings.NewReplacer("/", "-", " ", "-").Replace(t.Name()))
	if len(p) > 64 {
		p = p[:64]
	}
	return p
}

func TestStoreRealSecretService(t *testing.T) {
	s := realStore(t)
	ctx := context.Background()
	if s.Backend() != "Secret Service (D-Bus)" {
		t.Errorf("Backend %q", s.Backend())
	}
	if err := s.Probe(ctx); err != nil {
		t.Fatal(err)
	}
	p := testProfile(t)
	t.Cleanup(func() { _ = s.Delete(ctx, p) })
	c := dmsaCredential()
	if err := s.saveAt(ctx, p, c, false); err != nil {
		t.Fatal(err)
	}
	// An independent client reads exactly what was written.
	out, err := exec.Command("secret-tool", "lookup", "service", "procore-sa-test", "username", p).Output()
	if err != nil {
		t.Fatalf("secret-tool lookup: %v", err)
	}
	if string(out) != dmsaDocument {
		t.Errorf("secret-tool read\n%s\nwant\n%s", out, dmsaDocument)
	}
	back, err := s.Load(ctx, p, false)
	if err != nil || !credEqual(back, c) {
		t.Fatalf("Load: %v", err)
	}
	// Saving again replaces the entry.
	c2 := c
	c2.ClientSecret = secret.New(testSecret + "-2")
	if err := s.saveAt(ctx, p, c2, false); err != nil {
		t.Fatal(err)
	}
	if back, err := s.Load(ctx, p, false); err != nil || !back.ClientSecret.Equal(c2.ClientSecret) {
		t.Fatalf("Load after a second Save: %v", err)
	}
	if err := s.Delete(ctx, p); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, p, false); ClassOf(err) != NotFound {
		t.Fatalf("Load after Delete: %v", err)
	}
	if err := s.Delete(ctx, p); ClassOf(err) != NotFound {
		t.Fatalf("Delete after Delete: %v", err)
	}
}

func TestStoreRealProfilesIndex(t *testing.T) {
	s := realStore(t)
	ctx := context.Background()
	a, b := testProfile(t)+"a", testProfile(t)+"b"
	t.Cleanup(func() { _ = s.Delete(ctx, a); _ = s.Delete(ctx, b) })
	for _, p := range []string{a, b} {
		if err := s.saveAt(ctx, p, dmsaCredential(), false); err != nil {
			t.Fatal(err)
		}
	}
	names, err := s.Profiles(ctx)
	if err != nil || !slices.Contains(names, a) || !slices.Contains(names, b) {
		t.Fatalf("Profiles %v %v", names, err)
	}
	out, err := exec.Command("secret-tool", "lookup", "service", "procore-sa-test", "username", "_profiles").Output()
	if err != nil || !json.Valid(out) {
		t.Errorf("the index is not a JSON list: %q %v", out, err)
	}
	noSecretIn(t, "index", string(out))
	if err := s.Delete(ctx, a); err != nil {
		t.Fatal(err)
	}
	names, err = s.Profiles(ctx)
	if err != nil || slices.Contains(names, a) || !slices.Contains(names, b) {
		t.Fatalf("Profiles after Delete %v %v", names, err)
	}
}

// The failure rows of keyring-on-linux.md. Rows that reach go-keyring run
// in a child process: godbus keeps one shared session-bus connection per
// process, so a bus set up here would not be used by a process that has
// already connected to another.

// TestStoreRowNoBus: no DBUS_SESSION_BUS_ADDRESS and no /run/user/UID/bus.
func TestStoreRowNoBus(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("a Linux row")
	}
	empty := t.TempDir()
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", empty)
	old := runUserDir
	runUserDir = func() string { return empty }
	t.Cleanup(func() { runUserDir = old })
	// Were godbus reached, it would look for dbus-launch here.
	t.Setenv("PATH", t.TempDir())

	r := saveRow(t, fakeStoreOS())
	r.expect(t, Unavailable, "there is no D-Bus session bus", "is not set", "gnome-keyring")
}

// TestStoreRowStaleBus: an address whose socket is gone.
func TestStoreRowStaleBus(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("a Linux row")
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
	r := saveRow(t, fakeStoreOS())
	r.expect(t, Unavailable, "is gone", "/nonexistent/bus does not exist", "gnome-keyring")
}

func TestCheckBusAddress(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("a Linux check")
	}
	sock := filepath.Join(t.TempDir(), "b%us")
	if err := os.WriteFile(sock, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	esc := strings.ReplaceAll(sock, "%", "%25")
	for addr, ok := range map[string]bool{
		"unix:path=" + esc: true,
		"unix:path=/nope;unix:path=" + esc + ",guid=1": true,
		"unix:abstract=/tmp/dbus-x":                    true,
		"tcp:host=localhost,port=1":                    true,
		"unix:path=/nope,guid=1":                       false,
		"unix:path=/nope;unix:path=/nope2":             false,
	} {
		if err := checkBusAddress(addr); (err == nil) != ok {
			t.Errorf("%q: %v", addr, err)
		}
	}
}

// TestStoreRowNoSecretService: a bus on which nothing owns
// org.freedesktop.secrets and nothing can be activated.
func TestStoreRowNoSecretService(t *testing.T) {
	addr := privateBus(t)
	r := childSave(t, addr)
	r.expect(t, Unavailable, "no Secret Service is running", "KeePassXC")
}

// TestStoreRowNoLoginCollection: gnome-keyring without --unlock, so there is
// no login keyring, and no prompter on the bus.
func TestStoreRowNoLoginCollection(t *testing.T) {
	addr := privateBus(t)
	startGnomeKeyring(t, addr, false)
	r := childSave(t, addr)
	r.expect(t, Locked, "no login keyring", "unlock the login keyring")
}

// TestStoreRowLocked: a login keyring, locked over D-Bus, and no display for
// a prompt.
func TestStoreRowLocked(t *testing.T) {
	addr := privateBus(t)
	startGnomeKeyring(t, addr, true)
	busSend(t, addr, "/org/freedesktop/secrets", "org.freedesktop.Secret.Service.Lock",
		"array:objpath:/org/freedesktop/secrets/collection/login")
	out := busSend(t, addr, "/org/freedesktop/secrets/collection/login", "org.freedesktop.DBus.Properties.Get",
		"string:org.freedesktop.Secret.Collection", "string:Locked")
	if !strings.Contains(out, "boolean true") {
		t.Fatalf("the login keyring did not lock: %s", out)
	}
	r := childSave(t, addr)
	r.expect(t, Locked, "is locked", "no unlock prompt", "unlock the login keyring")
}

// TestStoreRowPromptNeverAnswered: a locked keyring whose unlock prompt
// nobody answers, where go-keyring waits forever. gnome-keyring cannot show
// a prompt without a display, so a stand-in Secret Service on a private bus
// hands out a prompt that never completes, as an unanswered dialog does.
func TestStoreRowPromptNeverAnswered(t *testing.T) {
	addr := privateBus(t)
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatalf("connect to the private bus: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	const prompt = dbus.ObjectPath("/org/freedesktop/secrets/prompt/p1")
	err = conn.ExportMethodTable(map[string]any{
		"Unlock": func(objects []dbus.ObjectPath) ([]dbus.ObjectPath, dbus.ObjectPath, *dbus.Error) {
			return nil, prompt, nil
		},
	}, "/org/freedesktop/secrets", "org.freedesktop.Secret.Service")
	if err != nil {
		t.Fatal(err)
	}
	err = conn.ExportMethodTable(map[string]any{
		"Prompt": func(string) *dbus.Error { return nil }, // shown, never answered
	}, prompt, "org.freedesktop.Secret.Prompt")
	if err != nil {
		t.Fatal(err)
	}
	if reply, err := conn.RequestName("org.freedesktop.secrets", dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("own org.freedesktop.secrets: %v %v", reply, err)
	}
	r := childSave(t, addr)
	r.expect(t, TimedOut, "did not answer within 2s", "unlock the keychain")
}

// rowResult is what one Save under a failure row did.
type rowResult struct {
	Class   string
	Message string
	Elapsed time.Duration
}

func (r rowResult) expect(t *testing.T, class ErrorClass, parts ...string) {
	t.Helper()
	if r.Class != class.String() {
		t.Fatalf("class %s, want %s: %s", r.Class, class, r.Message)
	}
	for _, p := range parts {
		if !strings.Contains(r.Message, p) {
			t.Errorf("message lacks %q: %s", p, r.Message)
		}
	}
	if !strings.HasPrefix(r.Message, "could not save the credential") || strings.Contains(r.Message, "\n") {
		t.Errorf("not one sentence about the save: %q", r.Message)
	}
	noSecretIn(t, "row message", r.Message)
	noAdviceThatReadsTheKeychain(t, r.Message)
	if limit := childTimeout + 2*time.Second; r.Elapsed > limit {
		t.Errorf("took %s, more than %s", r.Elapsed, limit)
	}
	t.Logf("%s after %s: %s", r.Class, r.Elapsed, r.Message)
}

// fakeStoreOS is a store on the OS keychain with a short timeout.
func fakeStoreOS() *Store {
	s := NewStore("procore-sa-test")
	s.Timeout = childTimeout
	return s
}

const childTimeout = 2 * time.Second

func saveRow(t *testing.T, s *Store) rowResult {
	t.Helper()
	start := time.Now()
	err := s.saveAt(context.Background(), "row", dmsaCredential(), false)
	r := rowResult{Class: ClassOf(err).String(), Elapsed: time.Since(start)}
	if err == nil {
		r.Class = "nil"
	} else {
		r.Message = err.Error()
	}
	return r
}

const childEnv = "PROCORE_SA_CREDSTORE_CHILD"

// TestStoreChild is the child process of childSave: one Save on the bus it
// was given, its result as a line of JSON.
func TestStoreChild(t *testing.T) {
	if os.Getenv(childEnv) != "1" {
		t.Skip("runs only as childSave's child")
	}
	b, _ := json.Marshal(saveRow(t, fakeStoreOS()))
	fmt.Printf("\nROW %s\n", b)
}

// childSave runs one Save in a child test process on the bus at addr, with
// no display, so that no unlock prompt can appear.
func childSave(t *testing.T, addr string) rowResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestStoreChild$", "-test.count=1", "-test.v")
	cmd.Env = append(withoutEnv("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", childEnv),
		"DBUS_SESSION_BUS_ADDRESS="+addr, childEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	for line := range strings.SplitSeq(string(out), "\n") {
		if j, ok := strings.CutPrefix(line, "ROW "); ok {
			var r rowResult
			if err := json.Unmarshal([]byte(j), &r); err != nil {
				t.Fatal(err)
			}
			return r
		}
	}
	t.Fatalf("the child gave no result:\n%s", out)
	return rowResult{}
}

func withoutEnv(names ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(names, k) {
			env = append(env, kv)
		}
	}
	return env
}

func needTools(t *testing.T, tools ...string) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("a Linux row")
	}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			skipOrFail(t, tool+" is not installed (apt-get install dbus gnome-keyring)")
		}
	}
}

// privateBus starts a session bus of its own with no service directories,
// so nothing can be activated on it, and stops it when the test ends.
func privateBus(t *testing.T) string {
	t.Helper()
	needTools(t, "dbus-daemon", "dbus-send")
	// A short directory: a socket path must fit 108 bytes.
	dir, err := os.MkdirTemp("", "csbus")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	conf := filepath.Join(dir, "bus.conf")
	err = os.WriteFile(conf, []byte(`<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=`+filepath.Join(dir, "bus")+`</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("dbus-daemon", "--config-file="+conf, "--nofork", "--print-address")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start dbus-daemon: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("read the bus address: %v", err)
	}
	return strings.TrimSpace(line)
}

// startGnomeKeyring runs gnome-keyring's Secret Service on the bus at addr,
// with a fresh keyring directory; unlock creates and unlocks the login
// keyring. It returns once the daemon owns org.freedesktop.secrets (a call
// before that would try to activate a second one).
func startGnomeKeyring(t *testing.T, addr string, unlock bool) {
	t.Helper()
	needTools(t, "gnome-keyring-daemon")
	dir := t.TempDir()
	args := []string{"--foreground", "--components=secrets"}
	if unlock {
		args = append(args, "--unlock")
	}
	cmd := exec.Command("gnome-keyring-daemon", args...)
	cmd.Env = append(withoutEnv("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "XDG_DATA_HOME", "XDG_RUNTIME_DIR"),
		"DBUS_SESSION_BUS_ADDRESS="+addr, "XDG_DATA_HOME="+dir, "XDG_RUNTIME_DIR="+dir)
	if unlock {
		cmd.Stdin = strings.NewReader("procore-sa-test")
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start gnome-keyring-daemon: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, _ := exec.Command("dbus-send", "--bus="+addr, "--print-reply", "--dest=org.freedesktop.DBus",
			"/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner", "string:org.freedesktop.secrets").Output()
		if strings.Contains(string(out), "boolean true") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("gnome-keyring-daemon did not take org.freedesktop.secrets within 10s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if unlock {
		out := busSend(t, addr, "/org/freedesktop/secrets/collection/login", "org.freedesktop.DBus.Properties.Get",
			"string:org.freedesktop.Secret.Collection", "string:Locked")
		if !strings.Contains(out, "boolean false") {
			t.Fatalf("the login keyring is not unlocked: %s", out)
		}
	}
}

// busSend calls a Secret Service method on the bus at addr with dbus-send.
func busSend(t *testing.T, addr, path, method string, args ...string) string {
	t.Helper()
	out, err := exec.Command("dbus-send", append([]string{"--bus=" + addr, "--print-reply",
		"--dest=org.freedesktop.secrets", path, method}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("dbus-send %s: %v\n%s", method, err, out)
	}
	return string(out)
}
