package handover

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"filippo.io/age/armor"
	"golang.org/x/crypto/ssh"

	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/secret"
)

// Encrypt is plaintext encrypted to every recipient, as the age command
// line tool writes it (ASCII armor when armored is set, for pasting into a
// ticket or an email).
func Encrypt(recips []Recipient, armored bool, plaintext []byte) ([]byte, error) {
	if len(recips) == 0 {
		return nil, errors.New("encrypt the handover: no recipient was given")
	}
	rs := make([]age.Recipient, len(recips))
	for i, r := range recips {
		if r.r == nil {
			return nil, errors.New("encrypt the handover: a recipient was not read with ParseRecipient")
		}
		rs[i] = r.r
	}
	var out bytes.Buffer
	var dst io.Writer = &out
	var aw io.WriteCloser
	if armored {
		aw = armor.NewWriter(&out)
		dst = aw
	}
	w, err := age.Encrypt(dst, rs...)
	if err != nil {
		return nil, fmt.Errorf("encrypt the handover: %w", err)
	}
	if _, err := w.Write(plaintext); err != nil {
		return nil, fmt.Errorf("encrypt the handover: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("encrypt the handover: %w", err)
	}
	if aw != nil {
		if err := aw.Close(); err != nil {
			return nil, fmt.Errorf("encrypt the handover: %w", err)
		}
	}
	return out.Bytes(), nil
}

// Write encrypts plaintext to recips and writes it to path as a new file,
// 0600: a temporary file in the same directory (created exclusively, so
// never through a link), synced, then linked into place, which fails
// rather than replace anything already at path. Nothing is left behind on
// failure, and nothing is ever written unencrypted.
func Write(path string, recips []Recipient, armored bool, plaintext []byte) error {
	data, err := Encrypt(recips, armored, plaintext)
	if err != nil {
		return err
	}
	return writeNew(path, data)
}

func writeNew(path string, data []byte) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("write the handover: %s already exists; choose another name (--out FILE)", path)
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".tmp-handover-*")
	if err != nil {
		return fmt.Errorf("write the handover %s: %w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	fail := func(err error) error {
		f.Close()
		return fmt.Errorf("write the handover %s: %w", path, err)
	}
	if err := f.Chmod(0o600); err != nil {
		return fail(err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write the handover %s: %w", path, err)
	}
	err = os.Link(tmp, path)
	switch {
	case errors.Is(err, fs.ErrExist):
		return fmt.Errorf("write the handover: %s already exists; choose another name (--out FILE)", path)
	case err != nil:
		// A file system without hard links: rename, which the check
		// above makes safe unless something appeared since.
		if _, lerr := os.Lstat(path); lerr == nil {
			return fmt.Errorf("write the handover: %s already exists; choose another name (--out FILE)", path)
		}
		if err := os.Rename(tmp, path); err != nil {
			return fmt.Errorf("write the handover %s: %w", path, err)
		}
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// Sealing is how a file to import was encrypted.
type Sealing int

const (
	// SealedPassphrase: a passphrase export (age's scrypt recipient).
	SealedPassphrase Sealing = iota + 1
	// SealedToKeys: a handover encrypted to public keys.
	SealedToKeys
)

// Info is what can be told of an encrypted file without decrypting it.
type Info struct {
	Sealing Sealing
	Armored bool
	// Stanzas are the recipient types of its header (X25519, ssh-ed25519,
	// ssh-rsa, scrypt, ...).
	Stanzas []string
}

// MaxFile bounds a file to import: a handover or an export is well under
// a kilobyte.
const MaxFile = 64 << 10

const armorHeader = "-----BEGIN AGE ENCRYPTED FILE-----"

// Inspect reads the header of an age file: armored or not, and sealed
// with a passphrase or to keys.
func Inspect(data []byte) (Info, error) {
	var info Info
	var r io.Reader = bytes.NewReader(data)
	if bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte(armorHeader)) {
		info.Armored = true
		r = armor.NewReader(bytes.NewReader(bytes.TrimLeft(data, " \t\r\n")))
	}
	hdr, err := age.ExtractHeader(r)
	if err != nil {
		return info, errors.New("it is not an age-encrypted file (neither a procore-sa export nor a handover)")
	}
	sc := bufio.NewScanner(bytes.NewReader(hdr))
	for sc.Scan() {
		if t, ok := strings.CutPrefix(sc.Text(), "-> "); ok {
			typ, _, _ := strings.Cut(t, " ")
			info.Stanzas = append(info.Stanzas, typ)
		}
	}
	if len(info.Stanzas) == 0 {
		return info, errors.New("it is not an age-encrypted file (its header names no recipient)")
	}
	info.Sealing = SealedToKeys
	for _, s := range info.Stanzas {
		if s == "scrypt" {
			info.Sealing = SealedPassphrase
		}
	}
	return info, nil
}

// Open decrypts data (armored or not) with the identities.
func Open(data []byte, ids ...age.Identity) ([]byte, error) {
	var r io.Reader = bytes.NewReader(data)
	if trimmed := bytes.TrimLeft(data, " \t\r\n"); bytes.HasPrefix(trimmed, []byte(armorHeader)) {
		r = armor.NewReader(bytes.NewReader(trimmed))
	}
	dr, err := age.Decrypt(r, ids...)
	if err != nil {
		var nm *age.NoIdentityMatchError
		if errors.As(err, &nm) {
			return nil, errors.New("none of the given keys can open it: it was encrypted to someone else's key (or, for an export, the passphrase is wrong)")
		}
		if strings.Contains(err.Error(), "incorrect passphrase") {
			return nil, errors.New("the passphrase is wrong")
		}
		return nil, errors.New("it could not be decrypted: the file is damaged or not an age file")
	}
	out, err := io.ReadAll(io.LimitReader(dr, maxPayload+1))
	if err != nil {
		return nil, errors.New("it could not be decrypted: the file is damaged (its contents fail age's check)")
	}
	return out, nil
}

// PassphraseIdentity opens a passphrase export.
func PassphraseIdentity(p secret.Value) (age.Identity, error) {
	id, err := age.NewScryptIdentity(p.Reveal())
	if err != nil {
		return nil, errors.New("the passphrase cannot be used: give the one the export was written with")
	}
	return id, nil
}

// maxIdentityFile bounds an identity file (an SSH RSA key of 16,384 bits
// is about 13 KiB).
const maxIdentityFile = 64 << 10

// ReadIdentities reads the person's own private keys from path: an age
// identity file (AGE-SECRET-KEY-1... lines, as age-keygen writes it) or an
// SSH private key (ed25519 or RSA; passphrase asks for the key's
// passphrase when it is encrypted). The errors never repeat the file.
func ReadIdentities(path string, passphrase func() (secret.Value, error)) ([]age.Identity, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read the identity %s: %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxIdentityFile+1))
	if err != nil {
		return nil, fmt.Errorf("read the identity %s: %w", path, err)
	}
	if len(data) > maxIdentityFile {
		return nil, fmt.Errorf("%s is larger than any private key: give an age identity file or an SSH private key", path)
	}
	return ParseIdentities(path, data, passphrase)
}

