package e2e

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/procore/sim"
)

// TestAddAllKilledAndResumed runs the built binary's add-all against a
// simulator that fails a tenth of its requests, drops some connections and
// expires every token mid-run, kills it with SIGKILL at random moments, and
// resumes it with --resume until it exits 0. Then every active project must
// have the user as a member, added exactly once, and the final CSV report
// must agree with the simulator's state.
func TestAddAllKilledAndResumed(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and resumes a process many times")
	}
	for _, tt := range []struct {
		name     string
		projects int
		faults   sim.Faults
		cfg      sim.Config
		killMax  time.Duration // timed kills land uniformly in [0, killMax)
	}{
		// bulk_add: ten calls of 1,000, so that kills land between them.
		// Each run re-plans (about 70 listing pages), so the spike window
		// is widened to keep the test short; the benchmarks show the
		// pacing at the documented limits.
		{"bulk", 10000, sim.Faults{Latency: 10 * time.Millisecond}, sim.Config{SpikeLimit: 500}, 3 * time.Second},
		// One project at a time, likewise with a wider spike window.
		{"one by one", 500, sim.Faults{Latency: 5 * time.Millisecond, BulkAddRefused: true},
			sim.Config{SpikeLimit: 2000, HourlyLimit: 100000}, time.Second},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Seed, tt.cfg.Projects = 51, tt.projects
			// The run uses the DMSA's credential: one that is a Directory
			// Admin permitted every project, the case where that works.
			tt.cfg.DMSADirectoryAdmin, tt.cfg.DMSAPermitAll = true, true
			s := sim.New(tt.cfg)
			f := tt.faults
			f.ErrorRate, f.DropRate = 0.1, 0.02
			s.SetFaults(f)
			srv := httptest.NewServer(s)
			defer srv.Close()
			fx := s.Fixtures()

			home := t.TempDir()
			stateDir := filepath.Join(home, "state")
			runs := filepath.Join(stateDir, "procore-sa", "runs")
			report := filepath.Join(home, "report.csv")
			env := append(os.Environ(),
				"XDG_STATE_HOME="+stateDir, "XDG_CONFIG_HOME="+filepath.Join(home, "config"),
				"PROCORE_CLIENT_ID="+fx.DMSAClientID, "PROCORE_CLIENT_SECRET="+fx.DMSAClientSecret)
			target := []string{"--api-url", srv.URL, "--login-url", srv.URL, "--company", strconv.FormatInt(fx.CompanyID, 10)}
			fresh := append(slices.Clone(target), "add-all", "--user", fx.ServiceUserEmail,
				"--template", fx.TemplateName, "--new-projects", "--json", "--report", report)

			rng := rand.New(rand.NewPCG(7, uint64(len(tt.name))))
			active := len(s.ActiveProjectIDs())
			const wantKills = 5
			kills, midway, expiries, run := 0, 0, 0, ""
			var stdout []byte
			for attempt := 1; ; attempt++ {
				if attempt > 40 {
					t.Fatalf("not done after %d attempts", attempt-1)
				}
				args := fresh
				if run != "" {
					args = append(slices.Clone(target), "add-all", "--resume", run, "--json", "--report", report)
				}
				cmd := exec.Command(binary, args...)
				cmd.Env = env
				// Some kills land at a random moment, most at the moment the
				// simulator has made a random number of the memberships
				// still missing (in the first half of them, so that the run
				// is caught mid-way): those land between Procore's change
				// and the journal's record of it.
				var out, errb bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &errb
				killAt := time.Duration(rng.Int64N(int64(tt.killMax)))
				killAtMembers := 0
				if m0 := countMembers(s, fx.ServiceUserID); attempt != 1 && attempt != 4 && m0 < active {
					killAtMembers = m0 + 1 + rng.IntN(max(1, (active-m0)/2))
				}
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				done := make(chan error, 1)
				go func() { done <- cmd.Wait() }()
				// Every token expires at a random moment before the kill (or
				// in the last run), so a live process must renew its token.
				var kill, poll <-chan time.Time
				switch {
				case kills >= wantKills:
				case killAtMembers > 0:
					poll = time.After(0)
				default:
					kill = time.After(killAt)
				}
				expire := time.After(time.Duration(rng.Int64N(int64(killAt) + 1)))
				var err error
			wait:
				for {
					select {
					case <-expire:
						s.ExpireTokens()
						expiries++
						expire = nil
					case <-kill:
						_ = cmd.Process.Kill() // SIGKILL
						kill = nil
					case <-poll:
						poll = time.After(10 * time.Millisecond)
						if countMembers(s, fx.ServiceUserID) >= killAtMembers {
							_ = cmd.Process.Kill()
							poll = nil
						}
					case err = <-done:
						break wait
					case <-time.After(2 * time.Minute):
						_ = cmd.Process.Kill()
						t.Fatalf("attempt %d hung; stderr:\n%s", attempt, errb.String())
					}
				}
				checkNoSecret(t, fx.DMSAClientSecret, out.String(), errb.String())
				var ee *exec.ExitError
				switch {
				case err == nil:
					stdout = out.Bytes()
				case errors.As(err, &ee) && !ee.Exited():
					kills++ // killed: resume the newest run, if it got as far as a journal
					m := countMembers(s, fx.ServiceUserID)
					if m > 0 && m < active {
						midway++
					}
					how := "at " + killAt.Round(time.Millisecond).String()
					if killAtMembers > 0 {
						how = fmt.Sprintf("once %d memberships existed", killAtMembers)
					}
					t.Logf("killed %s with the user a member of %d projects", how, m)
				case errors.As(err, &ee) && ee.ExitCode() == 1:
					// Some projects failed for good this time; a resume
					// re-plans and tries them again, as a person would.
					t.Logf("attempt %d exited 1:\n%s", attempt, lastLines(errb.String(), 3))
				default:
					t.Fatalf("attempt %d: %v\n%s%s", attempt, err, out.String(), errb.String())
				}
				if err == nil {
					break
				}
				if r := newestRun(t, runs); r != "" && journalHasHeader(filepath.Join(runs, r+".jsonl")) {
					run = r
				}
				// Otherwise the run died before it journaled anything:
				// start it again from the flags.
			}
			// The work may finish before all the kills are spent.
			if kills < 3 || midway < 2 {
				t.Fatalf("%d runs killed, %d of them with the user a member of some but not all projects; want 3 and 2", kills, midway)
			}
			if expiries == 0 || s.Stats().Status[401] == 0 {
				t.Errorf("tokens expired %d times; %d answers were 401", expiries, s.Stats().Status[401])
			}
			st := s.Stats()
			if st.Status[500]+st.Status[503] == 0 || st.Dropped == 0 {
				t.Errorf("faults not exercised: statuses %v, %d dropped", st.Status, st.Dropped)
			}
			t.Logf("%d attempts, %d killed, %d token expiries, %d requests, statuses %v, %d dropped",
				kills+1, kills, expiries, st.Requests, st.Status, st.Dropped)

			// Every active project: a member, added exactly once.
			user := fx.ServiceUserID
			ids := s.ActiveProjectIDs()
			for _, id := range ids {
				if n := s.AddCount(user, id); n != 1 {
					t.Errorf("project %d: the user was added %d times", id, n)
				}
			}

			// The last run's report names every active project once, as
			// added, which is the simulator's state.
			rows := readReport(t, report)
			if len(rows) != len(ids) {
				t.Errorf("the report has %d rows; the company has %d active projects", len(rows), len(ids))
			}
			for _, id := range ids {
				o, ok := rows[id]
				switch {
				case !ok:
					t.Errorf("project %d is missing from the report", id)
				case o != "added":
					// The user was a member of none at the start: even a
					// project whose add was cut off before the journal
					// recorded it was added by this run.
					t.Errorf("project %d: report says %q; this run added it", id, o)
				}
			}
			checkFinalJSON(t, stdout, len(ids))

			// add_to_new_projects was set: a project made now gets the user.
			id := s.AddProject("Made after the run")
			if !slices.Contains(s.ProjectMembers(id), user) {
				t.Error("the user was not added to a new project: add_to_new_projects is not set")
			}
		})
	}
}

