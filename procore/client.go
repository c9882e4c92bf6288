package procore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config configures a Client.
type Config struct {
	Env Environment
	// CompanyID is sent as Procore-Company-Id on every call, except on /me
	// and /companies with a person's token, which the reference says need
	// none.
	CompanyID int64
	Auth      Auth
	// HTTPClient defaults to one without a timeout of its own: each attempt
	// has RequestTimeout, each call CallTimeout.
	HTTPClient *http.Client
	// UserAgent names the program and its version.
	UserAgent string
	// OnEvent, when set, hears every wait and retry, for a screen to show.
	OnEvent func(Event)
	// MaxRetries bounds the retries of one request after a 5xx, a dropped
	// connection or a 429 (default 8).
	MaxRetries int
	// BaseBackoff is the first retry's pause, doubled each time up to
	// MaxBackoff (defaults 500 ms and 30 s).
	BaseBackoff, MaxBackoff time.Duration
	// RequestTimeout bounds one attempt, answer read in full (default 60 s);
	// CallTimeout bounds a call with all its retries and waits (default 10
	// min); after SlowAfter without an answer (default 30 s), and each
	// SlowAfter after that, an EventSlow says so.
	RequestTimeout, CallTimeout, SlowAfter time.Duration
	// MaxPages and MaxRows bound one listing (defaults 5,000 pages and
	// 1,000,000 rows): a server that never stops linking a next page must
	// not keep the client reading.
	MaxPages, MaxRows int
}

// EventKind says what an Event is about.
type EventKind int

const (
	// EventRateWait: waiting for a rate-limit window to reset.
	EventRateWait EventKind = iota + 1
	// EventRetry: a request failed in a way worth repeating; waiting first.
	EventRetry
	// EventRefresh: the access token was refused; getting a new one.
	EventRefresh
	// EventSlow: Procore has not answered for Wait; still waiting.
	EventSlow
)

// Event is a wait or retry the client made, for progress displays.
type Event struct {
	Kind    EventKind
	Wait    time.Duration
	Attempt int    // for EventRetry: the attempt about to be made, from 2
	Reason  string // a few words: "rate limit", "503 Service Unavailable", "connection dropped"
	Method  string
	Path    string
}

func (e Event) String() string {
	secs := int((e.Wait + time.Second - 1) / time.Second)
	switch e.Kind {
	case EventRateWait:
		return fmt.Sprintf("waiting %d s for Procore's rate limit", secs)
	case EventRetry:
		return fmt.Sprintf("%s; trying again in %d s (attempt %d)", e.Reason, secs, e.Attempt)
	case EventRefresh:
		return "the access token expired; renewing it"
	case EventSlow:
		return fmt.Sprintf("Procore has not answered for %d s; still trying, ctrl+c to stop", int(e.Wait/time.Second))
	}
	return e.Reason
}

// Client calls Procore's REST API for one company.
type Client struct {
	cfg   Config
	base  *url.URL
	hc    *http.Client
	pacer *pacer
}

// New makes a client. The API URL must pass CheckBaseURL.
func New(cfg Config) (*Client, error) {
	if err := CheckBaseURL(cfg.Env.APIURL); err != nil {
		return nil, fmt.Errorf("API URL: %w", err)
	}
	if cfg.Auth == nil {
		return nil, errors.New("a client needs a credential")
	}
	base, _ := url.Parse(strings.TrimRight(cfg.Env.APIURL, "/"))
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 60 * time.Second
	}
	if cfg.CallTimeout <= 0 {
		cfg.CallTimeout = 10 * time.Minute
	}
	if cfg.SlowAfter <= 0 {
		cfg.SlowAfter = 30 * time.Second
	}
	if cfg.MaxPages <= 0 {
		cfg.MaxPages = 5000
	}
	if cfg.MaxRows <= 0 {
		cfg.MaxRows = 1_000_000
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "procore-sa"
	}
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = 8
	}
	if cfg.BaseBackoff == 0 {
		cfg.BaseBackoff = 500 * time.Millisecond
	}
	if cfg.MaxBackoff == 0 {
		cfg.MaxBackoff = 30 * time.Second
	}
	// Never follow a redirect: it could carry the bearer token elsewhere.
	hc := *cfg.HTTPClient
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Client{cfg: cfg, base: base, hc: &hc, pacer: newPacer(time.Now)}, nil
}

