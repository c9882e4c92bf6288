package sim

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	htmltemplate "html/template"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// oobRedirect is the out-of-band redirect: the code is shown on a page.
const oobRedirect = "urn:ietf:wg:oauth:2.0:oob"

// codeTTL is how long an authorization code lives (Procore: 10 minutes).
const codeTTL = 10 * time.Minute

// token is an issued access token and, for user grants, its refresh token.
type token struct {
	access, refresh string
	clientID        string
	userID          int64
	app             bool // a client-credentials (DMSA) token, not a person's
	createdAt       time.Time
	expiresAt       time.Time
	revoked         bool // by /oauth/revoke: access and refresh together
	refreshUsed     bool // refresh tokens are single use
}

type authCode struct {
	clientID, redirectURI string
	userID                int64
	expiresAt             time.Time
	used                  bool
}

type authStore struct {
	mu      sync.RWMutex
	access  map[string]*token
	refresh map[string]*token
	codes   map[string]*authCode
}

func (a *authStore) init() {
	a.access = map[string]*token{}
	a.refresh = map[string]*token{}
	a.codes = map[string]*authCode{}
}

// ExpireTokens expires every access token issued so far, from now: the
// next API call with one answers 401. Refresh tokens keep working.
func (s *Server) ExpireTokens() {
	now := s.cfg.Now()
	s.auth.mu.Lock()
	defer s.auth.mu.Unlock()
	for _, t := range s.auth.access {
		if t.expiresAt.After(now) {
			t.expiresAt = now
		}
	}
}

// validToken finds a live access token.
func (s *Server) validToken(access string) (*token, string) {
	if access == "" {
		return nil, "The access token is missing"
	}
	s.auth.mu.RLock()
	t := s.auth.access[access]
	var revoked bool
	var expires time.Time
	if t != nil {
		revoked, expires = t.revoked, t.expiresAt
	}
	s.auth.mu.RUnlock()
	switch {
	case t == nil:
		return nil, "The access token is invalid"
	case revoked:
		return nil, "The access token was revoked"
	case !s.cfg.Now().Before(expires):
		return nil, "The access token expired"
	}
	return t, ""
}

// bearer reads the token from "Authorization: Bearer ...".
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// clientKind says which app a client ID and secret belong to.
type clientKind int

const (
	noClient clientKind = iota
	dmsaClient
	adminClient
)

func (s *Server) clientByID(id string) clientKind {
	switch id {
	case s.fx.DMSAClientID:
		return dmsaClient
	case s.fx.AdminClientID:
		return adminClient
	}
	return noClient
}

func (s *Server) authenticateClient(id, secret string) clientKind {
	k := s.clientByID(id)
	if k == noClient {
		return noClient
	}
	want := s.ClientSecret(id) // rotate.go: the secret issued last
	if subtle.ConstantTimeCompare([]byte(secret), []byte(want)) != 1 {
		return noClient
	}
	return k
}

// redirectAllowed accepts the out-of-band redirect and, for a local
// program, an http redirect to loopback.
func redirectAllowed(uri string) bool {
	if uri == oobRedirect {
		return true
	}
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "http" {
		return false
	}
	switch u.Hostname() {
	case "127.0.0.1", "localhost", "::1":
		return true
	}
	return false
}

// IssueCode approves an authorization-code login as the fixture admin
// without a browser, as the page at /oauth/authorize does.
func (s *Server) IssueCode(clientID, redirectURI string) (string, error) {
	switch {
	case s.clientByID(clientID) != adminClient:
		return "", errorf("client %q cannot use the authorization-code grant", clientID)
	case !redirectAllowed(redirectURI):
		return "", errorf("redirect_uri %q is not registered", redirectURI)
	}
	code := s.randHex(20)
	s.auth.mu.Lock()
	s.auth.codes[code] = &authCode{clientID: clientID, redirectURI: redirectURI,
		userID: s.fx.AdminUserID, expiresAt: s.cfg.Now().Add(codeTTL)}
	s.auth.mu.Unlock()
	return code, nil
}

