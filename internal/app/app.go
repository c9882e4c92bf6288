package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/procore/sim"
	"github.com/procore-sa/procore-sa/state"
)

// Config is the run's settings, from the command line and the process.
type Config struct {
	// Demo runs against a simulator started in-process on loopback.
	Demo bool
	// Env names the environment (production, sandbox, monthly); EnvGiven
	// says --env was given (even as production, which looks like the
	// default), so that a credential of another environment is refused.
	Env      string
	EnvGiven bool
	// APIURL and LoginURL override the environment's addresses.
	APIURL, LoginURL string
	// Company is --company, 0 when not given.
	Company int64
	// Profile is the credential profile asked for ("default" unless
	// --profile was given).
	Profile string
	// UserAgent names the program and its version on every request.
	UserAgent string
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Getenv reads the process environment (os.Getenv when nil):
	// PROCORE_CLIENT_ID and PROCORE_CLIENT_SECRET.
	Getenv func(string) string
	// Credentials, when set, is the credential store to use instead of
	// the OS keychain's (tests of the layers above the store).
	Credentials *credstore.Store
	// Say tells the person something worth knowing (the environment
	// supplied the credential, the demo uses the simulator's own); Warn
	// tells of a failure that does not stop the work (the audit log could
	// not be written). Either may be nil.
	Say, Warn func(string)
	// ClientBounds, when set, adjusts each API client's timeouts and caps
	// before it is made (tests of what a hung Procore looks like).
	ClientBounds func(*procore.Config)
}

// AdminProfile is where the wizard keeps an admin's own sign-in, and where
// a user-login guide's work looks for one ('procore-sa login --profile
// admin').
const AdminProfile = "admin"

// App is the application layer of one run: where Procore is, the stores,
// and the services the front-ends and the commands call. It changes none
// of its settings once made: what a walk decides (the profile a capture
// went to) travels in the walk's outcomes, not here.
type App struct {
	cfg Config

	mu         sync.Mutex
	sim        *Sim
	creds      *credstore.Store
	memoryOnly bool
	state      *state.Store
	signIns    map[string]*sharedAuth // by profile, client and host
}

// New makes the application layer of a run.
func New(cfg Config) *App {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Getenv == nil {
		cfg.Getenv = os.Getenv
	}
	if cfg.Profile == "" {
		cfg.Profile = "default"
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "procore-sa"
	}
	return &App{cfg: cfg}
}

// Config is the run's settings.
func (a *App) Config() Config { return a.cfg }

// Close stops what the run started (the demo's simulator).
func (a *App) Close() {
	a.mu.Lock()
	s := a.sim
	a.sim = nil
	a.mu.Unlock()
	if s != nil {
		s.Stop()
	}
}

func (a *App) say(msg string) {
	if a.cfg.Say != nil {
		a.cfg.Say(msg)
	}
}

func (a *App) warn(msg string) {
	if a.cfg.Warn != nil {
		a.cfg.Warn(msg)
	}
}

// UsageError is a mistake in how procore-sa was called (flags that
// contradict a stored credential, a missing company): exit status 2.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usage marks err as a usage error.
func Usage(err error) error { return &UsageError{Err: err} }

// Target is where Procore is for this run: the environment of --env with
// any URL overrides, or under --demo a simulator started in-process on a
// free loopback port, so that nothing leaves the machine.
func (a *App) Target() (procore.Environment, error) {
	if a.cfg.Demo {
		if a.cfg.APIURL != "" || a.cfg.LoginURL != "" {
			return procore.Environment{}, Usage(errors.New("--demo runs against its own simulator; leave out --api-url and --login-url"))
		}
		s, err := a.Sim()
		if err != nil {
			return procore.Environment{}, err
		}
		return s.Environment(), nil
	}
	env, err := procore.EnvironmentNamed(a.cfg.Env)
	if err != nil {
		return env, Usage(err)
	}
	env, err = env.Override(a.cfg.APIURL, a.cfg.LoginURL)
	if err != nil {
		return env, Usage(err)
	}
	return env, nil
}

