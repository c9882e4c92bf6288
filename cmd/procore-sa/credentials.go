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
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/oauth2"
	"golang.org/x/term"

	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/state"
)

// rotateAfter is when a credential is flagged for rotation: seed 004's
// vendor rotates every six months.
const rotateAfter = 180 * 24 * time.Hour

// audit records an action on a profile in the state directory's audit log.
func (a *app) audit(action, profile, detail string) {
	st, err := a.stateStore()
	if err == nil {
		err = st.Audit(state.AuditEntry{Action: action, Profile: profile, Detail: detail})
	}
	if err != nil {
		a.say("could not write the audit log: " + err.Error())
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
func (a *app) hidden(l *lineReader, prompt string) (procore.Secret, error) {
	if f, ok := a.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(a.stderr, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(a.stderr)
		if err != nil {
			return procore.Secret{}, err
		}
		return procore.NewSecret(strings.TrimSpace(string(b))), nil
	}
	s, err := l.line()
	return procore.NewSecret(s), err
}

// envCredential is a client-credentials credential from the environment,
// which overrides a stored one; the program says so when it is used.
func (a *app) envCredential() (procore.Credential, bool) {
	id, secret := os.Getenv("PROCORE_CLIENT_ID"), os.Getenv("PROCORE_CLIENT_SECRET")
	if id == "" || secret == "" {
		return procore.Credential{}, false
	}
	return procore.Credential{Version: 1, Kind: procore.KindClientCredentials, Environment: a.env,
		CompanyID: a.company, ClientID: id, ClientSecret: procore.NewSecret(secret)}, true
}

// adminProfile is where a user-login guide's wizard looks for an admin's
// own sign-in ('procore-sa login --profile admin') when the profile itself
// holds only the integration user's password.
const adminProfile = "admin"

// usableCredential is the profile's credential, or, when that is a user's
// login and password (which the API cannot use), the admin's sign-in;
// under --demo, failing both, the simulator's own DMSA.
func (a *app) usableCredential(ctx context.Context, store *procore.Store) (procore.Credential, string, error) {
	interactive := !a.demo
	if interactive {
		ctx = procore.Interactive(ctx)
	}
	cred, err := store.Load(ctx, a.profile, interactive)
	used := a.profile
	if err == nil && cred.Kind == procore.KindUserLogin {
		if admin, aerr := store.Load(ctx, adminProfile, interactive); aerr == nil {
			cred, used = admin, adminProfile
		} else {
			err = fmt.Errorf("profile %q holds the integration user's login, which the API cannot use; sign in as a company admin with 'procore-sa login --profile %s'", a.profile, adminProfile)
		}
	}
	if err != nil && a.demo && a.sim != nil {
		fx := a.sim.Fixtures()
		a.say("demo: using the simulator's own DMSA credential")
		return procore.Credential{Version: 1, Kind: procore.KindClientCredentials, Environment: "demo",
			CompanyID: fx.CompanyID, ClientID: fx.DMSAClientID, ClientSecret: procore.NewSecret(fx.DMSAClientSecret)}, "", nil
	}
	if err != nil {
		return cred, used, err
	}
	a.audit("read", used, "for use")
	return cred, used, nil
}

// client builds an API client for the profile (or the environment's
// credential), renewing and re-storing an admin's refresh token as needed.
func (a *app) client(ctx context.Context, onEvent func(procore.Event)) (*procore.Client, procore.Credential, error) {
	env, err := a.target()
	if err != nil {
		return nil, procore.Credential{}, err
	}
	store, _ := a.credStore(ctx)
	cred, fromEnv := a.envCredential()
	profile := a.profile
	switch {
	case fromEnv:
		a.say("using the credential in PROCORE_CLIENT_ID and PROCORE_CLIENT_SECRET (the environment supplied it), not the keychain")
	default:
		cred, profile, err = a.usableCredential(ctx, store)
		if err != nil {
			return nil, cred, failed(err)
		}
	}
	company := a.company
	if company == 0 {
		company = cred.CompanyID
	}
	if company == 0 {
		return nil, cred, usage(errors.New("no company ID: give --company ID"))
	}
	var auth procore.Auth
	switch cred.Kind {
	case procore.KindClientCredentials:
		auth = procore.ClientCredentials(env, nil, cred.ClientID, cred.ClientSecret)
	case procore.KindAdminOAuth:
		auth = procore.RefreshingAuth(env, nil, cred.ClientID, cred.ClientSecret, &oauth2.Token{RefreshToken: cred.RefreshToken.Reveal()},
			func(ctx context.Context, tok *oauth2.Token) error {
				next := cred
				next.RefreshToken = procore.NewSecret(tok.RefreshToken)
				if err := store.Save(ctx, profile, next, false); err != nil {
					return err
				}
				a.audit("refresh", profile, "new refresh token stored")
				return nil
			})
	default:
		return nil, cred, failed(fmt.Errorf("profile %q holds a %s: a user's login and password cannot be used through the API; sign in at Procore's login page to check it", a.profile, cred.Kind))
	}
	c, err := procore.New(procore.Config{Env: env, CompanyID: company, Auth: auth, UserAgent: userAgent(), OnEvent: onEvent})
	if err != nil {
		return nil, cred, failed(err)
	}
	return c, cred, nil
}

func newVerifyCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "verify",
		Short: "Prove a stored credential works: token, companies, permitted projects",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			defer a.stopDemo()
			c, _, err := a.client(ctx, nil)
			if err != nil {
				return err
			}
			facts, err := verifyFacts(ctx, c)
			if err != nil {
				return failed(err)
			}
			for _, f := range facts {
				fmt.Fprintln(a.stdout, "ok  "+f)
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
	env, err := a.target()
	if err != nil {
		return err
	}
	defer a.stopDemo()
	in := a.lines()
	var secret procore.Secret
	if clientID == "" {
		clientID = os.Getenv("PROCORE_CLIENT_ID")
	}
	if a.demo {
		fx := a.sim.Fixtures()
		clientID, secret = fx.AdminClientID, procore.NewSecret(fx.AdminClientSecret)
	}
	if clientID == "" {
		return usage(errors.New("give the app's client ID with --client-id or PROCORE_CLIENT_ID"))
	}
	if secret.IsZero() {
		if v := os.Getenv("PROCORE_CLIENT_SECRET"); v != "" {
			secret = procore.NewSecret(v)
			fmt.Fprintln(a.stderr, "procore-sa: the client secret came from PROCORE_CLIENT_SECRET")
		} else if secret, err = a.hidden(in, "The app's client secret (not shown): "); err != nil {
			return failed(fmt.Errorf("read the client secret: %w", err))
		}
	}
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
	where, err := a.completeLogin(ctx, env, clientID, secret, code, a.profile)
	if err != nil {
		return failed(err)
	}
	fmt.Fprintf(a.stdout, "Signed in. The refresh token is in %s as profile %q.\n", where, a.profile)
	return nil
}

// completeLogin trades an authorization code for tokens and keeps the
// refresh token as an admin_oauth profile; it says where it is kept.
func (a *app) completeLogin(ctx context.Context, env procore.Environment, clientID string, secret procore.Secret, code, profile string) (string, error) {
	tok, err := procore.Exchange(ctx, nil, env, clientID, secret, code)
	if err != nil {
		return "", err
	}
	store, memoryOnly := a.credStore(ctx)
	cred := procore.Credential{Version: 1, Kind: procore.KindAdminOAuth, Environment: env.Name, CompanyID: a.company,
		ClientID: clientID, ClientSecret: secret, RefreshToken: procore.NewSecret(tok.RefreshToken), CreatedAt: time.Now().UTC()}
	if err := store.Save(procore.Interactive(ctx), profile, cred, true); err != nil {
		return "", err
	}
	a.audit("login", profile, "admin_oauth saved")
	if memoryOnly {
		return "memory only (demo: no keychain on this machine)", nil
	}
	return fmt.Sprintf("the keychain (%s, service %s)", store.Backend(), store.Service), nil
}

// wizardLogin is the wizard's admin-login step: the same sign-in as the
// login command, kept as the admin profile.
type wizardLogin struct {
	a        *app
	env      procore.Environment
	clientID string
	secret   procore.Secret
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
		w.clientID, w.secret = fx.AdminClientID, procore.NewSecret(fx.AdminClientSecret)
	case os.Getenv("PROCORE_CLIENT_ID") != "" && os.Getenv("PROCORE_CLIENT_SECRET") != "":
		w.clientID, w.secret = os.Getenv("PROCORE_CLIENT_ID"), procore.NewSecret(os.Getenv("PROCORE_CLIENT_SECRET"))
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
	where, err := w.a.completeLogin(ctx, w.env, w.clientID, w.secret, code, adminProfile)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("Signed in. The refresh token is in %s as profile %q.", where, adminProfile), nil
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
	_ = cmd.Start() // the address is printed either way
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
			if err := store.Delete(procore.Interactive(cmd.Context()), args[0]); err != nil {
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
			cred, err := store.Load(procore.Interactive(ctx), args[0], true)
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
			if err := procore.ExportCredential(to, p1, cred); err != nil {
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
	names, err := store.Profiles(procore.Interactive(ctx))
	if err != nil {
		return nil, err
	}
	var rows []profileRow
	for _, n := range names {
		c, err := store.Load(procore.Interactive(ctx), n, true)
		if err != nil {
			rows = append(rows, profileRow{Profile: n, Problem: err.Error()})
			continue
		}
		age := time.Since(c.CreatedAt)
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
			store := procore.NewStore(a.keychainService())
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
