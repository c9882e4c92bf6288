// Package sim is an in-memory simulator of Procore's REST API and OAuth 2.0
// server, following /work/shared/procore-api.md. It is an http.Handler: tests
// serve it with httptest, `procore-sa sim` and `--demo` on loopback. Login
// (/oauth/...) and API (/rest/...) share one handler and so one address.
//
// It is meant to be strict where Procore is strict (tokens, company header,
// rate limits, single-use codes and refresh tokens) so that a client that
// works against it works against Procore. Everything it makes up (IDs,
// names, secrets, tokens, faults) comes from Config.Seed.
package sim

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Config sets up a simulator. Zero fields take the defaults noted.
type Config struct {
	Seed         int64            // deterministic demo data, secrets, tokens and faults
	Projects     int              // default 250; every 10th is inactive
	HourlyLimit  int              // default 3600 per window
	HourlyWindow time.Duration    // default 1h (a setting so tests can shorten it)
	SpikeLimit   int              // default 25
	SpikeWindow  time.Duration    // default 10s
	TokenTTL     time.Duration    // default 5400s (expires_in)
	Now          func() time.Time // default time.Now
}

func (c *Config) defaults() {
	if c.Projects <= 0 {
		c.Projects = 250
	}
	if c.HourlyLimit <= 0 {
		c.HourlyLimit = 3600
	}
	if c.HourlyWindow <= 0 {
		c.HourlyWindow = time.Hour
	}
	if c.SpikeLimit <= 0 {
		c.SpikeLimit = 25
	}
	if c.SpikeWindow <= 0 {
		c.SpikeWindow = 10 * time.Second
	}
	if c.TokenTTL <= 0 {
		c.TokenTTL = 5400 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Fixtures is what a person or a test needs to log in and act.
type Fixtures struct {
	CompanyID      int64
	OtherCompanyID int64 // the app is not installed here: 403 "App is not connected to this company"

	// An installed DMSA app with directory admin rights (client-credentials grant).
	DMSAClientID, DMSAClientSecret string
	DMSAUserID                     int64

	// An authorization-code app and the company admin it signs in.
	AdminClientID, AdminClientSecret string
	AdminUserID                      int64
	AdminLogin                       string

	// A directory user that is a member of no project yet: the add-all target.
	ServiceUserID    int64
	ServiceUserEmail string

	// A project permission template.
	TemplateID   int64
	TemplateName string
}

// Stats counts requests since New or ResetStats.
type Stats struct {
	Requests int
	ByRoute  map[string]int // route pattern, e.g. "GET /rest/v1.1/projects"
	Status   map[int]int
	TooMany  int // 429s
	Dropped  int // connections closed with no answer
}

// Server is the simulator. All its methods are safe for concurrent use.
type Server struct {
	cfg Config
	fx  Fixtures
	mux *http.ServeMux

	rngMu sync.Mutex
	rng   *rand.Rand // tokens, codes and faults

	mu sync.RWMutex // guards st
	st *state

	auth    authStore
	limiter limiter
	faults  atomic.Pointer[Faults]

	statsMu sync.Mutex
	stats   Stats
}

// New builds a simulator with the demo company of cfg.Seed.
func New(cfg Config) *Server {
	cfg.defaults()
	s := &Server{cfg: cfg}
	seed := uint64(cfg.Seed)
	s.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	// The data has its own generator so that the demo company does not
	// change when token or fault draws do.
	data := rand.New(rand.NewPCG(seed, 0x5eed))
	s.st, s.fx = seedState(data, cfg.Projects, cfg.Now())
	s.fx.DMSAClientID = "dmsa-" + s.randHex(16)
	s.fx.DMSAClientSecret = s.randHex(32)
	s.fx.AdminClientID = "app-" + s.randHex(16)
	s.fx.AdminClientSecret = s.randHex(32)
	s.auth.init()
	s.limiter.init(cfg)
	s.faults.Store(&Faults{})
	s.ResetStats()
	s.routes()
	return s
}

// randHex draws n random bytes from the seeded generator as hex.
func (s *Server) randHex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, 2*n)
	s.rngMu.Lock()
	for i := 0; i < n; i++ {
		v := s.rng.Uint32()
		b[2*i], b[2*i+1] = digits[v>>4&0xf], digits[v&0xf]
	}
	s.rngMu.Unlock()
	return string(b)
}

