package app

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/procore"
)

// Resolved is a credential the API can use, and where it came from.
type Resolved struct {
	Cred credstore.Credential
	// Profile is the profile read; "" for the environment's credential
	// or the demo simulator's own.
	Profile string
	// FromEnv: PROCORE_CLIENT_ID and PROCORE_CLIENT_SECRET supplied it.
	FromEnv bool
	// UserLogin, when set, is the profile asked for: it holds a user's
	// login and password (UserLoginCred), which the API cannot sign in
	// with, and Cred is the admin's sign-in instead.
	UserLogin     string
	UserLoginCred credstore.Credential
}

// DemoIdentity is whom a demo with nothing stored acts as.
type DemoIdentity int

const (
	// DemoNone: no fallback; nothing stored is an error.
	DemoNone DemoIdentity = iota
	// DemoIntegration: the simulator's own DMSA, the integration.
	DemoIntegration
	// DemoAdmin: the simulator's admin, signed in for this run only.
	DemoAdmin
)

// envCredential is a client-credentials credential from the environment,
// which overrides a stored one; the program says so when it is used.
func (a *App) envCredential() (credstore.Credential, bool) {
	id, sec := a.cfg.Getenv("PROCORE_CLIENT_ID"), a.cfg.Getenv("PROCORE_CLIENT_SECRET")
	if id == "" || sec == "" {
		return credstore.Credential{}, false
	}
	return credstore.Credential{Version: credstore.CredentialVersion, Kind: credstore.KindClientCredentials, Environment: a.cfg.Env,
		CompanyID: a.cfg.Company, ClientID: id, ClientSecret: secret.New(sec)}, true
}

// Resolve is the credential to act with for profile: the environment's
// when PROCORE_CLIENT_ID and PROCORE_CLIENT_SECRET are set; else the
// profile's, or, when that is a user's login and password, the admin's
// sign-in (AdminProfile); under --demo, failing those, the demo identity.
func (a *App) Resolve(ctx context.Context, profile string, demo DemoIdentity) (Resolved, error) {
	if cred, ok := a.envCredential(); ok {
		a.say("using the credential in PROCORE_CLIENT_ID and PROCORE_CLIENT_SECRET (the environment supplied it), not the keychain")
		return Resolved{Cred: cred, FromEnv: true}, nil
	}
	store, _ := a.Credentials(ctx)
	interactive := !a.cfg.Demo
	if interactive {
		ctx = credstore.Interactive(ctx)
	}
	ctx = credstore.NoticeSlow(ctx, a.sayOnce(credstore.KeychainWait))
	cred, err := store.Load(ctx, profile, interactive)
	r := Resolved{Cred: cred, Profile: profile}
	if err == nil && cred.Kind == credstore.KindUserLogin {
		r.UserLogin, r.UserLoginCred = profile, cred
		if admin, aerr := store.Load(ctx, AdminProfile, interactive); aerr == nil {
			r.Cred, r.Profile = admin, AdminProfile
		} else {
			err = fmt.Errorf("profile %q holds the login and password of a user (%s), which the API cannot sign in with; procore-sa works for it through a company admin's sign-in, profile %q, and that could not be read (%v): sign in with 'procore-sa login --profile %s'",
				profile, cred.Login, AdminProfile, aerr, AdminProfile)
		}
	}
	if err != nil && a.cfg.Demo && demo != DemoNone {
		return a.demoIdentity(ctx, demo)
	}
	if err != nil {
		return r, err
	}
	if r.UserLogin != "" {
		a.Audit("read", r.UserLogin, "user login; the admin's sign-in is used")
	}
	a.Audit("read", r.Profile, "for use")
	return r, nil
}

// demoIdentity is the simulator's own DMSA, or its admin signed in for
// this run (never stored): a demo with nothing saved can still run a step.
func (a *App) demoIdentity(ctx context.Context, who DemoIdentity) (Resolved, error) {
	s, err := a.Sim()
	if err != nil {
		return Resolved{}, err
	}
	fx := s.Fixtures()
	if who == DemoIntegration {
		a.say("demo: using the simulator's own DMSA credential")
		return Resolved{Cred: credstore.Credential{Version: credstore.CredentialVersion, Kind: credstore.KindClientCredentials, Environment: "demo",
			CompanyID: fx.CompanyID, ClientID: fx.DMSAClientID, ClientSecret: secret.New(fx.DMSAClientSecret)}}, nil
	}
	code, err := s.IssueCode(fx.AdminClientID, procore.OOBRedirect)
	if err != nil {
		return Resolved{}, err
	}
	tok, err := procore.Exchange(ctx, nil, s.Environment(), fx.AdminClientID, secret.New(fx.AdminClientSecret), code)
	if err != nil {
		return Resolved{}, err
	}
	a.say("demo: acting as the simulator's admin, " + fx.AdminLogin + ", signed in for this run only")
	return Resolved{Cred: credstore.Credential{Version: credstore.CredentialVersion, Kind: credstore.KindAdminOAuth, Environment: "demo",
		CompanyID: fx.CompanyID, ClientID: fx.AdminClientID, ClientSecret: secret.New(fx.AdminClientSecret), RefreshToken: secret.New(tok.RefreshToken)}}, nil
}

