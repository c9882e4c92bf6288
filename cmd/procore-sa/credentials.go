package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/oauth2"
	"golang.org/x/term"

	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/state"
)

// rotateAfter is when a credential is flagged for rotation: seed 004's
// vendor rotates every six months.
const rotateAfter = 180 * 24 * time.Hour

// audit records an action on a profile in the state directory's audit log.
func (a *app) audit(action, profile, detail string) {
	st, err := a.stateStore()
	if err != nil {
		a.warn("could not write the audit log: " + err.Error())
		return
	}
	if err := st.Audit(state.AuditEntry{Action: action, Profile: profile, Detail: detail}); err != nil {
		a.warn(err.Error()) // it says what could not be written
	}
}

// say tells the person something on stderr, except while the full-screen
// wizard owns the terminal.
func (a *app) say(msg string) {
	if !a.quiet {
		fmt.Fprintln(a.stderr, "procore-sa: "+msg)
	}
}

// lineReader reads the person's answers from standard input.
type lineReader struct{ r *bufio.Reader }

func (a *app) lines() *lineReader { return &lineReader{r: bufio.NewReader(a.stdin)} }

func (l *lineReader) line() (string, error) {
	s, err := l.r.ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && s != "") {
		return "", err
	}
	return strings.TrimSpace(s), nil
}

// hidden reads a secret: without echo from a terminal, else one line.
func (a *app) hidden(l *lineReader, prompt string) (secret.Value, error) {
	if f, ok := a.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(a.stderr, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(a.stderr)
		if err != nil {
			return secret.Value{}, err
		}
		return secret.New(strings.TrimSpace(string(b))), nil
	}
	s, err := l.line()
	return secret.New(s), err
}

// envCredential is a client-credentials credential from the environment,
// which overrides a stored one; the program says so when it is used.
func (a *app) envCredential() (credstore.Credential, bool) {
	id, sec := os.Getenv("PROCORE_CLIENT_ID"), os.Getenv("PROCORE_CLIENT_SECRET")
	if id == "" || sec == "" {
		return credstore.Credential{}, false
	}
	return credstore.Credential{Version: 1, Kind: credstore.KindClientCredentials, Environment: a.env,
		CompanyID: a.company, ClientID: id, ClientSecret: secret.New(sec)}, true
}

// adminProfile is where a user-login guide's wizard looks for an admin's
// own sign-in ('procore-sa login --profile admin') when the profile itself
// holds only the integration user's password.
const adminProfile = "admin"

// usableCred is a credential the API can use and where it came from.
type usableCred struct {
	cred    credstore.Credential
	profile string // the profile read; "" for the environment's or the simulator's own

	// userLogin, when set, is the profile asked for: it holds a user's
	// login and password, and cred is the admin's sign-in instead.
	userLogin     string
	userLoginCred credstore.Credential
}

// usable is the profile's credential, or, when that is a user's login and
// password (which the API cannot use), the admin's sign-in; under --demo,
// failing both, the simulator's own DMSA.
func (a *app) usable(ctx context.Context, store *credstore.Store) (usableCred, error) {
	interactive := !a.demo
	if interactive {
		ctx = credstore.Interactive(ctx)
	}
	cred, err := store.Load(ctx, a.profile, interactive)
	u := usableCred{cred: cred, profile: a.profile}
	if err == nil && cred.Kind == credstore.KindUserLogin {
		u.userLogin, u.userLoginCred = a.profile, cred
		if admin, aerr := store.Load(ctx, adminProfile, interactive); aerr == nil {
			u.cred, u.profile = admin, adminProfile
		} else {
			err = fmt.Errorf("profile %q holds the login and password of a user (%s), which the API cannot sign in with; procore-sa works for it through a company admin's sign-in, profile %q, and that could not be read (%v): sign in with 'procore-sa login --profile %s'",
				a.profile, cred.Login, adminProfile, aerr, adminProfile)
		}
	}
	if err != nil && a.demo {
		// The demo's simulator may not be started yet: its own DMSA is
		// the credential a demo without a saved one uses.
		r, serr := a.demoSim()
		if serr != nil {
			return u, serr
		}
		fx := r.Fixtures()
		a.say("demo: using the simulator's own DMSA credential")
		return usableCred{cred: credstore.Credential{Version: 1, Kind: credstore.KindClientCredentials, Environment: "demo",
			CompanyID: fx.CompanyID, ClientID: fx.DMSAClientID, ClientSecret: secret.New(fx.DMSAClientSecret)}}, nil
	}
	if err != nil {
		return u, err
	}
	if u.userLogin != "" {
		a.audit("read", u.userLogin, "user login; the admin's sign-in is used")
	}
	a.audit("read", u.profile, "for use")
	return u, nil
}

