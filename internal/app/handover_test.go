package app

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/handover"
	"github.com/procore-sa/procore-sa/internal/secret"
)

func ageKey(t *testing.T) (*age.X25519Identity, handover.Recipient, string) {
	t.Helper()
	id, _ := age.GenerateX25519Identity()
	r, err := handover.ParseRecipient(id.Recipient().String())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "vendor.key")
	if err := os.WriteFile(path, []byte("# vendor key\n"+id.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return id, r, path
}

func TestHandoverWarnsOnceForANewProductionRecipient(t *testing.T) {
	ctx := context.Background()
	a, store, stateDir := demoApp(t, "lc")
	cred := storeDemoDMSA(t, a, store, "lc", "production")
	_, r, _ := ageKey(t)
	_, r2, _ := ageKey(t)
	out := filepath.Join(t.TempDir(), "lc.age")

	p, err := a.PlanHandover(ctx, "lc", []handover.Recipient{r}, out, false)
	if err != nil {
		t.Fatal(err)
	}
	if !p.NeedsConfirm() || !strings.Contains(p.Warning(), r.Fingerprint) || !strings.Contains(p.Warning(), "production") {
		t.Fatalf("no warning for a new production recipient: %v %q", p.NeedsConfirm(), p.Warning())
	}
	res, err := a.WriteHandover(ctx, p, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Path != out {
		t.Errorf("path %s", res.Path)
	}
	send := strings.Join(res.Send(), "\n")
	if !strings.Contains(send, out) || !strings.Contains(send, "age -d -i") || strings.Contains(send, cred.ClientSecret.Reveal()) {
		t.Errorf("send lines: %s", send)
	}
	// The same recipient again: no warning; with another beside it, the
	// warning names only the new one.
	p, _ = a.PlanHandover(ctx, "lc", []handover.Recipient{r}, filepath.Join(t.TempDir(), "again.age"), false)
	if p.NeedsConfirm() {
		t.Error("warned again for a recipient seen before")
	}
	p, _ = a.PlanHandover(ctx, "lc", []handover.Recipient{r, r2}, "", true)
	if !p.NeedsConfirm() || len(p.New) != 1 || p.New[0].Fingerprint != r2.Fingerprint || !strings.HasSuffix(p.Out, ".age.txt") {
		t.Errorf("new %v out %s", p.New, p.Out)
	}

	audit, _ := os.ReadFile(filepath.Join(stateDir, "audit.jsonl"))
	if !strings.Contains(string(audit), `"action":"handover"`) || !strings.Contains(string(audit), r.Fingerprint) || !strings.Contains(string(audit), out) {
		t.Errorf("audit: %s", audit)
	}
	seen, _ := os.ReadFile(filepath.Join(stateDir, "handover", "recipients.json"))
	if !strings.Contains(string(seen), r.Fingerprint) || strings.Contains(string(seen), r.Key) {
		t.Errorf("seen: %s", seen)
	}
	for _, b := range [][]byte{audit, seen} {
		if strings.Contains(string(b), cred.ClientSecret.Reveal()) {
			t.Fatal("the secret is in the state directory")
		}
	}

	// A sandbox credential is handed over without a question.
	storeDemoDMSA(t, a, store, "sb", "sandbox")
	if p, _ := a.PlanHandover(ctx, "sb", []handover.Recipient{r2}, "", false); p.NeedsConfirm() {
		t.Error("asked about a sandbox credential")
	}
	// An admin's sign-in is never handed over.
	store.Save(ctx, credstore.Placement{Profile: "adm"}, credstore.Credential{Kind: credstore.KindAdminOAuth, RefreshToken: secret.New("tok")}, false)
	if _, err := a.PlanHandover(ctx, "adm", []handover.Recipient{r}, "", false); err == nil || !strings.Contains(err.Error(), "never handed over") {
		t.Errorf("admin: %v", err)
	}
}

func TestHandoverOffer(t *testing.T) {
	ctx := context.Background()
	a, store, _ := demoApp(t, "lc")
	storeDemoDMSA(t, a, store, "lc", "production")
	k, _ := a.Keeper()
	h := k.(HandsOver).Handover()
	_, r, _ := ageKey(t)

	o := NewHandoverOffer("lc")
	if _, err := o.Paste("ssh-rsa AAAA"); err == nil || o.Phase != OfferAsking {
		t.Fatal("a bad key was taken")
	}
	job, err := o.Paste(r.Key)
	if err != nil {
		t.Fatal(err)
	}
	o.Done(job(ctx, h))
	if o.Phase != OfferConfirming || !o.Plan.NeedsConfirm() || o.Recipient.Fingerprint != r.Fingerprint {
		t.Fatalf("phase %v plan %+v", o.Phase, o.Plan)
	}
	o.Plan.Out = filepath.Join(t.TempDir(), "offer.age")
	w, ok := o.Write()
	if !ok {
		t.Fatal("no write job")
	}
	o.Done(w(ctx, h))
	if o.Phase != OfferWritten || o.Result.Path != o.Plan.Out {
		t.Fatalf("phase %v err %v", o.Phase, o.Err)
	}
	if fi, err := os.Stat(o.Result.Path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("file %v %v", fi, err)
	}
}

func TestImportHandoverAndExport(t *testing.T) {
	ctx := context.Background()
	a, store, stateDir := demoApp(t, "lc")
	cred := storeDemoDMSA(t, a, store, "lc", "demo")
	_, r, keyPath := ageKey(t)
	out := filepath.Join(t.TempDir(), "h.age")
	p, _ := a.PlanHandover(ctx, "lc", []handover.Recipient{r}, out, true)
	if _, err := a.WriteHandover(ctx, p, true); err != nil {
		t.Fatal(err)
	}

	// On the vendor's side (another machine: here another profile).
	b := New(Config{Demo: true, Profile: "vendor", Credentials: store})
	t.Cleanup(b.Close)
	if _, err := b.OpenImport(ImportSource{Path: out}); err == nil || !strings.Contains(err.Error(), "--identity") {
		t.Errorf("no identity: %v", err)
	}
	_, _, otherKey := ageKey(t)
	if _, err := b.OpenImport(ImportSource{Path: out, Identities: []string{otherKey}}); err == nil || !strings.Contains(err.Error(), "someone else's key") {
		t.Errorf("wrong identity: %v", err)
	}
	opened, err := b.OpenImport(ImportSource{Path: out, Identities: []string{keyPath}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(opened.What(), "a handover of a client_credentials credential ("+cred.ClientID) || strings.Contains(opened.What(), cred.ClientSecret.Reveal()) {
		t.Errorf("what: %s", opened.What())
	}
	k, _ := b.Keeper()
	res, err := b.Import(ctx, k, opened, true)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Proved || res.Saved.Profile != "vendor" {
		t.Fatalf("import %+v", res)
	}
	if got := stored(t, store, "vendor"); !got.ClientSecret.Equal(cred.ClientSecret) || got.CompanyID != cred.CompanyID {
		t.Fatal("the imported credential is not what was handed over")
	}

	// Never over another credential: a profile that holds something else
	// keeps it, and the import goes beside it.
	store.Save(ctx, credstore.Placement{Profile: "busy"}, credstore.Credential{Kind: credstore.KindUserLogin, Login: "a@b.c", Password: secret.New("pw")}, false)
	c := New(Config{Demo: true, Profile: "busy", Credentials: store})
	t.Cleanup(c.Close)
	kc, _ := c.Keeper()
	res, err = c.Import(ctx, kc, opened, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Saved.Profile == "busy" || res.Saved.Beside != "busy" || stored(t, store, "busy").Kind != credstore.KindUserLogin {
		t.Fatalf("replaced another credential: %+v", res.Saved)
	}

	// A refused credential is not saved.
	bad := opened
	bad.Payload.Cred.ClientSecret = secret.New("wrong-wrong-wrong")
	d := New(Config{Demo: true, Profile: "refused", Credentials: store})
	t.Cleanup(d.Close)
	kd, _ := d.Keeper()
	if _, err := d.Import(ctx, kd, bad, true); err == nil || !strings.Contains(err.Error(), "nothing was saved") {
		t.Errorf("refused: %v", err)
	}
	if _, err := store.Load(ctx, "refused", false); credstore.ClassOf(err) != credstore.NotFound {
		t.Error("a refused import was saved")
	}

	// A passphrase export imports the same way.
	exp := filepath.Join(t.TempDir(), "e.age")
	lightExport(t, exp, secret.New("twelve chars or more"), cred)
	pass := func() (secret.Value, error) { return secret.New("twelve chars or more"), nil }
	opened, err = b.OpenImport(ImportSource{Path: exp, Passphrase: pass})
	if err != nil || opened.Info.Sealing != handover.SealedPassphrase || !opened.Payload.Cred.ClientSecret.Equal(cred.ClientSecret) {
		t.Fatalf("export: %+v %v", opened.Info, err)
	}

	audit, _ := os.ReadFile(filepath.Join(stateDir, "audit.jsonl"))
	if !strings.Contains(string(audit), `"action":"import"`) || strings.Contains(string(audit), cred.ClientSecret.Reveal()) {
		t.Errorf("audit: %s", audit)
	}
}

// lightExport writes what credstore.ExportCredential writes (the keychain's
// document, encrypted with a passphrase) at a low scrypt work factor: the
// real one takes seconds, many more in a race-built test; the real export
// is checked through the command's tests. The importer reads any work
// factor age accepts.
func lightExport(t testing.TB, path string, pass secret.Value, c credstore.Credential) {
	t.Helper()
	doc := fmt.Sprintf(`{"version":1,"kind":%q,"environment":%q,"company_id":%d,"client_id":%q,"client_secret":%q`,
		c.Kind, c.Environment, c.CompanyID, c.ClientID, c.ClientSecret.Reveal())
	if c.Guide != "" {
		doc += fmt.Sprintf(`,"guide":%q`, c.Guide)
	}
	doc += fmt.Sprintf(`,"created_at":%q}`, c.CreatedAt.UTC().Format(time.RFC3339Nano))
	r, err := age.NewScryptRecipient(pass.Reveal())
	if err != nil {
		t.Fatal(err)
	}
	r.SetWorkFactor(10)
	var b bytes.Buffer
	w, err := age.Encrypt(&b, r)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(doc))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}
