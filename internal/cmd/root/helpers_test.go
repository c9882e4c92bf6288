package root

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/internal/iostreams"
)

const (
	exitOK          = cmdutil.ExitOK
	exitFailed      = cmdutil.ExitFailed
	exitUsage       = cmdutil.ExitUsage
	exitInterrupted = cmdutil.ExitInterrupted
)

// newCLI is a factory over the given streams, with this build's version,
// as main makes it.
func newCLI(in io.Reader, out, errOut io.Writer) *cmdutil.Factory {
	info, ok := debug.ReadBuildInfo()
	return cmdutil.New(iostreams.New(in, out, errOut), cmdutil.ResolveBuild(cmdutil.BuildInfo{Version: "dev", Commit: "none", Date: "unknown"}, info, ok))
}

// newRootCmd is the command tree over f.
func newRootCmd(f *cmdutil.Factory) *cobra.Command { return NewCmdRoot(f) }

// execute runs the command line on f as main does: the exit code, and
// the error's words on f's stderr.
func execute(f *cmdutil.Factory, args ...string) int { return Execute(context.Background(), f, args) }

// guidesEnv points XDG_CONFIG_HOME at a fresh directory and returns the
// personal guides directory inside it (not yet created).
func guidesEnv(t *testing.T) string {
	t.Helper()
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	return filepath.Join(cfg, "procore-sa", "guides")
}

// guidesRun runs the command line and returns its output and exit code, as
// run would.
func guidesRun(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runWithInput(t, "", args...)
}

// runWithInput runs the command line with stdin as standard input.
func runWithInput(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = execute(newCLI(strings.NewReader(stdin), &out, &errb), args...)
	return out.String(), errb.String(), code
}
