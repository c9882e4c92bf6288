package sim

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ---- OAuth ----

func TestClientCredentialsAllClientAuthForms(t *testing.T) {
	e := newEnv(t, nil)
	check := func(a answer) {
		t.Helper()
		wantStatus(t, a, 200)
		var tok map[string]any
		a.json(t, &tok)
		if tok["token_type"] != "bearer" || tok["expires_in"] != 5400.0 || tok["created_at"] != float64(start.Unix()) {
			t.Fatalf("token response %s", a.body)
		}
		if _, ok := tok["refresh_token"]; ok {
			t.Fatalf("client credentials must not return a refresh token: %s", a.body)
		}
		if s, _ := tok["access_token"].(string); s == "" {
			t.Fatalf("no access token: %s", a.body)
		}
		wantHeader(t, a, "Cache-Control", "no-store")
	}
	// Form body.
	check(e.form("/oauth/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {e.fx.DMSAClientID}, "client_secret": {e.fx.DMSAClientSecret}}))
	// JSON body, as @procore/js-sdk posts it.
	check(e.req("POST", "/oauth/token", "", 0, map[string]string{"grant_type": "client_credentials",
		"client_id": e.fx.DMSAClientID, "client_secret": e.fx.DMSAClientSecret}))
	// HTTP Basic.
	r, _ := http.NewRequest("POST", e.ts.URL+"/oauth/token", strings.NewReader("grant_type=client_credentials"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.SetBasicAuth(e.fx.DMSAClientID, e.fx.DMSAClientSecret)
	resp, err := e.ts.Client().Do(r)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	check(answer{resp.StatusCode, resp.Header, b})
}

func TestTokenErrors(t *testing.T) {
	e := newEnv(t, nil)
	a := e.form("/oauth/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {e.fx.DMSAClientID}, "client_secret": {"wrong"}})
	wantStatus(t, a, 401)
	var oe oauthError
	a.json(t, &oe)
	if oe.Error != "invalid_client" || oe.Description == "" {
		t.Fatalf("bad client body %s", a.body)
	}
	// Client credentials belong to the DMSA only.
	a = e.form("/oauth/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {e.fx.AdminClientID}, "client_secret": {e.fx.AdminClientSecret}})
	wantStatus(t, a, 400)
	a.json(t, &oe)
	if oe.Error != "unauthorized_client" {
		t.Fatalf("admin client credentials: %s", a.body)
	}
	a = e.form("/oauth/token", url.Values{"grant_type": {"password"},
		"client_id": {e.fx.AdminClientID}, "client_secret": {e.fx.AdminClientSecret}})
	wantStatus(t, a, 400)
	a.json(t, &oe)
	if oe.Error != "unsupported_grant_type" {
		t.Fatalf("password grant: %s", a.body)
	}
}

var codeRE = regexp.MustCompile(`<code id="authorization_code">([0-9a-f]+)</code>`)

func TestAuthorizePageAndSingleUseCode(t *testing.T) {
	e := newEnv(t, nil)
	q := url.Values{"response_type": {"code"}, "client_id": {e.fx.AdminClientID},
		"redirect_uri": {oobRedirect}, "state": {"xyz"}}
	resp, err := e.ts.Client().Get(e.ts.URL + "/oauth/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("authorize: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	m := codeRE.FindSubmatch(page)
	if m == nil || !strings.Contains(string(page), "xyz") {
		t.Fatalf("no code or state on the page:\n%s", page)
	}
	exchange := func(code, redirect string) answer {
		return e.form("/oauth/token", url.Values{"grant_type": {"authorization_code"}, "code": {code},
			"redirect_uri": {redirect}, "client_id": {e.fx.AdminClientID}, "client_secret": {e.fx.AdminClientSecret}})
	}
	a := exchange(string(m[1]), oobRedirect)
	wantStatus(t, a, 200)
	var tok tokenResponse
	a.json(t, &tok)
	if tok.RefreshToken == "" || tok.TokenType != "bearer" || tok.ExpiresIn != 5400 {
		t.Fatalf("token %s", a.body)
	}
	me := e.req("GET", "/rest/v1.0/me", tok.AccessToken, 0, nil)
	wantStatus(t, me, 200)
	wantBody(t, me, fmt.Sprintf(`{"id":%d,"login":%q}`, e.fx.AdminUserID, e.fx.AdminLogin))

	// Single use.
	a = exchange(string(m[1]), oobRedirect)
	wantStatus(t, a, 400)
	if !strings.Contains(string(a.body), `"error":"invalid_grant"`) {
		t.Fatalf("reused code: %s", a.body)
	}
	// Ten-minute life.
	code, err := e.s.IssueCode(e.fx.AdminClientID, oobRedirect)
	if err != nil {
		t.Fatal(err)
	}
	e.clk.Advance(10 * time.Minute)
	wantStatus(t, exchange(code, oobRedirect), 400)
	// The redirect must match the one the code was issued for.
	code, _ = e.s.IssueCode(e.fx.AdminClientID, oobRedirect)
	wantStatus(t, exchange(code, "http://127.0.0.1:9/cb"), 400)
	// Unknown client, wrong response type, foreign redirect: an error page.
	for _, bad := range []url.Values{
		{"response_type": {"code"}, "client_id": {"nobody"}, "redirect_uri": {oobRedirect}},
		{"response_type": {"token"}, "client_id": {e.fx.AdminClientID}, "redirect_uri": {oobRedirect}},
		{"response_type": {"code"}, "client_id": {e.fx.AdminClientID}, "redirect_uri": {"https://evil.example/cb"}},
	} {
		resp, err := e.ts.Client().Get(e.ts.URL + "/oauth/authorize?" + bad.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Fatalf("authorize %v: %d", bad, resp.StatusCode)
		}
	}
	// A local program may ask for a loopback redirect instead.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	q.Set("redirect_uri", "http://127.0.0.1:8765/callback")
	resp, err = noFollow.Get(e.ts.URL + "/oauth/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != 302 || loc.Host != "127.0.0.1:8765" || loc.Query().Get("state") != "xyz" {
		t.Fatalf("loopback redirect: %d %s", resp.StatusCode, loc)
	}
	wantStatus(t, exchange(loc.Query().Get("code"), "http://127.0.0.1:8765/callback"), 200)
	if _, err := e.s.IssueCode(e.fx.DMSAClientID, oobRedirect); err == nil {
		t.Fatal("the DMSA client got an authorization code")
	}
}

func TestRefreshTokenSingleUse(t *testing.T) {
	e := newEnv(t, nil)
	first := e.admin()
	refresh := func(rt string) answer {
		return e.req("POST", "/oauth/token", "", 0, map[string]string{"grant_type": "refresh_token",
			"refresh_token": rt, "client_id": e.fx.AdminClientID, "client_secret": e.fx.AdminClientSecret})
	}
	a := refresh(first.RefreshToken)
	wantStatus(t, a, 200)
	var second tokenResponse
	a.json(t, &second)
	if second.RefreshToken == "" || second.RefreshToken == first.RefreshToken || second.AccessToken == first.AccessToken {
		t.Fatalf("refresh did not return a new pair: %s", a.body)
	}
	a = refresh(first.RefreshToken)
	wantStatus(t, a, 400)
	wantBody(t, a, `{"error":"invalid_grant","error_description":"The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."}`)
	wantStatus(t, refresh(second.RefreshToken), 200)
	// Another client cannot use the refresh token.
	a = e.form("/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {second.RefreshToken},
		"client_id": {e.fx.DMSAClientID}, "client_secret": {e.fx.DMSAClientSecret}})
	wantStatus(t, a, 400)
}

func TestTokenInfoAndRevoke(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.admin()
	e.clk.Advance(100 * time.Second)
	r, _ := http.NewRequest("GET", e.ts.URL+"/oauth/token/info", nil)
	r.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err := e.ts.Client().Do(r)
	if err != nil {
		t.Fatal(err)
	}
	var info map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || info["resource_owner_id"] != float64(e.fx.AdminUserID) || info["expires_in_seconds"] != 5300.0 ||
		info["application"].(map[string]any)["uid"] != e.fx.AdminClientID || info["created_at"] != float64(start.Unix()) {
		t.Fatalf("token info %d %v", resp.StatusCode, info)
	}
	// The reference's keys, and no others.
	got := slices.Sorted(maps.Keys(info))
	if want := []string{"application", "created_at", "expires_in_seconds", "resource_owner_id", "scopes"}; !slices.Equal(got, want) {
		t.Fatalf("token info keys %v, want %v", got, want)
	}
	// Revoking the access token kills the refresh token too.
	wantStatus(t, e.form("/oauth/revoke", url.Values{"token": {tok.AccessToken},
		"client_id": {e.fx.AdminClientID}, "client_secret": {e.fx.AdminClientSecret}}), 200)
	wantStatus(t, e.get("/rest/v1.0/me", tok.AccessToken), 401)
	a := e.form("/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken},
		"client_id": {e.fx.AdminClientID}, "client_secret": {e.fx.AdminClientSecret}})
	wantStatus(t, a, 400)
	// Always 200 to an authenticated client, even for nonsense.
	wantStatus(t, e.form("/oauth/revoke", url.Values{"token": {"nonsense"},
		"client_id": {e.fx.AdminClientID}, "client_secret": {e.fx.AdminClientSecret}}), 200)
	resp, err = e.ts.Client().Get(e.ts.URL + "/oauth/token/info?access_token=nonsense")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("token info of nonsense: %d", resp.StatusCode)
	}
}

// TestRevokeNeedsClientAuthentication: /oauth/revoke takes the client's
// ID and secret, as Procore's reference says; without them, or with a wrong
// secret, it refuses (401 invalid_client) and revokes nothing. A client
// cannot revoke another's token, though it is answered 200 all the same.
func TestRevokeNeedsClientAuthentication(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.admin()
	refused := []url.Values{
		{"token": {tok.AccessToken}},
		{"token": {tok.AccessToken}, "client_id": {e.fx.AdminClientID}},
		{"token": {tok.AccessToken}, "client_id": {e.fx.AdminClientID}, "client_secret": {"wrong"}},
		{"token": {tok.RefreshToken}, "client_id": {"unknown"}, "client_secret": {e.fx.AdminClientSecret}},
		{"token": {"nonsense"}},
	}
	for _, v := range refused {
		a := e.form("/oauth/revoke", v)
		wantStatus(t, a, 401)
		var oe oauthError
		a.json(t, &oe)
		if oe.Error != "invalid_client" {
			t.Fatalf("revoke with %v: %s", v, a.body)
		}
		wantStatus(t, e.get("/rest/v1.0/me", tok.AccessToken), 200)
	}
	// Another client, authenticated: 200, and the token lives.
	wantStatus(t, e.form("/oauth/revoke", url.Values{"token": {tok.AccessToken},
		"client_id": {e.fx.DMSAClientID}, "client_secret": {e.fx.DMSAClientSecret}}), 200)
	wantStatus(t, e.get("/rest/v1.0/me", tok.AccessToken), 200)
	// The owner, in HTTP Basic: revoked.
	r, err := http.NewRequest(http.MethodPost, e.ts.URL+"/oauth/revoke", strings.NewReader(url.Values{"token": {tok.RefreshToken}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.SetBasicAuth(url.QueryEscape(e.fx.AdminClientID), url.QueryEscape(e.fx.AdminClientSecret))
	resp, err := e.ts.Client().Do(r)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("revoke in HTTP Basic: %d", resp.StatusCode)
	}
	wantStatus(t, e.get("/rest/v1.0/me", tok.AccessToken), 401)
}

func TestTokenExpiry(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.TokenTTL = time.Minute })
	tok := e.admin()
	if tok.ExpiresIn != 60 {
		t.Fatalf("expires_in %d", tok.ExpiresIn)
	}
	wantStatus(t, e.get("/rest/v1.0/me", tok.AccessToken), 200)
	e.clk.Advance(59 * time.Second)
	wantStatus(t, e.get("/rest/v1.0/me", tok.AccessToken), 200)
	e.clk.Advance(time.Second)
	a := e.get("/rest/v1.0/me", tok.AccessToken)
	wantStatus(t, a, 401)
	wantBody(t, a, `{"errors":"Unauthorized"}`)
	if !strings.Contains(a.header.Get("WWW-Authenticate"), "expired") {
		t.Fatalf("WWW-Authenticate %q", a.header.Get("WWW-Authenticate"))
	}

	// Forced expiry: every token so far; refresh still works.
	d := e.dmsa()
	tok2 := e.admin()
	e.s.ExpireTokens()
	wantStatus(t, e.get("/rest/v1.0/me", d), 401)
	wantStatus(t, e.get("/rest/v1.0/me", tok2.AccessToken), 401)
	a = e.form("/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok2.RefreshToken},
		"client_id": {e.fx.AdminClientID}, "client_secret": {e.fx.AdminClientSecret}})
	wantStatus(t, a, 200)
	var fresh tokenResponse
	a.json(t, &fresh)
	wantStatus(t, e.get("/rest/v1.0/me", fresh.AccessToken), 200)
	wantStatus(t, e.get("/rest/v1.0/me", e.dmsa()), 200)
}

// ---- rate limits ----

func TestSpikeLimit(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.SpikeLimit = 5; c.HourlyLimit = 100 })
	tok := e.dmsa()
	reset := strconv.FormatInt(start.Add(10*time.Second).Unix(), 10)
	for i := 1; i <= 5; i++ {
		a := e.get("/rest/v1.0/me", tok)
		wantStatus(t, a, 200)
		wantHeader(t, a, "X-Rate-Limit-Limit", "5")
		wantHeader(t, a, "X-Rate-Limit-Remaining", strconv.Itoa(5-i))
		wantHeader(t, a, "X-Rate-Limit-Reset", reset)
		e.clk.Advance(time.Second)
	}
	a := e.get("/rest/v1.0/me", tok) // limit+1, at start+5s
	wantStatus(t, a, 429)
	wantBody(t, a, rateLimitText)
	wantHeader(t, a, "X-Rate-Limit-Remaining", "0")
	wantHeader(t, a, "X-Rate-Limit-Reset", reset)
	wantHeader(t, a, "Retry-After", "5") // 10s window, 5s in
	if e.s.Stats().TooMany != 1 {
		t.Fatalf("stats %+v", e.s.Stats())
	}
	// Another company is another bucket, with room left.
	a = e.req("GET", "/rest/v1.0/me", tok, e.fx.OtherCompanyID, nil)
	wantStatus(t, a, 403)
	wantHeader(t, a, "X-Rate-Limit-Remaining", "4")

	e.clk.Advance(5*time.Second - time.Nanosecond)
	wantStatus(t, e.get("/rest/v1.0/me", tok), 429)
	e.clk.Advance(time.Nanosecond)
	a = e.get("/rest/v1.0/me", tok)
	wantStatus(t, a, 200)
	// The refused requests did not count: 6 of the hour's 100 used.
	wantHeader(t, a, "X-Rate-Limit-Remaining", "4")
	// A new token is a new bucket.
	a = e.get("/rest/v1.0/me", e.dmsa())
	wantHeader(t, a, "X-Rate-Limit-Remaining", "4")
}

func TestHourlyLimit(t *testing.T) {
	e := newEnv(t, func(c *Config) {
		c.SpikeLimit = 25
		c.SpikeWindow = time.Second
		c.HourlyLimit = 30
		c.HourlyWindow = 2 * time.Minute
	})
	tok := e.dmsa()
	hourReset := strconv.FormatInt(start.Add(2*time.Minute).Unix(), 10)
	for i := 1; i <= 30; i++ {
		a := e.get("/rest/v1.0/me", tok)
		wantStatus(t, a, 200)
		// One request per one-second spike window: the spike window shows
		// 24 left until the hourly one has as few (a tie goes to the window
		// that resets later).
		if i < 6 {
			wantHeader(t, a, "X-Rate-Limit-Limit", "25")
			wantHeader(t, a, "X-Rate-Limit-Remaining", "24")
			wantHeader(t, a, "X-Rate-Limit-Reset", strconv.FormatInt(start.Unix()+int64(i), 10))
		} else {
			wantHeader(t, a, "X-Rate-Limit-Limit", "30")
			wantHeader(t, a, "X-Rate-Limit-Remaining", strconv.Itoa(30-i))
			wantHeader(t, a, "X-Rate-Limit-Reset", hourReset)
		}
		e.clk.Advance(time.Second)
	}
	a := e.get("/rest/v1.0/me", tok)
	wantStatus(t, a, 429)
	wantHeader(t, a, "X-Rate-Limit-Limit", "30")
	wantHeader(t, a, "X-Rate-Limit-Remaining", "0")
	wantHeader(t, a, "X-Rate-Limit-Reset", hourReset)
	wantHeader(t, a, "Retry-After", "90") // 120s window, 30s in
	// The fault that leaves it out, as rate_limiting.md describes.
	e.s.SetFaults(Faults{NoRetryAfterOn429: true})
	a = e.get("/rest/v1.0/me", tok)
	wantStatus(t, a, 429)
	wantHeader(t, a, "Retry-After", "")
	wantHeader(t, a, "X-Rate-Limit-Reset", hourReset)
	e.clk.Advance(90 * time.Second)
	wantStatus(t, e.get("/rest/v1.0/me", tok), 200)
}

func TestHeadersPickCloserWindow(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.SpikeLimit = 25; c.HourlyLimit = 3600 })
	tok := e.dmsa()
	a := e.get("/rest/v1.0/me", tok)
	wantHeader(t, a, "X-Rate-Limit-Limit", "25")
	wantHeader(t, a, "X-Rate-Limit-Remaining", "24")
	wantHeader(t, a, "X-Rate-Limit-Reset", strconv.FormatInt(start.Unix()+10, 10))
}

