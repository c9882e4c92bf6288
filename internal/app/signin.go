package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/procore"
)

// signIn is the admin's own sign-in: authorization code, out of band,
// through the admin's app (from the environment, the one the person gives,
// or the demo simulator's). Finish hands back the sign-in to keep: a front-
// end keeps it with the capture protocol, as any one-time credential.
type signIn struct {
	a   *App
	env procore.Environment

	mu       sync.Mutex
	clientID string
	secret   secret.Value
}

// SignIn is the run's admin sign-in.
func (a *App) SignIn() (SignIn, error) {
	env, err := a.Target()
	if err != nil {
		return nil, err
	}
	return &signIn{a: a, env: env}, nil
}

func (s *signIn) known() (string, secret.Value, bool) {
	if s.a.cfg.Demo {
		if sim, err := s.a.Sim(); err == nil {
			fx := sim.Fixtures()
			return fx.AdminClientID, secret.New(fx.AdminClientSecret), true
		}
	}
	id, sec := s.a.cfg.Getenv("PROCORE_CLIENT_ID"), s.a.cfg.Getenv("PROCORE_CLIENT_SECRET")
	if id != "" && sec != "" {
		return id, secret.New(sec), true
	}
	return "", secret.Value{}, false
}

func (s *signIn) HasApp() bool {
	_, _, ok := s.known()
	return ok
}

// ErrNoApp: there is no app to sign in through; the person must give one.
var ErrNoApp = errors.New("there is no app to sign in through: give its client ID and secret (a Developer Portal app with the redirect URI urn:ietf:wg:oauth:2.0:oob)")

func (s *signIn) Start(ctx context.Context, with *AdminApp) (Started, error) {
	id, sec, ok := s.known()
	if with != nil {
		id, sec, ok = with.ClientID, with.ClientSecret, true
	}
	if !ok {
		return Started{}, ErrNoApp
	}
	s.mu.Lock()
	s.clientID, s.secret = id, sec
	s.mu.Unlock()
	url := procore.AuthCodeURL(s.env, id, fmt.Sprintf("%d", s.a.cfg.Now().UnixNano()))
	if s.a.cfg.Demo {
		// The simulator approves the demo's admin without a browser.
		sim, err := s.a.Sim()
		if err != nil {
			return Started{}, err
		}
		code, err := sim.IssueCode(id, procore.OOBRedirect)
		return Started{URL: url, Code: code}, err
	}
	if LocalDesktop() {
		OpenBrowser(url)
	}
	return Started{URL: url}, nil
}

// Finish trades the code for tokens and reads who signed in with the new
// access token (GET /me, no company header: a user's token needs none).
// The sign-in it returns holds the refresh token and the app's secret; it
// is the caller's to keep.
func (s *signIn) Finish(ctx context.Context, code string) (SignedIn, error) {
	s.mu.Lock()
	id, sec := s.clientID, s.secret
	s.mu.Unlock()
	if id == "" {
		return SignedIn{}, errors.New("the sign-in was not started")
	}
	tok, err := procore.Exchange(ctx, nil, s.env, id, sec, code)
	if err != nil {
		return SignedIn{}, err
	}
	cred := credstore.Credential{Version: credstore.CredentialVersion, Kind: credstore.KindAdminOAuth, Environment: s.env.Name,
		CompanyID: s.a.cfg.Company, ClientID: id, ClientSecret: sec, RefreshToken: secret.New(tok.RefreshToken), CreatedAt: s.a.cfg.Now().UTC()}
	if cred.CompanyID == 0 && s.a.cfg.Demo {
		cred.CompanyID = s.a.CompanyFor(cred)
	}
	who := "the admin"
	if cred.CompanyID != 0 {
		c, err := procore.New(procore.Config{Env: s.env, CompanyID: cred.CompanyID, Auth: procore.StaticAuth(secret.New(tok.AccessToken)), UserAgent: s.a.cfg.UserAgent})
		if err == nil {
			if me, err := c.Me(ctx); err == nil {
				who = fmt.Sprintf("%s (user %d)", me.Login, me.ID)
			}
		}
	}
	return SignedIn{Who: who, Cred: cred}, nil
}

// LocalDesktop reports whether a browser may be opened: a desktop session
// on this machine, not a remote shell.
func LocalDesktop() bool {
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

// OpenBrowser opens url in the desktop's browser, without procore-sa's
// credentials in its environment.
func OpenBrowser(url string) {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	cmd.Env = BrowserEnv(os.Environ())
	_ = cmd.Start() // the address is printed either way
}

// BrowserEnv is the environment a browser is started with: procore-sa's
// own, less its credentials, since the browser lives on after procore-sa
// and hands its environment to whatever it starts.
func BrowserEnv(environ []string) []string {
	return slices.DeleteFunc(slices.Clone(environ), func(kv string) bool {
		return strings.HasPrefix(kv, "PROCORE_CLIENT_SECRET=") || strings.HasPrefix(kv, "PROCORE_CLIENT_ID=")
	})
}