// ParseIdentities reads the identities in data, named path in errors.
func ParseIdentities(path string, data []byte, passphrase func() (secret.Value, error)) ([]age.Identity, error) {
	if bytes.Contains(data, []byte("PRIVATE KEY-----")) {
		id, err := agessh.ParseIdentity(data)
		var missing *ssh.PassphraseMissingError
		switch {
		case errors.As(err, &missing):
			if missing.PublicKey == nil || passphrase == nil {
				return nil, fmt.Errorf("the SSH key %s is encrypted with a passphrase that cannot be asked for here", path)
			}
			eid, err := agessh.NewEncryptedSSHIdentity(missing.PublicKey, data, func() ([]byte, error) {
				p, err := passphrase()
				if err != nil {
					return nil, err
				}
				return []byte(p.Reveal()), nil
			})
			if err != nil {
				return nil, fmt.Errorf("the SSH key %s cannot be used: only ed25519 and RSA keys can open a handover", path)
			}
			return []age.Identity{eid}, nil
		case err != nil:
			return nil, fmt.Errorf("the SSH key %s cannot be used: only unencrypted or passphrase-protected ed25519 and RSA keys can open a handover", path)
		}
		return []age.Identity{id}, nil
	}
	ids, err := age.ParseIdentities(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s is neither an age identity file (AGE-SECRET-KEY-1... lines) nor an SSH private key", path)
	}
	return ids, nil
}

// Decode reads what a decrypted file holds: a handover's plaintext, or a
// passphrase export's (the keychain's JSON document).
func Decode(plaintext []byte) (Payload, error) {
	trimmed := bytes.TrimSpace(plaintext)
	if bytes.HasPrefix(trimmed, []byte("{")) {
		c, err := credstore.ParseDocument(string(trimmed))
		if err != nil {
			return Payload{}, fmt.Errorf("it decrypts, but is not a procore-sa credential: %w", err)
		}
		return Payload{Cred: c}, nil
	}
	p, err := DecodePayload(plaintext)
	if err != nil {
		return Payload{}, fmt.Errorf("it decrypts, but is not a procore-sa handover: %w", err)
	}
	return p, nil
}
