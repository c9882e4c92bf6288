package procore

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// pacer keeps requests inside Procore's rate limits. Procore declares fixed
// windows (an hourly one and a 10-second spike one) and reports in
// X-Rate-Limit-* whichever is closer to running out; the pacer spends what
// the last answer says remains, counting requests still in flight, and
// when nothing remains it waits for the reset. That is the highest pace the
// limits allow with no 429. (x/time/rate's token bucket refills
// continuously, which does not match a server's fixed windows: it would
// either waste the burst or overrun it.)
type pacer struct {
	mu        sync.Mutex
	known     bool      // a rate-limit answer has been seen since the last reset
	remaining int       // as of the last answer
	reset     time.Time // when the window in the last answer resets
	inflight  int
	// opened is when the window in reset truly resets, estimated from the
	// answer that opened it (see release); zero when unknown.
	opened time.Time
	now    func() time.Time
	jitter func(time.Duration) time.Duration
}

func newPacer(now func() time.Time) *pacer {
	return &pacer{now: now, jitter: func(d time.Duration) time.Duration {
		// A little more, so that many clients do not all return in the
		// same instant; small, because every millisecond here is pace lost.
		return time.Duration(rand.Int64N(int64(min(d/20, 25*time.Millisecond)) + 1))
	}}
}

// acquire waits until a request may be sent; wait is called with each
// pause before it starts. Every successful acquire must be followed by
// release.
func (p *pacer) acquire(ctx context.Context, wait func(time.Duration)) error {
	for {
		p.mu.Lock()
		switch {
		case !p.known && p.inflight == 0, p.known && p.remaining-p.inflight > 0:
			// Unknown limits: one request at a time until an answer says.
			p.inflight++
			p.mu.Unlock()
			return nil
		case p.known && (!p.now().Before(p.reset) || (!p.opened.IsZero() && !p.now().Before(p.opened))):
			p.known, p.opened = false, time.Time{}
			p.mu.Unlock()
			continue
		}
		var d time.Duration
		if p.known {
			at := p.reset
			if !p.opened.IsZero() && p.opened.Before(at) {
				at = p.opened
			}
			d = at.Sub(p.now())
			d += p.jitter(d)
		}
		p.mu.Unlock()
		if d <= 0 {
			// Waiting for a request in flight to tell the limits.
			d = 5 * time.Millisecond
		} else if wait != nil {
			wait(d)
		}
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
}

// release records the answer to a request acquire let through, sent at
// sent; h is nil when there was none.
func (p *pacer) release(h http.Header, sent time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inflight--
	if h == nil {
		return
	}
	rem, err1 := strconv.Atoi(h.Get("X-Rate-Limit-Remaining"))
	reset, err2 := strconv.ParseInt(h.Get("X-Rate-Limit-Reset"), 10, 64)
	if err1 != nil || err2 != nil {
		return
	}
	at := time.Unix(reset, 0)
	// Answers can arrive out of order; keep the most pessimistic count for
	// the same window, and a later window's count once it has begun.
	if p.known && at.Equal(p.reset) && rem > p.remaining {
		return
	}
	if !p.known || !at.Equal(p.reset) {
		p.opened = time.Time{}
	}
	// The reset is stated in whole seconds, rounded up: waiting for it
	// loses up to a second a window. When this request opened the window
	// (it left limit-1), the window began between sent and now, and lasts
	// stated - ceil(start) whole seconds, so it resets no later than
	// now + stated - ceil(sent): never early, often sooner than stated.
	if limit, err := strconv.Atoi(h.Get("X-Rate-Limit-Limit")); err == nil && rem == limit-1 && !sent.IsZero() {
		ceilSent := sent.Truncate(time.Second)
		if ceilSent.Before(sent) {
			ceilSent = ceilSent.Add(time.Second)
		}
		if est := p.now().Add(at.Sub(ceilSent)); est.Before(at) {
			p.opened = est
		}
	}
	p.known, p.remaining, p.reset = true, rem, at
}

// exhaust records a 429: nothing remains until reset.
func (p *pacer) exhaust(reset time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if reset.After(p.now()) {
		p.known, p.remaining, p.reset = true, 0, reset
	}
}

// holdUntil records a 429 with Retry-After: nothing may be sent before t,
// and then the limits are unknown until an answer states them again, even
// if an earlier answer stated a later reset. Procore says when to come
// back; the headers of an earlier answer are older news.
func (p *pacer) holdUntil(t time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.known, p.remaining, p.reset, p.opened = true, 0, t, time.Time{}
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
