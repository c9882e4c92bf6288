package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/walkthrough"
	"github.com/procore-sa/procore-sa/steps"
)

// newTermEnv is newTerm with environment variables set for the binary
// ("NO_COLOR=1").
func newTermEnv(t *testing.T, home string, w, h int, env string, args ...string) *term {
	t.Helper()
	needTmux(t)
	tm := &term{t: t, socket: fmt.Sprintf("procore-sa-e2e-ux-%d-%d", os.Getpid(), time.Now().UnixNano()), home: home}
	tm.exit = filepath.Join(home, "exit-code")
	os.Remove(tm.exit)
	shell := fmt.Sprintf("env -u NO_COLOR TERM=xterm-256color %s XDG_STATE_HOME=%q XDG_CONFIG_HOME=%q %q %s; echo $? > %q",
		env, filepath.Join(home, "state"), filepath.Join(home, "config"), binary, strings.Join(args, " "), tm.exit)
	tm.tmux("-f", "/dev/null", "new-session", "-d", "-s", "e2e", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), shell,
		";", "set-option", "-w", "-t", "e2e", "remain-on-exit", "on")
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", tm.socket, "kill-server").Run() })
	return tm
}

// leftHome is a directory for a wizard a test leaves running: the tmux
// server is killed at the end, and the wizard, hung up on, saves its
// place as it goes; the directory is removed once it has.
func leftHome(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "procore-sa-e2e-ux-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for range 50 {
			if os.RemoveAll(dir) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	return dir
}

// toKind walks g in the demo up to its first step of kind k and returns
// the step's index.
func toKind(t *testing.T, tm *term, g *steps.Guide, k steps.Kind) int {
	t.Helper()
	for _, st := range walkthrough.ScriptWith(g, demoRun()) {
		tm.waitFor(g.Steps[st.Index].Title[:min(20, len(g.Steps[st.Index].Title))])
		if g.Steps[st.Index].Kind == k {
			return st.Index
		}
		tm.do(st.Actions...)
	}
	t.Fatalf("%s has no %s step", g.ID, k)
	return -1
}

// TestPresenterPasswordInTmux: on a shared screen, in a real terminal and
// without colour, the password step shows a step badge, no bullet and no
// rule turning as it is typed; only "Meets every rule" once it does.
func TestPresenterPasswordInTmux(t *testing.T) {
	g := builtin(t, "syncezy")
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			tm := newTermEnv(t, leftHome(t), size[0], size[1], "NO_COLOR=1", "--demo", "--presenter", g.ID)
			i := toKind(t, tm, g, steps.KindPassword)
			tm.waitFor(fmt.Sprintf("STEP %d of %d", i+1, len(g.Steps)))
			tm.do(walkthrough.Action{Text: walkthrough.Password[:3]})
			time.Sleep(200 * time.Millisecond)
			typing := tm.screen()
			tm.do(walkthrough.Action{Text: walkthrough.Password[3:]})
			tm.press("tab")
			tm.do(walkthrough.Action{Text: walkthrough.Password})
			tm.waitFor("Meets every rule")
			for _, s := range []string{typing, tm.screen()} {
				body := strings.SplitN(s, "Rules", 2)[0]
				if strings.Contains(body, "•") || strings.Contains(s, "✓ At least") || strings.Contains(s, walkthrough.Password) {
					t.Fatalf("the screen tells something of the password:\n%s", s)
				}
			}
			if strings.Contains(typing, "Meets every rule") {
				t.Fatalf("three characters meet every rule?\n%s", typing)
			}
		})
	}
}

// TestPickerFilterInTmux: / filters the guide list as it is typed, and a
// guide with saved progress is marked.
func TestPickerFilterInTmux(t *testing.T) {
	home := leftHome(t)
	// Leave the dmsa guide on its second step, to find it marked.
	tm := newTerm(t, home, 100, 30, "--demo", "dmsa")
	g := builtin(t, "dmsa")
	tm.waitFor("Step 1 of")
	tm.do(walkthrough.ScriptWith(g, demoRun())[0].Actions...)
	tm.waitFor("Step 2 of")
	tm.press("ctrl+c")
	tm.waitFor("Leave the guide?")
	tm.press("y")
	if c := tm.exitCode(); c == "" {
		t.Fatal("no exit code")
	}

	tm = newTerm(t, home, 100, 30, "--demo")
	tm.waitFor("Choose a guide")
	tm.waitFor("in progress: step 2 of")
	tm.press("/")
	tm.do(walkthrough.Action{Text: "labor"})
	tm.waitFor("Filter: labor")
	if s := tm.screen(); strings.Contains(s, "spectrum") || !strings.Contains(s, "laborchart") {
		t.Fatalf("the filter did not narrow the list:\n%s", s)
	}
	tm.press("enter")
	tm.waitFor("Step 1 of")
}

// TestHelpKeyInTextFieldInTmux: ? types into a text field; F1 opens the
// help there.
func TestHelpKeyInTextFieldInTmux(t *testing.T) {
	g := builtin(t, "dmsa")
	tm := newTerm(t, leftHome(t), 80, 24, "--demo", g.ID)
	toKind(t, tm, g, steps.KindForm)
	tm.waitFor("f1 more keys")
	tm.press("F1")
	tm.waitFor("fewer keys")
}

// TestNoTerminalInTmux: with nothing on standard input, or standard output
// a pipe, the wizard neither fails with a reader error nor hangs nor
// writes the full screen's escapes: it says what to do and exits 2.
func TestNoTerminalInTmux(t *testing.T) {
	for name, redirect := range map[string]string{
		"stdin /dev/null": "</dev/null 2>%s",
		"stdout a pipe":   "</dev/null 2>%s | cat > %s.out",
	} {
		t.Run(name, func(t *testing.T) {
			home := t.TempDir()
			errFile := filepath.Join(home, "stderr")
			r := fmt.Sprintf(redirect, errFile)
			if strings.Count(redirect, "%s") == 2 {
				r = fmt.Sprintf(redirect, errFile, errFile)
			}
			tm := newTerm(t, home, 80, 24, "--demo", "dmsa", r)
			code := tm.exitCode()
			b, _ := os.ReadFile(errFile)
			out, _ := os.ReadFile(errFile + ".out")
			if code != "2" && !(name == "stdout a pipe" && code == "0") { // the pipe's status is cat's
				t.Fatalf("exit %s\n%s", code, b)
			}
			for _, want := range []string{"runs in plain mode", "standard input ended"} {
				if !strings.Contains(string(b), want) {
					t.Errorf("stderr lacks %q:\n%s", want, b)
				}
			}
			if strings.Contains(string(b)+string(out), "\x1b[?1049h") || strings.Contains(string(b), "cancelable reader") {
				t.Fatalf("the full screen was tried:\n%q", string(b)+string(out))
			}
		})
	}
}