// CompanyID is the company the client works in.
func (c *Client) CompanyID() int64 { return c.cfg.CompanyID }

func (c *Client) emit(e Event) {
	if c.cfg.OnEvent != nil {
		c.cfg.OnEvent(e)
	}
}

// request is one call: its method, path (with query), body (JSON, or a
// multipart form), and whether repeating it is harmless.
type request struct {
	method string
	path   string // from the API root, e.g. "/rest/v1.0/me"; or an absolute URL on the API host
	query  url.Values
	body   any
	form   [][2]string // multipart/form-data fields, in order; instead of body
	// idempotent: sending it twice has the effect of sending it once, so
	// it may be repeated after a 5xx or a dropped connection.
	idempotent bool
	// noCompany: a person's token sends no Procore-Company-Id (/me and
	// /companies, as the reference says).
	noCompany bool
	// onPage, on a list, hears of each page read.
	onPage func(PageInfo)
}

// PageInfo is one page of a list as Procore answered it: Total and PerPage
// from its Total and Per-Page headers (0 when absent, as they may be).
type PageInfo struct {
	Page, Rows     int // this page's number from 1, and the rows read so far
	Total, PerPage int
}

// Pages is how many pages the list has, as far as its headers say; 0 when
// they do not.
func (p PageInfo) Pages() int {
	if p.Total <= 0 || p.PerPage <= 0 {
		return 0
	}
	return (p.Total + p.PerPage - 1) / p.PerPage
}

// UserToken reports whether a holds a person's sign-in (authorization
// code) rather than an app's client credentials. An Auth this package did
// not make counts as an app's: it keeps sending the company header.
func UserToken(a Auth) bool {
	k, ok := a.(interface{ userToken() bool })
	return ok && k.userToken()
}

// encodeBody makes r's body and its content type.
func encodeBody(r request) ([]byte, string, error) {
	if r.form != nil {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for _, f := range r.form {
			if err := mw.WriteField(f[0], f[1]); err != nil {
				return nil, "", err
			}
		}
		if err := mw.Close(); err != nil {
			return nil, "", err
		}
		return buf.Bytes(), mw.FormDataContentType(), nil
	}
	if r.body == nil {
		return nil, "", nil
	}
	b, err := json.Marshal(r.body)
	return b, "application/json", err
}

// maxBody bounds what the client reads of one answer.
const maxBody = 64 << 20

// do sends r, pacing, renewing the token once on a 401, and retrying what
// is safe to retry. It decodes a success into out (when not nil) and
// returns the answer's status and headers.
// answer is what do returns of a success.
type answer struct {
	status int
	header http.Header
}

func (c *Client) do(ctx context.Context, r request, out any) (*answer, error) {
	target, err := c.resolve(r.path, r.query)
	if err != nil {
		return nil, err
	}
	body, contentType, err := encodeBody(r)
	if err != nil {
		return nil, fmt.Errorf("%s %s: encode the request: %w", r.method, target.Path, err)
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, c.cfg.CallTimeout)
	defer cancel()
	a, err := c.attempts(ctx, r, target, body, contentType, out)
	if err != nil && parent.Err() == nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		// The call's own bound, not the caller's: say what was slow.
		return nil, fmt.Errorf("%s %s: Procore did not answer within %s, so the client stopped waiting%s: %w",
			r.method, target.Path, c.cfg.CallTimeout, maybeDone(r), ErrNoAnswer)
	}
	return a, err
}

// ErrNoAnswer is wrapped by the error of a call Procore did not answer in
// time (Config.RequestTimeout for the last attempt, CallTimeout for all).
var ErrNoAnswer = errors.New("no answer from Procore in time")

