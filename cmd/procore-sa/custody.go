package main

import (
	"context"
	"fmt"
	"sync"

	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/state"
)

// keychainService is the keychain service of this run: the demo keeps its
// entries apart from real ones.
func (a *app) keychainService() string {
	if a.demo {
		return "procore-sa-demo"
	}
	return "procore-sa"
}

// credStore is the credential store. Only under --demo, and only when no
// keychain answers, does it keep entries in memory; memoryOnly says so, for
// the screen to tell the person. A real run never falls back.
func (a *app) credStore(ctx context.Context) (store *credstore.Store, memoryOnly bool) {
	if a.creds != nil {
		return a.creds, a.credsInMemory
	}
	s := credstore.NewStore(a.keychainService())
	if a.demo {
		if err := s.Probe(ctx); err != nil {
			s.Keyring = &credstore.MemoryKeyring{}
			memoryOnly = true
		}
	}
	// One store per process: the demo's memory keyring must be the same
	// one for the capture step and for the steps that use what it saved.
	a.creds, a.credsInMemory = s, memoryOnly
	return s, memoryOnly
}

// custody is the wizard's keeper of one-time credentials: the keychain,
// read back before the person may go on, or an age file; never plain text.
type custody struct {
	a          *app
	env        procore.Environment
	store      *credstore.Store
	state      *state.Store
	memoryOnly bool

	// mu guards the app's profile, which Use changes from the wizard's
	// event loop while commands may read it.
	mu sync.Mutex
}

// profile is the profile the keeper saves to.
func (c *custody) profile() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.a.profile
}

// Use makes profile the one the later steps use (add-all, verify) and the
// person's next commands are told about.
func (c *custody) Use(profile string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.a.profile = profile
}

func (c *custody) Environment() string { return c.env.Name }

func (c *custody) Where() string {
	if c.memoryOnly {
		return "memory only (demo: no keychain was found on this machine; it is gone when the program ends)"
	}
	return fmt.Sprintf("the keychain (%s) as %s / %s", c.store.Backend(), c.store.Service, c.profile())
}

// DemoCredential is, under --demo, the simulator's own DMSA app, for the
// capture step to fill in: a demo user cannot know its credentials, and
// made-up ones fail at the steps that use them.
func (c *custody) DemoCredential() (credstore.Credential, bool) {
	if !c.a.demo || c.a.sim == nil {
		return credstore.Credential{}, false
	}
	fx := c.a.sim.Fixtures()
	return credstore.Credential{
		Version: 1, Kind: credstore.KindClientCredentials, Environment: c.env.Name,
		CompanyID: fx.CompanyID, ClientID: fx.DMSAClientID, ClientSecret: secret.New(fx.DMSAClientSecret),
	}, true
}

func (c *custody) DefaultExportPath() string {
	return defaultExportPath(c.profile(), c.a.clock()())
}

func (c *custody) Prove(ctx context.Context, cred credstore.Credential) error {
	auth := procore.ClientCredentials(c.env, nil, cred.ClientID, cred.ClientSecret)
	if _, err := auth.Token(ctx); err != nil {
		return err
	}
	return nil
}

// Save keeps a new credential without destroying another: in the current
// profile when it holds nothing or the same credential (a new secret of the
// same app or login replaces the old one); else beside it, under the
// guide's id or the profile's name with a number. It says where; the
// profile in use changes only when the screen calls Use.
func (c *custody) Save(ctx context.Context, cred credstore.Credential) (credstore.Saved, error) {
	current := c.profile()
	base, first := current, []string(nil)
	if current == "default" && credstore.ValidateProfile(cred.Guide) == nil {
		base, first = cred.Guide, []string{cred.Guide}
	}
	saved, err := c.store.Save(ctx, credstore.Placement{Profile: current, Beside: credstore.BesideNames(base, first...)}, cred, true)
	if err != nil {
		// Both wizards offer the age file on the "a" key: say so, rather
		// than a command that would read the same failing keychain.
		return saved, credstore.WithFallback(err, credstore.WizardFallback)
	}
	detail := fmt.Sprintf("%s saved, guide %s", cred.Kind, cred.Guide)
	if note := saved.Note(); note != "" {
		detail += "; " + note
	}
	c.auditAt(saved.Profile, "save", detail)
	return saved, nil
}

func (c *custody) Export(ctx context.Context, path string, passphrase secret.Value, cred credstore.Credential) error {
	if err := credstore.ExportCredential(path, passphrase, cred); err != nil {
		return err
	}
	c.audit("export", path)
	return nil
}

// audit records what was done; a failure to record is said (on the full
// screen while it is up), not fatal.
func (c *custody) audit(action, detail string) { c.auditAt(c.profile(), action, detail) }

func (c *custody) auditAt(profile, action, detail string) {
	if c.state == nil {
		return
	}
	if err := c.state.Audit(state.AuditEntry{Action: action, Profile: profile, Detail: detail}); err != nil {
		c.a.warn(err.Error())
	}
}
