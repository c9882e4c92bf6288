package password_test

import (
	"strings"
	"testing"

	"github.com/procore-sa/procore-sa/internal/cmd/cmdtest"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/steps"
)

func TestPasswordCheck(t *testing.T) {
	cmdtest.Env(t)
	tests := []struct {
		name, guide, input string
		code               int
		notMet             int
	}{
		{"meets the default", "", "Sync3r!Passw0rd\n", cmdutil.ExitOK, 0},
		{"no newline at the end", "", "Sync3r!Passw0rd", cmdutil.ExitOK, 0},
		{"windows line end", "", "Sync3r!Passw0rd\r\n", cmdutil.ExitOK, 0},
		{"too short and no special", "", "Abc1\n", cmdutil.ExitFailed, 2},
		{"only lower case", "", "abcdefghij\n", cmdutil.ExitFailed, 3},
		{"special outside the default set", "", "Sync3r(Passw0rd\n", cmdutil.ExitFailed, 2},
		{"spectrum allows a parenthesis", "spectrum", "Sync3r(Passw0rd\n", cmdutil.ExitOK, 0},
		{"nothing given", "", "", cmdutil.ExitUsage, -1},
		{"an empty line", "", "\n", cmdutil.ExitUsage, -1},
		{"an empty line, a guide's policy", "spectrum", "\r\n", cmdutil.ExitUsage, -1},
		{"unknown guide", "nope", "x\n", cmdutil.ExitUsage, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"password", "check"}
			if tt.guide != "" {
				args = append(args, "--guide", tt.guide)
			}
			out, errOut, code := cmdtest.Run(t, tt.input, args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out, errOut)
			}
			pw := strings.TrimRight(tt.input, "\r\n")
			if pw != "" && (strings.Contains(out, pw) || strings.Contains(errOut, pw)) {
				t.Fatalf("the password was printed:\n%s%s", out, errOut)
			}
			if tt.code == cmdutil.ExitUsage && strings.TrimSpace(tt.input) == "" && !strings.Contains(errOut, "no password on standard input") {
				t.Errorf("no clear message for empty input:\n%s", errOut)
			}
			if tt.notMet < 0 {
				return
			}
			if got := strings.Count(out, "NOT met"); got != tt.notMet {
				t.Errorf("%d rules not met, want %d:\n%s", got, tt.notMet, out)
			}
			lines := strings.Count(out, "\n")
			if want := len(steps.DefaultPolicy().Rules()); tt.guide == "" && lines != want {
				t.Errorf("%d lines, want one per rule (%d):\n%s", lines, want, out)
			}
		})
	}
}

func TestPasswordGenerate(t *testing.T) {
	cmdtest.Env(t)
	for _, guide := range []string{"", "spectrum", "syncezy", "laborchart", "hammertech", "admin-helper", "dmsa"} {
		for _, length := range []string{"", "12", "64"} {
			args := []string{"password", "generate"}
			if guide != "" {
				args = append(args, "--guide", guide)
			}
			if length != "" {
				args = append(args, "--length", length)
			}
			out, errOut, code := cmdtest.Run(t, "", args...)
			if code != cmdutil.ExitOK {
				t.Fatalf("%v: exit %d: %s", args, code, errOut)
			}
			pw := strings.TrimSuffix(out, "\n")
			want := map[string]int{"": steps.DefaultGenerateLength, "12": 12, "64": 64}[length]
			if len(pw) != want {
				t.Errorf("%v: length %d, want %d", args, len(pw), want)
			}
			// The generated password must pass the check command too.
			if _, errOut, code := cmdtest.Run(t, out, append([]string{"password", "check"}, args[2:len(args)-len(lengthArgs(length))]...)...); code != cmdutil.ExitOK {
				t.Errorf("%v: generated password fails check: %s", args, errOut)
			}
		}
	}
}

func lengthArgs(length string) []string {
	if length == "" {
		return nil
	}
	return []string{"--length", length}
}

func TestPasswordGenerateRefusesBadLength(t *testing.T) {
	cmdtest.Env(t)
	for _, n := range []string{"-1", "3", "129", "x"} {
		if _, _, code := cmdtest.Run(t, "", "password", "generate", "--length", n); code != cmdutil.ExitUsage {
			t.Errorf("--length %s: exit %d, want %d", n, code, cmdutil.ExitUsage)
		}
	}
}
