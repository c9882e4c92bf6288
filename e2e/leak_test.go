package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/walkthrough"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/procore/sim"
	"github.com/procore-sa/procore-sa/steps"
)

// canary is the recognisable secret typed into the capture screen.
const canary = "LEAKCANARY-7f3a9c1e5b2d-QUOKKA"

// TestSecretLeaksNowhere walks the dmsa guide in a real terminal, typing a
// recognisable client secret at the capture step, and then looks for it
// everywhere it must never be: the state and config directories (the
// audit log and the transcript among them), the terminal's whole
// scrollback, every process's command line, and stderr. It must be in the
// keychain, and only there.
func TestSecretLeaksNowhere(t *testing.T) {
	home := t.TempDir()
	// A guide of the person's own, so that no later step needs the secret
	// to be one the simulator knows.
	dir := filepath.Join(home, "config", "procore-sa", "guides")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "leak.yaml"), []byte(leakGuide), 0o600); err != nil {
		t.Fatal(err)
	}
	g, problems := steps.LoadFile(filepath.Join(dir, "leak.yaml"))
	if problems != nil {
		t.Fatal(problems)
	}
	stderr := filepath.Join(home, "stderr")
	tm := newTerm(t, home, 100, 30, "--demo", "--profile", "leaktest", g.ID, "2>"+stderr)
	o := demoRun()
	o.Capture.Secret, o.Capture.NoProve = canary, true
	for _, st := range walkthrough.ScriptWith(g, o) {
		tm.waitFor(fmt.Sprintf("Step %d of %d", st.Index+1, len(g.Steps)))
		tm.do(st.Actions...)
		if st.Title == "Capture the client ID and secret" || st.Index == len(g.Steps)-1 {
			checkCmdlines(t)
		}
	}
	tm.waitFor("Press enter to exit")
	checkCmdlines(t)
	scrollback := tm.tmux("capture-pane", "-p", "-S", "-", "-t", "e2e")
	tm.press("enter")
	if code := tm.exitCode(); code != "0" {
		t.Fatalf("exit code %s", code)
	}
	if strings.Contains(scrollback, canary) || strings.Contains(scrollback, canary[:12]) {
		t.Fatal("the secret is in the terminal's scrollback")
	}
	if b, _ := os.ReadFile(stderr); bytes.Contains(b, []byte(canary)) {
		t.Fatal("the secret is on stderr")
	}
	files := 0
	for _, dir := range []string{filepath.Join(home, "state"), filepath.Join(home, "config")} {
		_ = filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() {
				return nil
			}
			files++
			if b, _ := os.ReadFile(path); bytes.Contains(b, []byte(canary)) {
				t.Errorf("the secret is in %s", path)
			}
			return nil
		})
	}
	audit, _ := os.ReadFile(filepath.Join(home, "state", "procore-sa", "demo", "audit.jsonl"))
	transcripts, _ := filepath.Glob(filepath.Join(home, "state", "procore-sa", "demo", "transcripts", "*.md"))
	if len(transcripts) != 1 {
		t.Fatalf("transcripts: %v", transcripts)
	}
	keychainOnly := os.Getenv("PROCORE_SA_KEYRING_READY") == "1"
	if keychainOnly {
		if !bytes.Contains(audit, []byte(`"action":"save"`)) {
			t.Errorf("the save is not in the audit log:\n%s", audit)
		}
		out, err := exec.Command("secret-tool", "lookup", "service", "procore-sa-demo", "username", "leaktest").Output()
		if err != nil || !bytes.Contains(out, []byte(canary)) {
			t.Errorf("the secret is not in the keychain: %v", err)
		}
		_ = exec.Command("secret-tool", "clear", "service", "procore-sa-demo", "username", "leaktest").Run()
	}
	if files < 2 { // the audit log and the transcript at least
		t.Fatalf("only %d files looked at", files)
	}
}

const leakGuide = `id: leak-check
title: Leak check
account_model: dmsa
steps:
  - id: intro
    kind: notice
    title: Before
    body: A capture, then one more step.
  - id: capture
    kind: credential_capture
    title: Capture the client ID and secret
    body: Paste them.
  - id: after
    kind: instruction
    title: After
    checklist: [Done]
`

