package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sync"
	"text/template"
	"time"

	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/steps"
)

// OldSecretFate is what happens to the old client secret, said before the
// person resets it: Procore revokes it at once, with every token made with
// it; nothing keeps it working until the new one is in place.
const OldSecretFate = "Resetting the client secret in the Developer Portal revokes the old secret at once, and every access token made with it; the client ID stays the same. Anything still using the old secret stops working until it has the new one."

// Rotation is a guided rotation of a profile's client secret: the old
// credential stays stored until the new secret is proved with its own
// token, and is then replaced by it.
type Rotation struct {
	Profile string
	Old     credstore.Credential
	Env     procore.Environment
	// OldWorks says whether the stored secret still got a token when the
	// rotation began (OldErr says why not).
	OldWorks bool
	OldErr   error

	a        *App
	mu       sync.Mutex
	proved   secret.Value // the new secret, once proved
	demo     *credstore.Credential
	replaced bool
}

// StartRotation reads profile's credential and proves it as it stands,
// for the rotation's first screen. Only a client-credentials credential
// (an app's client ID and secret) rotates this way.
func (a *App) StartRotation(ctx context.Context, profile string) (*Rotation, error) {
	if err := credstore.ValidateProfile(profile); err != nil {
		return nil, Usage(err)
	}
	store, _ := a.Credentials(ctx)
	lctx := credstore.NoticeSlow(credstore.Interactive(ctx), a.sayOnce(credstore.KeychainWait))
	old, err := store.Load(lctx, profile, true)
	if err != nil {
		return nil, err
	}
	switch old.Kind {
	case credstore.KindClientCredentials:
	case credstore.KindAdminOAuth:
		return nil, Usage(fmt.Errorf("profile %q is an admin's sign-in: it is renewed by signing in again ('procore-sa login --profile %s'), not rotated", profile, profile))
	case credstore.KindUserLogin:
		return nil, Usage(fmt.Errorf("profile %q is a user's login and password: change the password in Procore (the user's own sign-in page, or the Company Directory), then run its guide again to keep the new one", profile))
	default:
		return nil, Usage(fmt.Errorf("profile %q holds a %s credential, which procore-sa cannot rotate", profile, old.Kind))
	}
	env, err := a.EnvironmentFor(old, profile)
	if err != nil {
		return nil, err
	}
	r := &Rotation{Profile: profile, Old: old, Env: env, a: a}
	_, r.OldErr = procore.ClientCredentials(env, nil, old.ClientID, old.ClientSecret).Token(ctx)
	r.OldWorks = r.OldErr == nil
	state := "works now (Procore issued a token with it)"
	if !r.OldWorks {
		state = "is refused by Procore already: " + procore.Printable(r.OldErr.Error())
	}
	a.Audit("rotate", profile, fmt.Sprintf("started for client ID %s; the stored secret %s", old.ClientID, state))
	return r, nil
}

// DemoReset is, under --demo, the person's part in the Developer Portal:
// the simulator resets the app's secret (revoking the old one, as Procore
// does), and the capture screen's demo fill gives the new one. It is an
// error outside the demo.
func (r *Rotation) DemoReset() error {
	s, err := r.a.Sim()
	if err != nil {
		return err
	}
	fresh, err := s.ResetClientSecret(r.Old.ClientID)
	if err != nil {
		return fmt.Errorf("demo: the simulator has no app with client ID %s to reset (was profile %q captured in another demo?)", r.Old.ClientID, r.Profile)
	}
	c := r.Old
	c.ClientSecret = secret.New(fresh)
	r.mu.Lock()
	r.demo = &c
	r.mu.Unlock()
	r.a.Audit("rotate", r.Profile, "demo: the simulator reset the client secret; the old one is revoked")
	return nil
}

// Instructions is what to do in Procore to get a new secret, one line a
// step, for the rotation's guide.
func (r *Rotation) Instructions() []string {
	return []string{
		"Sign in to the Procore Developer Portal (developers.procore.com) and open the app with client ID " + r.Old.ClientID + ".",
		"Open its credentials (" + portalCredentials(r.Old.Environment) + ").",
		"Click Reset Client Secret and tick that you understand the old secret and its tokens are revoked.",
		"Click Reset Client Secret again and copy the new secret: the portal shows it once.",
	}
}

func portalCredentials(env string) string {
	if env == procore.Sandbox.Name {
		return "the Developer Sandbox credentials"
	}
	return "the production credentials"
}

