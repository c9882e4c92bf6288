// Package simtest serves the Procore simulator over real HTTP on loopback
// for tests, with a client that reaches it: the world that the client's,
// add-all's and the commands' tests share.
package simtest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/procore/sim"
)

// World is a simulator over real HTTP on loopback and what a client needs
// to reach it.
type World struct {
	T   testing.TB
	S   *sim.Server
	TS  *httptest.Server
	Env procore.Environment
	Fx  sim.Fixtures

	mu      sync.Mutex
	headers []http.Header // of every /rest request
	events  []procore.Event
	// intercept, when set, sees every request before the simulator and
	// answers it instead when it returns true.
	intercept func(http.ResponseWriter, *http.Request) bool
}

// New starts a simulator with cfg (rate limits lifted unless cfg sets
// them), closed when the test ends.
func New(t testing.TB, cfg sim.Config) *World {
	t.Helper()
	if cfg.HourlyLimit == 0 {
		cfg.HourlyLimit = 1_000_000
	}
	if cfg.SpikeLimit == 0 {
		cfg.SpikeLimit = 1_000_000
	}
	w := &World{T: t, S: sim.New(cfg)}
	w.TS = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.mu.Lock()
		if strings.HasPrefix(r.URL.Path, "/rest/") {
			w.headers = append(w.headers, r.Header.Clone())
		}
		f := w.intercept
		w.mu.Unlock()
		if f != nil && f(rw, r) {
			return
		}
		w.S.ServeHTTP(rw, r)
	}))
	t.Cleanup(w.TS.Close)
	w.Env = procore.Environment{Name: "sim", LoginURL: w.TS.URL, APIURL: w.TS.URL}
	w.Fx = w.S.Fixtures()
	return w
}

// Client is a DMSA client (client credentials) for company; mod may change
// its configuration first. Its events are kept for EventsOf.
func (w *World) Client(company int64, mod func(*procore.Config)) *procore.Client {
	w.T.Helper()
	cfg := procore.Config{
		Env: w.Env, CompanyID: company, UserAgent: "procore-sa/test",
		Auth:        procore.ClientCredentials(w.Env, nil, w.Fx.DMSAClientID, secret.New(w.Fx.DMSAClientSecret)),
		BaseBackoff: 5 * time.Millisecond, MaxBackoff: 50 * time.Millisecond,
		OnEvent: func(e procore.Event) {
			w.mu.Lock()
			w.events = append(w.events, e)
			w.mu.Unlock()
		},
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := procore.New(cfg)
	if err != nil {
		w.T.Fatal(err)
	}
	return c
}

// AdminClient is the fixture admin's own sign-in (authorization code,
// out of band) for company: a Directory Admin, as the person who changes
// the directory is. mod may change its configuration first.
func (w *World) AdminClient(company int64, mod func(*procore.Config)) *procore.Client {
	w.T.Helper()
	code, err := w.S.IssueCode(w.Fx.AdminClientID, procore.OOBRedirect)
	if err != nil {
		w.T.Fatal(err)
	}
	sec := secret.New(w.Fx.AdminClientSecret)
	tok, err := procore.Exchange(context.Background(), nil, w.Env, w.Fx.AdminClientID, sec, code)
	if err != nil {
		w.T.Fatal(err)
	}
	auth := procore.RefreshingAuth(w.Env, nil, w.Fx.AdminClientID, sec, tok, func(context.Context, *oauth2.Token) error { return nil })
	return w.Client(company, func(cfg *procore.Config) {
		cfg.Auth = auth
		if mod != nil {
			mod(cfg)
		}
	})
}

// SetIntercept puts f in front of the simulator (nil removes it).
func (w *World) SetIntercept(f func(http.ResponseWriter, *http.Request) bool) {
	w.mu.Lock()
	w.intercept = f
	w.mu.Unlock()
}

// Headers is a copy of the headers of every /rest request so far.
func (w *World) Headers() []http.Header {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.headers)
}

// EventsOf is a copy of the client events of kind k so far.
func (w *World) EventsOf(k procore.EventKind) []procore.Event {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []procore.Event
	for _, e := range w.events {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

// EventCount is how many client events of kind k there were so far.
func (w *World) EventCount(k procore.EventKind) int { return len(w.EventsOf(k)) }
