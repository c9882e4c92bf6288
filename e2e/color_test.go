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
)

// sgrRE matches a Select Graphic Rendition sequence and its parameters.
var sgrRE = regexp.MustCompile(`\x1b\[([0-9;:]*)m`)

// hasColour says whether a screen captured with its escapes sets a
// foreground or background colour anywhere (not merely bold and the like).
func hasColour(screen string) bool {
	for _, m := range sgrRE.FindAllStringSubmatch(screen, -1) {
		for _, p := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ';' || r == ':' }) {
			var n int
			fmt.Sscan(p, &n)
			if (n >= 30 && n <= 38) || (n >= 40 && n <= 48) || (n >= 90 && n <= 97) || (n >= 100 && n <= 107) {
				return true
			}
		}
	}
	return false
}

// TestColourSwitchesInTmux: the full-screen wizard draws in colour in a
// 256-colour terminal, and none with NO_COLOR set to any value or with
// CLICOLOR=0, unless CLICOLOR_FORCE overrides CLICOLOR.
func TestColourSwitchesInTmux(t *testing.T) {
	for _, tt := range []struct {
		env    string
		colour bool
	}{
		{"", true},
		{"NO_COLOR=yes", false},
		{"CLICOLOR=0", false},
		{"CLICOLOR=0 CLICOLOR_FORCE=1", true},
		{"NO_COLOR=1 CLICOLOR_FORCE=1", false},
	} {
		t.Run(strings.ReplaceAll(tt.env, " ", "+"), func(t *testing.T) {
			needTmux(t)
			home := t.TempDir()
			tm := &term{t: t, socket: fmt.Sprintf("procore-sa-e2e-%d-%d", os.Getpid(), time.Now().UnixNano()), home: home,
				exit: filepath.Join(home, "exit-code")}
			shell := fmt.Sprintf("env -u NO_COLOR -u CLICOLOR -u CLICOLOR_FORCE -u COLORTERM TERM=xterm-256color %s XDG_STATE_HOME=%q XDG_CONFIG_HOME=%q %q --demo dmsa; echo $? > %q",
				tt.env, filepath.Join(home, "state"), filepath.Join(home, "config"), binary, tm.exit)
			tm.tmux("-f", "/dev/null", "new-session", "-d", "-s", "e2e", "-x", "100", "-y", "30", shell)
			t.Cleanup(func() { _ = exec.Command("tmux", "-L", tm.socket, "kill-server").Run() })
			tm.waitFor("Step 1 of")
			// The first frames may come before the styles settle: look for
			// colour for a while; where none is wanted, none may appear.
			screen := tm.tmux("capture-pane", "-e", "-p", "-t", "e2e")
			for end := time.Now().Add(1500 * time.Millisecond); !hasColour(screen) && time.Now().Before(end); {
				time.Sleep(50 * time.Millisecond)
				screen = tm.tmux("capture-pane", "-e", "-p", "-t", "e2e")
			}
			if got := hasColour(screen); got != tt.colour {
				t.Errorf("colour drawn: %v, want %v; the screen:\n%q", got, tt.colour, screen)
			}
			// Leave, and wait until the wizard has gone, before its
			// directory is removed.
			tm.press("ctrl+c")
			tm.exitCode()
		})
	}
}