const rotationGuide = `id: rotate
title: {{q .Title}}
vendor: Procore
source: "Procore Developers: OAuth Credentials Management"
account_model: dmsa
summary: {{q .Summary}}
steps:
  - id: fate
    kind: notice
    level: warning
    title: What happens to the old secret
    body: {{q .FateBody}}
  - id: reset
    kind: instruction
    title: Reset the client secret in the Developer Portal
    body: {{q .Where}}
    checklist:
{{- range .Steps}}
      - {{q .}}
{{- end}}
  - id: credentials
    kind: credential_capture
    title: Capture the new client secret
    body: {{q .CaptureBody}}
    checklist:
      - Copy the client ID
      - Copy the new client secret (shown once)
      - Copy the company ID
  - id: verify
    kind: verify
    title: Verify the new secret
    body: "Procore is read back with the stored credential: a token, the company, and the projects it sees."
    checklist:
      - The client credentials return a token.
      - The company is listed and its projects are visible.
`

// Guide is the rotation as a guide the wizard walks (full screen or
// plain): the old secret's fate, the steps in the Developer Portal, the
// capture screen of a first capture, and a check of what was stored.
func (r *Rotation) Guide() (*steps.Guide, error) {
	oldState := "The stored secret works now: Procore issued a token with it."
	if !r.OldWorks {
		oldState = "The stored secret is refused by Procore already (it may have been reset): " + procore.Printable(r.OldErr.Error())
	}
	where := "Do this in the Developer Portal; tick each step as you go."
	if r.a.cfg.Demo {
		where = "Demo: the simulator has reset the secret already, as the Developer Portal would; tick the steps to go on."
	}
	q := func(s string) (string, error) {
		b, err := json.Marshal(s) // a JSON string is a YAML double-quoted one
		return string(b), err
	}
	var b bytes.Buffer
	t := template.Must(template.New("rotate").Funcs(template.FuncMap{"q": q}).Parse(rotationGuide))
	if err := t.Execute(&b, map[string]any{
		"Title":       "Rotate the client secret of profile " + r.Profile,
		"Summary":     fmt.Sprintf("A new client secret for the app with client ID %s, kept in profile %s in place of the old one once Procore accepts it.", r.Old.ClientID, r.Profile),
		"FateBody":    OldSecretFate + "\n\nThe old secret stays in profile " + r.Profile + " until the new one is proved with its own token; then the new one replaces it. If the new one is refused, nothing stored changes.\n\n" + oldState,
		"Steps":       r.Instructions(),
		"Where":       where,
		"CaptureBody": fmt.Sprintf("Paste the client ID (it has not changed: %s), the new client secret and the company ID (%d). It is proved with its own token before it replaces the old one.", r.Old.ClientID, r.Old.CompanyID),
	}); err != nil {
		return nil, err
	}
	return steps.Parse("builtin:rotate.yaml", b.Bytes())
}

// Keeper is the rotation's keeper for the capture screen: Prove proves the
// new secret with its own token (for the same app and company as the old
// one); Save replaces the stored credential only once the new secret is
// proved (proving it first if the person chose not to), reads it back,
// and records the rotation. The old one is never touched before that.
func (r *Rotation) Keeper() Keeper { return &rotationKeeper{r: r} }

type rotationKeeper struct{ r *Rotation }

func (k *rotationKeeper) Environment() string { return k.r.Old.Environment }

func (k *rotationKeeper) Where() string {
	store, memoryOnly := k.r.a.Credentials(context.Background())
	where := fmt.Sprintf("the keychain (%s), service %s", store.Backend(), store.Service)
	if memoryOnly {
		where = "memory only (demo: no keychain was found on this machine)"
	}
	return where + ", in place of the old secret"
}

func (k *rotationKeeper) DefaultExportPath() string { return k.r.a.DefaultExportPath(k.r.Profile) }

func (k *rotationKeeper) DemoCredential() (credstore.Credential, bool) {
	k.r.mu.Lock()
	defer k.r.mu.Unlock()
	if k.r.demo == nil {
		return credstore.Credential{}, false
	}
	return *k.r.demo, true
}