// EnvironmentFor is where a stored credential is used: the environment it
// was made in, unless --api-url or --login-url give addresses (they win),
// or --env names another (refused: a credential works only where it was
// made). A credential from the environment variables, or one that names no
// environment, goes where the flags say.
func (a *App) EnvironmentFor(cred credstore.Credential, profile string) (procore.Environment, error) {
	if a.cfg.Demo || profile == "" || cred.Environment == "" || a.cfg.APIURL != "" || a.cfg.LoginURL != "" {
		return a.Target()
	}
	if cred.Environment == "custom" {
		return procore.Environment{}, Usage(fmt.Errorf("profile %q was made against the addresses given with --api-url and --login-url, which are not stored; give them again", profile))
	}
	made, err := procore.EnvironmentNamed(cred.Environment)
	if err != nil {
		return made, fmt.Errorf("profile %q was made for environment %q, which this procore-sa does not know (%v)", profile, cred.Environment, err)
	}
	asked, err := procore.EnvironmentNamed(a.cfg.Env)
	if err != nil {
		return asked, Usage(fmt.Errorf("--env: %w", err))
	}
	if asked.Name == made.Name {
		return made, nil
	}
	if a.envExplicit() {
		return made, Usage(fmt.Errorf("--env %s, but profile %q holds a credential made for %s, and a credential works only in the environment it was made in: leave out --env (or give --env %s), or use a profile made for %s",
			a.cfg.Env, profile, made.Name, made.Name, asked.Name))
	}
	a.say(fmt.Sprintf("using the %s environment, where profile %q's credential was made", made.Name, profile))
	return made, nil
}

// envExplicit says whether --env was given, even as "--env production",
// which looks like the flag's default.
func (a *App) envExplicit() bool {
	if a.cfg.EnvGiven {
		return true
	}
	name, err := procore.EnvironmentNamed(a.cfg.Env)
	return err != nil || name.Name != procore.Production.Name
}

// Client builds an API client for a resolved credential, renewing and
// re-storing an admin's refresh token as needed.
func (a *App) Client(ctx context.Context, r Resolved, onEvent func(procore.Event)) (*procore.Client, error) {
	cred, profile := r.Cred, r.Profile
	env, err := a.EnvironmentFor(cred, profile)
	if err != nil {
		return nil, err
	}
	if r.UserLogin != "" && r.UserLoginCred.Environment != "" && cred.Environment != "" && r.UserLoginCred.Environment != cred.Environment {
		return nil, fmt.Errorf("profile %q is a user in %s, but the admin's sign-in (profile %q) is for %s: sign in with 'procore-sa login --profile %s --env %s'",
			r.UserLogin, r.UserLoginCred.Environment, profile, cred.Environment, AdminProfile, r.UserLoginCred.Environment)
	}
	company := a.CompanyFor(cred)
	if company == 0 && r.UserLogin != "" {
		company = r.UserLoginCred.CompanyID
	}
	if company == 0 {
		return nil, Usage(errors.New("no company ID: give --company ID"))
	}
	var auth procore.Auth
	switch cred.Kind {
	case credstore.KindClientCredentials:
		auth = procore.ClientCredentials(env, nil, cred.ClientID, cred.ClientSecret)
	case credstore.KindAdminOAuth:
		auth = a.signInAuth(env, profile, cred)
	default:
		return nil, fmt.Errorf("profile %q holds a %s: a user's login and password cannot be used through the API; sign in at Procore's login page to check it", profile, cred.Kind)
	}
	pc := procore.Config{Env: env, CompanyID: company, Auth: auth, UserAgent: a.cfg.UserAgent, OnEvent: onEvent}
	if a.cfg.ClientBounds != nil {
		a.cfg.ClientBounds(&pc)
	}
	return procore.New(pc)
}

// ClientFor resolves profile and builds its client.
func (a *App) ClientFor(ctx context.Context, profile string, demo DemoIdentity, onEvent func(procore.Event)) (*procore.Client, Resolved, error) {
	r, err := a.Resolve(ctx, profile, demo)
	if err != nil {
		return nil, r, err
	}
	c, err := a.Client(ctx, r, onEvent)
	return c, r, err
}

// RefreshSaveAttempts is how often a new refresh token is offered to the
// keychain before giving up: the old one is already spent.
const RefreshSaveAttempts = 3

