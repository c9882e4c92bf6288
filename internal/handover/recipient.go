// Package handover hands a credential to a vendor encrypted to the vendor's
// own public key (age, or an SSH key age can use), in a small plain-text
// format the vendor reads without procore-sa, and opens such a file (or a
// passphrase export) again for import. Nothing here prints a secret: the
// errors say what is wrong with a key or a file, never what it holds.
package handover

import (
	"bufio"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"golang.org/x/crypto/ssh"

	"github.com/procore-sa/procore-sa/procore"
)

// MinRSABits is the smallest RSA key a credential is encrypted to: what
// age itself accepts, and what is still thought safe.
const MinRSABits = 2048

// The kinds of recipient.
const (
	KindAge        = "age"
	KindAgePQ      = "age-pq" // age's post-quantum hybrid keys (age1pq1...)
	KindSSHEd25519 = "ssh-ed25519"
	KindSSHRSA     = "ssh-rsa"
)

// Recipient is a vendor's public key that a credential can be encrypted to.
// Nothing in it is secret.
type Recipient struct {
	Kind string
	// Key is the key as age and ssh-keygen write it, without an SSH
	// comment.
	Key string
	// Comment is an SSH key's comment (often its owner's address), made
	// printable; "" for an age key.
	Comment string
	// Fingerprint is "SHA256:" and the unpadded base64 of the SHA-256 of
	// the key: for an SSH key what `ssh-keygen -l -f KEY.pub` prints, so
	// the vendor can compare it; for an age key the SHA-256 of the key as
	// written (age1...).
	Fingerprint string

	r age.Recipient
}

// Describe is a line naming the recipient for a screen: its kind, its
// fingerprint and, for an SSH key, its comment.
func (r Recipient) Describe() string {
	d := r.Kind + " " + r.Fingerprint
	if r.Comment != "" {
		d += " (" + r.Comment + ")"
	}
	return d
}

// maxRecipient bounds one key: an RSA key of 16,384 bits is under 3,000
// characters.
const maxRecipient = 4096

// ParseRecipient reads one public key: an age key (age1...), or an SSH
// public key line (ssh-ed25519 AAAA... [comment], ssh-rsa AAAA...
// [comment]). A malformed key, a private key pasted by mistake, a key age
// cannot encrypt to and an RSA key under MinRSABits are refused with a
// sentence saying why. The errors never repeat what was given: a private
// key pasted in the wrong place must not be printed.
func ParseRecipient(s string) (Recipient, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return Recipient{}, errors.New("no public key was given: paste the vendor's age key (age1...) or SSH public key (ssh-ed25519 AAAA... or ssh-rsa AAAA...)")
	case len(s) > maxRecipient:
		return Recipient{}, fmt.Errorf("that is %d characters, longer than any public key procore-sa takes: give one key (one line)", len(s))
	case !utf8.ValidString(s):
		return Recipient{}, errors.New("that is not text: a public key is one line of letters and digits")
	case strings.ContainsAny(s, "\r\n"):
		return Recipient{}, errors.New("that is more than one line: give one key per --to (or a file of them with --to-file)")
	case strings.HasPrefix(s, "AGE-SECRET-KEY-"):
		return Recipient{}, errors.New("that is an age private key (AGE-SECRET-KEY-...), not a public key: ask the vendor for the line age-keygen prints as \"Public key: age1...\"; the private key was pasted here, so tell its owner it is no longer private")
	case strings.Contains(s, "PRIVATE KEY"):
		return Recipient{}, errors.New("that is a private key, not a public key: ask the vendor for their public key (the .pub file); the private key was pasted here, so tell its owner it is no longer private")
	case strings.HasPrefix(s, "age1pq1"):
		r, err := age.ParseHybridRecipient(s)
		if err != nil {
			return Recipient{}, errors.New("that starts like an age post-quantum public key (age1pq1...) but is not a valid one: check it was copied whole")
		}
		return Recipient{Kind: KindAgePQ, Key: r.String(), Fingerprint: hashFingerprint([]byte(r.String())), r: r}, nil
	case strings.HasPrefix(s, "age1"):
		r, err := age.ParseX25519Recipient(s)
		if err != nil {
			return Recipient{}, errors.New("that starts like an age public key (age1...) but is not a valid one: an age public key is age1 and 58 more letters and digits, as age-keygen prints it; check it was copied whole")
		}
		return Recipient{Kind: KindAge, Key: r.String(), Fingerprint: hashFingerprint([]byte(r.String())), r: r}, nil
	case strings.HasPrefix(s, "ssh-") || strings.HasPrefix(s, "ecdsa-") || strings.HasPrefix(s, "sk-"):
		return parseSSH(s)
	}
	return Recipient{}, errors.New("that is not a public key procore-sa can encrypt to: give an age public key (age1...) or an SSH public key line (ssh-ed25519 AAAA... or ssh-rsa AAAA...)")
}

