package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/plain"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/state"
)

// rotateAfter is when a credential is flagged for rotation: seed 004's
// vendor rotates every six months.
const rotateAfter = 180 * 24 * time.Hour

// audit records an action on a profile in the state directory's audit log.
func (a *cli) audit(action, profile, detail string) { a.core.Audit(action, profile, detail) }

// say tells the person something on stderr, except while the full-screen
// wizard owns the terminal.
func (a *cli) say(msg string) {
	if !a.quiet {
		fmt.Fprintln(a.stderr, "procore-sa: "+msg)
	}
}

// sayOnce is a notice that says msg on stderr the first time it is called.
func (a *cli) sayOnce(msg string) func() {
	var once sync.Once
	return func() { once.Do(func() { a.say(msg) }) }
}

// lineReader reads the person's answers from standard input.
type lineReader struct{ r *bufio.Reader }

func (a *cli) lines() *lineReader { return &lineReader{r: bufio.NewReader(a.stdin)} }

func (l *lineReader) line() (string, error) {
	s, err := l.r.ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && s != "") {
		return "", err
	}
	return strings.TrimSpace(s), nil
}

// hidden reads a secret: without echo from a terminal, else one line.
func (a *cli) hidden(l *lineReader, prompt string) (secret.Value, error) {
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

func newVerifyCmd(a *cli) *cobra.Command {
	return &cobra.Command{
		Use:   "verify",
		Short: "Prove a stored credential works: token, companies, permitted projects",
		Long: `Prove that a stored credential works with its own token: get a token
with it, read who it is, find the company among those it reaches, and count
the projects it sees. Exit 0 when every check passes, 1 when one fails (a
credential refused).

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
			defer a.core.Close()
			c, r, err := a.core.ClientFor(ctx, a.profile, app.DemoIntegration, nil)
			if err != nil {
				return fail(err)
			}
			if r.UserLogin != "" {
				fmt.Fprintf(a.stdout, "note  profile %q holds the login of a user (%s) and its password, which the API cannot sign in with.\n", r.UserLogin, r.UserLoginCred.Login)
				fmt.Fprintf(a.stdout, "note  Checking the admin's sign-in instead, profile %q, which procore-sa uses to act for that user:\n", r.Profile)
			}
			facts, err := app.VerifyFacts(ctx, c)
			if err != nil {
				if r.UserLogin != "" {
					return failed(fmt.Errorf("the admin's sign-in (profile %q) failed: %w", r.Profile, err))
				}
				return failed(err)
			}
			for _, f := range facts {
				fmt.Fprintln(a.stdout, "ok  "+f)
			}
			if r.UserLogin != "" {
				fmt.Fprintf(a.stdout, "not verified: profile %q itself (the login of %s); the checks above are of the admin's sign-in, profile %q. Check that login at Procore's login page.\n",
					r.UserLogin, r.UserLoginCred.Login, r.Profile)
			}
			return nil
		},
	}
}

func newLoginCmd(a *cli) *cobra.Command {
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

func (a *cli) login(ctx context.Context, clientID string) error {
	if err := credstore.ValidateProfile(a.profile); err != nil {
		return usage(fmt.Errorf("--profile: %w", err))
	}
	env, err := a.core.Target()
	if err != nil {
		return err
	}
	defer a.core.Close()
	in := a.lines()
	si, err := a.core.SignIn()
	if err != nil {
		return failed(err)
	}
	// The app to sign in through: --client-id or PROCORE_CLIENT_ID, its
	// secret from PROCORE_CLIENT_SECRET or asked for; the demo's own.
	var with *app.AdminApp
	if !a.demo {
		if clientID == "" {
			clientID = os.Getenv("PROCORE_CLIENT_ID")
		}
		if clientID == "" {
			return usage(errors.New("give the app's client ID with --client-id or PROCORE_CLIENT_ID"))
		}
		sec := secret.New(os.Getenv("PROCORE_CLIENT_SECRET"))
		if !sec.IsZero() {
			fmt.Fprintln(a.stderr, "procore-sa: the client secret came from PROCORE_CLIENT_SECRET")
		} else if sec, err = a.hidden(in, "The app's client secret (not shown): "); err != nil {
			return failed(fmt.Errorf("read the client secret: %w", err))
		}
		with = &app.AdminApp{ClientID: clientID, ClientSecret: sec}
	}
	pl := a.loginPlacement(ctx, in, env, clientID)
	started, err := si.Start(ctx, with)
	if err != nil {
		return failed(err)
	}
	fmt.Fprintf(a.stdout, "Open this address, sign in and approve the app:\n\n  %s\n\n", started.URL)
	code := started.Code
	if code != "" {
		fmt.Fprintln(a.stdout, "Demo: the simulator approved the sign-in.")
	} else {
		c, err := a.hidden(in, "Paste the code Procore shows (not shown): ")
		if err != nil || c.IsZero() {
			return failed(errors.New("no code was pasted; run 'procore-sa login' again"))
		}
		code = c.Reveal()
	}
	signed, err := si.Finish(ctx, code)
	if err != nil {
		return failed(err)
	}
	keeper, err := a.core.LoginKeeper(pl)
	if err != nil {
		return failed(err)
	}
	// Procore has issued the refresh token and will not show it again: it
	// is kept with the capture protocol's gate (the keychain, else an age
	// file, or a typed discard), as a one-time secret is.
	r := &plain.Runner{In: in.r, Out: a.stderr, Custody: keeper, Now: a.clock()}
	kept, err := r.Keep(ctx, signed.Cred, app.UnkeptSignIn, "The sign-in is not saved anywhere yet. If you leave now it is lost, and you will have to sign in again.")
	if err != nil {
		return failed(fmt.Errorf("the refresh token was not kept (%v); run 'procore-sa login' again once the keychain works", err))
	}
	if kept.Exported != "" {
		a.audit("login", pl.Profile, "admin_oauth kept in an age file, not the keychain")
		fmt.Fprintf(a.stdout, "Signed in as %s. The refresh token is in %s, encrypted with your passphrase, not the keychain (decrypt it with: age -d %s).\n",
			signed.Who, kept.Exported, kept.Exported)
		return nil
	}
	fmt.Fprintf(a.stdout, "Signed in as %s. The refresh token is in %s as profile %q.\n", signed.Who, keeper.Where(), kept.Saved.Profile)
	if note := kept.Saved.Note(); note != "" {
		fmt.Fprintf(a.stdout, "Note: %s.\n", note)
	}
	return nil
}

// loginPlacement is where a sign-in for the profile asked goes: the profile
// itself when it is free (empty, or an older sign-in through the same
// app); else, asked in a terminal, the name the person gives; else beside
// it (admin first when the profile is the default one), which is said
// before the sign-in starts.
func (a *cli) loginPlacement(ctx context.Context, in *lineReader, env procore.Environment, clientID string) credstore.Placement {
	pl := app.LoginPlacement(a.profile)
	if a.demo && clientID == "" {
		if s, err := a.core.Sim(); err == nil {
			clientID = s.Fixtures().AdminClientID
		}
	}
	store, _ := a.core.Credentials(ctx)
	like := credstore.Credential{Kind: credstore.KindAdminOAuth, Environment: env.Name, ClientID: clientID}
	plan, err := store.Place(credstore.Interactive(ctx), pl, like, true)
	if err != nil || plan.Beside == "" {
		// Free, or the keychain cannot tell: the save says what it finds.
		return pl
	}
	if !a.stdinTerminal() {
		a.say(fmt.Sprintf("profile %q holds %s, which is kept; the sign-in will be saved beside it as profile %q", plan.Beside, plan.Holds, plan.Profile))
		return pl
	}
	for {
		fmt.Fprintf(a.stderr, "Profile %q holds %s, which a sign-in must not replace.\nSave the sign-in as profile %q instead (press enter), or type another name: ", plan.Beside, plan.Holds, plan.Profile)
		name, err := in.line()
		if err != nil || name == "" {
			return credstore.Placement{Profile: plan.Profile, Beside: pl.Beside}
		}
		if err := credstore.ValidateProfile(name); err != nil {
			fmt.Fprintf(a.stderr, "  %v\n", err)
			continue
		}
		if name == plan.Beside {
			fmt.Fprintln(a.stderr, "  That is the profile that holds the other credential; choose another name.")
			continue
		}
		return app.LoginPlacement(name)
	}
}

// stdinTerminal reports whether the person answers at a terminal.
func (a *cli) stdinTerminal() bool {
	f, ok := a.stdin.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func newSecretCmd(a *cli) *cobra.Command {
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
			store, _ := a.core.Credentials(cmd.Context())
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
			store, _ := a.core.Credentials(ctx)
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

func (a *cli) profiles(ctx context.Context) ([]profileRow, error) {
	store, _ := a.core.Credentials(ctx)
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

func newStatusCmd(a *cli) *cobra.Command {
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
				return enc.Encode(map[string]any{"service": a.core.KeychainService(), "profiles": rows})
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

func newDoctorCmd(a *cli) *cobra.Command {
	return &cobra.Command{
		Use: "doctor", Short: "Check the keychain, the terminal and the environment", Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			store := credstore.NewStore(a.core.KeychainService())
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
func (a *cli) clock() func() time.Time {
	if a.now != nil {
		return a.now
	}
	return time.Now
}
