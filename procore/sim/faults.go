package sim

import (
	"net/http"
	"strconv"
	"time"
)

// Faults are misbehaviours to inject, for testing a client's resilience,
// and the answers Procore's reference leaves ambiguous.
type Faults struct {
	Latency   time.Duration // added to every request
	ErrorRate float64       // fraction of /rest requests answered 500 or 503 (503 with Retry-After: 1)
	DropRate  float64       // fraction of requests whose connection is closed with no answer
	// DropOnly, when set, keeps DropRate to paths under this prefix (e.g.
	// "/rest/"): a test of retries can then leave the sign-in's single-use
	// refresh token alone, whose lost answer no client can recover from.
	DropOnly string
	// DropAnswers maps a route pattern, as Stats.ByRoute names it (e.g.
	// "POST /rest/v1.3/companies/{cid}/users/bulk_add"), to how many of its
	// next requests take effect and then lose their answer: the connection
	// closes before a byte of it is sent. Deterministic, unlike DropRate.
	DropAnswers    map[string]int
	BulkAddRefused bool // bulk_add answers 403, as for an app without that permission
	// NoRetryAfterOn429 leaves Retry-After out of 429s, as rate_limiting.md
	// describes (the other pages say it is sent, so by default it is).
	NoRetryAfterOn429 bool
	// BulkAddShape picks how bulk_add spells entities and errors.
	BulkAddShape BulkShape
}

// BulkShape is a way of spelling bulk_add's entities and errors. The
// reference types both as arrays of {"userId","projects"} items while its
// prose says "one key for each user ID": a client must read them all.
type BulkShape int

const (
	// BulkShapeItems: [{"userId":"<id>","projects":[<project id>,...]}].
	BulkShapeItems BulkShape = iota
	// BulkShapeProjectObjects: as BulkShapeItems, each project an object
	// {"id":<project id>} (errors add "message").
	BulkShapeProjectObjects
	// BulkShapeSingleKey: [{"<user id>":[<project id>,...]}].
	BulkShapeSingleKey
	// BulkShapeKeyed: {"<user id>":[<project id>,...]}.
	BulkShapeKeyed
)

// SetFaults replaces the faults; safe at any time, concurrently with requests.
func (s *Server) SetFaults(f Faults) {
	s.dropMu.Lock()
	s.dropLeft = map[string]int{}
	for k, n := range f.DropAnswers {
		if n > 0 {
			s.dropLeft[k] = n
		}
	}
	f.DropAnswers = nil // the counts live in dropLeft
	s.hasDrops.Store(len(s.dropLeft) > 0)
	s.dropMu.Unlock()
	s.faults.Store(&f)
}

// takeDrop reports whether this request to pattern is to lose its answer,
// counting it down.
func (s *Server) takeDrop(pattern string) bool {
	s.dropMu.Lock()
	defer s.dropMu.Unlock()
	if s.dropLeft[pattern] <= 0 {
		return false
	}
	s.dropLeft[pattern]--
	if s.dropLeft[pattern] == 0 {
		delete(s.dropLeft, pattern)
		s.hasDrops.Store(len(s.dropLeft) > 0)
	}
	return true
}

type dropKind int

const (
	dropNone   dropKind = iota
	dropBefore          // closed before the request had any effect
	dropAfter           // closed after the request took effect
)

// draw decides whether to drop this request. The draws come from the seeded
// generator, so a single-threaded client sees the same faults on every run.
func (s *Server) draw(rate float64) dropKind {
	if rate <= 0 {
		return dropNone
	}
	s.rngMu.Lock()
	hit, after := s.rng.Float64() < rate, s.rng.IntN(2) == 1
	s.rngMu.Unlock()
	switch {
	case !hit:
		return dropNone
	case after:
		return dropAfter
	}
	return dropBefore
}

// serverError answers a /rest request with a 500 or a 503 at the configured
// rate, before the request has any effect; it reports whether it did.
func (s *Server) serverError(w http.ResponseWriter) bool {
	rate := s.faults.Load().ErrorRate
	if rate <= 0 {
		return false
	}
	s.rngMu.Lock()
	hit, unavailable := s.rng.Float64() < rate, s.rng.IntN(2) == 1
	s.rngMu.Unlock()
	if !hit {
		return false
	}
	if unavailable {
		// Procore documents Retry-After on 503 under heavy load.
		w.Header().Set("Retry-After", strconv.Itoa(1))
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"errors": "Service Unavailable"})
		return true
	}
	writeJSON(w, http.StatusInternalServerError, map[string]string{"errors": "Internal Server Error"})
	return true
}

// hangUp closes the connection without an answer. Through http.Hijacker
// where the connection allows it; otherwise (HTTP/2) by aborting the
// handler, which net/http turns into a reset stream.
func hangUp(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close() // nothing useful to do if closing fails
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// discardWriter swallows an answer that will never be sent.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}
