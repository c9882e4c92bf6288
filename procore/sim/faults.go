package sim

import (
	"net/http"
	"strconv"
	"time"
)

// Faults are misbehaviours to inject, for testing a client's resilience.
type Faults struct {
	Latency         time.Duration // added to every request
	ErrorRate       float64       // fraction of /rest requests answered 500 or 503 (503 with Retry-After: 1)
	DropRate        float64       // fraction of requests whose connection is closed with no answer
	BulkAddRefused  bool          // bulk_add answers 403, as for an app without that permission
	RetryAfterOn429 bool          // whether 429s carry Retry-After (the docs disagree; default false)
}

// SetFaults replaces the faults; safe at any time, concurrently with requests.
func (s *Server) SetFaults(f Faults) {
	s.faults.Store(&f)
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