// RefreshSavePause is the wait between those attempts (a variable for
// tests).
var RefreshSavePause = time.Second

// keepRefreshToken stores the refresh token that a refresh just issued.
// Procore has retired the old one, so this save is patient: it waits as
// long as a person may take to unlock the keychain when the OS asks, goes
// on when the caller is interrupted, and tries again before giving up. It
// replaces the same sign-in only: should the profile now hold another
// credential, the token goes beside it, and the person is told.
func (a *App) keepRefreshToken(ctx context.Context, profile string, next credstore.Credential) error {
	store, _ := a.Credentials(ctx)
	ctx = credstore.Interactive(context.WithoutCancel(ctx))
	pl := credstore.Placement{Profile: profile, Beside: credstore.BesideNames(profile)}
	var err error
	for attempt := 1; ; attempt++ {
		var saved credstore.Saved
		if saved, err = store.Save(ctx, pl, next, true); err == nil {
			detail := "new refresh token stored"
			if saved.Profile != profile {
				detail = fmt.Sprintf("new refresh token stored as profile %s; %s", saved.Profile, saved.Note())
				a.say(fmt.Sprintf("the new refresh token is stored as profile %q, not %q: %s; use --profile %s from now on", saved.Profile, profile, saved.Note(), saved.Profile))
			}
			a.Audit("refresh", saved.Profile, detail)
			return nil
		}
		if attempt == RefreshSaveAttempts || credstore.ClassOf(err) == credstore.TooBig || credstore.ClassOf(err) == credstore.Taken {
			break
		}
		a.warn(fmt.Sprintf("the new refresh token for profile %q is not stored yet (%v); trying again: unlock the keychain if it asks", profile, err))
		time.Sleep(RefreshSavePause)
	}
	a.Audit("refresh", profile, "new refresh token NOT stored: "+credstore.ClassOf(err).String())
	return fmt.Errorf("%w; the sign-in must be made again: 'procore-sa login --profile %s'", err, profile)
}

// sayOnce is a notice that says msg the first time it is called.
func (a *App) sayOnce(msg string) func() {
	var once sync.Once
	return func() { once.Do(func() { a.say(msg) }) }
}

// signInAuth is the token source of an admin's sign-in, one per profile
// and refresh token for the run: Procore's refresh tokens are single-use,
// so two clients refreshing the same one at once (a plan and a check read
// in parallel) would leave the second refused. A source is used again when
// the stored refresh token is one it was made from or has since kept; a
// token it has never seen (a new sign-in) gets a new source.
func (a *App) signInAuth(env procore.Environment, profile string, cred credstore.Credential) procore.Auth {
	start := &oauth2.Token{RefreshToken: cred.RefreshToken.Reveal()}
	if profile == "" {
		// A demo sign-in for this run: nothing to store, nothing to share.
		return procore.RefreshingAuth(env, nil, cred.ClientID, cred.ClientSecret, start,
			func(context.Context, *oauth2.Token) error { return nil })
	}
	key := profile + "\x00" + cred.ClientID + "\x00" + env.APIURL
	seen := tokenHash(start.RefreshToken)
	a.mu.Lock()
	defer a.mu.Unlock()
	prev, ok := a.signIns[key]
	if ok && prev.knows(seen) {
		return prev.auth
	}
	sa := &sharedAuth{known: map[[32]byte]bool{seen: true}}
	if ok {
		// A new sign-in for the profile: a read of the keychain that
		// began before it and answers late still finds this source.
		maps.Copy(sa.known, prev.snapshot())
	}
	sa.auth = procore.RefreshingAuth(env, nil, cred.ClientID, cred.ClientSecret, start, func(ctx context.Context, tok *oauth2.Token) error {
		// Known before it is stored, so a read that finds it in the
		// keychain at once uses this source, not a new one.
		sa.learn(tokenHash(tok.RefreshToken))
		next := cred
		next.RefreshToken = secret.New(tok.RefreshToken)
		return a.keepRefreshToken(ctx, profile, next)
	})
	if a.signIns == nil {
		a.signIns = map[string]*sharedAuth{}
	}
	a.signIns[key] = sa
	return sa.auth
}

// sharedAuth is a sign-in's token source and the refresh tokens it has
// held, by hash (no more copies of a secret than the source's own).
type sharedAuth struct {
	auth  procore.Auth
	mu    sync.Mutex
	known map[[32]byte]bool
}

func (s *sharedAuth) knows(h [32]byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.known[h]
}

func (s *sharedAuth) snapshot() map[[32]byte]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.known)
}

func (s *sharedAuth) learn(h [32]byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.known[h] = true
}

func tokenHash(t string) [32]byte { return sha256.Sum256([]byte(t)) }