// environmentFor is where a stored credential is used: the environment it
// was made in, unless --api-url or --login-url give addresses (they win),
// or --env names another (refused: a credential works only where it was
// made). A credential from the environment variables, or one that names no
// environment, goes where the flags say.
func (a *app) environmentFor(cred credstore.Credential, profile string) (procore.Environment, error) {
	if a.demo || profile == "" || cred.Environment == "" || a.apiURL != "" || a.loginURL != "" {
		return a.target()
	}
	if cred.Environment == "custom" {
		return procore.Environment{}, usage(fmt.Errorf("profile %q was made against the addresses given with --api-url and --login-url, which are not stored; give them again", profile))
	}
	made, err := procore.EnvironmentNamed(cred.Environment)
	if err != nil {
		return made, failed(fmt.Errorf("profile %q was made for environment %q, which this procore-sa does not know (%v)", profile, cred.Environment, err))
	}
	asked, err := procore.EnvironmentNamed(a.env)
	if err != nil {
		return asked, usage(fmt.Errorf("--env: %w", err))
	}
	if asked.Name == made.Name {
		return made, nil
	}
	if a.envExplicit() {
		return made, usage(fmt.Errorf("--env %s, but profile %q holds a credential made for %s, and a credential works only in the environment it was made in: leave out --env (or give --env %s), or use a profile made for %s",
			a.env, profile, made.Name, made.Name, asked.Name))
	}
	a.say(fmt.Sprintf("using the %s environment, where profile %q's credential was made", made.Name, profile))
	return made, nil
}

// envExplicit says whether --env was given, even as "--env production",
// which looks like the flag's default.
func (a *app) envExplicit() bool {
	if a.envGiven {
		return true
	}
	name, err := procore.EnvironmentNamed(a.env)
	return err != nil || name.Name != procore.Production.Name
}

// refreshSaveAttempts is how often a new refresh token is offered to the
// keychain before giving up: the old one is already spent.
const refreshSaveAttempts = 3

// refreshSavePause is the wait between those attempts.
var refreshSavePause = time.Second

// client builds an API client for the profile (or the environment's
// credential), renewing and re-storing an admin's refresh token as needed.
// When the profile holds a user's login, it says that the admin's sign-in
// is used instead.
func (a *app) client(ctx context.Context, onEvent func(procore.Event)) (*procore.Client, credstore.Credential, error) {
	c, u, err := a.apiClient(ctx, onEvent)
	if err == nil && u.userLogin != "" {
		a.say(fmt.Sprintf("profile %q holds a user's login, which the API cannot sign in with; using the admin's sign-in, profile %q", u.userLogin, u.profile))
	}
	return c, u.cred, err
}

func (a *app) apiClient(ctx context.Context, onEvent func(procore.Event)) (*procore.Client, usableCred, error) {
	store, _ := a.credStore(ctx)
	var u usableCred
	if cred, fromEnv := a.envCredential(); fromEnv {
		a.say("using the credential in PROCORE_CLIENT_ID and PROCORE_CLIENT_SECRET (the environment supplied it), not the keychain")
		u.cred = cred
	} else {
		var err error
		if u, err = a.usable(ctx, store); err != nil {
			return nil, u, failed(err)
		}
	}
	cred, profile := u.cred, u.profile
	env, err := a.environmentFor(cred, profile)
	if err != nil {
		return nil, u, err
	}
	if u.userLogin != "" && u.userLoginCred.Environment != "" && cred.Environment != "" && u.userLoginCred.Environment != cred.Environment {
		return nil, u, failed(fmt.Errorf("profile %q is a user in %s, but the admin's sign-in (profile %q) is for %s: sign in with 'procore-sa login --profile %s --env %s'",
			u.userLogin, u.userLoginCred.Environment, profile, cred.Environment, adminProfile, u.userLoginCred.Environment))
	}
	company := a.company
	if company == 0 {
		company = cred.CompanyID
	}
	if company == 0 && u.userLogin != "" {
		company = u.userLoginCred.CompanyID
	}
	if company == 0 {
		return nil, u, usage(errors.New("no company ID: give --company ID"))
	}
	var auth procore.Auth
	switch cred.Kind {
	case credstore.KindClientCredentials:
		auth = procore.ClientCredentials(env, nil, cred.ClientID, cred.ClientSecret)
	case credstore.KindAdminOAuth:
		auth = procore.RefreshingAuth(env, nil, cred.ClientID, cred.ClientSecret, &oauth2.Token{RefreshToken: cred.RefreshToken.Reveal()},
			func(ctx context.Context, tok *oauth2.Token) error {
				next := cred
				next.RefreshToken = secret.New(tok.RefreshToken)
				return a.keepRefreshToken(ctx, store, profile, next)
			})
	default:
		return nil, u, failed(fmt.Errorf("profile %q holds a %s: a user's login and password cannot be used through the API; sign in at Procore's login page to check it", profile, cred.Kind))
	}
	c, err := procore.New(procore.Config{Env: env, CompanyID: company, Auth: auth, UserAgent: userAgent(), OnEvent: onEvent})
	if err != nil {
		return nil, u, failed(err)
	}
	return c, u, nil
}

