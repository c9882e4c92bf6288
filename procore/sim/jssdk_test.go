package sim

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestJSSDKPeer drives the simulator with Procore's own JavaScript SDK
// (@procore/js-sdk, the exact version in testdata/jssdk/package.json): it
// signs in with an authorization code and reads /me, the companies and the
// projects, then refreshes and revokes. The package is installed with
// `npm ci` into a cache directory outside the repository, keyed by the lock
// file, when it is not there yet. Without node or npm the test is skipped,
// saying why, except under CI, where it fails.
func TestJSSDKPeer(t *testing.T) {
	node, npm := program(t, "node"), program(t, "npm")
	dir := installJSSDK(t, npm)

	s := New(Config{Seed: 5, HourlyLimit: 1_000_000, SpikeLimit: 1_000_000})
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	fx := s.Fixtures()
	code, err := s.IssueCode(fx.AdminClientID, oobRedirect)
	if err != nil {
		t.Fatal(err)
	}
	in, err := json.Marshal(map[string]any{"api": ts.URL, "clientId": fx.AdminClientID, "clientSecret": fx.AdminClientSecret,
		"code": code, "redirect": oobRedirect, "companyId": fx.CompanyID})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(dir, "peer.js"))
	cmd.Dir = dir
	// The settings (the client secret among them) go on stdin, never in
	// the child's environment.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	outb, err := cmd.Output()
	if err != nil {
		t.Fatalf("node peer.js: %v\n%s", err, stderr.Bytes())
	}
	type answer struct {
		Status int    `json:"status"`
		Body   any    `json:"body"`
		Total  string `json:"total"`
	}
	var out struct {
		TokenKeys, InfoKeys, RefreshedKeys []string
		TokenType                          string
		ExpiresIn                          float64
		InfoOwner                          float64
		Me, Companies, Projects            answer
		RefreshChanged                     bool
		AfterRevoke                        int
	}
	if err := json.Unmarshal(outb, &out); err != nil {
		t.Fatalf("peer's output %q: %v", outb, err)
	}
	if want := []string{"access_token", "created_at", "expires_in", "refresh_token", "token_type"}; !slices.Equal(out.TokenKeys, want) ||
		!slices.Equal(out.RefreshedKeys, want) || out.TokenType != "bearer" || out.ExpiresIn != 5400 || !out.RefreshChanged {
		t.Errorf("token: %+v", out)
	}
	if want := []string{"application", "created_at", "expires_in_seconds", "resource_owner_id", "scopes"}; !slices.Equal(out.InfoKeys, want) ||
		out.InfoOwner != float64(fx.AdminUserID) {
		t.Errorf("token info: %v owner %v", out.InfoKeys, out.InfoOwner)
	}
	me, _ := out.Me.Body.(map[string]any)
	if out.Me.Status != 200 || me["id"] != float64(fx.AdminUserID) || me["login"] != fx.AdminLogin {
		t.Errorf("/me through the SDK: %+v", out.Me)
	}
	cos, _ := out.Companies.Body.([]any)
	if out.Companies.Status != 200 || len(cos) != 1 || cos[0].(map[string]any)["id"] != float64(fx.CompanyID) {
		t.Errorf("/companies through the SDK: %+v", out.Companies)
	}
	if out.Projects.Status != 200 || out.Projects.Body != 225.0 || out.Projects.Total != "225" {
		t.Errorf("/projects through the SDK: %+v", out.Projects)
	}
	if out.AfterRevoke != 401 {
		t.Errorf("after revoke: %d", out.AfterRevoke)
	}
}

// program finds a program, or skips (fails under CI) saying it is missing.
func program(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is needed for the JavaScript SDK peer test: %v", name, err)
		}
		t.Skipf("skipped: %s is not installed (%v); CI runs it", name, err)
	}
	return p
}

// installJSSDK makes a directory outside the repository holding the SDK
// (installed once per lock file) and a fresh copy of peer.js.
func installJSSDK(t *testing.T, npm string) string {
	t.Helper()
	src := filepath.Join("testdata", "jssdk")
	lock, err := os.ReadFile(filepath.Join(src, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := os.ReadFile(filepath.Join(src, "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(append(pkg, lock...))
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "procore-sa", "jssdk-"+hex.EncodeToString(sum[:8]))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@procore", "js-sdk", "package.json")); err != nil {
		for name, b := range map[string][]byte{"package.json": pkg, "package-lock.json": lock} {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			if os.Getenv("CI") == "" {
				t.Skipf("skipped: npm ci could not install the SDK: %v\n%s", err, out)
			}
			t.Fatalf("npm ci: %v\n%s", err, out)
		}
	}
	script, err := os.ReadFile(filepath.Join(src, "peer.js"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "peer.js"), script, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}
