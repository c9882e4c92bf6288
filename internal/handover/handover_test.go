package handover

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"golang.org/x/crypto/ssh"

	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/procore"
)

const testSecret = "HANDOVERCANARY-3c9e1b7d-WOMBAT"

func testCred() credstore.Credential {
	return credstore.Credential{Version: 1, Kind: credstore.KindClientCredentials, Environment: "production",
		CompanyID: 4264807, ClientID: "dmsa-0123abcd", ClientSecret: secret.New(testSecret),
		CreatedAt: time.Date(2026, 11, 30, 9, 15, 0, 0, time.UTC)}
}

func testPayload() []byte {
	p := NewPayload("laborchart", testCred(), procore.Production, time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC))
	b, err := p.Encode()
	if err != nil {
		panic(err)
	}
	return b
}

func needAge(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("age")
	if err != nil {
		t.Skip("the age command is not installed (scripts/test installs it)")
	}
	return p
}

// ageDecrypt runs `age -d -i key file` and returns what it printed.
func ageDecrypt(t *testing.T, key, file string) string {
	t.Helper()
	out, err := exec.Command(needAge(t), "-d", "-i", key, file).CombinedOutput()
	if err != nil {
		t.Fatalf("age -d -i %s %s: %v\n%s", key, file, err, out)
	}
	return string(out)
}

// documented are the lines a vendor finds in the plaintext.
var documented = []string{
	"# procore-sa-handover 1:",
	"PROCORE_HANDOVER_FORMAT=1\n",
	"PROCORE_CREDENTIAL_KIND=client_credentials\n",
	"PROCORE_CLIENT_ID=dmsa-0123abcd\n",
	"PROCORE_CLIENT_SECRET=" + testSecret + "\n",
	"PROCORE_COMPANY_ID=4264807\n",
	"PROCORE_ENVIRONMENT=production\n",
	"PROCORE_API_URL=https://api.procore.com\n",
	"PROCORE_LOGIN_URL=https://login.procore.com\n",
	"PROCORE_CREATED_AT=2026-11-30T09:15:00Z\n",
}

func checkDocumented(t *testing.T, plain string) {
	t.Helper()
	for _, want := range documented {
		if !strings.Contains(plain, want) {
			t.Errorf("the plaintext lacks %q:\n%s", want, strings.ReplaceAll(plain, testSecret, "[secret]"))
		}
	}
}

func TestAgeCommandDecryptsHandover(t *testing.T) {
	needAge(t)
	dir := t.TempDir()
	// An age key, as a vendor makes it.
	ageKey := filepath.Join(dir, "vendor.key")
	if out, err := exec.Command("age-keygen", "-o", ageKey).CombinedOutput(); err != nil {
		t.Skipf("age-keygen: %v %s", err, out)
	}
	pub, err := exec.Command("age-keygen", "-y", ageKey).Output()
	if err != nil {
		t.Fatal(err)
	}
	// An ed25519 SSH key, written as OpenSSH writes it.
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	block, err := ssh.MarshalPrivateKey(priv, "vendor@example.com")
	if err != nil {
		t.Fatal(err)
	}
	sshKey := filepath.Join(dir, "id_ed25519")
	if err := os.WriteFile(sshKey, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	spk, _ := ssh.NewPublicKey(priv.Public())
	sshPub := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(spk))) + " vendor@example.com"

	for _, tc := range []struct {
		name, recipient, key string
	}{
		{"age", string(pub), ageKey},
		{"ssh-ed25519", sshPub, sshKey},
	} {
		for _, armored := range []bool{false, true} {
			name := tc.name
			if armored {
				name += "-armor"
			}
			t.Run(name, func(t *testing.T) {
				r, err := ParseRecipient(tc.recipient)
				if err != nil {
					t.Fatal(err)
				}
				out := filepath.Join(dir, name+".age")
				if err := Write(out, []Recipient{r}, armored, testPayload()); err != nil {
					t.Fatal(err)
				}
				fi, err := os.Stat(out)
				if err != nil {
					t.Fatal(err)
				}
				if fi.Mode().Perm() != 0o600 {
					t.Errorf("mode %o, want 0600", fi.Mode().Perm())
				}
				raw, _ := os.ReadFile(out)
				if bytes.Contains(raw, []byte(testSecret)) {
					t.Fatal("the secret is in the file unencrypted")
				}
				if got := bytes.HasPrefix(raw, []byte(armorHeader)); got != armored {
					t.Errorf("armored = %v, want %v", got, armored)
				}
				checkDocumented(t, ageDecrypt(t, tc.key, out))

				// procore-sa's own import opens it the same way.
				ids, err := ReadIdentities(tc.key, nil)
				if err != nil {
					t.Fatal(err)
				}
				info, err := Inspect(raw)
				if err != nil || info.Sealing != SealedToKeys || info.Armored != armored {
					t.Fatalf("Inspect = %+v, %v", info, err)
				}
				plain, err := Open(raw, ids...)
				if err != nil {
					t.Fatal(err)
				}
				p, err := Decode(plain)
				if err != nil {
					t.Fatal(err)
				}
				if !p.Cred.SameAs(testCred()) || !p.Cred.ClientSecret.Equal(testCred().ClientSecret) || p.Cred.CompanyID != 4264807 ||
					!p.Cred.CreatedAt.Equal(testCred().CreatedAt) || p.APIURL != procore.Production.APIURL {
					t.Errorf("decoded %+v", p)
				}
			})
		}
	}
}

