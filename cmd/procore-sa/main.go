// Command procore-sa walks a Procore company admin through setting up the
// account an integration uses to reach Procore, and keeps its credentials safe.
//
// This package is wiring only: the commands live under internal/cmd, one
// folder each, and what they share under internal/cmdutil.
package main

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"

	"github.com/procore-sa/procore-sa/internal/cmd/root"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/internal/iostreams"
)

// Set by the linker (see .goreleaser.yaml). A build without them (go install
// ...@latest, go build) falls back to what the Go toolchain recorded: see
// cmdutil.ResolveBuild.
var (
	version = "dev"
	commit  = "none"
	date    = "unknown"
)

func main() {
	// First, before any secret is read: a core would hold what memory does.
	if err := noCoreDumps(); err != nil {
		fmt.Fprintf(os.Stderr, "procore-sa: %v; it does not run where a crash could write a secret to disk\n", err)
		os.Exit(cmdutil.ExitFailed)
	}
	ctx, stop := cmdutil.WatchSignals(context.Background())
	info, ok := debug.ReadBuildInfo()
	f := cmdutil.New(iostreams.System(), cmdutil.ResolveBuild(cmdutil.BuildInfo{Version: version, Commit: commit, Date: date}, info, ok))
	code := root.Execute(ctx, f, os.Args[1:])
	stop()
	os.Exit(code)
}
