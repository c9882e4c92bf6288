package credstore

import (
	"context"
	"errors"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/secret"
)

func userLogin(login, pw string) Credential {
	return Credential{Version: 1, Kind: KindUserLogin, Environment: "sandbox", CompanyID: 42, Login: login, Password: secret.New(pw), CreatedAt: testCreated}
}

func adminSignIn(app, rt string) Credential {
	return Credential{Version: 1, Kind: KindAdminOAuth, Environment: "sandbox", ClientID: app, RefreshToken: secret.New(rt), CreatedAt: testCreated}
}

// newerDocument is an entry a later version of procore-sa might write.
const newerDocument = `{"version":2,"kind":"client_credentials","client_id":"cid","client_secret":"newer-do-not-print","vault":"x"}`

func TestBesideNames(t *testing.T) {
	got := BesideNames("dmsa", "dmsa", "dmsa", "bad name")
	if len(got) != 99 || got[0] != "dmsa" || got[1] != "dmsa-2" || got[98] != "dmsa-99" {
		t.Errorf("BesideNames: %d names, %v … %v", len(got), got[:3], got[len(got)-1])
	}
	long := strings.Repeat("x", 63)
	for _, n := range BesideNames(long) {
		if ValidateProfile(n) != nil {
			t.Errorf("invalid name %q", n)
		}
	}
}