func TestRefusedRecipients(t *testing.T) {
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	spk, _ := ssh.NewPublicKey(&small.PublicKey)
	rsa1024 := string(ssh.MarshalAuthorizedKey(spk))
	ecdsaLine := "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNuG5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg= x"
	for _, tc := range []struct {
		name, in, want string
	}{
		{"empty", "  ", "no public key was given"},
		{"rsa-1024", rsa1024, "has 1024 bits, fewer than the 2048"},
		{"age-truncated", "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8", "not a valid one"},
		{"age-private", "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ", "private key"},
		{"ssh-private", "-----BEGIN OPENSSH PRIVATE KEY-----", "private key"},
		{"ssh-garbage", "ssh-ed25519 AAAAnotbase64!!", "not a valid one"},
		{"ecdsa", ecdsaLine, "age cannot encrypt to a ecdsa-sha2-nistp256 key"},
		{"two lines", "age1x\nage1y", "more than one line"},
		{"unknown", "hello there", "not a public key procore-sa can encrypt to"},
		{"gpg", "-----BEGIN PGP PUBLIC KEY BLOCK-----", "not a public key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseRecipient(tc.in)
			if err == nil {
				t.Fatal("accepted")
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error %q lacks %q", msg, tc.want)
			}
			// A sentence: it says what to do, and never repeats the key.
			if !strings.Contains(msg, ":") && !strings.Contains(msg, "give") {
				t.Errorf("error %q does not say what to do", msg)
			}
			if in := strings.TrimSpace(tc.in); len(in) > 12 && strings.Contains(msg, in[len(in)-12:]) {
				t.Errorf("error %q repeats what was given", msg)
			}
		})
	}
}