// keepRefreshToken stores the refresh token that a refresh just issued.
// Procore has retired the old one, so this save is patient: it waits as
// long as a person may take to unlock the keychain when the OS asks, goes
// on when the caller is interrupted, and tries again before giving up. It
// replaces the same sign-in only: should the profile now hold another
// credential, the token goes beside it, and the person is told.
func (a *app) keepRefreshToken(ctx context.Context, store *credstore.Store, profile string, next credstore.Credential) error {
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
			a.audit("refresh", saved.Profile, detail)
			return nil
		}
		if attempt == refreshSaveAttempts || credstore.ClassOf(err) == credstore.TooBig || credstore.ClassOf(err) == credstore.Taken {
			break
		}
		a.say(fmt.Sprintf("the new refresh token for profile %q is not stored yet (%v); trying again: unlock the keychain if it asks", profile, err))
		time.Sleep(refreshSavePause)
	}
	a.audit("refresh", profile, "new refresh token NOT stored: "+credstore.ClassOf(err).String())
	return fmt.Errorf("%w; the sign-in must be made again: 'procore-sa login --profile %s'", err, profile)
}

func newVerifyCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "verify",
		Short: "Prove a stored credential works: token, companies, permitted projects",
		Long: `Prove that a stored credential works: get a token with it, read who it
is, find the company among those it reaches, and count the projects it sees.
Exit 0 when every check passes, 1 when one fails (a credential refused).

A user_login profile (a user's login and password, from seeds 000 and 001)
cannot be checked this way: the API does not sign in with a password.
procore-sa works for such a user through a company admin's sign-in, the
'admin' profile ('procore-sa login --profile admin'), so verify checks that
sign-in instead, says so, and ends with a line saying that the user's own
login was not verified; it exits 0 when the admin's sign-in passes, and 1
when there is no usable admin sign-in. Check the user's password by signing
in at Procore's login page.

The credential is used in the environment it was made in. --api-url and
--login-url send it elsewhere; --env naming another environment is refused.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			defer a.stopDemo()
			c, u, err := a.apiClient(ctx, nil)
			if err != nil {
				return err
			}
			if u.userLogin != "" {
				fmt.Fprintf(a.stdout, "note  profile %q holds the login of a user (%s) and its password, which the API cannot sign in with.\n", u.userLogin, u.userLoginCred.Login)
				fmt.Fprintf(a.stdout, "note  Checking the admin's sign-in instead, profile %q, which procore-sa uses to act for that user:\n", u.profile)
			}
			facts, err := verifyFacts(ctx, c)
			if err != nil {
				if u.userLogin != "" {
					return failed(fmt.Errorf("the admin's sign-in (profile %q) failed: %w", u.profile, err))
				}
				return failed(err)
			}
			for _, f := range facts {
				fmt.Fprintln(a.stdout, "ok  "+f)
			}
			if u.userLogin != "" {
				fmt.Fprintf(a.stdout, "not verified: profile %q itself (the login of %s); the checks above are of the admin's sign-in, profile %q. Check that login at Procore's login page.\n",
					u.userLogin, u.userLoginCred.Login, u.profile)
			}
			return nil
		},
	}
}

func newLoginCmd(a *app) *cobra.Command {
	var clientID string
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Sign in as an admin (authorization code, out-of-band) and keep the refresh token",
		Long: `Sign in as a Procore admin with an app's authorization code flow.

The sign-in page's address is printed as plain text (and opened in a browser
only on a local desktop session, never over SSH). Approve the app there, then
paste the code Procore shows. The refresh token goes to the keychain as an
admin_oauth profile and is replaced every time it is used.