func parseSSH(s string) (Recipient, error) {
	pk, comment, _, rest, err := ssh.ParseAuthorizedKey([]byte(s))
	if err != nil {
		return Recipient{}, errors.New("that starts like an SSH public key but is not a valid one: give the whole line of the vendor's .pub file (type, key and comment), copied whole")
	}
	if len(strings.TrimSpace(string(rest))) > 0 {
		return Recipient{}, errors.New("that is more than one SSH key: give one key per --to (or a file of them with --to-file)")
	}
	kind := pk.Type()
	switch kind {
	case ssh.KeyAlgoED25519:
	case ssh.KeyAlgoRSA:
		cpk, ok := pk.(ssh.CryptoPublicKey)
		if !ok {
			return Recipient{}, errors.New("that ssh-rsa key could not be read as an RSA key")
		}
		rk, ok := cpk.CryptoPublicKey().(*rsa.PublicKey)
		if !ok {
			return Recipient{}, errors.New("that ssh-rsa key could not be read as an RSA key")
		}
		if bits := rk.N.BitLen(); bits < MinRSABits {
			return Recipient{}, fmt.Errorf("that ssh-rsa key has %d bits, fewer than the %d age needs to keep a secret safe: ask the vendor for an ssh-ed25519 or age key (or an RSA key of %d bits or more)", bits, MinRSABits, MinRSABits)
		}
	default:
		return Recipient{}, fmt.Errorf("age cannot encrypt to a %s key: ask the vendor for an ssh-ed25519 or ssh-rsa key, or an age key (age1...)", procore.Printable(kind))
	}
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pk)))
	r, err := agessh.ParseRecipient(line)
	if err != nil {
		return Recipient{}, errors.New("age could not use that SSH key: ask the vendor for an ssh-ed25519 or age key")
	}
	return Recipient{Kind: kind, Key: line, Comment: procore.Printable(strings.TrimSpace(comment)), Fingerprint: ssh.FingerprintSHA256(pk), r: r}, nil
}

func hashFingerprint(b []byte) string {
	h := sha256.Sum256(b)
	return "SHA256:" + base64.RawStdEncoding.EncodeToString(h[:])
}

// maxRecipientsFile bounds a recipients file.
const maxRecipientsFile = 256 << 10

// ParseRecipients reads a recipients file: one key a line, as
// ParseRecipient takes it; a line starting with # and a blank line are
// skipped. A key given twice is kept once. A bad line is refused with its
// number and the reason.
func ParseRecipients(r io.Reader) ([]Recipient, error) {
	lr := &io.LimitedReader{R: r, N: maxRecipientsFile + 1}
	sc := bufio.NewScanner(lr)
	sc.Buffer(make([]byte, 0, 4096), maxRecipient+2)
	var out []Recipient
	seen := map[string]bool{}
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		rc, err := ParseRecipient(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if !seen[rc.Fingerprint] {
			seen[rc.Fingerprint] = true
			out = append(out, rc)
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("line %d is longer than any public key procore-sa takes", n+1)
		}
		return nil, fmt.Errorf("read the recipients: %w", err)
	}
	if lr.N == 0 {
		return nil, fmt.Errorf("the recipients file is larger than %d KiB: it should hold a few public keys", maxRecipientsFile>>10)
	}
	if len(out) == 0 {
		return nil, errors.New("the recipients file holds no public key (only blank lines and # comments)")
	}
	return out, nil
}

// Fingerprints are the recipients' fingerprints, in order.
func Fingerprints(rs []Recipient) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Fingerprint
	}
	return out
}