// maybeDone says, for a request that changes something, that it may have
// been done.
func maybeDone(r request) string {
	if r.method == http.MethodGet {
		return ""
	}
	return "; it may or may not have been done"
}

// slowWatch emits EventSlow every SlowAfter until stop is called. stop
// returns once the last event is out, so that nothing the caller's OnEvent
// writes comes after what the caller writes next.
func (c *Client) slowWatch(r request, target *url.URL) (stop func()) {
	done, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		t := time.NewTicker(c.cfg.SlowAfter)
		defer t.Stop()
		began := time.Now()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				c.emit(Event{Kind: EventSlow, Wait: time.Since(began).Round(time.Second), Method: r.method, Path: target.Path})
			}
		}
	}()
	return func() { close(done); <-exited }
}

func (c *Client) attempts(ctx context.Context, r request, target *url.URL, body []byte, contentType string, out any) (*answer, error) {
	renewed := false
	for attempt := 1; ; attempt++ {
		if err := c.pacer.acquire(ctx, func(d time.Duration) {
			c.emit(Event{Kind: EventRateWait, Wait: d, Reason: "rate limit", Method: r.method, Path: target.Path})
		}); err != nil {
			return nil, err
		}
		tok, err := c.cfg.Auth.Token(ctx)
		if err != nil {
			c.pacer.release(nil, time.Time{})
			return nil, err
		}
		actx, acancel := context.WithTimeout(ctx, c.cfg.RequestTimeout)
		req, err := http.NewRequestWithContext(actx, r.method, target.String(), bytes.NewReader(body))
		if err != nil {
			acancel()
			c.pacer.release(nil, time.Time{})
			return nil, fmt.Errorf("%s %s: %w", r.method, target.Path, err)
		}
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		if !(r.noCompany && UserToken(c.cfg.Auth)) {
			req.Header.Set("Procore-Company-Id", strconv.FormatInt(c.cfg.CompanyID, 10))
		}
		req.Header.Set("User-Agent", c.cfg.UserAgent)
		req.Header.Set("Accept", "application/json")
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		sent := time.Now()
		stopWatch := c.slowWatch(r, target)
		resp, err := c.hc.Do(req)
		var data []byte
		var readErr error
		if err == nil {
			c.pacer.release(resp.Header, sent)
			data, readErr = io.ReadAll(io.LimitReader(resp.Body, maxBody))
			resp.Body.Close()
		} else {
			c.pacer.release(nil, time.Time{})
		}
		stopWatch()
		timedOut := actx.Err() != nil && ctx.Err() == nil
		acancel()
		if err == nil && readErr != nil {
			err = readErr
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			why := "the connection dropped before Procore answered"
			if timedOut {
				why = fmt.Sprintf("Procore did not answer within %s", c.cfg.RequestTimeout)
				err = fmt.Errorf("%w (%w)", ErrNoAnswer, scrub(err))
			}
			if !r.idempotent {
				// Procore may have done it: sending it again could do it twice.
				return nil, fmt.Errorf("%s %s: %s, so it may or may not have been done; check before trying again: %w",
					r.method, target.Path, why, scrub(err))
			}
			if attempt > c.cfg.MaxRetries {
				return nil, fmt.Errorf("%s %s: %s: %w", r.method, target.Path, why, scrub(err))
			}
			reason := "connection dropped"
			if timedOut {
				reason = "no answer in time"
			}
			if err := c.backoff(ctx, r, target, attempt, 0, reason); err != nil {
				return nil, err
			}
			continue
		}
		status := resp.StatusCode
		if status >= 200 && status < 300 {
			if raw, ok := out.(*json.RawMessage); ok {
				// The caller reads the answer itself, tolerantly.
				*raw = append((*raw)[:0], data...)
				return &answer{status: status, header: resp.Header}, nil
			}
			if out != nil && len(bytes.TrimSpace(data)) > 0 {
				if err := json.Unmarshal(data, out); err != nil {
					return nil, fmt.Errorf("%s %s: read the answer: %w", r.method, target.Path, err)
				}
				// Names and messages go to terminals and CSV files as
				// they are: none may carry an escape sequence.
				printableAll(out)
			}
			return &answer{status: status, header: resp.Header}, nil
		}
		apiErr := ParseError(status, data, withheldBy(c.cfg.Auth, tok)...)
		apiErr.Method, apiErr.Path = r.method, target.Path
		apiErr.RetryAfter = retryAfter(resp.Header, time.Now())
		switch {
		case status == http.StatusUnauthorized && !renewed:
			// The token expired early or was revoked: renew once. Procore
			// did nothing with a 401, so any request may be repeated.
			renewed = true
			c.cfg.Auth.Invalidate(tok)
			c.emit(Event{Kind: EventRefresh, Method: r.method, Path: target.Path})
			continue
		case status == http.StatusTooManyRequests && attempt <= c.cfg.MaxRetries:
			// Nothing was done either; wait as Procore says.
			wait := apiErr.RetryAfter
			if wait > 0 {
				// Retry-After outranks the reset: without this the pacer
				// would hold every request until the reset the 429 (or an
				// earlier answer) stated.
				c.pacer.holdUntil(time.Now().Add(wait))
			} else {
				if reset, err := strconv.ParseInt(resp.Header.Get("X-Rate-Limit-Reset"), 10, 64); err == nil {
					at := time.Unix(reset, 0)
					c.pacer.exhaust(at)
					wait = time.Until(at)
				}
			}
			if wait <= 0 {
				wait = c.cfg.BaseBackoff
			}
			wait += c.pacer.jitter(wait)
			c.emit(Event{Kind: EventRateWait, Wait: wait, Reason: "rate limit", Method: r.method, Path: target.Path})
			if err := sleep(ctx, wait); err != nil {
				return nil, err
			}
			continue
		case status >= 500 && r.idempotent && attempt <= c.cfg.MaxRetries:
			reason := fmt.Sprintf("Procore answered %d %s", status, http.StatusText(status))
			if err := c.backoff(ctx, r, target, attempt, apiErr.RetryAfter, reason); err != nil {
				return nil, err
			}
			continue
		}
		return nil, apiErr
	}
}

