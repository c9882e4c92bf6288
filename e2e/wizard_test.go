// Package e2e runs the built procore-sa binary in a real terminal: a private
// tmux server types into it with send-keys and reads it with capture-pane.
package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/walkthrough"
	"github.com/procore-sa/procore-sa/steps"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "procore-sa-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "procore-sa")
	build := exec.Command("go", "build", "-o", binary, "../cmd/procore-sa")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build procore-sa:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// term is one tmux server with one window running the binary.
type term struct {
	t      *testing.T
	socket string
	home   string // XDG_STATE_HOME and XDG_CONFIG_HOME live under it
	exit   string // the binary's exit code is written here
}

func needTmux(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tmux is required in CI (scripts/test installs it)")
		}
		t.Skip("tmux is not installed; ./scripts/test installs it")
	}
}

func newTerm(t *testing.T, home string, w, h int, args ...string) *term {
	t.Helper()
	needTmux(t)
	tm := &term{t: t, socket: fmt.Sprintf("procore-sa-e2e-%d-%d", os.Getpid(), time.Now().UnixNano()), home: home}
	tm.exit = filepath.Join(home, "exit-code")
	os.Remove(tm.exit)
	shell := fmt.Sprintf("env -u NO_COLOR TERM=xterm-256color XDG_STATE_HOME=%q XDG_CONFIG_HOME=%q %q %s; echo $? > %q",
		filepath.Join(home, "state"), filepath.Join(home, "config"), binary, strings.Join(args, " "), tm.exit)
	// The pane stays once the binary has gone, with its scrollback, set in
	// the same command so that a program that ends at once cannot race it.
	tm.tmux("-f", "/dev/null", "new-session", "-d", "-s", "e2e", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), shell,
		";", "set-option", "-w", "-t", "e2e", "remain-on-exit", "on")
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", tm.socket, "kill-server").Run() })
	return tm
}

