package procore

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/procore-sa/procore-sa/internal/secret"
)

// OOBRedirect is the out-of-band redirect: Procore shows the code on a page
// and the person pastes it into the program.
const OOBRedirect = "urn:ietf:wg:oauth:2.0:oob"

// Auth gives the client an access token and takes back one that Procore
// refused, so the next Token fetches a new one.
type Auth interface {
	Token(ctx context.Context) (*oauth2.Token, error)
	Invalidate(tok *oauth2.Token)
}

// SaveFunc keeps a new token pair. Procore's refresh tokens are single use,
// so it is called with every new refresh token before its access token is
// used; if it fails, the access token is not used.
type SaveFunc func(ctx context.Context, tok *oauth2.Token) error

func endpoint(env Environment) oauth2.Endpoint {
	return oauth2.Endpoint{
		AuthURL:  env.LoginURL + "/oauth/authorize",
		TokenURL: env.LoginURL + "/oauth/token",
		// Procore accepts both; the body keeps the secret out of headers
		// that proxies log.
		AuthStyle: oauth2.AuthStyleInParams,
	}
}

// OAuthConfig is the authorization-code configuration of an app.
func OAuthConfig(env Environment, clientID string, clientSecret secret.Value) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     clientID,
		ClientSecret: clientSecret.Reveal(),
		Endpoint:     endpoint(env),
		RedirectURL:  OOBRedirect,
	}
}

// AuthCodeURL is the page where an admin approves the app and is shown a
// code to paste.
func AuthCodeURL(env Environment, clientID, state string) string {
	return OAuthConfig(env, clientID, secret.Value{}).AuthCodeURL(state)
}

// Exchange trades an authorization code for a token pair.
func Exchange(ctx context.Context, hc *http.Client, env Environment, clientID string, clientSecret secret.Value, code string) (*oauth2.Token, error) {
	if err := checkLoginURL(env); err != nil {
		return nil, fmt.Errorf("exchange the authorization code: %w", err)
	}
	ctx = withHTTPClient(ctx, hc)
	tok, err := OAuthConfig(env, clientID, clientSecret).Exchange(ctx, code)
	if err != nil {
		return nil, tokenError("exchange the authorization code", err, clientSecret, secret.New(code))
	}
	return tok, nil
}

// checkLoginURL holds the login URL to the rule of the API URL (https, or
// http on loopback only): the client secret and refresh tokens go there. An
// Environment built by hand has not been through Override.
func checkLoginURL(env Environment) error {
	if err := CheckBaseURL(env.LoginURL); err != nil {
		return fmt.Errorf("login URL: %w", err)
	}
	return nil
}

// withHTTPClient gives oauth2 an HTTP client (hc, or one with a 60-second
// timeout) that never follows a redirect: a 307 or 308 would send the
// secret in the body again, to wherever it pointed.
func withHTTPClient(ctx context.Context, hc *http.Client) context.Context {
	var c http.Client
	if hc != nil {
		c = *hc
	} else {
		c.Timeout = 60 * time.Second
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return context.WithValue(ctx, oauth2.HTTPClient, &c)
}

// tokenError turns an OAuth failure into an error whose message says what
// to do and holds no secret. oauth2's own errors quote the whole response
// body, or a field of an answer they could not read: an error answer keeps
// only the fields RFC 6749 defines, with every copy of sent (the secrets
// the request carried) withheld before it is clipped; an unreadable answer
// keeps none of what oauth2 quotes from it, since it may repeat any secret,
// the new tokens among them. The transport's errors (the token URL and the
// network's reason) pass as they are.
func tokenError(doing string, err error, sent ...secret.Value) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		e := ParseError(re.Response.StatusCode, re.Body, sent...)
		e.Method, e.Path = http.MethodPost, "/oauth/token"
		if re.ErrorCode != "" {
			e.Code = Clip(secret.Withhold(re.ErrorCode, sent...))
		}
		return fmt.Errorf("%s: %w", doing, e)
	}
	var ue *url.Error
	if errors.As(err, &ue) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", doing, err)
	}
	text := quoted.ReplaceAllString(secret.Withhold(err.Error(), sent...), secret.Withheld)
	return fmt.Errorf("%s: %w", doing, &unreadableTokenError{text: Clip(text)})
}

// quoted is a quoted string in an error's words (Go's %q, JSON's).
var quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"?`)

// unreadableTokenError is a success answer to a token request that was not
// a token procore-sa can read. It keeps only oauth2's words, not the
// answer's.
type unreadableTokenError struct{ text string }

func (e *unreadableTokenError) Error() string {
	return "the answer to the token request could not be read as a token (" + e.text + "); if it came through a proxy, check the login URL"
}

// withheldBy is every secret auth holds and those of tok, the token it gave
// for a request: what an answer to that request must not repeat.
func withheldBy(auth Auth, tok *oauth2.Token) []secret.Value {
	var out []secret.Value
	if tok != nil {
		out = append(out, secret.New(tok.AccessToken), secret.New(tok.RefreshToken))
	}
	if k, ok := auth.(interface{ secrets() []secret.Value }); ok {
		out = append(out, k.secrets()...)
	}
	return out
}

// tokenAuth caches a token and fetches a new one through fetch when it is
// expired or was refused. One fetch at a time: a refresh token is single use,
// so two refreshes at once would lose the pair.
type tokenAuth struct {
	mu    sync.Mutex
	known []secret.Value // the client secret, for withheldBy
	tok   *oauth2.Token
	fetch func(ctx context.Context, old *oauth2.Token) (*oauth2.Token, error)
	now   func() time.Time
	user  bool // a person's sign-in, not an app's client credentials
}

func (a *tokenAuth) userToken() bool { return a.user }