// TestSavePlacementRule is the one rule every writer of the keychain
// follows: a profile is free only when it holds nothing or the same
// credential; anything else, an entry it cannot parse, and an entry the
// keychain does not give back in time are kept, and the credential goes
// beside them (or the save fails when there is nowhere beside).
func TestSavePlacementRule(t *testing.T) {
	newSecret := dmsaCredential()
	newSecret.ClientSecret = secret.New("second-do-not-print")
	cases := []struct {
		name    string
		before  map[string]string // account -> document
		slow    map[string]time.Duration
		save    Credential
		beside  []string
		want    Saved
		class   ErrorClass // when the save must fail
		wantDoc map[string]string
	}{
		{name: "empty", save: dmsaCredential(), beside: []string{"dmsa"},
			want: Saved{Profile: "default"}},
		{name: "same app, new secret", before: map[string]string{"default": dmsaDocument}, save: newSecret, beside: []string{"dmsa"},
			want: Saved{Profile: "default", Replaced: true}},
		{name: "another kind", before: map[string]string{"default": dmsaDocument}, save: userLogin("robot@example.com", testPassword), beside: []string{"dmsa"},
			want:    Saved{Profile: "dmsa", Beside: "default", Holds: "a client_credentials credential (client ID cid, sandbox)"},
			wantDoc: map[string]string{"default": dmsaDocument}},
		{name: "another app", before: map[string]string{"default": dmsaDocument}, save: func() Credential { c := dmsaCredential(); c.ClientID = "other"; return c }(),
			beside: []string{"dmsa", "dmsa-2"},
			want:   Saved{Profile: "dmsa", Beside: "default", Holds: "a client_credentials credential (client ID cid, sandbox)"}},
		{name: "another environment", before: map[string]string{"default": dmsaDocument}, save: func() Credential { c := dmsaCredential(); c.Environment = "production"; return c }(),
			beside: []string{"dmsa"},
			want:   Saved{Profile: "dmsa", Beside: "default", Holds: "a client_credentials credential (client ID cid, sandbox)"}},
		{name: "another sign-in app", before: map[string]string{"admin": mustEncode(t, adminSignIn("app-1", "rt-1"))}, save: adminSignIn("app-2", "rt-2"),
			beside: BesideNames("admin"), want: Saved{Profile: "admin-2", Beside: "admin", Holds: "an admin_oauth credential (client ID app-1, sandbox)"}},
		{name: "a new refresh token of the same sign-in", before: map[string]string{"admin": mustEncode(t, adminSignIn("app-1", "rt-1"))}, save: adminSignIn("app-1", "rt-2"),
			beside: BesideNames("admin"), want: Saved{Profile: "admin", Replaced: true}},
		{name: "unparsable: a newer version", before: map[string]string{"default": newerDocument}, save: dmsaCredential(), beside: []string{"dmsa"},
			want:    Saved{Profile: "dmsa", Beside: "default", Holds: "an entry this procore-sa cannot read (perhaps a newer version wrote it)"},
			wantDoc: map[string]string{"default": newerDocument}},
		{name: "beside is taken too", before: map[string]string{"default": newerDocument, "dmsa": mustEncode(t, userLogin("a@b.c", "pw-do-not-print"))},
			save: dmsaCredential(), beside: []string{"dmsa", "dmsa-2"},
			want: Saved{Profile: "dmsa-2", Beside: "default", Holds: "an entry this procore-sa cannot read (perhaps a newer version wrote it)"}},
		{name: "same credential beside", before: map[string]string{"default": newerDocument, "dmsa": dmsaDocument},
			save: newSecret, beside: []string{"dmsa", "dmsa-2"},
			want: Saved{Profile: "dmsa", Replaced: true, Beside: "default", Holds: "an entry this procore-sa cannot read (perhaps a newer version wrote it)"}},
		// Slower than the short timeout, within the interactive one: a
		// person typing the unlock password. The check waits as the save
		// does, and finds what is there.
		{name: "slow keychain", before: map[string]string{"default": dmsaDocument}, slow: map[string]time.Duration{"default": 200 * time.Millisecond},
			save: userLogin("robot@example.com", testPassword), beside: []string{"dmsa"},
			want:    Saved{Profile: "dmsa", Beside: "default", Holds: "a client_credentials credential (client ID cid, sandbox)"},
			wantDoc: map[string]string{"default": dmsaDocument}},
		// Never given back: not free, never overwritten.
		{name: "no answer", before: map[string]string{"default": dmsaDocument}, slow: map[string]time.Duration{"default": -1},
			save: userLogin("robot@example.com", testPassword), beside: []string{"dmsa"},
			want:    Saved{Profile: "dmsa", Beside: "default", Holds: "an entry the keychain did not give back in time"},
			wantDoc: map[string]string{"default": dmsaDocument}},
		{name: "no answer, nowhere beside", before: map[string]string{"default": dmsaDocument}, slow: map[string]time.Duration{"default": -1},
			save: userLogin("robot@example.com", testPassword), class: TimedOut, wantDoc: map[string]string{"default": dmsaDocument}},
		{name: "no answer twice", slow: map[string]time.Duration{"default": -1, "dmsa": -1},
			save: userLogin("robot@example.com", testPassword), beside: []string{"dmsa", "dmsa-2"}, class: TimedOut},
		{name: "taken, nowhere beside", before: map[string]string{"default": dmsaDocument}, save: userLogin("robot@example.com", testPassword),
			class: Taken, wantDoc: map[string]string{"default": dmsaDocument}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake()
			f.hang = make(chan struct{})
			t.Cleanup(func() { close(f.hang) })
			for acct, doc := range tc.before {
				f.entries["procore-sa-test\x00"+acct] = doc
			}
			f.getDelay = func(account string) time.Duration { return tc.slow[account] }
			s := fakeStore(f)
			s.Timeout, s.InteractiveTimeout = 50*time.Millisecond, 500*time.Millisecond
			pl := Placement{Profile: "default", Beside: tc.beside}
			if tc.before["admin"] != "" {
				pl.Profile = "admin"
			}
			ctx := context.Background()
			plan, perr := s.Place(ctx, pl, tc.save, true)
			f.mu.Lock()
			untouched := len(f.entries) == len(tc.before)
			f.mu.Unlock()
			if !untouched {
				t.Error("Place wrote to the keychain")
			}
			got, err := s.Save(ctx, pl, tc.save, true)
			if tc.class != Other {
				if ClassOf(err) != tc.class || ClassOf(perr) != tc.class {
					t.Fatalf("Save: %v (%v); Place: %v; want class %v", err, ClassOf(err), perr, tc.class)
				}
				if !strings.Contains(err.Error(), "could not save") || (tc.class == TimedOut && !strings.Contains(err.Error(), "nothing was saved or replaced")) {
					t.Errorf("message: %v", err)
				}
				noSecretIn(t, "error", err.Error())
			} else {
				if err != nil || perr != nil {
					t.Fatalf("Save: %v; Place: %v", err, perr)
				}
				if got != tc.want || plan != tc.want {
					t.Errorf("Save: %+v\nPlace: %+v\nwant:  %+v", got, plan, tc.want)
				}
				back, err := s.Load(ctx, got.Profile, false)
				if err != nil || !credEqual(back, tc.save) {
					t.Errorf("the new credential is not in %s: %v", got.Profile, err)
				}
				noSecretIn(t, "note", got.Note())
			}
			for acct, doc := range tc.wantDoc {
				f.mu.Lock()
				now := f.entries["procore-sa-test\x00"+acct]
				f.mu.Unlock()
				if now != doc {
					t.Errorf("profile %s was overwritten: %s", acct, now)
				}
			}
		})
	}
}

