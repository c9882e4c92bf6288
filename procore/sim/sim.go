// Package sim is an in-memory simulator of Procore's REST API and OAuth 2.0
// server, following Procore's published reference. It is an http.Handler: tests
// serve it with httptest, `procore-sa sim` and `--demo` on loopback. Login
// (/oauth/...) and API (/rest/...) share one handler and so one address.
//
// It is meant to be strict where Procore is strict (tokens, company header,
// rate limits, single-use codes and refresh tokens, who may change the
// directory) so that a client that works against it works against Procore.
// Where Procore's reference and its documentation leave a choice, it takes
// the one that asks more of a client. Everything it makes up (IDs, names,
// secrets, tokens, faults) comes from Config.Seed.
package sim

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
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

	// DMSADirectoryAdmin gives the DMSA's user the Company Admin template,
	// which makes it a Directory Admin. By default it has the Integration
	// Company Tools template, read-only on the Directory, as Procore's DMSA
	// guide advises; then every directory change it asks for is refused.
	DMSADirectoryAdmin bool
	// DMSAPermitAll permits the DMSA every project that exists at New, as
	// if the app had been installed with all of them chosen. By default it
	// is permitted none: projects become permitted as a Directory Admin
	// adds the DMSA's user to them (and new ones only when that user's
	// add_to_new_projects is set), or through SetPermittedProjects.
	DMSAPermitAll bool
	// BulkAsyncDelay is how long after a bulk_add of more than 1,000
	// triplets its work shows in project_assignments (default 1s).
	BulkAsyncDelay time.Duration
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
	if c.BulkAsyncDelay <= 0 {
		c.BulkAsyncDelay = time.Second
	}
}

// Fixtures is what a person or a test needs to log in and act.
type Fixtures struct {
	CompanyID      int64
	OtherCompanyID int64 // the app is not installed here: 403 "App is not connected to this company"

	// An installed DMSA app (client-credentials grant) and its directory
	// user; a Directory Admin only with Config.DMSADirectoryAdmin.
	DMSAClientID, DMSAClientSecret string
	DMSAUserID                     int64
	DMSALogin                      string

	// An authorization-code app and the company admin it signs in (a
	// Directory Admin).
	AdminClientID, AdminClientSecret string
	AdminUserID                      int64
	AdminLogin                       string

	// A directory user that is a member of no project yet, not a Directory
	// Admin, whose default project template is TemplateID: the add-all
	// target.
	ServiceUserID    int64
	ServiceUserEmail string

	// A Global project permission template, and the company template that
	// makes a user a Directory Admin.
	TemplateID             int64
	TemplateName           string
	CompanyAdminTemplateID int64
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

	dropMu   sync.Mutex
	dropLeft map[string]int // Faults.DropAnswers, counted down
	hasDrops atomic.Bool
	pendingN atomic.Int32 // len(st.pending), read without the lock

	statsMu sync.Mutex
	stats   Stats

	secrets secretBook // rotate.go: client secrets reset since New
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
	s.st, s.fx = seedState(data, cfg, cfg.Now())
	s.fx.DMSAClientID = "dmsa-" + s.randHex(16)
	s.fx.DMSAClientSecret = s.randHex(32)
	s.fx.AdminClientID = "app-" + s.randHex(16)
	s.fx.AdminClientSecret = s.randHex(32)
	s.auth.init()
	s.limiter.init(cfg)
	s.SetFaults(Faults{})
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
	s.applyDue()
	s.mu.RLock()
	defer s.mu.RUnlock()
	return sortedKeys(s.st.members[projectID])
}

// MemberTemplate is the permission template of userID in projectID (0
// for none), and whether it is a member at all.
func (s *Server) MemberTemplate(userID, projectID int64) (int64, bool) {
	s.applyDue()
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, ok := s.st.members[projectID][userID]
	return t, ok
}

// AddCount is how many times userID's membership of projectID was actually
// created; a client that retries correctly leaves it at 1.
func (s *Server) AddCount(userID, projectID int64) int {
	s.applyDue()
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

// SetPermittedProjects sets the projects App Management permits the DMSA
// (nil: none). The projects its user belongs to are permitted besides.
func (s *Server) SetPermittedProjects(ids []int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.permitted = make(map[int64]bool, len(ids))
	for _, id := range ids {
		s.st.permitted[id] = true
	}
}

// DMSAProjects lists the projects the DMSA can reach, in ID order.
func (s *Server) DMSAProjects() []int64 {
	s.applyDue()
	s.mu.RLock()
	defer s.mu.RUnlock()
	var ids []int64
	for _, p := range s.st.projects {
		if s.dmsaPermitted(p.ID) {
			ids = append(ids, p.ID)
		}
	}
	return ids
}

// AddToNewProjects says whether userID's add_to_new_projects is set.
func (s *Server) AddToNewProjects(userID int64) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u := s.st.users[userID]
	return u != nil && u.AddToNewProjects
}

// PendingBulkAdds is how many accepted bulk_adds of more than 1,000
// triplets are not done yet.
func (s *Server) PendingBulkAdds() int {
	s.applyDue()
	return int(s.pendingN.Load())
}

// AddProject creates an active project, as a person would in Procore's web
// app, and adds to it, with their default project template, every active
// user whose add_to_new_projects is set (the DMSA's user too, which makes
// the project permitted to the DMSA). It returns the new ID.
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
			st.addMember(uid, id, st.defaultTemplateOn(u, id))
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
	drop := dropNone
	if f.DropOnly == "" || strings.HasPrefix(r.URL.Path, f.DropOnly) {
		drop = s.draw(f.DropRate)
	}
	if drop == dropNone && s.hasDrops.Load() {
		if _, pattern := s.mux.Handler(r); s.takeDrop(pattern) {
			drop = dropAfter
		}
	}
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
