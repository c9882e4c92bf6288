// Package doctor is 'procore-sa doctor': what procore-sa depends on, checked.
package doctor

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/explain"
	"github.com/procore-sa/procore-sa/internal/iostreams"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/state"
)

// Options are what doctor checks.
type Options struct {
	IO      *iostreams.IOStreams
	Service func() string
	Getenv  func(string) string
	Plain   bool
	// Target is where Procore is (the environment, or --api-url and
	// --login-url, or the demo's simulator), whose hosts are checked.
	Target func() (procore.Environment, error)
	// HTTP is the client that checks whether each host answers.
	HTTP *http.Client
}

// NewCmdDoctor is 'procore-sa doctor'.
func NewCmdDoctor(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, Service: func() string { return f.App().KeychainService() }, Getenv: os.Getenv,
		Target: func() (procore.Environment, error) { return f.App().Target() }, HTTP: &http.Client{Timeout: hostTimeout}}
	return &cobra.Command{
		Use:   "doctor",
		Short: "Check the keychain, the terminal and the environment",
		Long: `Check what procore-sa depends on and print what it finds: the keychain
(which one, for which service, and whether it answers, with the reason and a
fix when it does not), the session bus on Linux, whether Procore's login and
API hosts resolve and answer, the terminal (its size,
TERM, NO_COLOR and whether plain mode is on), the state directory, and any
environment variable that overrides a stored credential.

Nothing secret is printed: of PROCORE_CLIENT_SECRET only whether it is set.
Exit 0 when the keychain is reachable, 1 when it is not.`,
		Example: `  procore-sa doctor
  procore-sa --demo doctor`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Plain = f.Flags.Plain
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
}

// hostTimeout bounds each host's check.
const hostTimeout = 5 * time.Second

// checkHost says whether the host of rawURL resolves and answers: any
// HTTP answer counts (a 404 at the root is an answer); nothing is sent
// but a GET of the address itself, with no credential.
func checkHost(ctx context.Context, c *http.Client, rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Hostname() == "" {
		return "not a URL"
	}
	ctx, cancel := context.WithTimeout(ctx, hostTimeout)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupHost(ctx, u.Hostname())
	if err != nil {
		return "does NOT resolve: " + explain.Of(err).Sentence
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return "not a URL"
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Sprintf("resolves (%s) but does NOT answer: %s", addrs[0], explain.Of(err).Sentence)
	}
	resp.Body.Close()
	return fmt.Sprintf("resolves (%s) and answers (HTTP %d)", addrs[0], resp.StatusCode)
}

// Run prints what it finds: ErrSilent when the keychain does not answer.
func Run(ctx context.Context, opts *Options) error {
	out := opts.IO.Out
	store := credstore.NewStore(opts.Service())
	ok := true
	fmt.Fprintf(out, "keychain:  %s, service %s\n", store.Backend(), store.Service)
	if err := store.Probe(ctx); err != nil {
		ok = false
		fmt.Fprintf(out, "           NOT reachable: %v\n", err)
	} else {
		fmt.Fprintln(out, "           reachable")
	}
	if runtime.GOOS == "linux" {
		fmt.Fprintf(out, "d-bus:     DBUS_SESSION_BUS_ADDRESS=%q\n", os.Getenv("DBUS_SESSION_BUS_ADDRESS"))
	}
	if opts.Target != nil {
		if env, err := opts.Target(); err != nil {
			fmt.Fprintf(out, "procore:   %s\n", explain.Of(err).Sentence)
		} else {
			for _, h := range []struct{ name, url string }{{"login", env.LoginURL}, {"api", env.APIURL}} {
				fmt.Fprintf(out, "%-10s %s: %s\n", h.name+":", h.url, checkHost(ctx, opts.HTTP, h.url))
			}
		}
	}
	tty := "not a terminal"
	if w, h, isTTY := opts.IO.TerminalSize(); isTTY {
		tty = fmt.Sprintf("a terminal, %dx%d", w, h)
	} else if opts.IO.IsStdoutTTY() {
		tty = "a terminal, 0x0"
	}
	fmt.Fprintf(out, "terminal:  %s; TERM=%q; NO_COLOR=%v; plain mode: %v\n", tty, os.Getenv("TERM"), os.Getenv("NO_COLOR") != "", opts.Plain)
	if dir, err := state.Dir(); err == nil {
		fmt.Fprintf(out, "state:     %s\n", dir)
	}
	for _, v := range []string{"PROCORE_CLIENT_ID", "PROCORE_CLIENT_SECRET"} {
		if opts.Getenv(v) != "" {
			fmt.Fprintf(out, "override:  %s is set and overrides the stored credential\n", v)
		}
	}
	if !ok {
		return cmdutil.ErrSilent
	}
	return nil
}