func mustEncode(t *testing.T, c Credential) string {
	t.Helper()
	doc, err := encodeCredential(c)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestSavedNote(t *testing.T) {
	for s, want := range map[Saved]string{
		{Profile: "default"}:                 "",
		{Profile: "default", Replaced: true}: "it replaces the older entry of the same credential in profile default",
		{Profile: "dmsa", Beside: "default", Holds: "a user_login credential (login a@b.c)"}: "profile default holds a user_login credential (login a@b.c), which is kept; this one is saved beside it as profile dmsa",
	} {
		if got := s.Note(); got != want {
			t.Errorf("%+v: %q, want %q", s, got, want)
		}
	}
}

// TestSavePlacementRealSecretService: the same rule over the real Secret
// Service, with the entries planted by another client (secret-tool): a
// foreign document and another credential are kept; the same app replaces.
func TestSavePlacementRealSecretService(t *testing.T) {
	s := realStore(t)
	s.InteractiveTimeout = 10 * time.Second
	ctx := context.Background()
	p := testProfile(t)
	if len(p) > 50 {
		p = p[:50]
	}
	beside := BesideNames(p, p+"-x")
	t.Cleanup(func() {
		for _, n := range append([]string{p}, beside[:3]...) {
			_ = s.Delete(ctx, n)
		}
	})
	plant := exec.Command("secret-tool", "store", "--label", "procore-sa test", "service", "procore-sa-test", "username", p)
	plant.Stdin = strings.NewReader(newerDocument)
	if out, err := plant.CombinedOutput(); err != nil {
		t.Fatalf("secret-tool store: %v\n%s", err, out)
	}
	pl := Placement{Profile: p, Beside: beside}
	got, err := s.Save(ctx, pl, dmsaCredential(), true)
	if err != nil || got.Profile != p+"-x" || got.Beside != p || !strings.Contains(got.Holds, "cannot read") {
		t.Fatalf("Save beside a foreign entry: %+v %v", got, err)
	}
	out, err := exec.Command("secret-tool", "lookup", "service", "procore-sa-test", "username", p).Output()
	if err != nil || string(out) != newerDocument {
		t.Fatalf("the foreign entry was replaced: %q %v", out, err)
	}
	got, err = s.Save(ctx, pl, userLogin("robot@example.com", testPassword), true)
	if err != nil || got.Profile != p+"-2" {
		t.Fatalf("Save beside two: %+v %v", got, err)
	}
	again := dmsaCredential()
	again.ClientSecret = secret.New("rotated-do-not-print")
	got, err = s.Save(ctx, pl, again, true)
	if err != nil || got.Profile != p+"-x" || !got.Replaced {
		t.Fatalf("a new secret of the same app: %+v %v", got, err)
	}
	if back, err := s.Load(ctx, p+"-x", true); err != nil || !back.ClientSecret.Equal(again.ClientSecret) {
		t.Fatalf("Load: %v", err)
	}
	if names, err := s.Profiles(ctx); err != nil || !slices.Contains(names, p+"-x") || !slices.Contains(names, p+"-2") {
		t.Errorf("Profiles %v %v", names, err)
	}
	if _, err := s.Save(ctx, Placement{Profile: p}, dmsaCredential(), true); ClassOf(err) != Taken || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Save with nowhere beside: %v", err)
	}
}

// TestNoticeSlow: a keychain call that goes unanswered for a second says
// so through the context's notice, once per call; a quick one says nothing.
func TestNoticeSlow(t *testing.T) {
	f := newFake()
	f.entries["procore-sa-test\x00slow"] = dmsaDocument
	f.entries["procore-sa-test\x00quick"] = dmsaDocument
	f.getDelay = func(account string) time.Duration {
		if account == "slow" {
			return SlowAfter + 300*time.Millisecond
		}
		return 0
	}
	s := fakeStore(f)
	s.InteractiveTimeout = 5 * time.Second
	var mu sync.Mutex
	notices := 0
	ctx := NoticeSlow(context.Background(), func() { mu.Lock(); notices++; mu.Unlock() })
	if _, err := s.Load(ctx, "quick", true); err != nil {
		t.Fatal(err)
	}
	time.Sleep(SlowAfter + 100*time.Millisecond)
	mu.Lock()
	if notices != 0 {
		t.Errorf("a quick read gave %d notices", notices)
	}
	mu.Unlock()
	if _, err := s.Load(ctx, "slow", true); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if notices != 1 {
		t.Errorf("a slow read gave %d notices, want 1", notices)
	}
	if !strings.HasPrefix(KeychainWait, "Waiting for the keychain (it may be asking for its unlock password)") {
		t.Errorf("KeychainWait %q", KeychainWait)
	}
}
