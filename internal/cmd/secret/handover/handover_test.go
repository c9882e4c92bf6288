package handover_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/procore-sa/procore-sa/internal/cmd/cmdtest"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/procore/sim"
)

func run(t *testing.T, store *credstore.Store, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	f := cmdtest.Factory(strings.NewReader(stdin), &out, &errb)
	f.Credentials = store
	code := cmdtest.Execute(f, args...)
	return out.String(), errb.String(), code
}

// TestHandoverThenImport hands the demo's app over to an age key and to
// an ed25519 SSH key from a file, then imports it on "the vendor's side"
// with the age key: proved, kept beside nothing, the secret never printed.
func TestHandoverThenImport(t *testing.T) {
	cmdtest.Env(t)
	dir := t.TempDir()
	fx := sim.New(sim.Config{Seed: 1}).Fixtures() // the demo's simulator
	store := &credstore.Store{Service: "procore-sa-demo", Keyring: &credstore.MemoryKeyring{}}
	c := credstore.Credential{Version: 1, Kind: credstore.KindClientCredentials, Environment: "production", CompanyID: fx.CompanyID,
		ClientID: fx.DMSAClientID, ClientSecret: secret.New(fx.DMSAClientSecret), Guide: "laborchart", CreatedAt: time.Now()}
	if _, err := store.Save(context.Background(), credstore.Placement{Profile: "lc"}, c, false); err != nil {
		t.Fatal(err)
	}
	id, _ := age.GenerateX25519Identity()
	keyFile := filepath.Join(dir, "vendor.key")
	os.WriteFile(keyFile, []byte(id.String()+"\n"), 0o600)
	keys := filepath.Join(dir, "keys.txt")
	os.WriteFile(keys, []byte("# the vendor's team\n\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsKLqeplhpW+uObz5dvMgjz1OxfM/XXUB+VHtZ6isGN ops@vendor.example\n"), 0o600)
	file := filepath.Join(dir, "lc.age")

	out, errOut, code := run(t, store, "", "--demo", "secret", "handover", "lc", "--to", id.Recipient().String(), "--to-file", keys, "--out", file)
	if code != 0 {
		t.Fatalf("handover: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"to  age SHA256:", "to  ssh-ed25519 SHA256:", "(ops@vendor.example)", "warning: profile \"lc\" holds a production credential"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if !strings.Contains(out, "Wrote "+file+" (0600), encrypted to 2 key(s).") || !strings.Contains(out, "age -d -i") {
		t.Errorf("stdout:\n%s", out)
	}
	if strings.Contains(out+errOut, fx.DMSAClientSecret) {
		t.Fatal("the secret was printed")
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("file: %v %v", fi, err)
	}
	if p, err := exec.LookPath("age"); err == nil {
		plain, err := exec.Command(p, "-d", "-i", keyFile, file).Output()
		if err != nil || !bytes.Contains(plain, []byte("PROCORE_CLIENT_SECRET="+fx.DMSAClientSecret+"\n")) {
			t.Errorf("age -d: %v", err)
		}
	}
	// The same keys again: no warning. An existing file is not replaced.
	_, errOut, code = run(t, store, "", "--demo", "secret", "handover", "lc", "--to", id.Recipient().String(), "--out", filepath.Join(dir, "again.age"))
	if code != 0 || strings.Contains(errOut, "warning") {
		t.Errorf("again: exit %d\n%s", code, errOut)
	}
	if _, errOut, code := run(t, store, "", "--demo", "secret", "handover", "lc", "--to", id.Recipient().String(), "--out", file); code != 1 || !strings.Contains(errOut, "already exists") {
		t.Errorf("over a file: exit %d\n%s", code, errOut)
	}

	// Refused keys are usage errors with a sentence.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--to", "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDfKL"}, "not a valid one"},
		{[]string{"--to", id.String()}, "private key"},
		{nil, "give the vendor's public key"},
	} {
		_, errOut, code := run(t, store, "", append([]string{"--demo", "secret", "handover", "lc"}, tc.args...)...)
		if code != 2 || !strings.Contains(errOut, tc.want) || strings.Contains(errOut, id.String()) {
			t.Errorf("%v: exit %d\n%s", tc.args, code, errOut)
		}
	}

	// The vendor's side.
	out, errOut, code = run(t, store, "", "--demo", "--profile", "vendor", "secret", "import", file, "--identity", keyFile)
	if code != 0 {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "Procore accepted it") || !strings.Contains(out, `Kept as profile "vendor"`) || strings.Contains(out+errOut, fx.DMSAClientSecret) {
		t.Errorf("import:\n%s\n%s", out, errOut)
	}
	got, err := store.Load(context.Background(), "vendor", false)
	if err != nil || !got.ClientSecret.Equal(c.ClientSecret) || got.CompanyID != c.CompanyID {
		t.Fatalf("imported %v", err)
	}
	if _, errOut, code := run(t, store, "", "--demo", "secret", "import", file); code != 2 || !strings.Contains(errOut, "--identity") {
		t.Errorf("no identity: exit %d\n%s", code, errOut)
	}

	// A passphrase export, its passphrase on standard input.
	exp := filepath.Join(dir, "lc-export.age")
	if _, errOut, code := run(t, store, "twelve chars or more\ntwelve chars or more\n", "--demo", "secret", "export", "lc", "--to", exp); code != 0 {
		t.Fatalf("export: exit %d\n%s", code, errOut)
	}
	out, errOut, code = run(t, store, "twelve chars or more\n", "--demo", "--profile", "fromexport", "secret", "import", exp, "--no-check")
	if code != 0 || !strings.Contains(out, "Not proved: not checked (--no-check)") || !strings.Contains(errOut, "is a passphrase export") {
		t.Fatalf("import of an export: exit %d\n%s\n%s", code, out, errOut)
	}
	// A wrong passphrase is refused in internal/handover's tests, at a
	// work factor that takes milliseconds, not this one's seconds.
}
