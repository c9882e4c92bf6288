package procore_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/procore"
)

// hostile serves h on loopback and returns a client of it, with the given
// bounds, whose events are collected.
func hostile(t *testing.T, h http.HandlerFunc, mod func(*procore.Config)) (*procore.Client, func() []procore.Event) {
	t.Helper()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	var mu sync.Mutex
	var evs []procore.Event
	cfg := procore.Config{Env: procore.Environment{APIURL: ts.URL, LoginURL: ts.URL}, CompanyID: 1,
		Auth: procore.StaticAuth(secret.New("tok")), BaseBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond,
		OnEvent: func(e procore.Event) { mu.Lock(); evs = append(evs, e); mu.Unlock() }}
	if mod != nil {
		mod(&cfg)
	}
	c, err := procore.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, func() []procore.Event { mu.Lock(); defer mu.Unlock(); return append([]procore.Event(nil), evs...) }
}

// TestListStopsOnARepeatedLink: a server whose next link leads back to a
// page already read (itself, or an earlier one spelt another way) is read
// once per page, then the listing stops with an error that says why.
func TestListStopsOnARepeatedLink(t *testing.T) {
	for _, tt := range []struct{ name, next string }{
		{"to itself", "/rest/v1.1/projects?company_id=1&filters%5Bby_status%5D=Active&per_page=300"},
		{"back to page 1, reordered", "/rest/v1.1/projects?per_page=300&filters%5Bby_status%5D=Active&company_id=1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int32
			c, _ := hostile(t, func(rw http.ResponseWriter, r *http.Request) {
				n.Add(1)
				rw.Header().Set("Link", fmt.Sprintf(`<http://%s%s>; rel="next"`, r.Host, tt.next))
				rw.Write([]byte(`[{"id":1,"name":"a","active":true}]`))
			}, nil)
			got, err := procore.Collect(c.Projects(context.Background(), procore.ProjectFilter{}))
			if err == nil || !strings.Contains(err.Error(), "leads back to page 1") {
				t.Fatalf("err %v", err)
			}
			if len(got) != 1 || n.Load() != 1 {
				t.Fatalf("%d rows from %d requests; want 1 and 1", len(got), n.Load())
			}
		})
	}
}

// TestListCaps: a server that links a new page forever is stopped at
// MaxPages, and one that sends too many rows at MaxRows.
func TestListCaps(t *testing.T) {
	var n atomic.Int32
	c, _ := hostile(t, func(rw http.ResponseWriter, r *http.Request) {
		k := n.Add(1)
		rw.Header().Set("Link", fmt.Sprintf(`<http://%s/rest/v1.1/projects?company_id=1&page=%d>; rel="next"`, r.Host, k+1))
		rw.Write([]byte(`[{"id":1,"name":"a","active":true},{"id":2,"name":"b","active":true}]`))
	}, func(cfg *procore.Config) { cfg.MaxPages = 5 })
	_, err := procore.Collect(c.Projects(context.Background(), procore.ProjectFilter{}))
	if err == nil || !strings.Contains(err.Error(), "more than 5 pages") || n.Load() != 5 {
		t.Fatalf("%v after %d requests", err, n.Load())
	}
	n.Store(0)
	c, _ = hostile(t, func(rw http.ResponseWriter, r *http.Request) {
		k := n.Add(1)
		rw.Header().Set("Link", fmt.Sprintf(`<http://%s/rest/v1.1/projects?company_id=1&page=%d>; rel="next"`, r.Host, k+1))
		rw.Write([]byte(`[{"id":1,"name":"a","active":true},{"id":2,"name":"b","active":true}]`))
	}, func(cfg *procore.Config) { cfg.MaxRows = 7 })
	_, err = procore.Collect(c.Projects(context.Background(), procore.ProjectFilter{}))
	if err == nil || !strings.Contains(err.Error(), "more than 7 rows") || n.Load() != 4 {
		t.Fatalf("%v after %d requests", err, n.Load())
	}
}

// TestHungServer: a server that never answers (or sends its answer a byte
// at a time) is given up on: each attempt after RequestTimeout, the call
// after CallTimeout, with a slow-answer event every SlowAfter meanwhile
// that a screen can show.
func TestHungServer(t *testing.T) {
	bounds := func(cfg *procore.Config) {
		cfg.RequestTimeout, cfg.CallTimeout, cfg.SlowAfter = 300*time.Millisecond, 900*time.Millisecond, 100*time.Millisecond
	}
	release := make(chan struct{})
	for _, tt := range []struct {
		name string
		h    http.HandlerFunc
	}{
		{"no answer", func(rw http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}},
		{"slow body", func(rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "application/json")
			rw.WriteHeader(200)
			for _, b := range []byte(`{"id":1,"login":"x","name":"y"}`) {
				rw.Write([]byte{b})
				rw.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(200 * time.Millisecond):
				}
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, events := hostile(t, tt.h, bounds)
			start := time.Now()
			_, err := c.Me(context.Background())
			took := time.Since(start)
			if !errors.Is(err, procore.ErrNoAnswer) || !strings.Contains(err.Error(), "did not answer within") {
				t.Fatalf("err %v", err)
			}
			if took < 800*time.Millisecond || took > 3*time.Second {
				t.Fatalf("gave up after %v; want about the 900 ms call bound", took)
			}
			slow := 0
			for _, e := range events() {
				if e.Kind == procore.EventSlow {
					slow++
					if !strings.Contains(e.String(), "Procore has not answered for") || !strings.Contains(e.String(), "ctrl+c to stop") {
						t.Errorf("slow event says %q", e.String())
					}
				}
			}
			if slow == 0 {
				t.Fatal("no slow-answer event")
			}
		})
	}
	// A change whose answer does not come is not repeated, and says it may
	// have been done.
	var n atomic.Int32
	c, _ := hostile(t, func(rw http.ResponseWriter, r *http.Request) {
		n.Add(1)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}, bounds)
	// After the server's own cleanup is registered, so it runs first and
	// lets the handler go (a POST's handler does not see the client leave).
	t.Cleanup(func() { close(release) })
	_, err := c.CreateUser(context.Background(), procore.NewUser{LastName: "X", EmailAddress: "x@example.com"})
	if err == nil || !strings.Contains(err.Error(), "may or may not have been done") || n.Load() != 1 {
		t.Fatalf("%v after %d requests", err, n.Load())
	}
}

func TestSlowEventText(t *testing.T) {
	e := procore.Event{Kind: procore.EventSlow, Wait: 30 * time.Second}
	if got := e.String(); got != "Procore has not answered for 30 s; still trying, ctrl+c to stop" {
		t.Fatalf("%q", got)
	}
}