// checkCmdlines looks for the secret in every process's arguments.
func checkCmdlines(t *testing.T) {
	t.Helper()
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	if len(procs) == 0 {
		t.Skip("no /proc here")
	}
	for _, p := range procs {
		if b, err := os.ReadFile(p); err == nil && bytes.Contains(b, []byte(canary)) {
			t.Fatalf("the secret is on the command line of %s: %q", p, b)
		}
	}
}

// needKeychain skips (fails under CI) unless the test command started a
// real Secret Service, as scripts/test does.
func needKeychain(t *testing.T) {
	t.Helper()
	if os.Getenv("PROCORE_SA_KEYRING_READY") != "1" {
		if os.Getenv("CI") != "" {
			t.Fatal("no Secret Service: run the tests with scripts/test")
		}
		t.Skip("no Secret Service; scripts/test starts one")
	}
}

// tokenRecorder serves h and keeps every access and refresh token the
// token endpoint hands out, to look for them afterwards.
type tokenRecorder struct {
	h      http.Handler
	mu     sync.Mutex
	tokens []string
}

func (r *tokenRecorder) ServeHTTP(rw http.ResponseWriter, req *http.Request) {
	if req.URL.Path != "/oauth/token" {
		r.h.ServeHTTP(rw, req)
		return
	}
	rec := httptest.NewRecorder()
	r.h.ServeHTTP(rec, req)
	var tok struct{ AccessToken, RefreshToken string }
	if json.Unmarshal(rec.Body.Bytes(), &struct {
		AccessToken  *string `json:"access_token"`
		RefreshToken *string `json:"refresh_token"`
	}{&tok.AccessToken, &tok.RefreshToken}) == nil {
		r.mu.Lock()
		for _, s := range []string{tok.AccessToken, tok.RefreshToken} {
			if s != "" {
				r.tokens = append(r.tokens, s)
			}
		}
		r.mu.Unlock()
	}
	for k, v := range rec.Header() {
		rw.Header()[k] = v
	}
	rw.WriteHeader(rec.Code)
	rw.Write(rec.Body.Bytes())
}

func (r *tokenRecorder) issued() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.tokens)
}

// fragment is the first piece (n characters or more) of any of secrets
// found in text, or "".
func fragment(text string, n int, secrets ...string) string {
	for _, s := range secrets {
		for _, form := range []string{s, url.QueryEscape(s)} {
			for i := 0; i+n <= len(form); i++ {
				if strings.Contains(text, form[i:i+n]) {
					return form[i : i+n]
				}
			}
		}
	}
	return ""
}

// noneOf fails when a piece of any secret is in what the run left: every
// file under home, the terminal's scrollback (the code the person pasted
// aside: the terminal echoes it), stderr, and every process's command line.
func noneOf(t *testing.T, tm *term, home, stderr string, echoed []string, secrets ...string) {
	t.Helper()
	scrollback := tm.tmux("capture-pane", "-p", "-S", "-", "-t", "e2e")
	if f := fragment(scrollback, 10, slices.DeleteFunc(slices.Clone(secrets), func(s string) bool { return slices.Contains(echoed, s) })...); f != "" {
		t.Errorf("%q is in the terminal's scrollback:\n%s", f, scrollback)
	}
	if b, _ := os.ReadFile(stderr); fragment(string(b), 10, secrets...) != "" {
		t.Errorf("%q is on stderr:\n%s", fragment(string(b), 10, secrets...), b)
	}
	_ = filepath.Walk(home, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return nil
		}
		if b, _ := os.ReadFile(path); fragment(string(b), 10, secrets...) != "" {
			t.Errorf("%q is in %s", fragment(string(b), 10, secrets...), path)
		}
		return nil
	})
	checkNone(t, secrets...)
}

