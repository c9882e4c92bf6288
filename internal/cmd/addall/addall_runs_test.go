package addall_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/addall"
	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/cmd/cmdtest"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/state"
	"github.com/procore-sa/procore-sa/steps"
)

var runLine = regexp.MustCompile(`(?m)^Run (\S+); its journal is`)

// firstRun runs add-all to the end and returns its run id.
func firstRun(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, code := cmdtest.Run(t, "", args...)
	m := runLine.FindStringSubmatch(out)
	if code != cmdutil.ExitOK || m == nil {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	return m[1]
}

func stateStore(t *testing.T) *state.Store {
	t.Helper()
	st, err := state.Open(filepath.Join(os.Getenv("XDG_STATE_HOME"), "procore-sa"))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// holdLock holds the run lock of user in company as run would, until the
// test ends.
func holdLock(t *testing.T, company, user int64, run string, since time.Time) {
	t.Helper()
	f, err := stateStore(t).OpenLock("runs/" + addall.RunLockName(company, user))
	if err != nil {
		t.Fatal(err)
	}
	l, err := addall.LockRun(f, addall.LockHolder{Run: run, PID: 4242, Host: "other-desk", Since: since})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Release() })
}

func journals(t *testing.T) []string {
	t.Helper()
	m, _ := filepath.Glob(stateStore(t).Path("runs/*.jsonl"))
	return m
}

// TestAddAllOneRunAtATime: while a run for a user in a company holds the
// lock, a second one, new or resuming (the same run resumed twice at
// once), says which run holds it and since when, exits 1 and changes
// nothing: no journal, no request that adds.
func TestAddAllOneRunAtATime(t *testing.T) {
	r, at := addAllSim(t, 20)
	fx := r.Fixtures()
	since := time.Date(2026, 11, 23, 10, 15, 0, 0, time.UTC)
	holdLock(t, fx.CompanyID, fx.ServiceUserID, "20261123T101500Z-ab12", since)
	out, errOut, code := cmdtest.Run(t, "", append(at, "add-all", "--user", fx.ServiceUserEmail)...)
	if code != cmdutil.ExitFailed {
		t.Fatalf("exit %d, want %d\n%s%s", code, cmdutil.ExitFailed, out, errOut)
	}
	for _, want := range []string{"20261123T101500Z-ab12", "since 2026-11-23 10:15:00 UTC", "process 4242 on other-desk", "Nothing was changed"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if n := members(r, fx.ServiceUserID); n != 0 || len(journals(t)) != 0 {
		t.Errorf("a refused run added the user to %d projects and wrote journals %v", n, journals(t))
	}
}

func TestAddAllSameRunResumedTwice(t *testing.T) {
	r, at := addAllSim(t, 20)
	fx := r.Fixtures()
	run := firstRun(t, append(slices.Clone(at), "add-all", "--user", fx.ServiceUserEmail)...)
	before, _ := os.ReadFile(stateStore(t).Path("runs/" + run + ".jsonl"))
	holdLock(t, fx.CompanyID, fx.ServiceUserID, run, time.Now()) // the first resume, still going
	_, errOut, code := cmdtest.Run(t, "", append(at, "add-all", "--resume", run)...)
	if code != cmdutil.ExitFailed || !strings.Contains(errOut, run+" (process 4242") {
		t.Fatalf("exit %d, want %d naming the holder:\n%s", code, cmdutil.ExitFailed, errOut)
	}
	if after, _ := os.ReadFile(stateStore(t).Path("runs/" + run + ".jsonl")); !bytes.Equal(before, after) {
		t.Error("the refused resume wrote to the journal")
	}
}

// TestAddAllTakesOverAStaleLock: a lock file left by a run killed outright
// still names it, but no process holds the lock: the next run takes it
// over, says so, and does the work.
func TestAddAllTakesOverAStaleLock(t *testing.T) {
	r, at := addAllSim(t, 20)
	fx := r.Fixtures()
	st := stateStore(t)
	if err := st.WriteFile("runs/"+addall.RunLockName(fx.CompanyID, fx.ServiceUserID),
		[]byte(`{"run":"20260101T000000Z-dead","pid":999999,"since":"2026-01-01T00:00:00Z"}`)); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := cmdtest.Run(t, "", append(at, "add-all", "--user", fx.ServiceUserEmail)...)
	if code != cmdutil.ExitOK || !strings.Contains(out+errOut, "20260101T000000Z-dead") {
		t.Fatalf("exit %d; want the stale lock taken over and named:\n%s%s", code, out, errOut)
	}
	if n := members(r, fx.ServiceUserID); n != len(r.ActiveProjectIDs()) {
		t.Errorf("the user is in %d of %d projects", n, len(r.ActiveProjectIDs()))
	}
}

// TestAddAllResumeRefusesContradictingFlags: --resume takes the request
// from its journal; a flag that says otherwise is refused (exit 2) with a
// sentence, before anything is asked of Procore; flags that agree are
// fine.
func TestAddAllResumeRefusesContradictingFlags(t *testing.T) {
	r, at := addAllSim(t, 10)
	fx := r.Fixtures()
	run := firstRun(t, append(slices.Clone(at), "add-all", "--user", fx.ServiceUserEmail, "--template", fx.TemplateName)...)
	other := firstRun(t, append(slices.Clone(at), "add-all", "--user", strconv.FormatInt(fx.ServiceUserID, 10), "--new-projects")...)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"another user's id", []string{"--resume", run, "--user", strconv.FormatInt(fx.AdminUserID, 10)}, "--user"},
		{"another user's email", []string{"--resume", run, "--user", "someone-else@example.com"}, "--user someone-else@example.com"},
		{"another template", []string{"--resume", run, "--template", "Some Other Template"}, "--template"},
		{"new projects when it was off", []string{"--resume", run, "--new-projects"}, "--new-projects"},
		{"no new projects when it was on", []string{"--resume", other, "--new-projects=false"}, "--new-projects"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := r.Stats().Requests
			_, errOut, code := cmdtest.Run(t, "", append(append(slices.Clone(at), "add-all"), tt.args...)...)
			if code != cmdutil.ExitUsage || !strings.Contains(errOut, tt.want) || !strings.Contains(errOut, "journal") {
				t.Errorf("exit %d, want %d with %q:\n%s", code, cmdutil.ExitUsage, tt.want, errOut)
			}
			if n := r.Stats().Requests - before; n != 0 {
				t.Errorf("%d requests before refusing", n)
			}
		})
	}
	agree := []string{"add-all", "--resume", run, "--user", strings.ToUpper(fx.ServiceUserEmail), "--template", fx.TemplateName, "--new-projects=false"}
	if out, errOut, code := cmdtest.Run(t, "", append(slices.Clone(at), agree...)...); code != cmdutil.ExitOK {
		t.Errorf("flags that agree: exit %d\n%s%s", code, out, errOut)
	}
	agree = []string{"add-all", "--resume", other, "--user", strconv.FormatInt(fx.ServiceUserID, 10), "--new-projects"}
	if out, errOut, code := cmdtest.Run(t, "", append(slices.Clone(at), agree...)...); code != cmdutil.ExitOK {
		t.Errorf("flags that agree: exit %d\n%s%s", code, out, errOut)
	}
}

