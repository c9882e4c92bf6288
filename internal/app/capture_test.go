package app

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/secret"
)

// fakeKeeper is a Keeper whose answers a test sets.
type fakeKeeper struct {
	proveErr, saveErr, exportErr error
	saved                        credstore.Saved
	proved, saves, exports       int
	last                         credstore.Credential
	exportPath                   string
}

func (k *fakeKeeper) Prove(_ context.Context, c credstore.Credential) error {
	k.proved++
	k.last = c
	return k.proveErr
}

func (k *fakeKeeper) Save(_ context.Context, c credstore.Credential) (credstore.Saved, error) {
	k.saves++
	k.last = c
	return k.saved, k.saveErr
}

func (k *fakeKeeper) Export(_ context.Context, path string, _ secret.Value, c credstore.Credential) error {
	k.exports++
	k.last, k.exportPath = c, path
	return k.exportErr
}

func (k *fakeKeeper) Where() string             { return "the keychain (test)" }
func (k *fakeKeeper) DefaultExportPath() string { return "/tmp/x.age" }
func (k *fakeKeeper) Environment() string       { return "sandbox" }
func (k *fakeKeeper) DemoCredential() (credstore.Credential, bool) {
	return credstore.Credential{}, false
}

func run(t *testing.T, c *Capture, j Job, k Keeper) {
	t.Helper()
	if j == nil {
		t.Fatal("no job")
	}
	c.Done(j(context.Background(), k, func(string) {}))
}

// TestCaptureRules: the one set of rules both front-ends take a capture by.
func TestCaptureRules(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   CaptureInput
		bad  []CaptureField
	}{
		{"all good, spaces around dropped", CaptureInput{" id-1 ", "\ts3cr3t\n", " 42 "}, nil},
		{"empty", CaptureInput{}, []CaptureField{FieldClientID, FieldClientSecret, FieldCompanyID}},
		{"spaces inside", CaptureInput{"id 1", "se cret", "4 2"}, []CaptureField{FieldClientID, FieldClientSecret, FieldCompanyID}},
		{"a signed company id", CaptureInput{"id", "sec-XYZ-9", "+123"}, []CaptureField{FieldCompanyID}},
		{"a negative company id", CaptureInput{"id", "sec-XYZ-9", "-5"}, []CaptureField{FieldCompanyID}},
		{"zero", CaptureInput{"id", "sec-XYZ-9", "000"}, []CaptureField{FieldCompanyID}},
		{"too large", CaptureInput{"id", "sec-XYZ-9", "99999999999999999999"}, []CaptureField{FieldCompanyID}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCapture("dmsa", "sandbox")
			cred, errs := c.Check(tt.in)
			if len(errs) != len(tt.bad) {
				t.Fatalf("errors %v, want fields %v", errs, tt.bad)
			}
			for _, f := range tt.bad {
				if errs[f] == "" {
					t.Errorf("field %d not refused", f)
				}
			}
			if tt.bad == nil && (cred.ClientID != "id-1" || cred.ClientSecret.Reveal() != "s3cr3t" || cred.CompanyID != 42 ||
				cred.Guide != "dmsa" || cred.Environment != "sandbox" || cred.Kind != credstore.KindClientCredentials) {
				t.Errorf("credential %+v", cred)
			}
			for _, msg := range errs {
				if strings.Contains(msg, tt.in.ClientSecret) && tt.in.ClientSecret != "" {
					t.Errorf("an error repeats the secret: %s", msg)
				}
			}
		})
	}
}

// TestPassphraseCountsCharacters: twelve characters, not twelve bytes,
// and the same rule for every front-end.
func TestPassphraseCountsCharacters(t *testing.T) {
	for _, tt := range []struct {
		pass, again string
		ok          bool
	}{
		{"twelve-chars", "twelve-chars", true},
		{"eleven-char", "eleven-char", false},
		{"ééééééééééé", "ééééééééééé", false}, // 11 characters, 22 bytes
		{"éééééééééééé", "éééééééééééé", true},
		{"twelve-chars", "twelve-charz", false},
	} {
		if err := CheckPassphrase(tt.pass, tt.again); (err == nil) != tt.ok {
			t.Errorf("CheckPassphrase(%q, %q) = %v", tt.pass, tt.again, err)
		}
	}
}