// TestLoginLeaksNowhere signs in with 'procore-sa login' in a real
// terminal, the admin app's secret typed at its hidden prompt and the code
// pasted, then uses the sign-in (verify, which rotates the refresh token):
// no refresh token, access token or the app's secret may be in any file,
// the scrollback, a command line or stderr. The latest refresh token is in
// the keychain, and only there.
func TestLoginLeaksNowhere(t *testing.T) {
	needTmux(t)
	needKeychain(t)
	s := sim.New(sim.Config{Seed: 9, Projects: 3, HourlyLimit: 100000, SpikeLimit: 100000})
	rec := &tokenRecorder{h: s}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	fx := s.Fixtures()
	code, err := s.IssueCode(fx.AdminClientID, procore.OOBRedirect)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("PROCORE_CLIENT_ID", "")
	t.Setenv("PROCORE_CLIENT_SECRET", "")
	profile := fmt.Sprintf("leaklogin-%d", os.Getpid())
	t.Cleanup(func() { _ = exec.Command("secret-tool", "clear", "service", "procore-sa", "username", profile).Run() })
	home := t.TempDir()
	stderr := filepath.Join(home, "stderr")
	target := []string{"--api-url", srv.URL, "--login-url", srv.URL, "--company", strconv.FormatInt(fx.CompanyID, 10), "--profile", profile}

	tm := newTerm(t, home, 120, 30, append(target, "login", "--client-id", fx.AdminClientID, "2>"+stderr)...)
	waitFile(t, stderr, "client secret (not shown)")
	tm.do(walkthrough.Action{Text: fx.AdminClientSecret})
	tm.press("enter")
	waitFile(t, stderr, "Paste the code")
	checkNone(t, fx.AdminClientSecret)
	tm.do(walkthrough.Action{Text: code})
	tm.press("enter")
	if c := tm.exitCode(); c != "0" {
		b, _ := os.ReadFile(stderr)
		t.Fatalf("login: exit %s\n%s\n%s", c, b, tm.screen())
	}
	tm.waitFor("Signed in as")
	noneOf(t, tm, home, stderr, []string{code}, append(rec.issued(), fx.AdminClientSecret, code)...)
	if _, err := os.Stat(filepath.Join(home, "state", "procore-sa", "audit.jsonl")); err != nil {
		t.Errorf("the audit log was not written, so not looked at: %v", err)
	}

	stderr2 := filepath.Join(home, "stderr-verify")
	tm2 := newTerm(t, home, 120, 30, append(target, "verify", "2>"+stderr2)...)
	if c := tm2.exitCode(); c != "0" {
		b, _ := os.ReadFile(stderr2)
		t.Fatalf("verify: exit %s\n%s\n%s", c, b, tm2.screen())
	}
	issued := rec.issued()
	if len(issued) < 4 {
		t.Fatalf("only %d tokens were issued", len(issued))
	}
	noneOf(t, tm2, home, stderr2, nil, append(issued, fx.AdminClientSecret, code)...)
	out, err := exec.Command("secret-tool", "lookup", "service", "procore-sa", "username", profile).Output()
	if err != nil || !bytes.Contains(out, []byte(issued[len(issued)-1])) {
		t.Errorf("the latest refresh token is not in the keychain: %v", err)
	}
}

// checkNone looks for a secret on every process's command line.
func checkNone(t *testing.T, secrets ...string) {
	t.Helper()
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		if b, err := os.ReadFile(p); err == nil && fragment(string(b), 10, secrets...) != "" {
			t.Fatalf("a secret is on the command line of %s: %q", p, b)
		}
	}
}

// The secrets a hostile server repeats back.
const (
	hostileSecret  = "HOSTILESECRET-4b1d-QUOKKA"
	hostileRefresh = "HOSTILEREFRESH-9c2e-WOMBAT"
	hostileAccess  = "HOSTILEACCESS-7a3f-NUMBAT"
)

// hostile is a loopback server that repeats what it is sent in its
// answers: the request itself and the secrets in it (the client secret,
// the refresh token and the code of a token request; the access token of an
// API call), in error bodies at offsets around the length an error keeps,
// and in a token answer that does not parse. Each token request gets the
// next of its bad answers, unless good is set: then a token, whose API
// calls get the bad answers.
type hostile struct {
	mu           sync.Mutex
	tokenN, apiN int
	good         bool
}

// hostileOffsets place the secrets around the 300 characters an error keeps.
var hostileOffsets = []int{0, 260, 275, 285, 290, 295, 299, 300, 310}

func (h *hostile) reset(good bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.tokenN, h.apiN, h.good = 0, 0, good
}