func (tm *term) tmux(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", tm.socket}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (tm *term) screen() string { return tm.tmux("capture-pane", "-p", "-t", "e2e") }

// waitFor polls the screen until it contains want.
func (tm *term) waitFor(want string) {
	tm.t.Helper()
	// A step may wait out Procore's 10-second spike window (the demo's
	// simulator keeps Procore's limits, per token), and say so meanwhile.
	deadline := time.Now().Add(30 * time.Second)
	for {
		s := tm.screen()
		if strings.Contains(s, want) {
			return
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("screen never showed %q; it shows:\n%s", want, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var tmuxKeys = map[string]string{
	"enter": "Enter", "space": "Space", "tab": "Tab", "esc": "Escape",
	"up": "Up", "down": "Down", "left": "Left", "right": "Right", "ctrl+c": "C-c",
}

func (tm *term) do(actions ...walkthrough.Action) {
	tm.t.Helper()
	for _, a := range actions {
		if a.Wait != "" {
			tm.waitFor(a.Wait)
			continue
		}
		if a.Text != "" {
			tm.tmux("send-keys", "-t", "e2e", "-l", a.Text)
			continue
		}
		k, ok := tmuxKeys[a.Key]
		if !ok {
			k = a.Key
		}
		tm.tmux("send-keys", "-t", "e2e", k)
	}
}

func (tm *term) press(keys ...string) {
	for _, k := range keys {
		tm.do(walkthrough.Action{Key: k})
	}
}

// exitCode waits for the binary to end and returns its exit code.
func (tm *term) exitCode() string {
	tm.t.Helper()
	// A step may wait out Procore's 10-second spike window (the demo's
	// simulator keeps Procore's limits, per token), and say so meanwhile.
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(tm.exit); err == nil && len(b) > 0 {
			return strings.TrimSpace(string(b))
		}
		time.Sleep(50 * time.Millisecond)
	}
	tm.t.Fatalf("the wizard did not exit; the screen shows:\n%s", tm.screen())
	return ""
}

func builtin(t *testing.T, id string) *steps.Guide {
	t.Helper()
	cat, problems := steps.LoadCatalog(t.TempDir())
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	g, ok := cat.Get(id)
	if !ok {
		t.Fatalf("no built-in guide %q", id)
	}
	return g
}

// TestWalkGuideInTmux walks every built-in guide from its first step to its
// last in a real terminal, then checks the transcript and the state files.
func TestWalkGuideInTmux(t *testing.T) {
	cat, problems := steps.LoadCatalog(t.TempDir())
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	for _, g := range cat.List() {
		t.Run(g.ID, func(t *testing.T) {
			home := t.TempDir()
			tm := newTerm(t, home, 100, 30, "--demo", g.ID)
			audit := ""
			for _, st := range walkthrough.ScriptWith(g, demoRun()) {
				tm.waitFor(fmt.Sprintf("Step %d of %d", st.Index+1, len(g.Steps)))
				if g.Steps[st.Index].Kind == steps.KindAudit {
					tm.do(st.Actions[:2]...) // enter, and the audit read
					audit = tm.screen()
					for range 12 {
						tm.press("down") // the rows below the fold
					}
					audit += tm.screen()
					tm.do(st.Actions[2:]...)
					continue
				}
				tm.do(st.Actions...)
			}
			tm.waitFor("Press enter to exit")
			screen := tm.screen()
			tm.press("enter")
			if code := tm.exitCode(); code != "0" {
				t.Fatalf("exit code %s", code)
			}

			// The path may be wrapped on screen; it is the one file written.
			found, _ := filepath.Glob(filepath.Join(home, "state", "procore-sa", "demo", "transcripts", g.ID+"-*.md"))
			if len(found) != 1 || !strings.Contains(strings.Join(strings.Fields(screen), ""), filepath.Base(found[0])) {
				t.Fatalf("transcripts %v; the done screen:\n%s", found, screen)
			}
			transcript, err := os.ReadFile(found[0])
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(transcript), walkthrough.Password) {
				t.Fatal("the transcript holds the password")
			}
			for _, st := range g.Steps {
				if !strings.Contains(string(transcript), st.Title) {
					t.Errorf("transcript lacks step %q", st.Title)
				}
			}
			// The walk did every action it could, so the audit it ends on
			// holds in full: nothing to fix, nothing left unread.
			if m := regexp.MustCompile(`Done by procore-sa: audited in Procore: (.*?) \(`).FindStringSubmatch(string(transcript)); m == nil {
				t.Errorf("the transcript records no audit:\n%s", transcript)
			} else if n := strings.Fields(m[1]); len(n) != 4 || n[0] != n[2] || n[3] != "hold" || strings.Contains(m[1], ";") {
				t.Errorf("the audit says %q, want every requirement to hold:\n%s", m[1], audit)
			}
			checkModes(t, filepath.Join(home, "state", "procore-sa"))
		})
	}
}

// demoRun is how a person walks a guide under --demo: as the demo's
// walk does (walkthrough.Demo), every step the tool can do done for real.
func demoRun() walkthrough.Options { return walkthrough.Demo() }

// checkModes walks the state directory: directories 0700, files 0600.
func checkModes(t *testing.T, root string) {
	t.Helper()
	err := filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		want := os.FileMode(0o600)
		if info.IsDir() {
			want = 0o700
		}
		if got := info.Mode().Perm(); got != want {
			t.Errorf("%s has mode %o, want %o", path, got, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestQuitAndResumeInTmux leaves a guide midway and starts it again: the
// wizard offers to resume at the same step.
func TestQuitAndResumeInTmux(t *testing.T) {
	g := builtin(t, "spectrum")
	home := t.TempDir()
	script := walkthrough.ScriptWith(g, demoRun()) // --demo signs the admin in for real

	tm := newTerm(t, home, 80, 24, "--demo", g.ID)
	for _, st := range script[:3] {
		tm.waitFor(fmt.Sprintf("Step %d of %d", st.Index+1, len(g.Steps)))
		tm.do(st.Actions...)
	}
	tm.waitFor(fmt.Sprintf("Step 4 of %d", len(g.Steps)))
	tm.press("ctrl+c")
	tm.waitFor("Leave the guide?")
	tm.press("y")
	if code := tm.exitCode(); code != "130" {
		t.Fatalf("exit code %s after leaving mid-guide, want 130 (interrupted)", code)
	}

	tm2 := newTerm(t, home, 80, 24, "--demo", g.ID)
	tm2.waitFor("saved progress")
	tm2.waitFor(fmt.Sprintf("step 4 of %d", len(g.Steps)))
	tm2.press("r")
	tm2.waitFor(fmt.Sprintf("Step 4 of %d", len(g.Steps)))
	tm2.press("ctrl+c")
	tm2.waitFor("Leave the guide?")
	tm2.press("y")
	tm2.exitCode()
}

// TestTooSmallInTmux starts in a tiny terminal and is told so.
func TestTooSmallInTmux(t *testing.T) {
	tm := newTerm(t, t.TempDir(), 50, 12, "--demo", "spectrum")
	tm.waitFor("too small")
	tm.press("ctrl+c")
	tm.exitCode()
}