// Fixtures returns the logins and IDs of the demo company.
func (s *Server) Fixtures() Fixtures { return s.fx }

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	c := s.stats
	c.ByRoute = make(map[string]int, len(s.stats.ByRoute))
	for k, v := range s.stats.ByRoute {
		c.ByRoute[k] = v
	}
	c.Status = make(map[int]int, len(s.stats.Status))
	for k, v := range s.stats.Status {
		c.Status[k] = v
	}
	return c
}

// ResetStats zeroes the counters.
func (s *Server) ResetStats() {
	s.statsMu.Lock()
	s.stats = Stats{ByRoute: map[string]int{}, Status: map[int]int{}}
	s.statsMu.Unlock()
}

func (s *Server) count(route string, status int, dropped bool) {
	if route == "" {
		route = "unmatched"
	}
	s.statsMu.Lock()
	s.stats.Requests++
	s.stats.ByRoute[route]++
	if dropped {
		s.stats.Dropped++
	} else {
		s.stats.Status[status]++
		if status == http.StatusTooManyRequests {
			s.stats.TooMany++
		}
	}
	s.statsMu.Unlock()
}

// ProjectMembers lists the members of a project, in ID order.
func (s *Server) ProjectMembers(projectID int64) []int64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return sortedKeys(s.st.members[projectID])
}

// AddCount is how many times userID's membership of projectID was actually
// created; a client that retries correctly leaves it at 1.
func (s *Server) AddCount(userID, projectID int64) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.st.addCount[[2]int64{userID, projectID}]
}

// InviteCount is how many invitation emails userID was sent; a client that
// does not repeat an invitation whose answer was lost leaves it at most 1.
func (s *Server) InviteCount(userID int64) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.st.invited[userID]
}

// ActiveProjectIDs lists the company's active projects, in ID order.
func (s *Server) ActiveProjectIDs() []int64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.st.projectIDs(true)
}

// SetPermittedProjects sets the DMSA's permitted projects (default: all).
// A nil slice restores the default.
func (s *Server) SetPermittedProjects(ids []int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ids == nil {
		s.st.permitted = nil
		return
	}
	s.st.permitted = make(map[int64]bool, len(ids))
	for _, id := range ids {
		s.st.permitted[id] = true
	}
}

// AddProject creates an active project, as a person would in Procore's web
// app, and adds to it every active user whose add_to_new_projects is set
// (the DMSA too when its permitted projects are all). It returns the new ID.
func (s *Server) AddProject(name string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	n := len(st.projects) + 1
	id := st.projects[len(st.projects)-1].ID + 1
	p := newProject(id, n, name, true, "Riverside", "CA", s.cfg.Now())
	// Append to a fresh slice: readers may hold the old one without a lock.
	st.projects = append(slices.Clip(st.projects), p)
	st.projByID[id] = p
	for _, uid := range st.userOrder {
		if u := st.users[uid]; u.IsActive && u.AddToNewProjects {
			st.addMember(uid, id, 0)
		}
	}
	return id
}

// ServeHTTP applies the faults, routes, and keeps the counters.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f := s.faults.Load()
	if f.Latency > 0 {
		time.Sleep(f.Latency)
	}
	drop := s.draw(f.DropRate)
	if drop == dropNone {
		rec := &statusWriter{ResponseWriter: w, s: s, r: r}
		s.mux.ServeHTTP(rec, r)
		rec.countOnce(http.StatusOK)
		return
	}
	pattern := ""
	if drop == dropAfter {
		// The request takes effect but its answer is lost: the case that
		// makes a client's retries prove they are idempotent.
		s.mux.ServeHTTP(&discardWriter{h: http.Header{}}, r)
		pattern = r.Pattern
	} else {
		_, pattern = s.mux.Handler(r)
	}
	s.count(pattern, 0, true)
	hangUp(w)
}

// statusWriter counts a request as its status is sent, before the client
// can read the answer, so that Stats read after a call includes it.
type statusWriter struct {
	http.ResponseWriter
	s       *Server
	r       *http.Request
	counted bool
}

func (w *statusWriter) countOnce(code int) {
	if !w.counted {
		w.counted = true
		w.s.count(w.r.Pattern, code, false)
	}
}

func (w *statusWriter) WriteHeader(code int) {
	w.countOnce(code)
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.countOnce(http.StatusOK)
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func errorf(format string, args ...any) error { return fmt.Errorf("sim: "+format, args...) }
