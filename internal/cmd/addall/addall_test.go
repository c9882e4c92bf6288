package addall_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/cmd/cmdtest"
	"github.com/procore-sa/procore-sa/internal/cmd/root"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/procore/sim"
)

// addAllSim starts a simulator and points the command at it with the
// DMSA's credential in the environment, as a CI job would: a DMSA that is
// a Directory Admin permitted every project, the one case where a
// client-credentials add-all can work.
func addAllSim(t *testing.T, projects int) (*app.Sim, []string) {
	t.Helper()
	cmdtest.Env(t)
	r, err := app.StartSim("127.0.0.1:0", sim.Config{Seed: 8, Projects: projects, DMSADirectoryAdmin: true, DMSAPermitAll: true}, sim.Faults{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Stop)
	fx := r.Fixtures()
	t.Setenv("PROCORE_CLIENT_ID", fx.DMSAClientID)
	t.Setenv("PROCORE_CLIENT_SECRET", fx.DMSAClientSecret)
	return r, []string{"--api-url", r.URL, "--login-url", r.URL, "--company", strconv.FormatInt(fx.CompanyID, 10)}
}

func members(r *app.Sim, user int64) int {
	n := 0
	for _, id := range r.ActiveProjectIDs() {
		if slices.Contains(r.ProjectMembers(id), user) {
			n++
		}
	}
	return n
}

func TestAddAllDryRun(t *testing.T) {
	r, at := addAllSim(t, 40)
	fx := r.Fixtures()
	out, errOut, code := cmdtest.Run(t, "", append(at, "add-all", "--user", fx.ServiceUserEmail, "--template", fx.TemplateName, "--dry-run")...)
	if code != cmdutil.ExitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	active := len(r.ActiveProjectIDs())
	want := "36 projects to add, 0 already a member, 4 inactive skipped; template \"" + fx.TemplateName + "\""
	if active != 36 || !strings.Contains(out, want) || !strings.Contains(out, "Dry run: nothing was changed.") {
		t.Fatalf("want %q for %d active projects; got:\n%s", want, active, out)
	}
	if n := members(r, fx.ServiceUserID); n != 0 {
		t.Errorf("a dry run added the user to %d projects", n)
	}
	if st := r.Stats(); st.ByRoute["POST /rest/v1.3/companies/{cid}/users/bulk_add"] != 0 {
		t.Errorf("a dry run called bulk_add: %v", st.ByRoute)
	}
	if _, err := os.Stat(filepath.Join(os.Getenv("XDG_STATE_HOME"), "procore-sa", "runs")); err == nil {
		t.Error("a dry run wrote a journal")
	}
}

// TestAddAllJSONAndCSV checks the machine-readable outputs: every line of
// --json is one JSON object, the events account for every project, and the
// CSV has one row per project agreeing with the simulator.
func TestAddAllJSONAndCSV(t *testing.T) {
	r, at := addAllSim(t, 60)
	fx := r.Fixtures()
	report := filepath.Join(t.TempDir(), "report.csv")
	out, errOut, code := cmdtest.Run(t, "", append(at, "add-all", "--user", strconv.FormatInt(fx.ServiceUserID, 10),
		"--template", strconv.FormatInt(fx.TemplateID, 10), "--new-projects", "--json", "--report", report)...)
	if code != cmdutil.ExitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	active := r.ActiveProjectIDs()
	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not a JSON line: %q", sc.Text())
		}
		lines = append(lines, m)
	}
	if len(lines) < 2 {
		t.Fatalf("output:\n%s", out)
	}
	first, last := lines[0], lines[len(lines)-1]
	if first["event"] != "planned" || first["to_add"] != float64(len(active)) || first["already"] != float64(0) ||
		first["inactive"] != float64(6) || first["template"] != fx.TemplateName || first["run"] == "" {
		t.Errorf("first line %v", first)
	}
	if last["event"] != "report" || last["ok"] != true || last["added"] != float64(len(active)) || last["run"] != first["run"] {
		t.Errorf("last line %v", last)
	}
	added := map[float64]bool{}
	for _, l := range lines {
		if l["event"] == "added" {
			added[l["project_id"].(float64)] = true
		}
	}
	if len(added) != len(active) {
		t.Errorf("%d distinct added events for %d projects", len(added), len(active))
	}

	f, err := os.Open(report)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if info, _ := f.Stat(); info.Mode().Perm() != 0o600 {
		t.Errorf("report mode %v", info.Mode().Perm())
	}
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(recs[0], ","); got != "project_id,project,outcome,reason" {
		t.Errorf("header %q", got)
	}
	if len(recs)-1 != len(active) {
		t.Fatalf("%d rows for %d projects", len(recs)-1, len(active))
	}
	for _, rec := range recs[1:] {
		id, _ := strconv.ParseInt(rec[0], 10, 64)
		if rec[2] != "added" || rec[1] == "" || !slices.Contains(r.ProjectMembers(id), fx.ServiceUserID) {
			t.Errorf("row %v disagrees with the simulator", rec)
		}
	}

	// A second run finds every project already there and changes nothing.
	out, _, code = cmdtest.Run(t, "", append(at, "add-all", "--user", fx.ServiceUserEmail)...)
	if code != cmdutil.ExitOK || !strings.Contains(out, "0 projects to add, "+strconv.Itoa(len(active))+" already a member") ||
		!strings.Contains(out, "0 added, "+strconv.Itoa(len(active))+" already a member, 0 failed") {
		t.Errorf("second run (exit %d):\n%s", code, out)
	}
	for _, id := range active {
		if n := r.AddCount(fx.ServiceUserID, id); n != 1 {
			t.Errorf("project %d: added %d times", id, n)
		}
	}
	if strings.Contains(out+errOut, fx.DMSAClientSecret) {
		t.Error("the client secret appeared in the output")
	}
}