func (h *hostile) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	bearer := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	h.mu.Lock()
	n, good := h.tokenN, h.good
	if r.URL.Path == "/oauth/token" {
		h.tokenN++
	} else {
		n = h.apiN
		h.apiN++
	}
	h.mu.Unlock()
	pad := strings.Repeat("x", hostileOffsets[n%len(hostileOffsets)])
	sent := strings.Join([]string{form.Get("client_secret"), form.Get("refresh_token"), form.Get("code"), bearer}, " ")
	echo := pad + sent + " you sent " + string(body) + " " + r.Header.Get("Authorization")
	j := func(status int, v any) {
		rw.Header().Set("Content-Type", "application/json")
		rw.WriteHeader(status)
		b, _ := json.Marshal(v)
		rw.Write(b)
	}
	if r.URL.Path != "/oauth/token" {
		switch n % 3 {
		case 0:
			j(http.StatusForbidden, map[string]any{"errors": echo})
		case 1:
			j(http.StatusUnprocessableEntity, map[string]any{"errors": map[string]any{"name": []string{echo}, pad + bearer: "x"}})
		default:
			rw.WriteHeader(http.StatusBadRequest)
			rw.Write([]byte(echo))
		}
		return
	}
	if good {
		j(http.StatusOK, map[string]any{"access_token": hostileAccess, "token_type": "bearer", "refresh_token": hostileRefresh, "expires_in": 7200})
		return
	}
	switch n % 4 {
	case 0:
		j(http.StatusUnauthorized, map[string]any{"error": "invalid_client", "error_description": echo})
	case 1:
		rw.WriteHeader(http.StatusBadRequest)
		rw.Write([]byte(echo))
	case 2:
		j(http.StatusBadRequest, map[string]any{"error": echo})
	default:
		// A success that is not a token: oauth2 quotes what it could not read.
		j(http.StatusOK, map[string]any{"access_token": hostileAccess, "token_type": "bearer", "expires_in": pad + sent})
	}
}