// sameApp says why c cannot be the new secret of the old credential.
func (r *Rotation) sameApp(c credstore.Credential) error {
	if c.ClientID != r.Old.ClientID {
		return fmt.Errorf("the client ID typed is not the one of profile %q (%s): a reset keeps the client ID, so this is another app; the stored secret is unchanged", r.Profile, r.Old.ClientID)
	}
	if r.Old.CompanyID != 0 && c.CompanyID != r.Old.CompanyID {
		return fmt.Errorf("the company ID typed is not the one of profile %q (%d); the stored secret is unchanged", r.Profile, r.Old.CompanyID)
	}
	if c.ClientSecret.Equal(r.Old.ClientSecret) {
		return fmt.Errorf("that is the secret profile %q holds already: reset it in the Developer Portal and paste the new one", r.Profile)
	}
	return nil
}

func (k *rotationKeeper) Prove(ctx context.Context, c credstore.Credential) error {
	r := k.r
	if err := r.sameApp(c); err != nil {
		return err
	}
	if _, err := procore.ClientCredentials(r.Env, nil, c.ClientID, c.ClientSecret).Token(ctx); err != nil {
		r.a.Audit("rotate", r.Profile, "the new secret was refused by Procore; the stored one is unchanged")
		return fmt.Errorf("%w (the stored secret of profile %q is unchanged)", err, r.Profile)
	}
	r.mu.Lock()
	r.proved = c.ClientSecret
	r.mu.Unlock()
	r.a.Audit("rotate", r.Profile, "the new secret is proved with its own token")
	return nil
}

func (k *rotationKeeper) Save(ctx context.Context, c credstore.Credential) (credstore.Saved, error) {
	r := k.r
	r.mu.Lock()
	proved := !r.proved.IsZero() && r.proved.Equal(c.ClientSecret)
	r.mu.Unlock()
	if !proved {
		// Never replace a secret that works with one nobody checked.
		if err := k.Prove(ctx, c); err != nil {
			return credstore.Saved{}, err
		}
	}
	c.Guide, c.Environment = r.Old.Guide, r.Old.Environment
	c.CreatedAt = r.a.cfg.Now().UTC()
	store, _ := r.a.Credentials(ctx)
	// The profile alone, no name beside it: the new secret of the same
	// app replaces the old one there, or nothing is saved.
	saved, err := store.Save(credstore.Interactive(ctx), credstore.Placement{Profile: r.Profile}, c, true)
	if err != nil {
		r.a.Audit("rotate", r.Profile, "the new secret could not be stored ("+credstore.ClassOf(err).String()+"); the keychain still holds the old one")
		return saved, err
	}
	r.mu.Lock()
	r.replaced = true
	r.mu.Unlock()
	r.a.Audit("rotate", r.Profile, "the new secret replaced the old one and was read back; the old secret is removed")
	if err := r.a.recordRotation(r.Profile, c.ClientID); err != nil {
		r.a.warn("the rotation could not be recorded for status (" + err.Error() + ")")
	}
	return saved, nil
}

func (k *rotationKeeper) Export(ctx context.Context, path string, passphrase secret.Value, c credstore.Credential) error {
	if err := credstore.ExportCredential(path, passphrase, c); err != nil {
		return err
	}
	k.r.a.Audit("rotate", k.r.Profile, fmt.Sprintf("the keychain refused the new secret; it was written to the age file %s, and the keychain still holds the old one", path))
	return nil
}

// Replaced reports whether the new secret is stored in place of the old.
func (r *Rotation) Replaced() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.replaced
}

// Rotated is the last rotation of a profile, for status.
type Rotated struct {
	At       time.Time `json:"at"`
	ClientID string    `json:"client_id"`
}

const rotationsFile = "rotations.json"

func (a *App) rotations() (map[string]Rotated, error) {
	st, err := a.State()
	if err != nil {
		return nil, err
	}
	f, err := st.OpenRead(rotationsFile)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]Rotated{}, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil {
		return nil, err
	}
	m := map[string]Rotated{}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("read %s: it is damaged (%v)", st.Path(rotationsFile), err)
	}
	return m, nil
}

func (a *App) recordRotation(profile, clientID string) error {
	m, err := a.rotations()
	if err != nil {
		return err
	}
	m[profile] = Rotated{At: a.cfg.Now().UTC(), ClientID: clientID}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	st, err := a.State()
	if err != nil {
		return err
	}
	return st.WriteFile(rotationsFile, append(data, '\n'))
}

// LastRotations are the profiles' last rotations (none when nothing was
// ever rotated).
func (a *App) LastRotations() (map[string]Rotated, error) { return a.rotations() }

// Handover offers, once the new secret is stored, to hand it to the vendor
// who runs the integration: they need it now that the old one is revoked.
func (k *rotationKeeper) Handover() Handoverer { return k.r.a }
