package sim

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// rateLimitText is the body of a 429, as Procore has long sent it (plain
// text, and it says "hour" whichever window ran out).
const rateLimitText = "You have surpassed the max number of requests for an hour. Please wait until your limit resets."

// limiter keeps two fixed windows per bucket (a token, per company): an
// hourly one and a short spike one. A window starts with the first request
// after the previous one ended, and counts up to its limit.
type limiter struct {
	hourLimit, spikeLimit   int
	hourWindow, spikeWindow time.Duration

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	hourStart, spikeStart time.Time
	hourCount, spikeCount int
}

func (l *limiter) init(cfg Config) {
	l.hourLimit, l.spikeLimit = cfg.HourlyLimit, cfg.SpikeLimit
	l.hourWindow, l.spikeWindow = cfg.HourlyWindow, cfg.SpikeWindow
	l.buckets = map[string]*bucket{}
}

// quota is what the X-Rate-Limit-* headers say.
type quota struct {
	ok        bool
	limit     int
	remaining int
	reset     time.Time
}

// take counts one request against key's windows unless either is spent (a
// refused request does not count), and describes the window that is closer
// to running out: fewer remaining, or on a tie the one that resets later,
// since a client that spends both must wait for that one.
func (l *limiter) take(key string, now time.Time) quota {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) > 100_000 {
			l.prune(now)
		}
		b = &bucket{}
		l.buckets[key] = b
	}
	if b.hourStart.IsZero() || !now.Before(b.hourStart.Add(l.hourWindow)) {
		b.hourStart, b.hourCount = now, 0
	}
	if b.spikeStart.IsZero() || !now.Before(b.spikeStart.Add(l.spikeWindow)) {
		b.spikeStart, b.spikeCount = now, 0
	}
	hourFull, spikeFull := b.hourCount >= l.hourLimit, b.spikeCount >= l.spikeLimit
	ok := !hourFull && !spikeFull
	if ok {
		b.hourCount++
		b.spikeCount++
	}
	hour := quota{ok, l.hourLimit, l.hourLimit - b.hourCount, b.hourStart.Add(l.hourWindow)}
	spike := quota{ok, l.spikeLimit, l.spikeLimit - b.spikeCount, b.spikeStart.Add(l.spikeWindow)}
	switch {
	case hour.remaining < spike.remaining:
		return hour
	case spike.remaining < hour.remaining:
		return spike
	case spike.reset.After(hour.reset):
		return spike
	}
	return hour
}

// prune forgets buckets whose windows have both ended; they would start
// afresh anyway. Called with l.mu held.
func (l *limiter) prune(now time.Time) {
	for k, b := range l.buckets {
		if !now.Before(b.hourStart.Add(l.hourWindow)) && !now.Before(b.spikeStart.Add(l.spikeWindow)) {
			delete(l.buckets, k)
		}
	}
}

// setHeaders writes the X-Rate-Limit-* headers. The reset is rounded up to
// the next whole second so that a client waiting until it never arrives
// while the window is still closed.
func (q quota) setHeaders(h http.Header) {
	reset := q.reset.Unix()
	if q.reset.Nanosecond() != 0 {
		reset++
	}
	h.Set("X-Rate-Limit-Limit", strconv.Itoa(q.limit))
	h.Set("X-Rate-Limit-Remaining", strconv.Itoa(q.remaining))
	h.Set("X-Rate-Limit-Reset", strconv.FormatInt(reset, 10))
}