func checkNoSecret(t *testing.T, secret string, outs ...string) {
	t.Helper()
	for _, o := range outs {
		if strings.Contains(o, secret) {
			t.Fatal("the client secret appeared in the output")
		}
	}
}

// newestRun is the id of the most recently changed journal in runs.
func newestRun(t *testing.T, runs string) string {
	t.Helper()
	es, err := os.ReadDir(runs)
	if errors.Is(err, os.ErrNotExist) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	var best string
	var bestT time.Time
	for _, e := range es {
		name, ok := strings.CutSuffix(e.Name(), ".jsonl")
		if !ok {
			continue
		}
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("journal %s has mode %v, want 0600", e.Name(), info.Mode().Perm())
		}
		if info.ModTime().After(bestT) {
			best, bestT = name, info.ModTime()
		}
	}
	return best
}

// journalHasHeader reports whether a journal's first line is complete; a
// process killed before that has nothing to resume.
func journalHasHeader(path string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	first, _, ok := bytes.Cut(b, []byte("\n"))
	return ok && json.Valid(first)
}

// countMembers is how many active projects have user as a member.
func countMembers(s *sim.Server, user int64) int {
	n := 0
	for _, id := range s.ActiveProjectIDs() {
		if slices.Contains(s.ProjectMembers(id), user) {
			n++
		}
	}
	return n
}

// readReport reads the CSV report into project id → outcome.
func readReport(t *testing.T, path string) map[int64]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if info, _ := f.Stat(); info.Mode().Perm() != 0o600 {
		t.Errorf("report mode %v, want 0600", info.Mode().Perm())
	}
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) == 0 || strings.Join(recs[0], ",") != "project_id,project,outcome,reason" {
		t.Fatalf("report header %v", recs)
	}
	rows := map[int64]string{}
	for _, r := range recs[1:] {
		id, err := strconv.ParseInt(r[0], 10, 64)
		if err != nil {
			t.Fatalf("report row %v", r)
		}
		if _, dup := rows[id]; dup {
			t.Errorf("project %d appears twice in the report", id)
		}
		rows[id] = r[2]
	}
	return rows
}

// checkFinalJSON reads the last run's JSON lines: every line is JSON, and
// the report line has every project added, none failed.
func checkFinalJSON(t *testing.T, stdout []byte, total int) {
	t.Helper()
	var last map[string]any
	sc := bufio.NewScanner(bytes.NewReader(stdout))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not a JSON line: %q", sc.Text())
		}
		last = m
	}
	if last["event"] != "report" || last["ok"] != true {
		t.Fatalf("last JSON line %v; want an ok report", last)
	}
	if got, _ := last["added"].(float64); int(got) != total || last["failed"] != nil && last["failed"].(float64) != 0 {
		t.Errorf("report line %v; want %d projects, none failed", last, total)
	}
}

func lastLines(s string, n int) string {
	ls := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(ls[max(0, len(ls)-n):], "\n")
}