// backoff waits before attempt+1: Retry-After when Procore gave one, else
// capped exponential backoff with jitter.
func (c *Client) backoff(ctx context.Context, r request, target *url.URL, attempt int, after time.Duration, reason string) error {
	d := after
	if d <= 0 {
		d = c.cfg.BaseBackoff << min(attempt-1, 20)
		d = min(d, c.cfg.MaxBackoff)
		d = d/2 + time.Duration(rand.Int64N(int64(d/2)+1)) // "equal jitter"
	}
	c.emit(Event{Kind: EventRetry, Wait: d, Attempt: attempt + 1, Reason: reason, Method: r.method, Path: target.Path})
	return sleep(ctx, d)
}

// retryAfter reads Retry-After in seconds or as an HTTP date.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}

// resolve makes path absolute on the API host. An absolute URL (a Link
// header's) must be on the API host itself: the client never sends its
// token anywhere else.
func (c *Client) resolve(path string, q url.Values) (*url.URL, error) {
	u, err := url.Parse(path)
	if err != nil {
		return nil, fmt.Errorf("request path %q: %w", path, err)
	}
	if u.IsAbs() || u.Host != "" {
		if u.Scheme != c.base.Scheme || u.Host != c.base.Host {
			return nil, fmt.Errorf("refusing to follow %s://%s: not the API host %s", u.Scheme, u.Host, c.base.Host)
		}
	} else {
		u = c.base.ResolveReference(&url.URL{Path: c.base.Path + u.Path, RawQuery: u.RawQuery})
	}
	if len(q) > 0 {
		merged := u.Query()
		for k, vs := range q {
			merged[k] = vs
		}
		u.RawQuery = merged.Encode()
	}
	return u, nil
}

// scrub keeps a transport error's cause but not its URL, whose query could
// one day carry something that should not be repeated.
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
