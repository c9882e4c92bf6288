package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/procore"
)

// simProcess is one running 'procore-sa sim', whose state lasts across
// the commands pointed at it.
type simProcess struct {
	vals map[string]string
	url  string
}

func startSimProcess(t *testing.T, args ...string) *simProcess {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, binary, append([]string{"sim", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	vals := map[string]string{}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ": ")
		vals[k] = v
		if k == "service_user_email" {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	if vals["api_url"] == "" {
		t.Fatalf("the simulator printed no address:\n%s", stderr.String())
	}
	return &simProcess{vals: vals, url: vals["api_url"]}
}

// code is an authorization code for the simulator's admin app, read from
// its out-of-band page as a person would copy it.
func (s *simProcess) code(t *testing.T) string {
	t.Helper()
	q := url.Values{"response_type": {"code"}, "client_id": {s.vals["admin_client_id"]}, "redirect_uri": {procore.OOBRedirect}}
	resp, err := http.Get(s.url + "/oauth/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`<code id="authorization_code">([^<]+)</code>`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no code on the page:\n%s", b)
	}
	return string(m[1])
}

// adminClient is the admin's own sign-in from the test, to break the
// setup on purpose as a person would in Procore.
func (s *simProcess) adminClient(t *testing.T) *procore.Client {
	t.Helper()
	env := procore.Environment{Name: "sim", LoginURL: s.url, APIURL: s.url}
	sec := secret.New(s.vals["admin_client_secret"])
	tok, err := procore.Exchange(context.Background(), nil, env, s.vals["admin_client_id"], sec, s.code(t))
	if err != nil {
		t.Fatal(err)
	}
	company, _ := strconv.ParseInt(s.vals["company_id"], 10, 64)
	c, err := procore.New(procore.Config{Env: env, CompanyID: company,
		Auth: procore.RefreshingAuth(env, nil, s.vals["admin_client_id"], sec, tok, func(context.Context, *oauth2.Token) error { return nil })})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// runner runs the binary against the simulator with one profile and its
// own state and config directories.
type runner struct {
	t      *testing.T
	target []string
	env    []string
}

func (r *runner) run(stdin string, extraEnv []string, args ...string) (stdout, stderr string, code int) {
	r.t.Helper()
	cmd := exec.Command(binary, append(slices.Clone(r.target), args...)...)
	cmd.Env = append(append(slices.Clone(r.env), extraEnv...), os.Environ()...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code = 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		r.t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

type requirement struct {
	ID, Fix string
	OK      bool
	Unknown bool
	State   string
}

// check runs 'check' with the integration's credential in the
// environment and reads its JSON lines.
func (r *runner) check(t *testing.T, dmsa []string, args ...string) ([]requirement, int, string) {
	t.Helper()
	out, errOut, code := r.run("", dmsa, append([]string{"check"}, append(args, "--json")...)...)
	var rs []requirement
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var q requirement
		if err := json.Unmarshal([]byte(line), &q); err != nil {
			t.Fatalf("not a JSON line: %q (%v)\nstderr: %s", line, err, errOut)
		}
		rs = append(rs, q)
	}
	return rs, code, errOut
}

// failing is the check names of the requirements that do not hold.
func failing(rs []requirement) []string {
	var out []string
	for _, q := range rs {
		if !q.OK {
			_, name, _ := strings.Cut(q.ID, "/")
			out = append(out, strings.TrimRight(name, "-0123456789"))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestCheckAgainstOneSimulator: against one running simulator, with the
// admin signed in by 'procore-sa login', 'check dmsa' fails on the fresh
// company, holds after the admin's add-all, and a setup broken through the
// API fails on exactly the rows broken, each with its fix.
func TestCheckAgainstOneSimulator(t *testing.T) {
	needKeychain(t)
	s := startSimProcess(t, "--projects", "30", "--seed", "41", "--hourly-limit", "1000000", "--spike-limit", "100000")
	profile := fmt.Sprintf("checke2e-%d", os.Getpid())
	t.Cleanup(func() { _ = exec.Command("secret-tool", "clear", "service", "procore-sa", "username", profile).Run() })
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, "config", "procore-sa", "guides"), 0o700); err != nil {
		t.Fatal(err)
	}
	strict, err := os.ReadFile("testdata/dmsa-audit.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "config", "procore-sa", "guides", "dmsa-audit.yaml"), strict, 0o600); err != nil {
		t.Fatal(err)
	}
	r := &runner{t: t,
		target: []string{"--api-url", s.url, "--login-url", s.url, "--company", s.vals["company_id"], "--profile", profile},
		env: []string{"XDG_STATE_HOME=" + filepath.Join(home, "state"), "XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
			"PROCORE_CLIENT_ID=", "PROCORE_CLIENT_SECRET=", "NO_COLOR=1"}}
	dmsa := []string{"PROCORE_CLIENT_ID=" + s.vals["dmsa_client_id"], "PROCORE_CLIENT_SECRET=" + s.vals["dmsa_client_secret"]}
	user := s.vals["dmsa_user_id"]

	out, errOut, code := r.run(s.code(t)+"\n", []string{"PROCORE_CLIENT_SECRET=" + s.vals["admin_client_secret"]},
		"login", "--client-id", s.vals["admin_client_id"])
	if code != 0 || !strings.Contains(out, "Signed in as "+s.vals["admin_login"]) {
		t.Fatalf("login: exit %d\n%s\n%s", code, out, errOut)
	}

	// The built-in dmsa guide, once it declares its checks, and the
	// stricter one: each fails on the fresh company on exactly what the
	// admin's add-all will do.
	guides := []string{"dmsa-audit"}
	if len(builtin(t, "dmsa").AllChecks()) > 0 {
		guides = append(guides, "dmsa")
	} else {
		t.Log("the built-in dmsa guide declares no checks yet: only dmsa-audit is checked")
	}
	for _, g := range guides {
		rs, code, errOut := r.check(t, dmsa, g, "--user", user)
		if want := []string{"add_to_new_projects", "permitted_projects", "project_membership"}; code != 1 || !slices.Equal(failing(rs), want) {
			t.Fatalf("%s on the fresh company: exit %d, failing %v, want exit 1 failing %v\n%+v\n%s", g, code, failing(rs), want, rs, errOut)
		}
		for _, q := range rs {
			if !q.OK && (q.Unknown || !strings.HasPrefix(q.Fix, "In Procore: ")) {
				t.Errorf("%s names no fix in Procore's words: %+v", q.ID, q)
			}
		}
	}

	out, errOut, code = r.run("", nil, "add-all", "--user", user, "--new-projects")
	if code != 0 {
		t.Fatalf("add-all as the admin: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, g := range guides {
		if rs, code, errOut := r.check(t, dmsa, g, "--user", user); code != 0 || len(failing(rs)) != 0 {
			t.Fatalf("check %s after add-all: exit %d, failing %v\n%+v\n%s", g, code, failing(rs), rs, errOut)
		}
	}
	// The table a person reads says the same.
	if out, _, code := r.run("", dmsa, "check", guides[len(guides)-1], "--user", user); code != 0 || !strings.Contains(out, "HOW TO FIX") || !strings.Contains(out, "requirements of guide "+guides[len(guides)-1]+" hold.") {
		t.Fatalf("the table: exit %d\n%s", code, out)
	}

	// Broken on purpose, as an admin would in Procore.
	ctx := context.Background()
	ac := s.adminClient(t)
	id, _ := strconv.ParseInt(user, 10, 64)
	projects, err := procore.Collect(ac.Projects(ctx, procore.ProjectFilter{}))
	if err != nil || len(projects) < 3 {
		t.Fatalf("projects: %v, %v", len(projects), err)
	}
	for _, p := range projects[:2] {
		if err := ac.RemoveFromProject(ctx, p.ID, id); err != nil {
			t.Fatal(err)
		}
	}
	off, first, last := false, "Admin Actions", "Renamed Wrongly"
	templates, err := procore.Collect(ac.PermissionTemplates(ctx, procore.GlobalTools))
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(templates, func(p procore.PermissionTemplate) bool { return p.Name == "Read Only" })
	if i < 0 {
		t.Fatalf("no Read Only template among %+v", templates)
	}
	if _, err := ac.UpdateUser(ctx, id, procore.UserChange{AddToNewProjects: &off, FirstName: &first, LastName: &last,
		DefaultPermissionTemplateID: &templates[i].ID}); err != nil {
		t.Fatal(err)
	}

	rs, code, errOut := r.check(t, dmsa, "dmsa-audit", "--user", user)
	want := []string{"add_to_new_projects", "permitted_projects", "project_membership", "user_name", "user_templates"}
	if code != 1 || !slices.Equal(failing(rs), want) {
		t.Fatalf("broken setup: exit %d, failing %v, want %v\n%+v\n%s", code, failing(rs), want, rs, errOut)
	}
	fixes := map[string]string{
		"user_name":           "First Name: Admin Actions, Last Name: (DMSA)",
		"user_templates":      "Default Permission Template: Integration Service Account",
		"project_membership":  "Projects: Add All",
		"add_to_new_projects": "to all new projects",
		"permitted_projects":  "App Management > the app > Permissions",
	}
	for _, q := range rs {
		_, name, _ := strings.Cut(q.ID, "/")
		if q.OK {
			continue
		}
		if q.Unknown || !strings.Contains(q.Fix, fixes[name]) {
			t.Errorf("%s: fix %q, want it to name %q", q.ID, q.Fix, fixes[name])
		}
		if name == "project_membership" && !strings.Contains(q.State, "on "+strconv.Itoa(len(projects)-2)+" of "+strconv.Itoa(len(projects))) {
			t.Errorf("%s: state %q", q.ID, q.State)
		}
	}
	if slices.Contains(guides, "dmsa") {
		if rs, code, _ := r.check(t, dmsa, "dmsa", "--user", user); code != 1 || !slices.Equal(failing(rs), []string{"add_to_new_projects", "permitted_projects", "project_membership"}) {
			t.Errorf("check dmsa on the broken setup: exit %d, failing %v", code, failing(rs))
		}
	}

	// Mistakes in how it is called: exit 2.
	for _, args := range [][]string{{"check"}, {"check", "no-such-guide"}, {"check", "dmsa-audit", "--user", "not-an-id"}, {"check", "dmsa", "extra"}} {
		if _, errOut, code := r.run("", dmsa, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2\n%s", args, code, errOut)
		}
	}
}