// ---- faults and stats ----

func TestFaultsErrorsDropsLatency(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.dmsa()
	e.s.SetFaults(Faults{ErrorRate: 1})
	seen := map[int]bool{}
	for range 40 {
		a := e.get("/rest/v1.0/me", tok)
		seen[a.status] = true
		switch a.status {
		case 503:
			wantHeader(t, a, "Retry-After", "1")
		case 500:
		default:
			t.Fatalf("status %d under ErrorRate 1", a.status)
		}
	}
	if !seen[500] || !seen[503] {
		t.Fatalf("statuses %v", seen)
	}
	// OAuth is not a /rest request.
	e.dmsa()

	e.s.SetFaults(Faults{DropRate: 1})
	e.s.ResetStats()
	r, _ := http.NewRequest("GET", e.ts.URL+"/rest/v1.0/me", nil)
	// A fresh connection: on a reused one net/http retries a GET that got
	// no answer, and the server would count two drops.
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := fresh.Do(r); err == nil {
		resp.Body.Close()
		t.Fatalf("dropped request answered %d", resp.StatusCode)
	}
	if st := e.s.Stats(); st.Dropped != 1 || st.Requests != 1 || st.ByRoute["GET /rest/v1.0/me"] != 1 {
		t.Fatalf("stats %+v", st)
	}

	e.s.SetFaults(Faults{Latency: 50 * time.Millisecond})
	t0 := time.Now()
	wantStatus(t, e.get("/rest/v1.0/me", tok), 200)
	if d := time.Since(t0); d < 50*time.Millisecond {
		t.Fatalf("latency %v", d)
	}
}