func TestRecipientsFile(t *testing.T) {
	id, _ := age.GenerateX25519Identity()
	id2, _ := age.GenerateX25519Identity()
	big, _ := rsa.GenerateKey(rand.Reader, 2048)
	spk, _ := ssh.NewPublicKey(&big.PublicKey)
	file := "# the vendor's keys\n\n" + id.Recipient().String() + "\n   # indented comment\n" +
		strings.TrimSpace(string(ssh.MarshalAuthorizedKey(spk))) + " ops@vendor.example\n" +
		id.Recipient().String() + "\n" + id2.Recipient().String() + "\r\n"
	rs, err := ParseRecipients(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 3 || rs[0].Kind != KindAge || rs[1].Kind != KindSSHRSA || rs[1].Comment != "ops@vendor.example" || rs[2].Kind != KindAge {
		t.Fatalf("got %+v", rs)
	}
	if !strings.HasPrefix(rs[1].Fingerprint, "SHA256:") || rs[1].Fingerprint != ssh.FingerprintSHA256(spk) {
		t.Errorf("ssh fingerprint %q, want ssh-keygen's %q", rs[1].Fingerprint, ssh.FingerprintSHA256(spk))
	}
	if _, err := ParseRecipients(strings.NewReader("# only a comment\n\n")); err == nil || !strings.Contains(err.Error(), "no public key") {
		t.Errorf("empty file: %v", err)
	}
	if _, err := ParseRecipients(strings.NewReader(id.Recipient().String() + "\nnot-a-key\n")); err == nil || !strings.HasPrefix(err.Error(), "line 2: ") {
		t.Errorf("bad line: %v", err)
	}
}

func TestWriteNeverReplacesOrFollows(t *testing.T) {
	id, _ := age.GenerateX25519Identity()
	r, err := ParseRecipient(id.Recipient().String())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	existing := filepath.Join(dir, "there.age")
	os.WriteFile(existing, []byte("keep me"), 0o600)
	if err := Write(existing, []Recipient{r}, false, testPayload()); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("over a file: %v", err)
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep me" {
		t.Error("the existing file was changed")
	}
	link := filepath.Join(dir, "link.age")
	os.Symlink(filepath.Join(dir, "target"), link)
	if err := Write(link, []Recipient{r}, false, testPayload()); err == nil {
		t.Error("wrote through a dangling link")
	}
	if _, err := os.Stat(filepath.Join(dir, "target")); err == nil {
		t.Error("the link's target was created")
	}
	es, _ := os.ReadDir(dir)
	for _, e := range es {
		if strings.HasPrefix(e.Name(), ".tmp-") {
			t.Errorf("left %s behind", e.Name())
		}
	}
}

func TestImportPassphraseExport(t *testing.T) {
	path := filepath.Join(t.TempDir(), "export.age")
	pass := secret.New("correct horse battery staple")
	lightExport(t, path, pass, testCred())
	raw, _ := os.ReadFile(path)
	info, err := Inspect(raw)
	if err != nil || info.Sealing != SealedPassphrase {
		t.Fatalf("Inspect = %+v, %v", info, err)
	}
	wrong, _ := PassphraseIdentity(secret.New("not the passphrase at all"))
	if _, err := Open(raw, wrong); err == nil || !strings.Contains(err.Error(), "passphrase is wrong") || strings.Contains(err.Error(), testSecret) {
		t.Errorf("wrong passphrase: %v", err)
	}
	id, _ := PassphraseIdentity(pass)
	plain, err := Open(raw, id)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Decode(plain)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Cred.SameAs(testCred()) || !p.Cred.ClientSecret.Equal(testCred().ClientSecret) {
		t.Errorf("decoded %+v", p.Cred)
	}
}

