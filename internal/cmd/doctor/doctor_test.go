package doctor_test

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/procore-sa/procore-sa/internal/cmd/cmdtest"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
)

// TestDoctorUnreachableKeychain: doctor names the backend, says why the
// keychain cannot be reached, lists the variables that override a stored
// credential (never their values), and exits 1.
func TestDoctorUnreachableKeychain(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the session-bus check is Linux's")
	}
	cmdtest.Env(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/procore-sa-bus")
	t.Setenv("PROCORE_CLIENT_ID", "env-client-id")
	t.Setenv("PROCORE_CLIENT_SECRET", "env-secret-do-not-print")
	c := cmdtest.NewCredApp(t, "")
	// Procore's hosts on loopback, where nothing listens (a closed port).
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	out, errOut, code := c.Run(t, "--api-url", closed.URL, "--login-url", closed.URL, "doctor")
	if code != cmdutil.ExitFailed {
		t.Fatalf("doctor: exit %d, want 1\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"keychain:  Secret Service (D-Bus), service procore-sa",
		"NOT reachable:",
		"/nonexistent/procore-sa-bus does not exist",
		"override:  PROCORE_CLIENT_ID is set and overrides the stored credential",
		"override:  PROCORE_CLIENT_SECRET is set and overrides the stored credential",
		"login:     " + closed.URL + ": resolves (127.0.0.1) but does NOT answer: Could not reach Procore: 127.0.0.1 refused the connection.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out+errOut, "env-secret-do-not-print") || strings.Contains(out, "secret export") {
		t.Errorf("doctor:\n%s%s", out, errOut)
	}
}

// TestDoctorReachableKeychain: on the Secret Service scripts/test starts,
// doctor says it is reachable, lists no override, and exits 0.
func TestDoctorReachableKeychain(t *testing.T) {
	cmdtest.NeedKeyring(t)
	cmdtest.Env(t)
	t.Setenv("PROCORE_CLIENT_ID", "")
	t.Setenv("PROCORE_CLIENT_SECRET", "")
	c := cmdtest.NewCredApp(t, "")
	srv := httptest.NewServer(http.NotFoundHandler()) // Procore's hosts, on loopback
	defer srv.Close()
	out, errOut, code := c.Run(t, "--api-url", srv.URL, "--login-url", srv.URL, "doctor")
	if !strings.Contains(out, "api:       "+srv.URL+": resolves (127.0.0.1) and answers (HTTP 404)") {
		t.Errorf("doctor does not say the API host answers:\n%s", out)
	}
	if code != cmdutil.ExitOK || !strings.Contains(out, "reachable") || strings.Contains(out, "NOT reachable") || strings.Contains(out, "override:") {
		t.Fatalf("doctor: exit %d\n%s%s", code, out, errOut)
	}
}
