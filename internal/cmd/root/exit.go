package root

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/internal/explain"
	"github.com/procore-sa/procore-sa/steps"
)

// Execute runs the command line and returns the process exit code. Here,
// and nowhere else, an error becomes a code.
func Execute(ctx context.Context, f *cmdutil.Factory, args []string) int {
	// The built-in guides take some milliseconds to parse, and the
	// wizard's first frame waits for them: parse them on another core
	// while the command line is read and the wizard set up (they are
	// parsed once per process; a command that needs none exits anyway).
	go steps.LoadCatalog("")
	started := false
	cmd := newCmdRoot(f, &started)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	code := ExitCode(ctx, err, started, f.IOStreams.ErrOut)
	// A command stopped by a signal exits 128 and the signal's number.
	if sig := cmdutil.SignalsOf(ctx).First(); sig != nil && code == cmdutil.ExitInterrupted {
		code = cmdutil.SignalExit(sig)
	}
	return code
}

// ExitCode is the exit status of a command that ended with err, having
// said on stderr what the person must know:
//   - bad usage (cmdutil.UsageError, app.UsageError): 2;
//   - cmdutil.ErrCancel (stopped, already said so): 130, silently;
//   - cmdutil.ErrSilent (failed, already said why): 1, silently;
//   - any other error of a command that ran: 1;
//   - any other error from before a command ran (the parser refused the
//     command line): 2, or 130 when the run was interrupted.
func ExitCode(ctx context.Context, err error, started bool, stderr io.Writer) int {
	if err == nil {
		return cmdutil.ExitOK
	}
	var ue *cmdutil.UsageError
	var aue *app.UsageError
	switch {
	case errors.Is(err, cmdutil.ErrCancel):
		return cmdutil.ExitInterrupted
	case errors.Is(err, cmdutil.ErrSilent):
		return cmdutil.ExitFailed
	case errors.As(err, &ue), errors.As(err, &aue):
		fmt.Fprintln(stderr, "procore-sa:", err)
		return cmdutil.ExitUsage
	case started:
		// A failure of the network or an answer from Procore is said in
		// a person's words first; the whole text follows for whoever
		// needs it.
		switch x := explain.Of(err); x.Kind {
		case explain.Unreachable, explain.Refused, explain.RateLimited, explain.ServerFault:
			fmt.Fprintln(stderr, "procore-sa:", x.Sentence)
			fmt.Fprintln(stderr, "Details:", x.Detail)
		default:
			fmt.Fprintln(stderr, "procore-sa:", err)
		}
		return cmdutil.ExitFailed
	case ctx.Err() != nil:
		fmt.Fprintln(stderr, "procore-sa: interrupted")
		return cmdutil.ExitInterrupted
	}
	// Anything cobra refuses before a command runs is bad usage.
	fmt.Fprintln(stderr, "procore-sa:", err)
	fmt.Fprintln(stderr, "Run 'procore-sa --help' for usage.")
	return cmdutil.ExitUsage
}