// waitTokens waits until n token requests have been answered.
func (h *hostile) waitTokens(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		h.mu.Lock()
		got := h.tokenN
		h.mu.Unlock()
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d token requests, want %d", got, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitFile polls path until it holds want (a prompt on stderr).
func waitFile(t *testing.T, path, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile(path)
		if strings.Contains(string(b), want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("stderr never said %q; it says:\n%s", want, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestHostileServerLeaksNothing points the wizard's capture (with its
// check), verify (client credentials, and a stored sign-in's refresh) and
// login at a server that repeats the request and every secret in it into
// its errors and into a token answer: nothing of the client secret, the
// refresh token, the access token or the code may be on the screen, in the
// scrollback, in a file or on stderr.
func TestHostileServerLeaksNothing(t *testing.T) {
	needTmux(t)
	h := &hostile{}
	srv := httptest.NewServer(h)
	defer srv.Close()
	const code = "HOSTILECODE-5e6d-BILBY"
	secrets := []string{hostileSecret, hostileRefresh, hostileAccess, code}
	target := []string{"--api-url", srv.URL, "--login-url", srv.URL, "--company", "4264807"}
	t.Setenv("PROCORE_CLIENT_ID", "")
	t.Setenv("PROCORE_CLIENT_SECRET", "")

	t.Run("capture", func(t *testing.T) {
		h.reset(false)
		home := t.TempDir()
		dir := filepath.Join(home, "config", "procore-sa", "guides")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "leak.yaml"), []byte(leakGuide), 0o600); err != nil {
			t.Fatal(err)
		}
		stderr := filepath.Join(home, "stderr")
		tm := newTerm(t, home, 100, 30, append(target, "--profile", "hostile", "leak-check", "2>"+stderr)...)
		tm.waitFor("Step 1 of 3")
		tm.press("enter")
		tm.waitFor("Step 2 of 3")
		tm.do(walkthrough.Action{Text: "dmsa-hostile-client"})
		tm.press("tab")
		tm.do(walkthrough.Action{Text: hostileSecret})
		tm.press("tab")
		tm.do(walkthrough.Action{Text: "4264807"})
		// Each enter checks again, and gets the next bad answer.
		for i := range len(hostileOffsets) + 3 {
			tm.press("enter")
			h.waitTokens(t, i+1)
			deadline := time.Now().Add(10 * time.Second)
			for screen := tm.screen(); strings.Contains(screen, "Checking the credentials") || !strings.Contains(screen, "✗ "); screen = tm.screen() {
				if time.Now().After(deadline) {
					t.Fatalf("check %d: no refusal on the screen:\n%s", i, screen)
				}
				time.Sleep(50 * time.Millisecond)
			}
			time.Sleep(100 * time.Millisecond) // the answer drawn
			if f := fragment(tm.screen(), 8, secrets...); f != "" {
				t.Fatalf("check %d: %q is on the screen:\n%s", i, f, tm.screen())
			}
		}
		tm.press("ctrl+c")
		tm.waitFor("Type discard")
		tm.do(walkthrough.Action{Text: "discard"})
		tm.press("enter")
		tm.exitCode()
		noneOf(t, tm, home, stderr, nil, secrets...)
	})

	verify := func(t *testing.T, home string, runs int, args ...string) {
		t.Helper()
		for i := range runs {
			stderr := filepath.Join(home, fmt.Sprintf("stderr-%d", i))
			tm := newTerm(t, home, 120, 30, append(append(slices.Clone(target), args...), "verify", "2>"+stderr)...)
			c := tm.exitCode()
			b, _ := os.ReadFile(stderr)
			if c != "1" || !strings.Contains(string(b), "Procore") && !strings.Contains(string(b), "token") {
				t.Fatalf("verify %d against a hostile server: exit %s\n%s", i, c, b)
			}
			noneOf(t, tm, filepath.Join(home, "state"), stderr, nil, secrets...)
		}
	}
	t.Run("verify token errors", func(t *testing.T) {
		h.reset(false)
		t.Setenv("PROCORE_CLIENT_ID", "dmsa-hostile-client")
		t.Setenv("PROCORE_CLIENT_SECRET", hostileSecret)
		verify(t, t.TempDir(), len(hostileOffsets)+3)
	})
	t.Run("verify API errors", func(t *testing.T) {
		h.reset(true)
		t.Setenv("PROCORE_CLIENT_ID", "dmsa-hostile-client")
		t.Setenv("PROCORE_CLIENT_SECRET", hostileSecret)
		verify(t, t.TempDir(), len(hostileOffsets)+3)
	})
	t.Run("verify refresh errors", func(t *testing.T) {
		needKeychain(t)
		h.reset(false)
		profile := fmt.Sprintf("hostile-refresh-%d", os.Getpid())
		doc := `{"version":1,"kind":"admin_oauth","environment":"custom","company_id":4264807,"client_id":"admin-hostile-app","client_secret":"` +
			hostileSecret + `","refresh_token":"` + hostileRefresh + `"}`
		store := exec.Command("secret-tool", "store", "--label", "procore-sa e2e", "service", "procore-sa", "username", profile)
		store.Stdin = strings.NewReader(doc)
		if out, err := store.CombinedOutput(); err != nil {
			t.Fatalf("secret-tool store: %v\n%s", err, out)
		}
		t.Cleanup(func() { _ = exec.Command("secret-tool", "clear", "service", "procore-sa", "username", profile).Run() })
		verify(t, t.TempDir(), len(hostileOffsets), "--profile", profile)
	})
	t.Run("login", func(t *testing.T) {
		h.reset(false)
		home := t.TempDir()
		for i := range len(hostileOffsets) {
			stderr := filepath.Join(home, fmt.Sprintf("stderr-%d", i))
			tm := newTerm(t, home, 120, 30, append(target, "--profile", "hostile-login", "login", "--client-id", "admin-hostile-app", "2>"+stderr)...)
			waitFile(t, stderr, "client secret (not shown)")
			tm.do(walkthrough.Action{Text: hostileSecret})
			tm.press("enter")
			waitFile(t, stderr, "Paste the code")
			tm.do(walkthrough.Action{Text: code})
			tm.press("enter")
			c := tm.exitCode()
			b, _ := os.ReadFile(stderr)
			if c != "1" || !strings.Contains(string(b), "exchange the authorization code") {
				t.Fatalf("login %d against a hostile server: exit %s\n%s", i, c, b)
			}
			// The terminal echoes the pasted code; nothing else may show.
			noneOf(t, tm, home, stderr, []string{code}, secrets...)
		}
	})
}
