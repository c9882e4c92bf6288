package export_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/cmd/cmdtest"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/secret"
)

// TestSecretExport: the passphrase twice on standard input, a mismatch
// refused with nothing written, a 0600 file that age decrypts to the
// keychain's document, and "export" in the audit log.
func TestSecretExport(t *testing.T) {
	cmdtest.Env(t)
	const canary = "export-secret-do-not-print"
	pass := "correct horse battery staple"
	cred := credstore.Credential{Version: 1, Kind: credstore.KindClientCredentials, Environment: "sandbox", CompanyID: 42,
		ClientID: "cid", ClientSecret: secret.New(canary), CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	dir := t.TempDir()

	mismatch := filepath.Join(dir, "mismatch.age")
	c := cmdtest.NewCredApp(t, pass+"\n"+pass+"x\n")
	c.Save(t, "acme", cred)
	out, errOut, code := c.Run(t, "secret", "export", "acme", "--to", mismatch)
	if code != cmdutil.ExitFailed || !strings.Contains(errOut, "the two passphrases differ; nothing was written") {
		t.Fatalf("mismatch: exit %d\n%s%s", code, out, errOut)
	}
	if _, err := os.Stat(mismatch); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a file was written on a mismatch: %v", err)
	}

	path := filepath.Join(dir, "acme.age")
	c = cmdtest.NewCredApp(t, pass+"\n"+pass+"\n")
	c.Save(t, "acme", cred)
	out, errOut, code = c.Run(t, "secret", "export", "acme", "--to", path)
	if code != cmdutil.ExitOK || !strings.Contains(out, "age -d "+path) {
		t.Fatalf("export: exit %d\n%s%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, canary) || strings.Contains(out+errOut, pass) {
		t.Error("export printed the secret or the passphrase")
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("file: %v %v", fi, err)
	}
	raw, _ := os.ReadFile(path)
	if bytes.Contains(raw, []byte(canary)) {
		t.Fatal("the file holds the secret in plain text")
	}
	if !cmdtest.HasAction(cmdtest.AuditActions(t)["acme"], "export") {
		t.Errorf("no export in the audit log: %v", cmdtest.AuditActions(t))
	}
	// Not over an existing file.
	c = cmdtest.NewCredApp(t, pass+"\n"+pass+"\n")
	c.Save(t, "acme", cred)
	if _, errOut, code := c.Run(t, "secret", "export", "acme", "--to", path); code != cmdutil.ExitFailed || !strings.Contains(errOut, "already exists") {
		t.Errorf("export over a file: exit %d %s", code, errOut)
	}
	doc := cmdtest.AgeDecrypt(t, path, pass)
	want := `{"version":1,"kind":"client_credentials","environment":"sandbox","company_id":42,"client_id":"cid","client_secret":"` + canary + `","created_at":"2026-01-02T03:04:05Z"}`
	if string(doc) != want {
		t.Errorf("decrypted\n%s\nwant\n%s", doc, want)
	}
}
