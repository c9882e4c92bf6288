package root

import (
	"context"
	"io"
	"runtime/debug"

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