func TestPayloadRules(t *testing.T) {
	c := testCred()
	c.Kind, c.RefreshToken, c.ClientSecret = credstore.KindAdminOAuth, secret.New("tok"), secret.New("x")
	if _, err := NewPayload("admin", c, procore.Production, time.Now()).Encode(); err == nil || !strings.Contains(err.Error(), "never handed over") {
		t.Errorf("admin sign-in: %v", err)
	}
	c = testCred()
	c.ClientSecret = secret.New("has'quote")
	if _, err := NewPayload("p", c, procore.Production, time.Now()).Encode(); err == nil || strings.Contains(err.Error(), "has'quote") {
		t.Errorf("quote: %v", err)
	}
	c = testCred()
	c.ClientSecret = secret.New("a#b$c")
	b, err := NewPayload("p", c, procore.Production, time.Now()).Encode()
	if err != nil || !bytes.Contains(b, []byte("PROCORE_CLIENT_SECRET='a#b$c'\n")) {
		t.Fatalf("quoted: %v\n%s", err, b)
	}
	p, err := DecodePayload(b)
	if err != nil || p.Cred.ClientSecret.Reveal() != "a#b$c" {
		t.Errorf("round trip: %v", err)
	}
	// The shell reads it as written: source it and print the secret.
	if sh, err := exec.LookPath("sh"); err == nil {
		f := filepath.Join(t.TempDir(), "h.env")
		os.WriteFile(f, b, 0o600)
		out, err := exec.Command(sh, "-c", `. "$0" && printf %s "$PROCORE_CLIENT_SECRET"`, f).Output()
		if err != nil || string(out) != "a#b$c" {
			t.Errorf("sh read %q, %v", out, err)
		}
	}
	for _, bad := range []string{
		"PROCORE_CLIENT_ID=x\n",
		"PROCORE_HANDOVER_FORMAT=1\nPROCORE_CREDENTIAL_KIND=client_credentials\nPROCORE_CLIENT_ID=x\n",
		"PROCORE_HANDOVER_FORMAT=1\nPROCORE_CREDENTIAL_KIND=client_credentials\nPROCORE_CLIENT_ID=x\nPROCORE_CLIENT_SECRET=" + testSecret + "\nPROCORE_SURPRISE=1\n",
		"PROCORE_HANDOVER_FORMAT=1\nPROCORE_CREDENTIAL_KIND=client_credentials\nPROCORE_CLIENT_ID=x\nPROCORE_CLIENT_SECRET=" + testSecret + " tail\n",
		"PROCORE_HANDOVER_FORMAT=1\n" + testSecret + "\n",
	} {
		_, err := DecodePayload([]byte(bad))
		if err == nil {
			t.Errorf("accepted %q", bad)
		} else if strings.Contains(err.Error(), testSecret) {
			t.Errorf("error repeats the secret: %v", err)
		}
	}
}

// TestEncryptedSSHIdentity: a passphrase-protected SSH key opens a
// handover once its passphrase is given, and says why when it cannot be.
func TestEncryptedSSHIdentity(t *testing.T) {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	block, err := ssh.MarshalPrivateKeyWithPassphrase(priv, "v", []byte("key passphrase"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "id_ed25519")
	os.WriteFile(path, pem.EncodeToMemory(block), 0o600)
	spk, _ := ssh.NewPublicKey(priv.Public())
	r, err := ParseRecipient(string(ssh.MarshalAuthorizedKey(spk)))
	if err != nil {
		t.Fatal(err)
	}
	data, err := Encrypt([]Recipient{r}, false, testPayload())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ReadIdentities(path, nil); err == nil || !strings.Contains(err.Error(), "encrypted with a passphrase") {
		t.Errorf("no way to ask: %v", err)
	}
	asked := 0
	ids, err := ReadIdentities(path, func() (secret.Value, error) { asked++; return secret.New("key passphrase"), nil })
	if err != nil {
		t.Fatal(err)
	}
	plain, err := Open(data, ids...)
	if err != nil || asked != 1 {
		t.Fatalf("open: %v (asked %d)", err, asked)
	}
	checkDocumented(t, string(plain))
	if _, err := ReadIdentities(filepath.Join(t.TempDir(), "none"), nil); err == nil {
		t.Error("a missing file was read")
	}
	junk := filepath.Join(t.TempDir(), "junk")
	os.WriteFile(junk, []byte("AGE-SECRET-KEY-1NOTAKEY\n"), 0o600)
	if _, err := ReadIdentities(junk, nil); err == nil || strings.Contains(err.Error(), "NOTAKEY") {
		t.Errorf("junk: %v", err)
	}
}

// lightExport writes what credstore.ExportCredential writes (the keychain's
// document, encrypted with a passphrase) at a low scrypt work factor: the
// real one takes seconds, many more in a race-built test. The importer
// reads any work factor age accepts.
func lightExport(t testing.TB, path string, pass secret.Value, c credstore.Credential) {
	t.Helper()
	// The keychain's document, as credstore writes it (an empty field left
	// out); the real export is checked through the command's tests.
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
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	w, err := age.Encrypt(f, r)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte(doc)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