var pageTmpl = htmltemplate.Must(htmltemplate.New("page").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body><h1>{{.Title}}</h1>
{{if .Code}}<p>Signed in as {{.Login}}. Copy this code and paste it into the program that asked for it. It can be used once, within 10 minutes.</p>
<p><code id="authorization_code">{{.Code}}</code></p>
{{if .State}}<p>State: <code id="state">{{.State}}</code></p>{{end}}
{{else}}<p id="error">{{.Error}}</p>{{end}}
</body></html>
`))

type page struct{ Title, Login, Code, State, Error string }

func writePage(w http.ResponseWriter, status int, p page) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = pageTmpl.Execute(w, p) // the client went away; nothing to do
}

// authorize is GET /oauth/authorize. There is no login form: the page
// approves the request as the fixture admin, as if they were signed in.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	fail := func(msg string) {
		writePage(w, http.StatusBadRequest, page{Title: "Authorization failed", Error: msg})
	}
	if q.Get("response_type") != "code" {
		fail("unsupported_response_type: response_type must be code")
		return
	}
	redirect := q.Get("redirect_uri")
	code, err := s.IssueCode(q.Get("client_id"), redirect)
	if err != nil {
		fail("invalid_request: " + strings.TrimPrefix(err.Error(), "sim: "))
		return
	}
	if redirect != oobRedirect {
		u, _ := url.Parse(redirect) // checked by IssueCode
		v := u.Query()
		v.Set("code", code)
		if st := q.Get("state"); st != "" {
			v.Set("state", st)
		}
		u.RawQuery = v.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
		return
	}
	writePage(w, http.StatusOK, page{Title: "Authorization code", Login: s.fx.AdminLogin, Code: code, State: q.Get("state")})
}

// oauthParams reads the token and revoke endpoints' parameters from a form,
// a multipart body (as the docs' own curl -F examples send them, and
// /oauth/revoke's "as form-data") or a JSON body (Procore's JavaScript SDK
// posts JSON), and the client from HTTP Basic when present.
func oauthParams(r *http.Request) (map[string]string, error) {
	p := map[string]string{}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "multipart/form-data":
		r.Body = http.MaxBytesReader(nil, r.Body, 1<<20)
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			return nil, errorf("reading multipart form: %w", err)
		}
		for k := range r.Form {
			p[k] = r.Form.Get(k)
		}
	case "application/json":
		var raw map[string]any
		if err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20)).Decode(&raw); err != nil {
			return nil, errorf("reading JSON body: %w", err)
		}
		for k, v := range raw {
			switch v := v.(type) {
			case string:
				p[k] = v
			case float64, bool:
				b, _ := json.Marshal(v)
				p[k] = string(b)
			}
		}
	default:
		if err := r.ParseForm(); err != nil {
			return nil, errorf("reading form: %w", err)
		}
		for k := range r.Form {
			p[k] = r.Form.Get(k)
		}
	}
	if id, secret, ok := r.BasicAuth(); ok {
		// RFC 6749 2.3.1: Basic credentials are form-encoded first.
		if v, err := url.QueryUnescape(id); err == nil {
			id = v
		}
		if v, err := url.QueryUnescape(secret); err == nil {
			secret = v
		}
		p["client_id"], p["client_secret"] = id, secret
	}
	return p, nil
}

type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

func writeOAuthError(w http.ResponseWriter, status int, code, desc string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="Procore"`)
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, oauthError{code, desc})
}

type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	CreatedAt    int64  `json:"created_at"`
}