If the keychain will not take it, the reason is shown and you may try the
keychain again, write it to a file encrypted with a passphrase (typed twice;
the file is 0600 and decrypts with 'age -d'), or discard it. It is never
written in plain text.

The app's client secret is read from PROCORE_CLIENT_SECRET or asked for; it
is never taken from a flag.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.login(cmd.Context(), clientID)
		},
	}
	cmd.Flags().StringVar(&clientID, "client-id", "", "the app's client ID (or PROCORE_CLIENT_ID)")
	return cmd
}

func (a *app) login(ctx context.Context, clientID string) error {
	if err := credstore.ValidateProfile(a.profile); err != nil {
		return usage(fmt.Errorf("--profile: %w", err))
	}
	env, err := a.target()
	if err != nil {
		return err
	}
	defer a.stopDemo()
	in := a.lines()
	var clientSecret secret.Value
	if clientID == "" {
		clientID = os.Getenv("PROCORE_CLIENT_ID")
	}
	if a.demo {
		fx := a.sim.Fixtures()
		clientID, clientSecret = fx.AdminClientID, secret.New(fx.AdminClientSecret)
	}
	if clientID == "" {
		return usage(errors.New("give the app's client ID with --client-id or PROCORE_CLIENT_ID"))
	}
	if clientSecret.IsZero() {
		if v := os.Getenv("PROCORE_CLIENT_SECRET"); v != "" {
			clientSecret = secret.New(v)
			fmt.Fprintln(a.stderr, "procore-sa: the client secret came from PROCORE_CLIENT_SECRET")
		} else if clientSecret, err = a.hidden(in, "The app's client secret (not shown): "); err != nil {
			return failed(fmt.Errorf("read the client secret: %w", err))
		}
	}
	pl, asked := a.loginPlacement(ctx, in, env, clientID)
	stateTok := fmt.Sprintf("%d", time.Now().UnixNano())
	url := procore.AuthCodeURL(env, clientID, stateTok)
	fmt.Fprintf(a.stdout, "Open this address, sign in and approve the app:\n\n  %s\n\n", url)
	var code string
	if a.demo {
		// The simulator approves the demo's admin without a browser.
		if code, err = a.sim.IssueCode(clientID, procore.OOBRedirect); err != nil {
			return failed(err)
		}
		fmt.Fprintln(a.stdout, "Demo: the simulator approved the sign-in.")
	} else {
		if localDesktop() {
			openBrowser(url)
		}
		fmt.Fprint(a.stderr, "Paste the code Procore shows: ")
		if code, err = in.line(); err != nil || code == "" {
			return failed(errors.New("no code was pasted; run 'procore-sa login' again"))
		}
	}
	cred, err := a.exchangeLogin(ctx, env, clientID, clientSecret, code)
	if err != nil {
		return failed(err)
	}
	where, note, err := a.storeLogin(ctx, pl, cred, asked)
	if err != nil {
		// Procore has issued the refresh token and will not show it again:
		// do not drop it because the keychain failed.
		if where, note, err = a.keepLoginElsewhere(ctx, in, pl, cred, asked, err); err != nil {
			return err
		}
	}
	fmt.Fprintf(a.stdout, "Signed in. The refresh token is in %s.\n", where)
	if note != "" {
		fmt.Fprintf(a.stdout, "Note: %s.\n", note)
	}
	return nil
}

// loginPlacement is where a sign-in for the profile asked goes: the profile
// itself when it is free (empty, or an older sign-in through the same
// app); else, asked in a terminal, the name the person gives; else beside
// it (admin first when the profile is the default one), which is said
// before the sign-in starts. asked is what the profile asked holds, for
// the note after the save, when the person chose another name.
func (a *app) loginPlacement(ctx context.Context, in *lineReader, env procore.Environment, clientID string) (credstore.Placement, credstore.Saved) {
	pl := besideLogin(a.profile)
	store, _ := a.credStore(ctx)
	like := credstore.Credential{Kind: credstore.KindAdminOAuth, Environment: env.Name, ClientID: clientID}
	plan, err := store.Place(credstore.Interactive(ctx), pl, like, true)
	if err != nil || plan.Beside == "" {
		// Free, or the keychain cannot tell: the save says what it finds.
		return pl, credstore.Saved{}
	}
	if !a.stdinTerminal() {
		a.say(fmt.Sprintf("profile %q holds %s, which is kept; the sign-in will be saved beside it as profile %q", plan.Beside, plan.Holds, plan.Profile))
		return pl, credstore.Saved{}
	}
	for {
		fmt.Fprintf(a.stderr, "Profile %q holds %s, which a sign-in must not replace.\nSave the sign-in as profile %q instead (press enter), or type another name: ", plan.Beside, plan.Holds, plan.Profile)
		name, err := in.line()
		if err != nil || name == "" {
			return credstore.Placement{Profile: plan.Profile, Beside: pl.Beside}, plan
		}
		if err := credstore.ValidateProfile(name); err != nil {
			fmt.Fprintf(a.stderr, "  %v\n", err)
			continue
		}
		if name == plan.Beside {
			fmt.Fprintln(a.stderr, "  That is the profile that holds the other credential; choose another name.")
			continue
		}
		return besideLogin(name), plan
	}
}

