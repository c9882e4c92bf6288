package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"filippo.io/age"

	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/handover"
	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/procore"
)

// ImportSource is how to open a file to import.
type ImportSource struct {
	Path string
	// Identities are the person's own private key files (age identity
	// files or SSH private keys), for a handover.
	Identities []string
	// Passphrase asks for an export's passphrase; KeyPassphrase for an
	// encrypted SSH key's. Either may be nil when nobody can be asked.
	Passphrase, KeyPassphrase func() (secret.Value, error)
}

// Opened is a file decrypted for import: what it holds and how it was
// sealed.
type Opened struct {
	Payload handover.Payload
	Info    handover.Info
	Path    string
}

// What names what was opened, for a message: never the secret.
func (o Opened) What() string {
	kind := "a handover"
	if o.Info.Sealing == handover.SealedPassphrase {
		kind = "a passphrase export"
	}
	who := o.Payload.Cred.ClientID
	if who == "" {
		who = o.Payload.Cred.Login
	}
	return fmt.Sprintf("%s of a %s credential (%s, %s, company %d)", kind, o.Payload.Cred.Kind, who, orDefault(o.Payload.Cred.Environment, "no environment"), o.Payload.Cred.CompanyID)
}

// OpenImport decrypts a passphrase export or a handover made for one of
// src's identities and reads what it holds. It keeps nothing.
func (a *App) OpenImport(src ImportSource) (Opened, error) {
	f, err := os.Open(src.Path)
	if err != nil {
		return Opened{}, fmt.Errorf("open %s: %w", src.Path, err)
	}
	data, err := io.ReadAll(io.LimitReader(f, handover.MaxFile+1))
	f.Close()
	if err != nil {
		return Opened{}, fmt.Errorf("read %s: %w", src.Path, err)
	}
	if len(data) > handover.MaxFile {
		return Opened{}, fmt.Errorf("%s is larger than any export or handover procore-sa writes", src.Path)
	}
	info, err := handover.Inspect(data)
	if err != nil {
		return Opened{}, fmt.Errorf("%s: %w", src.Path, err)
	}
	var ids []age.Identity
	switch info.Sealing {
	case handover.SealedPassphrase:
		if src.Passphrase == nil {
			return Opened{}, Usage(fmt.Errorf("%s is encrypted with a passphrase, and none can be asked for here: run it in a terminal", src.Path))
		}
		p, err := src.Passphrase()
		if err != nil {
			return Opened{}, fmt.Errorf("read the passphrase: %w", err)
		}
		id, err := handover.PassphraseIdentity(p)
		if err != nil {
			return Opened{}, err
		}
		ids = append(ids, id)
	default:
		if len(src.Identities) == 0 {
			return Opened{}, Usage(fmt.Errorf("%s is a handover encrypted to a public key: give your private key with --identity FILE (an age identity file or an SSH private key)", src.Path))
		}
		for _, path := range src.Identities {
			got, err := handover.ReadIdentities(path, src.KeyPassphrase)
			if err != nil {
				return Opened{}, err
			}
			ids = append(ids, got...)
		}
	}
	plain, err := handover.Open(data, ids...)
	if err != nil {
		return Opened{}, fmt.Errorf("%s: %w", src.Path, err)
	}
	p, err := handover.Decode(plain)
	clear(plain)
	if err != nil {
		return Opened{}, fmt.Errorf("%s: %w", src.Path, err)
	}
	return Opened{Payload: p, Info: info, Path: src.Path}, nil
}

// ImportResult is where an imported credential went.
type ImportResult struct {
	Saved  credstore.Saved
	Proved bool
	// Why is why it was not proved, when it was not.
	Why string
}

// ProveImported gets a token with an imported client-credentials
// credential in the environment it was made for. A user's login and
// password cannot be proved through the API: that is said, not failed.
func (a *App) ProveImported(ctx context.Context, c credstore.Credential) (bool, string, error) {
	if c.Kind != credstore.KindClientCredentials {
		return false, "a user's login and password cannot be checked through the API; sign in at Procore's login page to check it", nil
	}
	env, err := a.EnvironmentFor(c, "imported")
	if err != nil {
		return false, "", err
	}
	if _, err := procore.ClientCredentials(env, nil, c.ClientID, c.ClientSecret).Token(ctx); err != nil {
		return false, "", fmt.Errorf("the imported credential was refused by Procore (nothing was saved): %w", err)
	}
	return true, "", nil
}

// Import proves an opened credential (unless check is false) and keeps it
// exactly as a capture does, through k: the same keychain rule (never over
// another credential, else beside it), read back before it counts as
// kept. The audit line names the file and where it went, never the secret.
func (a *App) Import(ctx context.Context, k Keeper, o Opened, check bool) (ImportResult, error) {
	var res ImportResult
	c := o.Payload.Cred
	if c.Version == 0 {
		c.Version = credstore.CredentialVersion
	}
	if c.Kind == credstore.KindAdminOAuth {
		return res, errors.New("it holds an admin's own sign-in (admin_oauth); sign in on this machine with 'procore-sa login' instead")
	}
	if check {
		ok, why, err := a.ProveImported(ctx, c)
		if err != nil {
			a.Audit("import", a.cfg.Profile, fmt.Sprintf("%s from %s refused by Procore; nothing saved", c.Kind, o.Path))
			return res, err
		}
		res.Proved, res.Why = ok, why
	} else {
		res.Why = "not checked (--no-check)"
	}
	sctx, cancel := saveContext(ctx, a.say)
	defer cancel()
	saved, err := k.Save(sctx, c)
	if err != nil {
		return res, err
	}
	res.Saved = saved
	proof := "proved with a token"
	if !res.Proved {
		proof = res.Why
	}
	a.Audit("import", saved.Profile, fmt.Sprintf("%s from %s (%s); %s", c.Kind, o.Path, map[bool]string{true: "passphrase export", false: "handover"}[o.Info.Sealing == handover.SealedPassphrase], proof))
	return res, nil
}
