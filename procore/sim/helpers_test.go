package sim

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a fake Config.Now that tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// start is the fake clock's first instant: 2025-01-15 12:00:00 UTC.
var start = time.Unix(1736942400, 0)

type env struct {
	t   *testing.T
	s   *Server
	ts  *httptest.Server
	clk *clock
	fx  Fixtures
}

// newEnv serves a simulator over real HTTP on loopback. Limits are raised
// out of the way unless mod lowers them.
func newEnv(t *testing.T, mod func(*Config)) *env {
	t.Helper()
	clk := &clock{t: start}
	cfg := Config{Seed: 7, HourlyLimit: 1_000_000, SpikeLimit: 1_000_000, Now: clk.Now}
	if mod != nil {
		mod(&cfg)
	}
	s := New(cfg)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return &env{t: t, s: s, ts: ts, clk: clk, fx: s.Fixtures()}
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(a.body, v); err != nil {
		t.Fatalf("decoding %q: %v", a.body, err)
	}
}

// req sends one request; body is JSON-encoded unless it is a string or nil.
func (e *env) req(method, path, token string, company int64, body any) answer {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		if s, ok := body.(string); ok {
			rd = strings.NewReader(s)
		} else {
			b, err := json.Marshal(body)
			if err != nil {
				e.t.Fatal(err)
			}
			rd = bytes.NewReader(b)
		}
	}
	r, err := http.NewRequest(method, e.ts.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	if company != 0 {
		r.Header.Set("Procore-Company-Id", strconv.FormatInt(company, 10))
	}
	resp, err := e.ts.Client().Do(r)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, b}
}

// get is an API GET in the fixture company.
func (e *env) get(path, token string) answer {
	e.t.Helper()
	return e.req(http.MethodGet, path, token, e.fx.CompanyID, nil)
}

// form posts a form to an OAuth endpoint.
func (e *env) form(path string, v url.Values) answer {
	e.t.Helper()
	resp, err := e.ts.Client().PostForm(e.ts.URL+path, v)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, b}
}

// dmsa gets a client-credentials token.
func (e *env) dmsa() string {
	e.t.Helper()
	a := e.form("/oauth/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {e.fx.DMSAClientID}, "client_secret": {e.fx.DMSAClientSecret}})
	if a.status != 200 {
		e.t.Fatalf("client credentials: %d %s", a.status, a.body)
	}
	var tok tokenResponse
	a.json(e.t, &tok)
	return tok.AccessToken
}

// admin signs the fixture admin in with an authorization code.
func (e *env) admin() tokenResponse {
	e.t.Helper()
	code, err := e.s.IssueCode(e.fx.AdminClientID, oobRedirect)
	if err != nil {
		e.t.Fatal(err)
	}
	a := e.form("/oauth/token", url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {oobRedirect}, "client_id": {e.fx.AdminClientID}, "client_secret": {e.fx.AdminClientSecret}})
	if a.status != 200 {
		e.t.Fatalf("authorization code: %d %s", a.status, a.body)
	}
	var tok tokenResponse
	a.json(e.t, &tok)
	return tok
}

// memberToken mints a person's token for any directory user (no such
// login exists through OAuth in the simulator; the test reaches inside).
func (e *env) memberToken(userID int64) string {
	return e.s.newToken(e.fx.AdminClientID, userID, false, e.clk.Now()).access
}

// member is an ordinary directory user: not an admin, in a few projects.
func (e *env) member() int64 { return e.s.st.userOrder[serviceUserOffset] }

// formReq sends v as the body of a multipart (multi) or urlencoded form.
func (e *env) formReq(method, path, token string, company int64, v url.Values, multi bool) answer {
	e.t.Helper()
	var buf bytes.Buffer
	ct := "application/x-www-form-urlencoded"
	if multi {
		mw := multipart.NewWriter(&buf)
		for k, vs := range v {
			for _, x := range vs {
				if err := mw.WriteField(k, x); err != nil {
					e.t.Fatal(err)
				}
			}
		}
		if err := mw.Close(); err != nil {
			e.t.Fatal(err)
		}
		ct = mw.FormDataContentType()
	} else {
		buf.WriteString(v.Encode())
	}
	r, err := http.NewRequest(method, e.ts.URL+path, &buf)
	if err != nil {
		e.t.Fatal(err)
	}
	r.Header.Set("Content-Type", ct)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	if company != 0 {
		r.Header.Set("Procore-Company-Id", strconv.FormatInt(company, 10))
	}
	resp, err := e.ts.Client().Do(r)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, b}
}

// keys are the keys of a JSON object, or of an array's first object,
// sorted.
func keys(t *testing.T, a answer) []string {
	t.Helper()
	var v any
	a.json(t, &v)
	if list, ok := v.([]any); ok {
		if len(list) == 0 {
			t.Fatalf("empty list: %s", a.body)
		}
		v = list[0]
	}
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("not an object: %s", a.body)
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func wantKeys(t *testing.T, a answer, want ...string) {
	t.Helper()
	slices.Sort(want)
	if got := keys(t, a); !slices.Equal(got, want) {
		t.Fatalf("keys %v\nwant %v", got, want)
	}
}

func wantStatus(t *testing.T, a answer, want int) {
	t.Helper()
	if a.status != want {
		t.Fatalf("status %d, want %d; body %s", a.status, want, a.body)
	}
}

func wantBody(t *testing.T, a answer, want string) {
	t.Helper()
	if got := strings.TrimSpace(string(a.body)); got != want {
		t.Fatalf("body %s\nwant %s", got, want)
	}
}

func wantHeader(t *testing.T, a answer, key, want string) {
	t.Helper()
	if got := a.header.Get(key); got != want {
		t.Fatalf("%s: %q, want %q", key, got, want)
	}
}