// besideLogin places a sign-in in profile, else beside it: under admin
// first when profile is the default one, then numbered names.
func besideLogin(profile string) credstore.Placement {
	if profile == "default" {
		return credstore.Placement{Profile: profile, Beside: credstore.BesideNames(adminProfile, adminProfile)}
	}
	return credstore.Placement{Profile: profile, Beside: credstore.BesideNames(profile)}
}

// stdinTerminal reports whether the person answers at a terminal.
func (a *app) stdinTerminal() bool {
	f, ok := a.stdin.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// completeLogin trades an authorization code for tokens and keeps the
// refresh token as an admin_oauth profile, by the rule of every keychain
// write; it says where it is kept.
func (a *app) completeLogin(ctx context.Context, env procore.Environment, clientID string, clientSecret secret.Value, code string, pl credstore.Placement) (where, note string, err error) {
	cred, err := a.exchangeLogin(ctx, env, clientID, clientSecret, code)
	if err != nil {
		return "", "", err
	}
	return a.storeLogin(ctx, pl, cred, credstore.Saved{})
}

// exchangeLogin trades an authorization code for the admin_oauth
// credential to keep.
func (a *app) exchangeLogin(ctx context.Context, env procore.Environment, clientID string, clientSecret secret.Value, code string) (credstore.Credential, error) {
	tok, err := procore.Exchange(ctx, nil, env, clientID, clientSecret, code)
	if err != nil {
		return credstore.Credential{}, err
	}
	return credstore.Credential{Version: 1, Kind: credstore.KindAdminOAuth, Environment: env.Name, CompanyID: a.company,
		ClientID: clientID, ClientSecret: clientSecret, RefreshToken: secret.New(tok.RefreshToken), CreatedAt: a.clock()().UTC()}, nil
}

// storeLogin saves a sign-in to the keychain where pl allows and reads it
// back. It says where it is kept and, as a note, what was kept beside it
// (asked: what the profile first asked for holds, when the person chose
// another name); the audit line says the same.
func (a *app) storeLogin(ctx context.Context, pl credstore.Placement, cred credstore.Credential, asked credstore.Saved) (where, note string, err error) {
	store, memoryOnly := a.credStore(ctx)
	ctx = credstore.NoticeSlow(credstore.Interactive(ctx), a.sayOnce(credstore.KeychainWait))
	saved, err := store.Save(ctx, pl, cred, true)
	if err != nil {
		return "", "", err
	}
	if saved.Beside == "" && asked.Beside != "" && saved.Profile != asked.Beside {
		saved.Beside, saved.Holds = asked.Beside, asked.Holds
	}
	note = saved.Note()
	detail := fmt.Sprintf("admin_oauth saved as profile %s", saved.Profile)
	if note != "" {
		detail += "; " + note
	}
	a.audit("login", saved.Profile, detail)
	if memoryOnly {
		return fmt.Sprintf("memory only (demo: no keychain on this machine) as profile %q", saved.Profile), note, nil
	}
	return fmt.Sprintf("the keychain (%s, service %s) as profile %q", store.Backend(), store.Service, saved.Profile), note, nil
}

// sayOnce is a notice that says msg on stderr the first time it is called.
func (a *app) sayOnce(msg string) func() {
	var once sync.Once
	return func() { once.Do(func() { a.say(msg) }) }
}

// loginFallback is what 'procore-sa login' offers when the keychain fails.
const loginFallback = "or answer a below to write it to an age file encrypted with a passphrase (never plain text)"

// keepLoginElsewhere holds a sign-in the keychain would not take: the person
// may try the keychain again, write an age file encrypted with a passphrase
// (typed twice; the file 0600), or type discard. Nothing is ever written in
// plain text. It says where the sign-in went, or fails.
func (a *app) keepLoginElsewhere(ctx context.Context, in *lineReader, pl credstore.Placement, cred credstore.Credential, asked credstore.Saved, saveErr error) (where, note string, err error) {
	profile := pl.Profile
	fmt.Fprintf(a.stderr, "procore-sa: %v\n", credstore.WithFallback(saveErr, loginFallback))
	lost := func(why string) error {
		return failed(fmt.Errorf("%s: the refresh token was not kept; run 'procore-sa login' again once the keychain works", why))
	}
	for {
		fmt.Fprint(a.stderr, "The new refresh token is held here, unsaved, and is never written in plain text.\n"+
			"Try the keychain again (t), write it to a file encrypted with a passphrase (a), or type discard to drop it: ")
		ans, err := in.line()
		if err != nil {
			return "", "", lost("no answer")
		}
		switch strings.ToLower(ans) {
		case "t", "":
			where, note, err := a.storeLogin(ctx, pl, cred, asked)
			if err == nil {
				return where, note, nil
			}
			fmt.Fprintf(a.stderr, "procore-sa: %v\n", credstore.WithFallback(err, loginFallback))
		case "a":
			path, err := a.exportLogin(in, profile, cred)
			if err != nil {
				return "", "", err
			}
			if path != "" {
				a.audit("login", profile, "admin_oauth kept in an age file, not the keychain")
				return fmt.Sprintf("%s, encrypted with your passphrase, not the keychain (decrypt it with: age -d %s)", path, path), "", nil
			}
		case "discard":
			return "", "", lost("discarded")
		default:
			fmt.Fprintln(a.stderr, "  Answer t, a or discard.")
		}
	}
}

// minPassphrase is the shortest passphrase an age file is written with.
const minPassphrase = 12

// exportLogin asks for a passphrase twice and a file, and writes the age
// file (0600, never over an existing file). It returns the path, or "" when
// nothing was written (and says why); an error when input ran out.
func (a *app) exportLogin(in *lineReader, profile string, cred credstore.Credential) (string, error) {
	noInput := failed(errors.New("no answer: the refresh token was not kept; run 'procore-sa login' again once the keychain works"))
	var pass secret.Value
	for {
		p1, err := a.hidden(in, fmt.Sprintf("Passphrase (at least %d characters, not shown): ", minPassphrase))
		if err != nil {
			return "", noInput
		}
		if len([]rune(p1.Reveal())) < minPassphrase {
			fmt.Fprintf(a.stderr, "  Choose a passphrase of at least %d characters.\n", minPassphrase)
			continue
		}
		p2, err := a.hidden(in, "The same passphrase again (not shown): ")
		if err != nil {
			return "", noInput
		}
		if !p1.Equal(p2) {
			fmt.Fprintln(a.stderr, "  The two passphrases differ; type them again.")
			continue
		}
		pass = p1
		break
	}
	def := defaultExportPath(profile, a.clock()())
	fmt.Fprintf(a.stderr, "File to write [%s]: ", def)
	path, err := in.line()
	if err != nil {
		return "", noInput
	}
	if path == "" {
		path = def
	}
	if err := credstore.ExportCredential(path, pass, cred); err != nil {
		fmt.Fprintf(a.stderr, "procore-sa: %v\n", err)
		return "", nil
	}
	a.audit("export", profile, path)
	return path, nil
}

// defaultExportPath is where an age file goes unless the person says
// otherwise: the home directory, named for the profile and the time.
func defaultExportPath(profile string, now time.Time) string {
	home, err := os.UserHomeDir()
	if err != nil {
		home = "."
	}
	return filepath.Join(home, fmt.Sprintf("procore-sa-%s-%s.age", profile, now.Format("20060102-150405")))
}

// wizardLogin is the wizard's admin-login step: the same sign-in as the
// login command, kept as the admin profile.
type wizardLogin struct {
	a        *app
	env      procore.Environment
	clientID string
	secret   secret.Value // the admin app's client secret
}

func (w *wizardLogin) Start(ctx context.Context) (string, string, error) {
	a := w.a
	env, err := a.target()
	if err != nil {
		return "", "", err
	}
	w.env = env
	switch {
	case a.demo:
		fx := a.sim.Fixtures()
		w.clientID, w.secret = fx.AdminClientID, secret.New(fx.AdminClientSecret)
	case os.Getenv("PROCORE_CLIENT_ID") != "" && os.Getenv("PROCORE_CLIENT_SECRET") != "":
		w.clientID, w.secret = os.Getenv("PROCORE_CLIENT_ID"), secret.New(os.Getenv("PROCORE_CLIENT_SECRET"))
	default:
		return "", "", errors.New("to sign in here, set PROCORE_CLIENT_ID and PROCORE_CLIENT_SECRET to your admin app's credentials before starting procore-sa; or go back and press h to do this step by hand")
	}
	url := procore.AuthCodeURL(env, w.clientID, fmt.Sprintf("%d", time.Now().UnixNano()))
	if a.demo {
		// The simulator approves the demo's admin without a browser.
		code, err := a.sim.IssueCode(w.clientID, procore.OOBRedirect)
		return url, code, err
	}
	if localDesktop() {
		openBrowser(url)
	}
	return url, "", nil
}

func (w *wizardLogin) Finish(ctx context.Context, code string) (string, error) {
	where, note, err := w.a.completeLogin(ctx, w.env, w.clientID, w.secret, code, besideLogin(adminProfile))
	if err != nil {
		return "", err
	}
	msg := fmt.Sprintf("Signed in. The refresh token is in %s.", where)
	if note != "" {
		msg += " Note: " + note + "."
	}
	return msg, nil
}

// localDesktop reports whether a browser may be opened: a desktop session
// on this machine, not a remote shell.
func localDesktop() bool {
	for _, v := range []string{"SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY"} {
		if os.Getenv(v) != "" {
			return false
		}
	}
	switch runtime.GOOS {
	case "darwin", "windows":
		return true
	}
	return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
}

func openBrowser(url string) {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	cmd.Env = browserEnv(os.Environ())
	_ = cmd.Start() // the address is printed either way
}

// browserEnv is the environment a browser is started with: procore-sa's
// own, less its credentials, since the browser lives on after procore-sa
// and hands its environment to whatever it starts.
func browserEnv(environ []string) []string {
	return slices.DeleteFunc(slices.Clone(environ), func(kv string) bool {
		return strings.HasPrefix(kv, "PROCORE_CLIENT_SECRET=") || strings.HasPrefix(kv, "PROCORE_CLIENT_ID=")
	})
}

func newSecretCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "secret", Short: "What is stored (never the secret itself), removal, encrypted export", Args: noArgs}
	list := &cobra.Command{
		Use: "list", Short: "List the stored profiles: kind, environment, age; never a secret", Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rows, err := a.profiles(cmd.Context())
			if err != nil {
				return failed(err)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "PROFILE\tKIND\tENVIRONMENT\tCOMPANY\tAGE")
			for _, r := range rows {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", r.Profile, r.Kind, r.Environment, r.CompanyID, r.age())
			}
			return tw.Flush()
		},
	}
	del := &cobra.Command{
		Use: "delete PROFILE", Short: "Delete a stored profile from the keychain",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usage(errors.New("secret delete takes one profile name; see 'procore-sa secret list'"))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			store, _ := a.credStore(cmd.Context())
			if err := store.Delete(credstore.Interactive(cmd.Context()), args[0]); err != nil {
				return failed(err)
			}
			a.audit("delete", args[0], "")
			fmt.Fprintf(a.stdout, "Deleted profile %q.\n", args[0])
			return nil
		},
	}
	var to string
	export := &cobra.Command{
		Use: "export PROFILE --to FILE.age", Short: "Write a profile to a passphrase-encrypted file that the age tool decrypts",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usage(errors.New("secret export takes one profile name"))
			}
			if to == "" {
				return usage(errors.New("give the file to write with --to FILE.age"))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			store, _ := a.credStore(ctx)
			cred, err := store.Load(credstore.Interactive(ctx), args[0], true)
			if err != nil {
				return failed(err)
			}
			in := a.lines()
			p1, err := a.hidden(in, "Passphrase (not shown, at least 12 characters): ")
			if err != nil {
				return failed(err)
			}
			p2, err := a.hidden(in, "The same passphrase again: ")
			if err != nil {
				return failed(err)
			}
			if !p1.Equal(p2) {
				return failed(errors.New("the two passphrases differ; nothing was written"))
			}
			if err := credstore.ExportCredential(to, p1, cred); err != nil {
				return failed(err)
			}
			a.audit("export", args[0], to)
			fmt.Fprintf(a.stdout, "Wrote %s (0600). Decrypt it with: age -d %s\n", to, to)
			return nil
		},
	}
	export.Flags().StringVar(&to, "to", "", "the file to write (FILE.age)")
	cmd.AddCommand(list, del, export)
	return cmd
}

