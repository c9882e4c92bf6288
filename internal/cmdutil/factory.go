// Package cmdutil is what every command shares: the Factory that hands
// each its streams and the run's application layer, the kinds of error a
// command ends with, the signals that stop it, and small helpers for
// arguments, prompts and completion.
package cmdutil

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/iostreams"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/state"
	"github.com/procore-sa/procore-sa/steps"
)

// GlobalFlags are the flags every command takes. They are the only
// globals of a run, and they live here.
type GlobalFlags struct {
	Demo      bool
	Env       string
	EnvGiven  bool // --env was given, not defaulted
	APIURL    string
	LoginURL  string
	Company   int64
	Profile   string
	Plain     bool
	Presenter bool
}

// BuildInfo is the version, commit and build date of the binary.
type BuildInfo struct{ Version, Commit, Date string }

// Factory hands every command what it needs: the streams, the flags, and
// the run's application layer, made once the flags are read.
type Factory struct {
	IOStreams *iostreams.IOStreams
	Build     BuildInfo
	Flags     GlobalFlags
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Credentials, when set, is the credential store the run uses instead
	// of the OS keychain (tests).
	Credentials *credstore.Store
	// Notices carries warnings to the full screen while it is up.
	Notices *Notices
	// ClientBounds, when set, adjusts each API client's timeouts (tests).
	ClientBounds func(*procore.Config)

	mu    sync.Mutex
	quiet bool // the full-screen wizard owns the terminal
	app   *app.App
}

// New is a factory over the streams.
func New(ios *iostreams.IOStreams, build BuildInfo) *Factory {
	return &Factory{IOStreams: ios, Build: build, Now: time.Now, Notices: &Notices{}}
}

// Start makes the run's application layer from the flags; the root calls
// it once they are parsed.
func (f *Factory) Start() *app.App {
	fl := f.Flags
	a := app.New(app.Config{Demo: fl.Demo, Env: fl.Env, EnvGiven: fl.EnvGiven, APIURL: fl.APIURL, LoginURL: fl.LoginURL,
		Company: fl.Company, Profile: fl.Profile, UserAgent: f.UserAgent(), Now: f.Now, Say: f.Say, Warn: f.Warn, Credentials: f.Credentials,
		ClientBounds: f.ClientBounds})
	f.mu.Lock()
	f.app = a
	f.mu.Unlock()
	return a
}

// App is the run's application layer (made from the flags when Start has
// not been called yet).
func (f *Factory) App() *app.App {
	f.mu.Lock()
	a := f.app
	f.mu.Unlock()
	if a == nil {
		return f.Start()
	}
	return a
}

// UserAgent names the program and its version on every request.
func (f *Factory) UserAgent() string {
	return "procore-sa/" + f.Build.Version + " (+https://github.com/procore-sa/procore-sa)"
}

// VersionLine is what both 'procore-sa version' and 'procore-sa --version'
// print.
func (f *Factory) VersionLine() string {
	return fmt.Sprintf("procore-sa %s (commit %s, built %s)", f.Build.Version, f.Build.Commit, f.Build.Date)
}

// Clock is the run's clock.
func (f *Factory) Clock() func() time.Time {
	if f.Now != nil {
		return f.Now
	}
	return time.Now
}

// SetQuiet says whether the full-screen wizard owns the terminal, when
// Say says nothing.
func (f *Factory) SetQuiet(q bool) {
	f.mu.Lock()
	f.quiet = q
	f.mu.Unlock()
}

// Say tells the person something on stderr, except while the full-screen
// wizard owns the terminal.
func (f *Factory) Say(msg string) {
	f.mu.Lock()
	q := f.quiet
	f.mu.Unlock()
	if !q {
		fmt.Fprintln(f.IOStreams.ErrOut, "procore-sa: "+msg)
	}
}

// SayOnce is a notice that says msg on stderr the first time it is called.
func (f *Factory) SayOnce(msg string) func() {
	var once sync.Once
	return func() { once.Do(func() { f.Say(msg) }) }
}

// Warn tells the person of a failure: on the full screen while it is up,
// else on stderr.
func (f *Factory) Warn(msg string) {
	if !f.Notices.Show(msg) {
		fmt.Fprintln(f.IOStreams.ErrOut, "procore-sa: "+msg)
	}
}

// Audit records an action on a profile in the state directory's audit log.
func (f *Factory) Audit(action, profile, detail string) { f.App().Audit(action, profile, detail) }

// KeychainService is the keychain service of the run, known from the
// flags alone (a completion reads it before any command starts).
func (f *Factory) KeychainService() string {
	if f.Flags.Demo {
		return "procore-sa-demo"
	}
	return "procore-sa"
}

// ConfigDir is where the person's own guides live: $XDG_CONFIG_HOME/procore-sa,
// else the platform's place (see state.ConfigDir).
func ConfigDir() (string, error) { return state.ConfigDir() }

// Catalog loads the built-in guides and the person's own. A broken personal
// guide is reported on stderr and left out; the rest still load.
func (f *Factory) Catalog() (*steps.Catalog, error) {
	dir, err := ConfigDir()
	if err != nil {
		return nil, err
	}
	cat, problems := steps.LoadCatalog(filepath.Join(dir, "guides"))
	for _, p := range problems {
		fmt.Fprintln(f.IOStreams.ErrOut, "procore-sa: guide refused:", p)
	}
	return cat, nil
}

// TargetArgs repeats the flags that chose where the run went, so that a
// resume command printed for the person goes to the same place.
func (f *Factory) TargetArgs() string {
	fl := f.Flags
	var b strings.Builder
	add := func(flag, v string) {
		if strings.ContainsAny(v, " '\"\\$`;&|<>()") {
			v = "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
		}
		fmt.Fprintf(&b, " --%s %s", flag, v)
	}
	if fl.Demo {
		b.WriteString(" --demo")
		if fl.Profile != "" && fl.Profile != "default" {
			add("profile", fl.Profile)
		}
		return b.String()
	}
	if fl.Env != "" && fl.Env != "production" {
		add("env", fl.Env)
	}
	if fl.APIURL != "" {
		add("api-url", fl.APIURL)
	}
	if fl.LoginURL != "" {
		add("login-url", fl.LoginURL)
	}
	if fl.Company != 0 {
		add("company", strconv.FormatInt(fl.Company, 10))
	}
	if fl.Profile != "" && fl.Profile != "default" {
		add("profile", fl.Profile)
	}
	return b.String()
}
