package credstore

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"unicode/utf8"

	"filippo.io/age"

	"github.com/procore-sa/procore-sa/internal/secret"
)

// MinPassphrase is the fewest characters (not bytes: a passphrase may be
// in any script) an age file's passphrase may have.
const MinPassphrase = 12

// WriteAgeFile encrypts data to a new file at path with a passphrase, in the
// format the age command line tool decrypts (`age -d FILE`). The file is
// created 0600 and never overwrites one that exists; on any failure nothing
// is left behind. Nothing is ever written in plain text.
func WriteAgeFile(path string, passphrase secret.Value, data []byte) (err error) {
	if utf8.RuneCountInString(passphrase.Reveal()) < MinPassphrase {
		return fmt.Errorf("write the encrypted file: the passphrase must have at least %d characters", MinPassphrase)
	}
	r, err := age.NewScryptRecipient(passphrase.Reveal())
	if err != nil {
		return fmt.Errorf("write the encrypted file: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("write the encrypted file: %s already exists; choose another name", path)
	}
	if err != nil {
		return fmt.Errorf("write the encrypted file: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(path)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return fmt.Errorf("write the encrypted file: %w", err)
	}
	if err := encryptTo(f, r, data); err != nil {
		return fmt.Errorf("write the encrypted file %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write the encrypted file %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write the encrypted file %s: %w", path, err)
	}
	return nil
}

func encryptTo(w io.Writer, r age.Recipient, data []byte) error {
	enc, err := age.Encrypt(w, r)
	if err != nil {
		return err
	}
	if _, err := enc.Write(data); err != nil {
		return err
	}
	return enc.Close()
}

// ExportCredential writes c's keychain document to an age file at path,
// encrypted with passphrase: the same JSON the keychain holds.
func ExportCredential(path string, passphrase secret.Value, c Credential) error {
	if c.Version == 0 {
		c.Version = CredentialVersion
	}
	doc, err := encodeCredential(c)
	if err != nil {
		return fmt.Errorf("export the credential: %w", err)
	}
	return WriteAgeFile(path, passphrase, []byte(doc))
}

// What a wizard held and had not yet kept, named on stderr when it was
// ended from outside (a signal) before the person could keep or discard it.
const (
	UnkeptClientSecret      = "the client secret you typed"
	UnkeptPassword          = "the password you chose"
	UnkeptGeneratedPassword = "the password procore-sa generated"
)