func TestAddAllErrors(t *testing.T) {
	r, at := addAllSim(t, 20)
	fx := r.Fixtures()
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no user", []string{"add-all"}, cmdutil.ExitUsage, "name the user with --user"},
		{"unknown email", []string{"add-all", "--user", "nobody@example.com"}, cmdutil.ExitFailed, "no active user with the email address nobody@example.com"},
		{"unknown template", []string{"add-all", "--user", fx.ServiceUserEmail, "--template", "No Such Template"}, cmdutil.ExitFailed,
			`permission template "No Such Template" not found; choose one of:`},
		{"unknown run", []string{"add-all", "--resume", "20260101T000000Z-0000"}, cmdutil.ExitFailed, "resume run 20260101T000000Z-0000"},
		{"run outside runs/", []string{"add-all", "--resume", "../audit"}, cmdutil.ExitFailed, "give the run id printed when it stopped"},
		{"stray argument", []string{"add-all", "--user", fx.ServiceUserEmail, "extra"}, cmdutil.ExitUsage, "extra"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := cmdtest.Run(t, "", append(slices.Clone(at), tt.args...)...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, want %d; stderr lacks %q:\n%s%s", code, tt.code, tt.want, out, errOut)
			}
		})
	}
	if n := members(r, fx.ServiceUserID); n != 0 {
		t.Errorf("a refused command added the user to %d projects", n)
	}
}

// TestAddAllStoppedWhilePlanning is ctrl+c before anything was changed:
// the interrupted exit code and a sentence, not a wrapped context error.
func TestAddAllStoppedWhilePlanning(t *testing.T) {
	r, at := addAllSim(t, 20)
	var out, errb bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if code := root.Execute(ctx, cmdtest.Factory(strings.NewReader(""), &out, &errb), append(at, "add-all", "--user", r.Fixtures().ServiceUserEmail)); code != cmdutil.ExitInterrupted {
		t.Fatalf("exit %d; want %d", code, cmdutil.ExitInterrupted)
	}
	if !strings.Contains(errb.String(), "Stopped before anything was changed.") || strings.Contains(errb.String(), "context canceled") {
		t.Errorf("stderr:\n%s", errb.String())
	}
}

func TestAddAllPrintsRunBeforeActing(t *testing.T) {
	r, at := addAllSim(t, 20)
	out, errOut, code := cmdtest.Run(t, "", append(at, "add-all", "--user", r.Fixtures().ServiceUserEmail)...)
	if code != cmdutil.ExitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	lines := strings.Split(out, "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[1], "Run ") || !strings.Contains(lines[1], filepath.Join("procore-sa", "runs")) {
		t.Fatalf("the run id is not printed right after the plan:\n%s", out)
	}
}

// TestDemoAddAllWithoutASavedCredential: under --demo, with nothing saved
// for the profile, add-all acts as the simulator's admin (the admin acts),
// signed in for the run, with the simulator started on demand.
func TestDemoAddAllWithoutASavedCredential(t *testing.T) {
	cmdtest.Env(t)
	fx := sim.New(sim.Config{Seed: 1}).Fixtures()
	out, errOut, code := cmdtest.Run(t, "", "--demo", "--profile", "nothing-saved-here", "add-all",
		"--user", fx.ServiceUserEmail, "--dry-run")
	if code != cmdutil.ExitOK || !strings.Contains(errOut, "demo: acting as the simulator's admin") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
}
