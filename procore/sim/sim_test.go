package sim

import (
	"encoding/json"
	"fmt"
	"io"
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
	me := e.get("/rest/v1.0/me", tok.AccessToken)
	wantStatus(t, me, 200)
	wantBody(t, me, fmt.Sprintf(`{"id":%d,"login":%q,"name":"Morgan Reyes"}`, e.fx.AdminUserID, e.fx.AdminLogin))

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
	if resp.StatusCode != 200 || info["resource_owner_id"] != float64(e.fx.AdminUserID) || info["expires_in"] != 5300.0 ||
		info["application"].(map[string]any)["uid"] != e.fx.AdminClientID {
		t.Fatalf("token info %d %v", resp.StatusCode, info)
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
// ID and secret, as procore-api.md says; without them, or with a wrong
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

// ---- /rest basics ----

func TestRestNeedsTokenAndCompany(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.dmsa()
	a := e.get("/rest/v1.0/me", "")
	wantStatus(t, a, 401)
	wantBody(t, a, `{"errors":"Unauthorized"}`)
	wantStatus(t, e.get("/rest/v1.0/me", "garbage"), 401)

	a = e.req("GET", "/rest/v1.0/me", tok, 0, nil)
	wantStatus(t, a, 400)
	wantBody(t, a, `{"errors":"Missing Procore-Company-Id header!"}`)

	a = e.req("GET", "/rest/v1.0/me", tok, e.fx.OtherCompanyID, nil)
	wantStatus(t, a, 403)
	wantBody(t, a, `{"error":"Forbidden","message":"App is not connected to this company"}`)
	// A company path naming the other company is refused the same way.
	a = e.get(fmt.Sprintf("/rest/v1.3/companies/%d/users", e.fx.OtherCompanyID), tok)
	wantStatus(t, a, 403)
	a = e.get(fmt.Sprintf("/rest/v1.1/projects?company_id=%d", e.fx.OtherCompanyID), tok)
	wantStatus(t, a, 403)

	a = e.get("/rest/v1.0/me", tok)
	wantStatus(t, a, 200)
	wantBody(t, a, fmt.Sprintf(`{"id":%d,"login":%q,"name":"Admin Actions (DMSA)"}`, e.fx.DMSAUserID, e.s.st.users[e.fx.DMSAUserID].Login))

	a = e.get("/rest/v1.0/companies", tok)
	wantStatus(t, a, 200)
	wantBody(t, a, fmt.Sprintf(`[{"id":%d,"is_active":true,"logo_url":null,"name":"Riverside Builders Inc."}]`, e.fx.CompanyID))
	wantHeader(t, a, "Total", "1")
	wantHeader(t, a, "Link", "")

	wantStatus(t, e.get("/rest/v1.0/nothing", tok), 404)
}

type projectRow struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Active bool   `json:"active"`
}

func TestProjectsFiltersAndPagination(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.admin().AccessToken
	base := fmt.Sprintf("/rest/v1.1/projects?company_id=%d", e.fx.CompanyID)
	count := func(q string) int {
		t.Helper()
		a := e.get(base+q, tok)
		wantStatus(t, a, 200)
		n, _ := strconv.Atoi(a.header.Get("Total"))
		return n
	}
	if a, i, all := count("&filters[by_status]=Active"), count("&filters[by_status]=Inactive"), count("&filters[by_status]=All"); a != 225 || i != 25 || all != 250 {
		t.Fatalf("active %d inactive %d all %d", a, i, all)
	}
	if n := count(""); n != 225 {
		t.Fatalf("default lists active projects: %d", n)
	}
	wantStatus(t, e.get(base+"&filters[by_status]=Closed", tok), 422)
	wantStatus(t, e.get("/rest/v1.1/projects", tok), 400)

	var rows []projectRow
	a := e.get(base+"&filters[name]="+url.QueryEscape("project 0007"), tok)
	a.json(t, &rows)
	if len(rows) != 1 || !strings.HasPrefix(rows[0].Name, "Project 0007 – ") || rows[0].ID != projectBase+7 {
		t.Fatalf("name filter: %s", a.body)
	}

	host := e.ts.Listener.Addr().String()
	link := func(page, per int, rel string) string {
		return fmt.Sprintf(`<http://%s/rest/v1.1/projects?company_id=%d&filters%%5Bby_status%%5D=All&page=%d&per_page=%d>; rel="%s"`,
			host, e.fx.CompanyID, page, per, rel)
	}
	all := base + "&filters[by_status]=All"
	// First page: next and last only.
	a = e.get(all+"&per_page=100", tok)
	wantHeader(t, a, "Total", "250")
	wantHeader(t, a, "Per-Page", "100")
	wantHeader(t, a, "Link", link(2, 100, "next")+", "+link(3, 100, "last"))
	a.json(t, &rows)
	if len(rows) != 100 || rows[0].ID != projectBase+1 || rows[99].ID != projectBase+100 {
		t.Fatalf("page 1: %d rows", len(rows))
	}
	// Middle page: all four.
	a = e.get(all+"&per_page=100&page=2", tok)
	wantHeader(t, a, "Link", link(1, 100, "first")+", "+link(1, 100, "prev")+", "+link(3, 100, "next")+", "+link(3, 100, "last"))
	// Last page: no next.
	a = e.get(all+"&per_page=100&page=3", tok)
	wantHeader(t, a, "Link", link(1, 100, "first")+", "+link(2, 100, "prev"))
	a.json(t, &rows)
	if len(rows) != 50 || rows[49].ID != projectBase+250 {
		t.Fatalf("page 3: %d rows", len(rows))
	}
	// Default 100, maximum 300.
	a = e.get(all, tok)
	wantHeader(t, a, "Per-Page", "100")
	a = e.get(all+"&per_page=1000", tok)
	wantHeader(t, a, "Per-Page", "300")
	wantHeader(t, a, "Link", "")
	a.json(t, &rows)
	if len(rows) != 250 {
		t.Fatalf("per_page=1000 gave %d rows", len(rows))
	}
	// Following next links visits everything exactly once.
	seen := map[int64]bool{}
	next := e.ts.URL + all + "&per_page=30"
	for next != "" {
		a = e.get(strings.TrimPrefix(next, e.ts.URL), tok)
		a.json(t, &rows)
		for _, r := range rows {
			if seen[r.ID] {
				t.Fatalf("project %d twice", r.ID)
			}
			seen[r.ID] = true
		}
		next = ""
		for _, part := range strings.Split(a.header.Get("Link"), ", ") {
			if strings.HasSuffix(part, `rel="next"`) {
				next = part[1:strings.Index(part, ">")]
			}
		}
	}
	if len(seen) != 250 {
		t.Fatalf("followed links to %d projects", len(seen))
	}
}

func TestDMSAVisibility(t *testing.T) {
	e := newEnv(t, nil)
	d, adm := e.dmsa(), e.admin().AccessToken
	active := e.s.ActiveProjectIDs()
	if len(active) != 225 {
		t.Fatalf("%d active projects", len(active))
	}
	permitted := active[:3]
	e.s.SetPermittedProjects(permitted)
	list := fmt.Sprintf("/rest/v1.1/projects?company_id=%d&filters[by_status]=All", e.fx.CompanyID)
	var rows []projectRow
	e.get(list, d).json(t, &rows)
	if len(rows) != 3 || rows[0].ID != permitted[0] || rows[2].ID != permitted[2] {
		t.Fatalf("DMSA sees %v", rows)
	}
	a := e.get(list, adm)
	wantHeader(t, a, "Total", "250")

	hidden := active[10]
	path := fmt.Sprintf("/rest/v1.0/projects/%d/users/%d/actions/add", hidden, e.fx.ServiceUserID)
	a = e.req("POST", path, d, e.fx.CompanyID, nil)
	wantStatus(t, a, 403)
	wantStatus(t, e.req("POST", path, adm, e.fx.CompanyID, nil), 201)
	wantStatus(t, e.req("POST", "/rest/v1.0/projects/1/users/1/actions/add", adm, e.fx.CompanyID, nil), 404)

	var asg []assignment
	e.get(fmt.Sprintf("/rest/v1.0/companies/%d/users/%d/project_assignments", e.fx.CompanyID, e.fx.ServiceUserID), d).json(t, &asg)
	if len(asg) != 3 {
		t.Fatalf("DMSA sees %d assignment rows", len(asg))
	}
	// An ordinary member sees only its own projects.
	var member int64
	for _, id := range e.s.st.userOrder[serviceUserOffset:] {
		member = id
		break
	}
	e.get(list, e.memberToken(member)).json(t, &rows)
	mine := 0
	for _, p := range e.s.st.projects {
		if _, ok := e.s.st.members[p.ID][member]; ok {
			mine++
		}
	}
	if len(rows) != mine || mine == 0 {
		t.Fatalf("member sees %d projects, belongs to %d", len(rows), mine)
	}
	e.s.SetPermittedProjects(nil)
	e.get(list+"&per_page=300", d).json(t, &rows)
	if len(rows) != 250 {
		t.Fatalf("default permitted: %d", len(rows))
	}
}

// ---- directory ----

func TestCompanyUsers(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.dmsa()
	users := fmt.Sprintf("/rest/v1.3/companies/%d/users", e.fx.CompanyID)

	a := e.get(users, tok)
	wantStatus(t, a, 200)
	var list []user
	a.json(t, &list)
	// Fixtures + directory, without the inactive former employee.
	if len(list) != 3+directorySize {
		t.Fatalf("%d users", len(list))
	}
	wantHeader(t, a, "Total", strconv.Itoa(3+directorySize))
	a = e.get(users+"?per_page=10&page=2", e.dmsa())
	a.json(t, &list)
	if len(list) != 10 || !strings.Contains(a.header.Get("Link"), `rel="first"`) {
		t.Fatalf("page 2 of users: %d rows, Link %q", len(list), a.header.Get("Link"))
	}

	e.get(users+"?filters[search]="+url.QueryEscape(strings.ToUpper(e.fx.ServiceUserEmail)), tok).json(t, &list)
	if len(list) != 1 || list[0].ID != e.fx.ServiceUserID {
		t.Fatalf("search by email: %v", list)
	}
	e.get(users+"?filters[search]=morgan", tok).json(t, &list)
	if len(list) != 1 || list[0].ID != e.fx.AdminUserID {
		t.Fatalf("search by name: %v", list)
	}

	a = e.get(fmt.Sprintf("%s/%d", users, e.fx.ServiceUserID), tok)
	wantStatus(t, a, 200)
	var one user
	a.json(t, &one)
	if one.EmailAddress != e.fx.ServiceUserEmail || one.AddToNewProjects {
		t.Fatalf("get user: %s", a.body)
	}
	wantStatus(t, e.get(users+"/42", tok), 404)

	// Create.
	a = e.req("POST", users, tok, e.fx.CompanyID, map[string]any{"user": map[string]any{"first_name": "New"}})
	wantStatus(t, a, 422)
	wantBody(t, a, `{"errors":{"email_address":["can't be blank"],"last_name":["can't be blank"]}}`)
	a = e.req("POST", users, tok, e.fx.CompanyID, map[string]any{"user": map[string]any{
		"first_name": "Sync", "last_name": "Bot", "email_address": "sync.bot@riversidebuilders.example"}})
	wantStatus(t, a, 201)
	a.json(t, &one)
	if one.ID == 0 || one.Name != "Sync Bot" || !one.IsActive {
		t.Fatalf("created %s", a.body)
	}
	a = e.req("POST", users, tok, e.fx.CompanyID, map[string]any{"user": map[string]any{
		"last_name": "Again", "email_address": "SYNC.BOT@riversidebuilders.example"}})
	wantStatus(t, a, 409)
	wantStatus(t, e.req("POST", users, tok, e.fx.CompanyID, "{not json"), 400)

	// Update: add_to_new_projects by a directory admin only.
	path := fmt.Sprintf("%s/%d", users, e.fx.ServiceUserID)
	body := map[string]any{"user": map[string]any{"add_to_new_projects": true}}
	var member int64 = e.s.st.userOrder[serviceUserOffset]
	a = e.req("PATCH", path, e.memberToken(member), e.fx.CompanyID, body)
	wantStatus(t, a, 403)
	a = e.req("PATCH", path, tok, e.fx.CompanyID, body)
	wantStatus(t, a, 200)
	a.json(t, &one)
	if !one.AddToNewProjects {
		t.Fatalf("patch: %s", a.body)
	}
	pid := e.s.AddProject("Project 0251 – New Wing")
	if m := e.s.ProjectMembers(pid); !slices.Contains(m, e.fx.ServiceUserID) {
		t.Fatalf("new project members %v", m)
	}

	// Invite.
	a = e.req("PATCH", path+"/invite", tok, e.fx.CompanyID, nil)
	wantStatus(t, a, 202)
	wantBody(t, a, `{}`)
	wantStatus(t, e.req("PATCH", users+"/42/invite", tok, e.fx.CompanyID, nil), 404)
}

func TestAddRemoveAndAssignments(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.dmsa()
	pid := e.s.ActiveProjectIDs()[0]
	add := fmt.Sprintf("/rest/v1.0/projects/%d/users/%d/actions/add", pid, e.fx.ServiceUserID)
	body := map[string]any{"user": map[string]any{"permission_template_id": e.fx.TemplateID}}
	for range 2 {
		a := e.req("POST", add, tok, e.fx.CompanyID, body)
		wantStatus(t, a, 201)
		var pu projectUser
		a.json(t, &pu)
		if pu.ID != e.fx.ServiceUserID || pu.PermissionTemplate == nil || pu.PermissionTemplate.ID != e.fx.TemplateID {
			t.Fatalf("add: %s", a.body)
		}
	}
	if n := e.s.AddCount(e.fx.ServiceUserID, pid); n != 1 {
		t.Fatalf("AddCount %d", n)
	}
	// A second add with another template changes nothing.
	a := e.req("POST", add, tok, e.fx.CompanyID, map[string]any{"user": map[string]any{"permission_template_id": templateBase + 1}})
	wantStatus(t, a, 201)
	if e.s.st.members[pid][e.fx.ServiceUserID] != e.fx.TemplateID {
		t.Fatal("second add changed the template")
	}
	wantStatus(t, e.req("POST", add, tok, e.fx.CompanyID, map[string]any{"user": map[string]any{"permission_template_id": 99}}), 422)
	other := fmt.Sprintf("/rest/v1.0/projects/%d/users/%d/actions/add", e.s.ActiveProjectIDs()[1], e.fx.ServiceUserID)
	wantStatus(t, e.req("POST", other, tok, e.fx.CompanyID, nil), 201) // no body at all
	wantStatus(t, e.req("POST", fmt.Sprintf("/rest/v1.0/projects/%d/users/42/actions/add", pid), tok, e.fx.CompanyID, nil), 404)

	asgPath := fmt.Sprintf("/rest/v1.0/companies/%d/users/%d/project_assignments", e.fx.CompanyID, e.fx.ServiceUserID)
	a = e.get(asgPath+"?per_page=2", tok)
	wantStatus(t, a, 200)
	wantHeader(t, a, "Total", "250")
	wantBody(t, a, fmt.Sprintf(`[{"project_id":%d,"name":%q,"is_assigned":true,"active":true,"permission_template_id":%d,"permission_template_name":%q},`+
		`{"project_id":%d,"name":%q,"is_assigned":true,"active":true,"permission_template_id":null,"permission_template_name":null}]`,
		pid, e.s.st.projByID[pid].Name, e.fx.TemplateID, e.fx.TemplateName, pid+1, e.s.st.projByID[pid+1].Name))
	a = e.get(asgPath+"?per_page=1&page=3", tok)
	var rows []assignment
	a.json(t, &rows)
	if len(rows) != 1 || rows[0].IsAssigned {
		t.Fatalf("page 3: %s", a.body)
	}

	rm := fmt.Sprintf("/rest/v1.0/projects/%d/users/%d/actions/remove", pid, e.fx.ServiceUserID)
	a = e.req("DELETE", rm, tok, e.fx.CompanyID, nil)
	wantStatus(t, a, 204)
	if slices.Contains(e.s.ProjectMembers(pid), e.fx.ServiceUserID) {
		t.Fatal("still a member")
	}
	wantStatus(t, e.req("DELETE", rm, tok, e.fx.CompanyID, nil), 204)
}

func TestBulkAdd(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.dmsa()
	bulk := fmt.Sprintf("/rest/v1.3/companies/%d/users/bulk_add", e.fx.CompanyID)
	ids := e.s.ActiveProjectIDs()
	u := e.fx.ServiceUserID

	// The user already in ids[0] with another template keeps it.
	e.s.mu.Lock()
	e.s.st.addMember(u, ids[0], templateBase+1)
	e.s.mu.Unlock()

	items := []bulkItem{}
	for _, p := range ids[:3] {
		items = append(items, bulkItem{u, p, e.fx.TemplateID})
	}
	a := e.req("POST", bulk, tok, e.fx.CompanyID, map[string]any{"users": items})
	wantStatus(t, a, 200)
	wantBody(t, a, fmt.Sprintf(`{"entities":{"%d":[%d,%d,%d]}}`, u, ids[0], ids[1], ids[2]))
	if e.s.st.members[ids[0]][u] != templateBase+1 || e.s.st.members[ids[1]][u] != e.fx.TemplateID {
		t.Fatal("templates after bulk_add")
	}
	for _, p := range ids[:3] {
		if n := e.s.AddCount(u, p); n != 1 {
			t.Fatalf("AddCount(%d) = %d", p, n)
		}
	}

	// Partial failure: a project the DMSA may not see, an unknown template.
	e.s.SetPermittedProjects(ids[:5])
	items = []bulkItem{{u, ids[3], e.fx.TemplateID}, {u, ids[6], e.fx.TemplateID}, {u, ids[4], 99}}
	a = e.req("POST", bulk, tok, e.fx.CompanyID, map[string]any{"users": items})
	wantStatus(t, a, 207)
	wantBody(t, a, fmt.Sprintf(`{"entities":{"%d":[%d]},"errors":[`+
		`{"user_id":%d,"project_id":%d,"permission_template_id":%d,"message":"Project not found or not permitted"},`+
		`{"user_id":%d,"project_id":%d,"permission_template_id":99,"message":"Permission template not found"}]}`,
		u, ids[3], u, ids[6], e.fx.TemplateID, u, ids[4]))

	// Limits.
	big := make([]bulkItem, 1001)
	for i := range big {
		big[i] = bulkItem{u, ids[i%5], 0}
	}
	a = e.req("POST", bulk, tok, e.fx.CompanyID, map[string]any{"users": big})
	wantStatus(t, a, 422)
	wantBody(t, a, `{"errors":{"users":["is too long (maximum is 1000 items)"]}}`)
	a = e.req("POST", bulk, tok, e.fx.CompanyID, map[string]any{"users": big[:1000]})
	wantStatus(t, a, 200)
	wantStatus(t, e.req("POST", bulk, tok, e.fx.CompanyID, map[string]any{"users": []bulkItem{}}), 422)

	e.s.SetFaults(Faults{BulkAddRefused: true})
	a = e.req("POST", bulk, tok, e.fx.CompanyID, map[string]any{"users": items[:1]})
	wantStatus(t, a, 403)
	wantBody(t, a, `{"error":"Forbidden","message":"This app does not have permission to bulk add users to projects"}`)
}

func TestPermissionTemplates(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.dmsa()
	path := fmt.Sprintf("/rest/v1.0/companies/%d/permission_templates", e.fx.CompanyID)
	var rows []template
	a := e.get(path, tok)
	wantStatus(t, a, 200)
	a.json(t, &rows)
	if len(rows) != 4 || !slices.ContainsFunc(rows, func(r template) bool { return r.ID == e.fx.TemplateID && r.Name == e.fx.TemplateName }) {
		t.Fatalf("project_tools templates: %s", a.body)
	}
	wantHeader(t, a, "Total", "4")
	a = e.get(path+"?filters[type]=global", tok)
	wantBody(t, a, fmt.Sprintf(`[{"id":%d,"name":"Global Viewer","project_specific":false,"type":"global"}]`, templateBase+6))
	wantStatus(t, e.get(path+"?filters[type]=bogus", tok), 422)

	e.get(fmt.Sprintf("/rest/v1.0/projects/%d/permission_templates", projectBase+1), tok).json(t, &rows)
	if len(rows) != 5 {
		t.Fatalf("project 1 templates: %v", rows)
	}
	e.get(fmt.Sprintf("/rest/v1.0/projects/%d/permission_templates", projectBase+2), tok).json(t, &rows)
	if len(rows) != 4 {
		t.Fatalf("project 2 templates: %v", rows)
	}
	wantStatus(t, e.get("/rest/v1.0/projects/5/permission_templates", tok), 404)
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
	wantHeader(t, a, "Retry-After", "")
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
	e.s.SetFaults(Faults{RetryAfterOn429: true})
	a := e.get("/rest/v1.0/me", tok)
	wantStatus(t, a, 429)
	wantHeader(t, a, "X-Rate-Limit-Limit", "30")
	wantHeader(t, a, "X-Rate-Limit-Remaining", "0")
	wantHeader(t, a, "X-Rate-Limit-Reset", hourReset)
	wantHeader(t, a, "Retry-After", "90") // 120s window, 30s in
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
	tok := e.dmsa()
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
	tok := e.dmsa()
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