// TestCaptureFlow walks the machine through every phase.
func TestCaptureFlow(t *testing.T) {
	in := CaptureInput{"id-1", "s3cr3t-XYZ", "42"}
	t.Run("proved and saved", func(t *testing.T) {
		c, k := NewCapture("dmsa", "sandbox"), &fakeKeeper{saved: credstore.Saved{Profile: "dmsa-2", Beside: "default", Holds: "a user_login credential"}}
		j, ok := c.Submit(in)
		if !ok || c.Phase != CaptureWorking || !c.Holding("") {
			t.Fatalf("submit: %v phase %v", ok, c.Phase)
		}
		run(t, c, j, k)
		if c.Phase != CaptureSaved || k.proved != 1 || k.saves != 1 || c.Holding("s3cr3t-XYZ") {
			t.Fatalf("phase %v proved %d saves %d", c.Phase, k.proved, k.saves)
		}
		o := c.Outcome()
		if o.Profile != "dmsa-2" || !strings.Contains(o.Detail, "dmsa-2") || !strings.Contains(o.Detail, "profile default holds") {
			t.Fatalf("outcome %+v", o)
		}
		if strings.Contains(o.Detail, "s3cr3t") {
			t.Fatal("the outcome holds the secret")
		}
	})
	t.Run("refused by Procore: back to editing, nothing saved", func(t *testing.T) {
		c, k := NewCapture("dmsa", "sandbox"), &fakeKeeper{proveErr: errors.New("invalid_client")}
		j, _ := c.Submit(in)
		run(t, c, j, k)
		if c.Phase != CaptureEditing || k.saves != 0 || c.Err == nil {
			t.Fatalf("phase %v saves %d err %v", c.Phase, k.saves, c.Err)
		}
	})
	t.Run("keychain fails: retry, then the age file", func(t *testing.T) {
		c, k := NewCapture("dmsa", "sandbox"), &fakeKeeper{saveErr: errors.New("locked")}
		j, _ := c.Submit(in)
		run(t, c, j, k)
		if c.Phase != CaptureFailed || !c.Holding("") {
			t.Fatalf("phase %v", c.Phase)
		}
		j, ok := c.Retry()
		run(t, c, j, k)
		if !ok || k.proved != 1 || k.saves != 2 {
			t.Fatalf("retry proved again (%d) or did not save (%d)", k.proved, k.saves)
		}
		if !c.AskExport() || c.Phase != CaptureExporting {
			t.Fatal("no export offered")
		}
		if _, err := c.Export("short", "short", "/tmp/f.age"); err == nil {
			t.Fatal("a short passphrase was taken")
		}
		j, err := c.Export("long enough pass", "long enough pass", " /tmp/f.age ")
		if err != nil {
			t.Fatal(err)
		}
		run(t, c, j, k)
		if c.Phase != CaptureSaved || c.Exported != "/tmp/f.age" || k.exportPath != "/tmp/f.age" || !strings.Contains(c.Outcome().Detail, "age file") {
			t.Fatalf("phase %v exported %q", c.Phase, c.Exported)
		}
	})
	t.Run("leaving while holding asks for the typed discard", func(t *testing.T) {
		c := NewCapture("dmsa", "sandbox")
		if !c.AskLeave("", LeaveBack) {
			t.Fatal("nothing typed, yet leaving was held up")
		}
		if c.AskLeave("typed-secret", LeaveQuit) || c.Phase != CaptureDiscarding {
			t.Fatal("leaving with a typed secret did not ask")
		}
		if _, err := c.Discard("Discard"); !errors.Is(err, ErrNotDiscard) {
			t.Fatal("a near miss discarded")
		}
		c.StayHolding()
		if c.Phase != CaptureEditing {
			t.Fatalf("staying went to %v", c.Phase)
		}
		c.AskLeave("typed-secret", LeaveQuit)
		to, err := c.Discard(" discard ")
		if err != nil || to != LeaveQuit || c.Phase != CaptureEditing || c.Holding("") {
			t.Fatalf("discard: %v %v %v", to, err, c.Phase)
		}
	})
	t.Run("a held password is kept with the same gate", func(t *testing.T) {
		k := &fakeKeeper{saveErr: errors.New("locked")}
		c, j := KeepHeld(credstore.Credential{Kind: credstore.KindUserLogin, Login: "a@b.example", Password: secret.New("pw"), Guide: "syncezy"})
		run(t, c, j, k)
		if k.proved != 0 || c.Phase != CaptureFailed || !c.Holding("") || !c.Preset() {
			t.Fatalf("proved %d phase %v", k.proved, c.Phase)
		}
		if c.AskLeave("", LeaveBack) {
			t.Fatal("a held password could be left without a discard")
		}
	})
}
