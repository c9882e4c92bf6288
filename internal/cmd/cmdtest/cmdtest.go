// Package cmdtest runs the command tree in tests as main runs it: on
// buffers, in fresh state and config directories, with the exit code that
// the root's mapping gives.
package cmdtest

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/procore-sa/procore-sa/internal/cmd/root"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/internal/iostreams"
)

// Env points XDG_CONFIG_HOME and XDG_STATE_HOME at fresh directories and
// returns the personal guides directory inside the first (not yet created).
func Env(t *testing.T) string {
	t.Helper()
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	return filepath.Join(cfg, "procore-sa", "guides")
}

// WriteFile writes data to dir/name (0600), making dir.
func WriteFile(t *testing.T, dir, name, data string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Factory is a factory over the given streams with this build's version,
// as main makes it.
func Factory(in io.Reader, out, errOut io.Writer) *cmdutil.Factory {
	info, ok := debug.ReadBuildInfo()
	return cmdutil.New(iostreams.New(in, out, errOut), cmdutil.ResolveBuild(cmdutil.BuildInfo{Version: "dev", Commit: "none", Date: "unknown"}, info, ok))
}

// Execute runs the command line on f as main does, and returns the exit
// code; what the error says goes to f's stderr.
func Execute(f *cmdutil.Factory, args ...string) int {
	return root.Execute(context.Background(), f, args)
}

// Run runs the command line with stdin as standard input.
func Run(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Execute(Factory(strings.NewReader(stdin), &out, &errb), args...)
	return out.String(), errb.String(), code
}

// Tree is the whole command tree, with cobra's completion command, as a
// run of the program has it.
func Tree(t *testing.T) *cobra.Command {
	t.Helper()
	c := root.NewCmdRoot(Factory(strings.NewReader(""), new(strings.Builder), new(strings.Builder)))
	c.InitDefaultCompletionCmd()
	return c
}

// AllCommands is every command of the tree by its path below the root
// ("" for the root), cobra's hidden completion commands left out.
func AllCommands(c *cobra.Command) map[string]*cobra.Command {
	out := map[string]*cobra.Command{}
	var walk func(*cobra.Command)
	walk = func(s *cobra.Command) {
		if strings.HasPrefix(s.Name(), "__") {
			return
		}
		out[strings.TrimPrefix(strings.TrimPrefix(s.CommandPath(), c.Name()), " ")] = s
		for _, sub := range s.Commands() {
			walk(sub)
		}
	}
	walk(c)
	return out
}
