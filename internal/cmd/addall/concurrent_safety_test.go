package addall_test

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/cmd/cmdtest"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
)

// heldGate stands between add-all and the simulator: the first change sent
// (anything but a read or a token request) is held until release, and
// every change is counted.
type heldGate struct {
	URL     string
	held    chan struct{} // closed when the first change arrives
	release func()

	mu      sync.Mutex
	changes int
}

func newHeldGate(t *testing.T, upstream string) *heldGate {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	g := &heldGate{held: make(chan struct{})}
	let := make(chan struct{})
	var first, released sync.Once
	g.release = func() { released.Do(func() { close(let) }) }
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodGet && req.URL.Path != "/oauth/token" {
			g.mu.Lock()
			g.changes++
			g.mu.Unlock()
			isFirst := false
			first.Do(func() { isFirst = true })
			if isFirst {
				close(g.held)
				<-let
			}
		}
		proxy.ServeHTTP(rw, req)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(g.release) // before srv.Close: a held handler must go first
	g.URL = srv.URL
	return g
}

func (g *heldGate) count() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.changes
}

type runResult struct {
	out, errOut string
	code        int
}

// startHeld starts add-all with args in the background and returns once
// its first change is held at g.
func startHeld(t *testing.T, g *heldGate, args []string) <-chan runResult {
	t.Helper()
	done := make(chan runResult, 1)
	go func() {
		out, errOut, code := cmdtest.Run(t, "", args...)
		done <- runResult{out, errOut, code}
	}()
	select {
	case <-g.held:
	case r := <-done:
		t.Fatalf("the first run ended before changing anything: exit %d\n%s%s", r.code, r.out, r.errOut)
	case <-time.After(30 * time.Second):
		t.Fatal("the first run never reached its first change")
	}
	return done
}

// through is at with the simulator's address replaced by g's.
func through(at []string, sim string, g *heldGate) []string {
	out := append([]string(nil), at...)
	for i, a := range out {
		if a == sim {
			out[i] = g.URL
		}
	}
	return out
}

// TestAddAllTwoRunsAtOnce starts two real add-all runs for one user in one
// company at the same time: the first is held at its first change to
// Procore while the second starts. The second must say a run holds the
// user and exit 1 without changing anything; the first then finishes the
// work alone. (Both used to go on, and each reported every project added.)
func TestAddAllTwoRunsAtOnce(t *testing.T) {
	r, at := addAllSim(t, 20)
	fx := r.Fixtures()
	g := newHeldGate(t, r.URL)
	args := append(through(at, r.URL, g), "add-all", "--user", fx.ServiceUserEmail)
	first := startHeld(t, g, args)
	before := g.count()
	out, errOut, code := cmdtest.Run(t, "", args...)
	during := g.count() - before
	g.release()
	a := <-first
	if code != cmdutil.ExitFailed || !strings.Contains(errOut, "Nothing was changed") {
		t.Errorf("the second run, started while the first held the user: exit %d, want %d saying nothing was changed\nstdout:\n%s\nstderr:\n%s",
			code, cmdutil.ExitFailed, out, errOut)
	}
	if during != 0 {
		t.Errorf("the second run sent %d changes to Procore while the first was under way", during)
	}
	if a.code != cmdutil.ExitOK {
		t.Errorf("the first run: exit %d\n%s%s", a.code, a.out, a.errOut)
	}
	if n := members(r, fx.ServiceUserID); n != len(r.ActiveProjectIDs()) {
		t.Errorf("the user is in %d of %d projects", n, len(r.ActiveProjectIDs()))
	}
}

// TestAddAllResumeOfARunUnderWay: resuming a run while it is still going
// (the same run twice at once) is refused with exit 1, naming the run, and
// sends nothing; the run itself finishes. (The resume used to do the work
// a second time.)
func TestAddAllResumeOfARunUnderWay(t *testing.T) {
	r, at := addAllSim(t, 20)
	fx := r.Fixtures()
	g := newHeldGate(t, r.URL)
	at = through(at, r.URL, g)
	first := startHeld(t, g, append(at, "add-all", "--user", fx.ServiceUserEmail))
	runs, _ := filepath.Glob(filepath.Join(os.Getenv("XDG_STATE_HOME"), "procore-sa", "runs", "*.jsonl"))
	if len(runs) != 1 {
		g.release()
		t.Fatalf("journals %v, want the run's one", runs)
	}
	run := strings.TrimSuffix(filepath.Base(runs[0]), ".jsonl")
	before := g.count()
	out, errOut, code := cmdtest.Run(t, "", append(at, "add-all", "--resume", run)...)
	during := g.count() - before
	g.release()
	a := <-first
	if code != cmdutil.ExitFailed || !strings.Contains(errOut, run) {
		t.Errorf("resuming run %s while it runs: exit %d, want %d naming it\nstdout:\n%s\nstderr:\n%s", run, code, cmdutil.ExitFailed, out, errOut)
	}
	if during != 0 {
		t.Errorf("the resume sent %d changes to Procore while the run was under way", during)
	}
	if a.code != cmdutil.ExitOK {
		t.Errorf("the run: exit %d\n%s%s", a.code, a.out, a.errOut)
	}
}
