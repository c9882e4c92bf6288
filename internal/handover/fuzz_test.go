package handover

import (
	"strings"
	"testing"

	"filippo.io/age"
)

// FuzzParseRecipient: any text is a key or a sentence, never a panic, and
// a refusal never repeats what was given.
func FuzzParseRecipient(f *testing.F) {
	for _, s := range []string{
		"age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p",
		"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsKLqeplhpW+uObz5dvMgjz1OxfM/XXUB+VHtZ6isGN vendor",
		"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQ", "AGE-SECRET-KEY-1XYZ", "", "age1pq1", "sk-ssh-ed25519@openssh.com AAAA",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRecipient(s)
		if err != nil {
			if r.r != nil {
				t.Fatal("a refused key came with a recipient")
			}
			if in := strings.TrimSpace(s); len(in) >= 16 && strings.Contains(err.Error(), in) {
				t.Fatalf("the refusal repeats the input: %v", err)
			}
			return
		}
		if r.r == nil || !strings.HasPrefix(r.Fingerprint, "SHA256:") || r.Kind == "" {
			t.Fatalf("accepted without a usable key: %+v", r)
		}
	})
}

// FuzzParseRecipients: any file is a list of keys or a refusal naming a
// line, never a panic.
func FuzzParseRecipients(f *testing.F) {
	f.Add("# comment\n\nage1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n")
	f.Add("\n\n\n")
	f.Add("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsKLqeplhpW+uObz5dvMgjz1OxfM/XXUB+VHtZ6isGN a\r\n#x")
	f.Fuzz(func(t *testing.T, s string) {
		rs, err := ParseRecipients(strings.NewReader(s))
		if err == nil && len(rs) == 0 {
			t.Fatal("no error and no recipient")
		}
		seen := map[string]bool{}
		for _, r := range rs {
			if seen[r.Fingerprint] {
				t.Fatal("a key kept twice")
			}
			seen[r.Fingerprint] = true
		}
	})
}

// FuzzDecodePayload: any plaintext is a payload or a refusal, and a
// payload encodes back to one that decodes the same.
func FuzzDecodePayload(f *testing.F) {
	f.Add(string(testPayload()))
	f.Add("PROCORE_HANDOVER_FORMAT=1\nPROCORE_CREDENTIAL_KIND=user_login\nPROCORE_LOGIN=a@b.c\nPROCORE_PASSWORD='p w'\n")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := DecodePayload([]byte(s))
		if err != nil {
			return
		}
		b, err := p.Encode()
		if err != nil {
			return // a value this format cannot carry back (a quote)
		}
		q, err := DecodePayload(b)
		if err != nil {
			t.Fatalf("re-encoded payload refused: %v", err)
		}
		if !q.Cred.SameAs(p.Cred) || !q.Cred.ClientSecret.Equal(p.Cred.ClientSecret) || !q.Cred.Password.Equal(p.Cred.Password) || q.Cred.CompanyID != p.Cred.CompanyID {
			t.Fatal("round trip changed the credential")
		}
	})
}

// FuzzImportFile: any file given to import is read as an age file or
// refused, never a panic, and a refusal never repeats what the file holds.
func FuzzImportFile(f *testing.F) {
	id, _ := age.GenerateX25519Identity()
	r, _ := ParseRecipient(id.Recipient().String())
	for _, armored := range []bool{false, true} {
		data, _ := Encrypt([]Recipient{r}, armored, testPayload())
		f.Add(data)
	}
	f.Add([]byte("age-encryption.org/v1\n-> scrypt c2FsdA 10\nAAAA\n--- AAAA\n"))
	f.Add([]byte(armorHeader + "\nnot base64\n-----END AGE ENCRYPTED FILE-----\n"))
	f.Add([]byte(`{"version":1,"kind":"client_credentials","client_id":"x","client_secret":"y"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := Inspect(data); err != nil && len(data) >= 16 && strings.Contains(err.Error(), string(data)) {
			t.Fatal("the refusal repeats the file")
		}
		plain, err := Open(data, id)
		if err != nil {
			return
		}
		if _, err := Decode(plain); err != nil && strings.Contains(err.Error(), testSecret) {
			t.Fatal("the refusal repeats the secret")
		}
	})
}

// FuzzDecode: any plaintext, JSON or KEY=value, is a credential or a
// refusal that never repeats a value of it.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"version":1,"kind":"client_credentials","client_id":"x","client_secret":"` + testSecret + `"}`))
	f.Add(testPayload())
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := Decode(data); err != nil && strings.Contains(err.Error(), testSecret) {
			t.Fatal("the refusal repeats the secret")
		}
	})
}