// readHeader is the first line of a run's journal.
func readHeader(t *testing.T, run string) (map[string]any, []byte) {
	t.Helper()
	b, err := os.ReadFile(stateStore(t).Path("runs/" + run + ".jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	first, _ := bufio.NewReader(bytes.NewReader(b)).ReadBytes('\n')
	var h map[string]any
	dec := json.NewDecoder(bytes.NewReader(first))
	dec.UseNumber() // ids as they are, not as floats
	if err := dec.Decode(&h); err != nil {
		t.Fatal(err)
	}
	return h, b[len(first):]
}

// TestAddAllResumeChecksTheJournalsUser: the header names the run's user as
// Procore gave it (even when --user was an id), and a header edited to
// point the run at another user is refused on resume with the reason,
// that user left as they were.
func TestAddAllResumeChecksTheJournalsUser(t *testing.T) {
	r, at := addAllSim(t, 10)
	fx := r.Fixtures()
	run := firstRun(t, append(slices.Clone(at), "add-all", "--user", strconv.FormatInt(fx.ServiceUserID, 10))...)
	h, rest := readHeader(t, run)
	if h["user_email"] != fx.ServiceUserEmail {
		t.Fatalf("the header does not name the user: %v", h)
	}
	h["user_id"] = fx.AdminUserID
	edited, _ := json.Marshal(h)
	if err := stateStore(t).WriteFile("runs/"+run+".jsonl", append(append(edited, '\n'), rest...)); err != nil {
		t.Fatal(err)
	}
	adminBefore := members(r, fx.AdminUserID)
	_, errOut, code := cmdtest.Run(t, "", append(at, "add-all", "--resume", run)...)
	if code != cmdutil.ExitFailed || !strings.Contains(errOut, "Procore says user "+strconv.FormatInt(fx.AdminUserID, 10)) {
		t.Fatalf("exit %d, want %d with the reason:\n%s", code, cmdutil.ExitFailed, errOut)
	}
	if n := members(r, fx.AdminUserID); n != adminBefore {
		t.Errorf("the edited header's user went from %d to %d projects", adminBefore, n)
	}
}

// TestWizardAddAllTakesTheSameLock: the wizard's add-all step is refused
// while another run holds the user's lock, as the command is.
func TestWizardAddAllTakesTheSameLock(t *testing.T) {
	r, _ := addAllSim(t, 10)
	fx := r.Fixtures()
	a := cmdtest.Factory(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
	a.Flags.Env, a.Flags.Profile, a.Flags.APIURL, a.Flags.LoginURL, a.Flags.Company = "production", "default", r.URL, r.URL, fx.CompanyID
	a.Start()
	w := a.App().AddAll()
	ctx := t.Context()
	plan, _, err := w.Plan(ctx, app.Using{Values: map[steps.Role]string{steps.RoleAccountEmail: fx.ServiceUserEmail}})
	if err != nil {
		t.Fatal(err)
	}
	holdLock(t, fx.CompanyID, fx.ServiceUserID, "20261123T101500Z-ab12", time.Now())
	if _, err := w.Run(ctx, addall.NewRunID(time.Now()), plan, nil); err == nil || !strings.Contains(err.Error(), "20261123T101500Z-ab12") {
		t.Fatalf("got %v; want the run holding the lock named", err)
	}
	if n := members(r, fx.ServiceUserID); n != 0 {
		t.Errorf("the refused run added the user to %d projects", n)
	}
}