// expiryDelta renews a token this long before it expires, so a request in
// flight does not carry a token that dies on the way.
const expiryDelta = 30 * time.Second

func (a *tokenAuth) Token(ctx context.Context) (*oauth2.Token, error) {
	a.mu.Lock()
	if a.tok != nil && a.tok.AccessToken != "" && (a.tok.Expiry.IsZero() || a.now().Add(expiryDelta).Before(a.tok.Expiry)) {
		defer a.mu.Unlock()
		return a.tok, nil
	}
	if !a.user {
		defer a.mu.Unlock()
		tok, err := a.fetch(ctx, a.tok)
		if err != nil {
			return nil, err
		}
		a.tok = tok
		return tok, nil
	}
	// A person's refresh token is single-use: once a refresh is sent it is
	// finished and its new token kept even when the caller stops waiting
	// (a screen left mid-read), else the sign-in is spent with nothing to
	// show for it. The lock is held until then, so nothing refreshes twice.
	type result struct {
		tok *oauth2.Token
		err error
	}
	done := make(chan result, 1)
	old := a.tok
	go func() {
		tok, err := a.fetch(context.WithoutCancel(ctx), old)
		if err == nil {
			a.tok = tok
		}
		a.mu.Unlock()
		done <- result{tok, err}
	}()
	select {
	case r := <-done:
		return r.tok, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// secrets is the client secret and the tokens held now.
func (a *tokenAuth) secrets() []secret.Value {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := append([]secret.Value(nil), a.known...)
	if a.tok != nil {
		out = append(out, secret.New(a.tok.AccessToken), secret.New(a.tok.RefreshToken))
	}
	return out
}

func (a *tokenAuth) Invalidate(tok *oauth2.Token) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.tok == tok && a.tok != nil {
		// Keep the refresh token; drop only the access token.
		cp := *a.tok
		cp.AccessToken = ""
		a.tok = &cp
	}
}

// ClientCredentials authenticates a Developer Managed Service Account.
func ClientCredentials(env Environment, hc *http.Client, clientID string, clientSecret secret.Value) Auth {
	cc := &clientcredentials.Config{
		ClientID:     clientID,
		ClientSecret: clientSecret.Reveal(),
		TokenURL:     env.LoginURL + "/oauth/token",
		AuthStyle:    oauth2.AuthStyleInParams,
	}
	return &tokenAuth{now: time.Now, known: []secret.Value{clientSecret}, fetch: func(ctx context.Context, _ *oauth2.Token) (*oauth2.Token, error) {
		if err := checkLoginURL(env); err != nil {
			return nil, fmt.Errorf("get a token with the client ID and secret: %w", err)
		}
		// A client-credentials grant may be repeated, so a dropped
		// connection is retried; an answer from Procore is final.
		var err error
		for attempt := range 4 {
			var tok *oauth2.Token
			if tok, err = cc.Token(withHTTPClient(ctx, hc)); err == nil {
				return tok, nil
			}
			if !lostBeforeAnswer(err) || ctx.Err() != nil {
				break
			}
			if sleep(ctx, time.Duration(100<<attempt)*time.Millisecond) != nil {
				break
			}
		}
		return nil, tokenError("get a token with the client ID and secret", err, clientSecret)
	}}
}

// RefreshingAuth authenticates with an admin's token pair, refreshing it
// when it expires and handing every new pair to save before use.
func RefreshingAuth(env Environment, hc *http.Client, clientID string, clientSecret secret.Value, tok *oauth2.Token, save SaveFunc) Auth {
	conf := OAuthConfig(env, clientID, clientSecret)
	return &tokenAuth{now: time.Now, known: []secret.Value{clientSecret}, tok: tok, user: true, fetch: func(ctx context.Context, old *oauth2.Token) (*oauth2.Token, error) {
		if old == nil || old.RefreshToken == "" {
			return nil, errors.New("the sign-in has no refresh token: sign in again with 'procore-sa login'")
		}
		if err := checkLoginURL(env); err != nil {
			return nil, fmt.Errorf("refresh the sign-in: %w", err)
		}
		// A token with no access token makes oauth2 refresh at once. A
		// connection dropped before Procore answered may or may not have
		// spent the refresh token: trying it again is safe either way (a
		// spent one is refused, and then the sign-in must be made again),
		// and saves the sign-in when the request never arrived.
		var next *oauth2.Token
		var err error
		for attempt := range 4 {
			next, err = conf.TokenSource(withHTTPClient(ctx, hc), &oauth2.Token{RefreshToken: old.RefreshToken}).Token()
			if err == nil || !lostBeforeAnswer(err) || ctx.Err() != nil {
				break
			}
			if sleep(ctx, time.Duration(100<<attempt)*time.Millisecond) != nil {
				break
			}
		}
		if err != nil {
			return nil, tokenError("refresh the sign-in", err, clientSecret, secret.New(old.RefreshToken))
		}
		if err := save(ctx, next); err != nil {
			return nil, fmt.Errorf("keep the new refresh token (Procore has retired the old one): %w", err)
		}
		return next, nil
	}}
}

// lostBeforeAnswer reports whether a token request failed in the round
// trip itself (no connection, or one dropped before an answer), the only
// failure worth trying again: an answer of any kind, even one that cannot
// be read, means Procore acted, and a refresh token it answered for is spent.
func lostBeforeAnswer(err error) bool {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		return false
	}
	var ue *url.Error
	return errors.As(err, &ue)
}

// StaticAuth uses one access token and cannot renew it.
func StaticAuth(accessToken secret.Value) Auth {
	return &tokenAuth{now: time.Now, tok: &oauth2.Token{AccessToken: accessToken.Reveal()},
		fetch: func(context.Context, *oauth2.Token) (*oauth2.Token, error) {
			return nil, errors.New("the access token was refused and cannot be renewed")
		}}
}