// A dropped add may or may not have happened; retrying must not create the
// membership twice.
func TestDroppedAddThenRetry(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.admin().AccessToken
	pid := e.s.ActiveProjectIDs()[0]
	path := fmt.Sprintf("/rest/v1.0/projects/%d/users/%d/actions/add", pid, e.fx.ServiceUserID)
	e.s.SetFaults(Faults{DropRate: 1})
	for i := 0; i < 20 && e.s.AddCount(e.fx.ServiceUserID, pid) == 0; i++ {
		r, _ := http.NewRequest("POST", e.ts.URL+path, nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		r.Header.Set("Procore-Company-Id", strconv.FormatInt(e.fx.CompanyID, 10))
		if resp, err := e.ts.Client().Do(r); err == nil {
			resp.Body.Close()
			t.Fatal("answered")
		}
	}
	if e.s.AddCount(e.fx.ServiceUserID, pid) != 1 {
		t.Fatal("no dropped request took effect")
	}
	e.s.SetFaults(Faults{})
	wantStatus(t, e.req("POST", path, tok, e.fx.CompanyID, nil), 201)
	if n := e.s.AddCount(e.fx.ServiceUserID, pid); n != 1 {
		t.Fatalf("AddCount %d", n)
	}
}

func TestFaultsDeterministic(t *testing.T) {
	run := func() []int {
		e := newEnv(t, nil)
		tok := e.dmsa()
		e.s.SetFaults(Faults{ErrorRate: 0.5})
		var out []int
		for range 30 {
			out = append(out, e.get("/rest/v1.0/me", tok).status)
		}
		return out
	}
	a, b := run(), run()
	if !slices.Equal(a, b) || !slices.Contains(a, 200) {
		t.Fatalf("runs differ or never succeed:\n%v\n%v", a, b)
	}
}

func TestStats(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.dmsa()
	e.s.ResetStats()
	e.get("/rest/v1.0/me", tok)
	e.get("/rest/v1.0/me", "")
	e.get(fmt.Sprintf("/rest/v1.3/companies/%d/users/%d", e.fx.CompanyID, e.fx.ServiceUserID), tok)
	st := e.s.Stats()
	if st.Requests != 3 || st.ByRoute["GET /rest/v1.0/me"] != 2 || st.ByRoute["GET /rest/v1.3/companies/{cid}/users/{id}"] != 1 ||
		st.Status[200] != 2 || st.Status[401] != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestDeterministicData(t *testing.T) {
	a, b, c := New(Config{Seed: 1, Now: func() time.Time { return start }}), New(Config{Seed: 1, Now: func() time.Time { return start }}), New(Config{Seed: 2, Now: func() time.Time { return start }})
	if a.Fixtures() != b.Fixtures() || a.Fixtures() == c.Fixtures() {
		t.Fatal("fixtures are not a function of the seed")
	}
	for i := range a.st.projects {
		if string(a.st.projects[i].JSON) != string(b.st.projects[i].JSON) {
			t.Fatalf("project %d differs", i)
		}
	}
	if len(a.ActiveProjectIDs()) != 225 || len(New(Config{Projects: 20}).ActiveProjectIDs()) != 18 {
		t.Fatal("every 10th project should be inactive")
	}
	if !strings.HasPrefix(a.st.projects[0].Name, "Project 0001 – ") {
		t.Fatalf("name %q", a.st.projects[0].Name)
	}
}

// Concurrent adds of the same memberships, while faults change, create each
// membership once.
func TestConcurrentAddsAndFaults(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.admin().AccessToken
	ids := e.s.ActiveProjectIDs()[:20]
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 50 {
			e.s.SetFaults(Faults{Latency: time.Duration(i%2) * time.Millisecond, BulkAddRefused: i%2 == 0})
			_ = e.s.Stats()
		}
	}()
	errs := make(chan error, 8)
	for w := range 8 {
		go func() {
			for _, pid := range ids {
				path := fmt.Sprintf("/rest/v1.0/projects/%d/users/%d/actions/add", pid, e.fx.ServiceUserID)
				r, _ := http.NewRequest("POST", e.ts.URL+path, strings.NewReader(`{"user":{"permission_template_id":`+strconv.FormatInt(e.fx.TemplateID, 10)+`}}`))
				r.Header.Set("Authorization", "Bearer "+tok)
				r.Header.Set("Procore-Company-Id", strconv.FormatInt(e.fx.CompanyID, 10))
				resp, err := e.ts.Client().Do(r)
				if err != nil {
					errs <- err
					return
				}
				resp.Body.Close()
				if resp.StatusCode != 201 {
					errs <- fmt.Errorf("worker %d: status %d", w, resp.StatusCode)
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	<-done
	for _, pid := range ids {
		if n := e.s.AddCount(e.fx.ServiceUserID, pid); n != 1 {
			t.Fatalf("AddCount(%d) = %d", pid, n)
		}
	}
}