// Sim is the demo's simulator, started once per run with Procore's
// documented default limits; nil outside the demo.
func (a *App) Sim() (*Sim, error) {
	if !a.cfg.Demo {
		return nil, errors.New("the simulator runs only under --demo")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.sim != nil {
		return a.sim, nil
	}
	s, err := StartSim("127.0.0.1:0", sim.Config{Seed: 1}, sim.Faults{})
	if err != nil {
		return nil, err
	}
	a.sim = s
	return s, nil
}

// CompanyFor is the company a credential is used in: --company, else the
// credential's own, else under --demo the simulator's.
func (a *App) CompanyFor(c credstore.Credential) int64 {
	switch {
	case a.cfg.Company != 0:
		return a.cfg.Company
	case c.CompanyID != 0:
		return c.CompanyID
	case a.cfg.Demo:
		if s, err := a.Sim(); err == nil {
			return s.Fixtures().CompanyID
		}
	}
	return 0
}

// KeychainService is the keychain service of this run: the demo keeps its
// entries apart from real ones.
func (a *App) KeychainService() string {
	if a.cfg.Demo {
		return "procore-sa-demo"
	}
	return "procore-sa"
}

// Credentials is the credential store. Only under --demo, and only when no
// keychain answers, does it keep entries in memory; memoryOnly says so,
// for the screen to tell the person. A real run never falls back.
func (a *App) Credentials(ctx context.Context) (store *credstore.Store, memoryOnly bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.creds != nil {
		return a.creds, a.memoryOnly
	}
	if a.cfg.Credentials != nil {
		a.creds = a.cfg.Credentials
		return a.creds, false
	}
	s := credstore.NewStore(a.KeychainService())
	if a.cfg.Demo {
		if err := s.Probe(ctx); err != nil {
			s.Keyring = &credstore.MemoryKeyring{}
			memoryOnly = true
		}
	}
	// One store per run: the demo's memory keyring must be the same one
	// for the capture step and for the steps that use what it saved.
	a.creds, a.memoryOnly = s, memoryOnly
	return s, memoryOnly
}

// State opens the state directory; the demo keeps its own, apart.
func (a *App) State() (*state.Store, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.state != nil {
		return a.state, nil
	}
	dir, err := state.Dir()
	if err != nil {
		return nil, fmt.Errorf("find the state directory: %w", err)
	}
	s, err := state.Open(dir)
	if err != nil {
		return nil, err
	}
	if a.cfg.Demo {
		if s, err = s.Sub("demo"); err != nil {
			return nil, err
		}
	}
	a.state = s
	return s, nil
}

// Audit records an action on a profile in the state directory's audit
// log; a failure to record is said, not fatal.
func (a *App) Audit(action, profile, detail string) {
	st, err := a.State()
	if err == nil {
		err = st.Audit(state.AuditEntry{Action: action, Profile: profile, Detail: detail})
	}
	if err != nil {
		a.warn(err.Error()) // it says what could not be written
	}
}

// DefaultExportPath is where an age file goes unless the person says
// otherwise: the home directory, named for the profile and the time.
func (a *App) DefaultExportPath(profile string) string {
	home, err := os.UserHomeDir()
	if err != nil {
		home = "."
	}
	return filepath.Join(home, fmt.Sprintf("procore-sa-%s-%s.age", profile, a.cfg.Now().Format("20060102-150405")))
}

// Sim is a simulator served on loopback.
type Sim struct {
	*sim.Server
	URL  string
	stop func()
}

// StartSim serves a simulator on addr (loopback) until Stop.
func StartSim(addr string, cfg sim.Config, faults sim.Faults) (*Sim, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil || !procore.IsLoopback(host) {
		return nil, fmt.Errorf("the simulator listens on a loopback address only, not %q", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("start the simulator on %s: %w", addr, err)
	}
	s := sim.New(cfg)
	s.SetFaults(faults)
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // ends with ErrServerClosed at Stop
	return &Sim{Server: s, URL: "http://" + ln.Addr().String(), stop: func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}}, nil
}

// Environment is the simulator as a Procore environment.
func (s *Sim) Environment() procore.Environment {
	return procore.Environment{Name: "demo", LoginURL: s.URL, APIURL: s.URL}
}

// Stop ends the simulator.
func (s *Sim) Stop() { s.stop() }

// Where is the header's "simulator on 127.0.0.1:41234".
func (s *Sim) Where() string { return "simulator on " + strings.TrimPrefix(s.URL, "http://") }