// profileRow is what list and status show of a profile: never a secret.
type profileRow struct {
	Profile     string    `json:"profile"`
	Kind        string    `json:"kind"`
	Environment string    `json:"environment"`
	CompanyID   int64     `json:"company_id,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	AgeDays     int       `json:"age_days"`
	Rotate      bool      `json:"rotate"`
	Problem     string    `json:"problem,omitempty"`
}

func (r profileRow) age() string {
	if r.Problem != "" {
		return r.Problem
	}
	s := fmt.Sprintf("%d days", r.AgeDays)
	if r.Rotate {
		s += " (rotate: older than 180 days)"
	}
	return s
}

func (a *app) profiles(ctx context.Context) ([]profileRow, error) {
	store, _ := a.credStore(ctx)
	// A keychain waiting for its unlock password says nothing: say what
	// the wait is, once.
	ctx = credstore.NoticeSlow(ctx, a.sayOnce(credstore.KeychainWait))
	names, err := store.Profiles(credstore.Interactive(ctx))
	if err != nil {
		return nil, err
	}
	var rows []profileRow
	for _, n := range names {
		c, err := store.Load(credstore.Interactive(ctx), n, true)
		if err != nil {
			rows = append(rows, profileRow{Profile: n, Problem: err.Error()})
			continue
		}
		age := a.clock()().Sub(c.CreatedAt)
		rows = append(rows, profileRow{Profile: n, Kind: string(c.Kind), Environment: c.Environment, CompanyID: c.CompanyID,
			CreatedAt: c.CreatedAt.UTC(), AgeDays: int(age / (24 * time.Hour)), Rotate: age > rotateAfter})
	}
	return rows, nil
}

func newStatusCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use: "status", Short: "Stored profiles and their age; flags any older than 180 days for rotation", Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rows, err := a.profiles(cmd.Context())
			if err != nil {
				return failed(err)
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				if rows == nil {
					rows = []profileRow{}
				}
				return enc.Encode(map[string]any{"service": a.keychainService(), "profiles": rows})
			}
			if len(rows) == 0 {
				fmt.Fprintln(a.stdout, "No stored profiles. Run a guide, or 'procore-sa login'.")
				return nil
			}
			for _, r := range rows {
				fmt.Fprintf(a.stdout, "%-16s %-18s %-10s %s\n", r.Profile, r.Kind, r.Environment, r.age())
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newDoctorCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use: "doctor", Short: "Check the keychain, the terminal and the environment", Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			store := credstore.NewStore(a.keychainService())
			ok := true
			fmt.Fprintf(a.stdout, "keychain:  %s, service %s\n", store.Backend(), store.Service)
			if err := store.Probe(ctx); err != nil {
				ok = false
				fmt.Fprintf(a.stdout, "           NOT reachable: %v\n", err)
			} else {
				fmt.Fprintln(a.stdout, "           reachable")
			}
			if runtime.GOOS == "linux" {
				fmt.Fprintf(a.stdout, "d-bus:     DBUS_SESSION_BUS_ADDRESS=%q\n", os.Getenv("DBUS_SESSION_BUS_ADDRESS"))
			}
			tty := "not a terminal"
			if f, isFile := a.stdout.(*os.File); isFile && term.IsTerminal(int(f.Fd())) {
				w, h, _ := term.GetSize(int(f.Fd()))
				tty = fmt.Sprintf("a terminal, %dx%d", w, h)
			}
			fmt.Fprintf(a.stdout, "terminal:  %s; TERM=%q; NO_COLOR=%v; plain mode: %v\n", tty, os.Getenv("TERM"), os.Getenv("NO_COLOR") != "", a.plain)
			if dir, err := state.Dir(); err == nil {
				fmt.Fprintf(a.stdout, "state:     %s\n", dir)
			}
			for _, v := range []string{"PROCORE_CLIENT_ID", "PROCORE_CLIENT_SECRET"} {
				if os.Getenv(v) != "" {
					fmt.Fprintf(a.stdout, "override:  %s is set and overrides the stored credential\n", v)
				}
			}
			if !ok {
				return &exitError{code: exitFailed}
			}
			return nil
		},
	}
}

// clock is the app's clock (a.now; time.Now when unset).
func (a *app) clock() func() time.Time {
	if a.now != nil {
		return a.now
	}
	return time.Now
}
