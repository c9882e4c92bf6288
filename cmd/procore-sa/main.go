// Command procore-sa walks a Procore company admin through setting up the
// account an integration uses to reach Procore, and keeps its credentials safe.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// Set by the linker (see .goreleaser.yaml).
var (
	version = "dev"
	commit  = "none"
	date    = "unknown"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes the command line and returns the process exit code.
func run(ctx context.Context, args []string, stdin *os.File, stdout, stderr *os.File) int {
	a := newApp(stdin, stdout, stderr)
	cmd := newRootCmd(a)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, "procore-sa:", ee.err)
		}
		return ee.code
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "procore-sa: interrupted")
		return exitInterrupted
	}
	// Anything cobra refuses before a command runs is bad usage.
	fmt.Fprintln(stderr, "procore-sa:", err)
	fmt.Fprintln(stderr, "Run 'procore-sa --help' for usage.")
	return exitUsage
}