// tokenEndpoint is POST /oauth/token.
func (s *Server) tokenEndpoint(w http.ResponseWriter, r *http.Request) {
	p, err := oauthParams(r)
	if err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	kind := s.authenticateClient(p["client_id"], p["client_secret"])
	if kind == noClient {
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client",
			"Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.")
		return
	}
	invalidGrant := func() {
		writeOAuthError(w, http.StatusBadRequest, "invalid_grant",
			"The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.")
	}
	now := s.cfg.Now()
	var t *token
	switch p["grant_type"] {
	case "":
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "The request is missing a required parameter: grant_type.")
		return
	case "client_credentials":
		if kind != dmsaClient {
			writeOAuthError(w, http.StatusBadRequest, "unauthorized_client",
				"The client is not authorized to use client credentials: only a Developer Managed Service Account can.")
			return
		}
		t = s.newToken(p["client_id"], s.fx.DMSAUserID, true, now)
	case "authorization_code":
		s.auth.mu.Lock()
		c := s.auth.codes[p["code"]]
		ok := c != nil && !c.used && now.Before(c.expiresAt) && c.clientID == p["client_id"] && c.redirectURI == p["redirect_uri"]
		if c != nil && c.clientID == p["client_id"] {
			c.used = true // a code presented once by its client is spent, even on a mismatch
		}
		s.auth.mu.Unlock()
		if !ok {
			invalidGrant()
			return
		}
		t = s.newToken(p["client_id"], c.userID, false, now)
	case "refresh_token":
		s.auth.mu.Lock()
		old := s.auth.refresh[p["refresh_token"]]
		ok := old != nil && !old.refreshUsed && !old.revoked && old.clientID == p["client_id"]
		if ok {
			old.refreshUsed = true
		}
		s.auth.mu.Unlock()
		if !ok {
			invalidGrant()
			return
		}
		t = s.newToken(old.clientID, old.userID, false, now)
	default:
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type",
			"The authorization grant type is not supported by the authorization server.")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, tokenResponse{
		AccessToken: t.access, TokenType: "bearer", ExpiresIn: int64(s.cfg.TokenTTL / time.Second),
		RefreshToken: t.refresh, CreatedAt: t.createdAt.Unix(),
	})
}

// newToken issues an access token: an app's (client credentials, no
// refresh token) or a person's (with a refresh token).
func (s *Server) newToken(clientID string, userID int64, app bool, now time.Time) *token {
	t := &token{access: s.randHex(32), clientID: clientID, userID: userID, app: app,
		createdAt: now, expiresAt: now.Add(s.cfg.TokenTTL)}
	if !app {
		t.refresh = s.randHex(32)
	}
	s.auth.mu.Lock()
	s.auth.access[t.access] = t
	if t.refresh != "" {
		s.auth.refresh[t.refresh] = t
	}
	s.auth.mu.Unlock()
	return t
}

// tokenInfo is GET /oauth/token/info, with the reference's keys only.
func (s *Server) tokenInfo(w http.ResponseWriter, r *http.Request) {
	access := bearer(r)
	if access == "" {
		access = r.URL.Query().Get("access_token")
	}
	t, why := s.validToken(access)
	if t == nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="Procore", error="invalid_token", error_description="`+why+`"`)
		writeJSON(w, http.StatusUnauthorized, oauthError{"invalid_token", why})
		return
	}
	s.auth.mu.RLock()
	left := t.expiresAt.Sub(s.cfg.Now())
	s.auth.mu.RUnlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"resource_owner_id":  t.userID,
		"scopes":             []string{},
		"expires_in_seconds": int64(left.Round(time.Second) / time.Second),
		"application":        map[string]string{"uid": t.clientID},
		"created_at":         t.createdAt.Unix(),
	})
}

// revoke is POST /oauth/revoke (form token, client_id, client_secret, or
// the client in HTTP Basic). The client must authenticate, as at the token
// endpoint: an unknown client or a wrong or missing secret is refused with
// 401 invalid_client (RFC 7009 2.2.1). An authenticated client revokes the
// access and refresh token of one of its own pairs together, and is always
// answered 200, as Procore documents, whether or not the token was known or
// its own (so the answer reveals nothing about the token).
func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	p, err := oauthParams(r)
	if err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	if s.authenticateClient(p["client_id"], p["client_secret"]) == noClient {
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client",
			"Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.")
		return
	}
	s.auth.mu.Lock()
	t := s.auth.access[p["token"]]
	if t == nil {
		t = s.auth.refresh[p["token"]]
	}
	if t != nil && p["client_id"] == t.clientID {
		t.revoked = true
	}
	s.auth.mu.Unlock()
	writeJSON(w, http.StatusOK, struct{}{})
}

var errNoBody = errors.New("empty body")
