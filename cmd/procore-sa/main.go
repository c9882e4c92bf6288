// Command procore-sa walks a Procore company admin through setting up the
// account an integration uses to reach Procore, and keeps its credentials safe.
package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"os"
	"regexp"
	"runtime/debug"
	"time"
)

// Set by the linker (see .goreleaser.yaml). A build without them (go install
// ...@latest, go build) falls back to what the Go toolchain recorded: see
// buildVersion.
var (
	version = "dev"
	commit  = "none"
	date    = "unknown"
)

// pseudoRE matches the end of a Go pseudo-version, such as
// v0.0.0-20250102150405-abcdef123456: the commit's time (UTC) and revision.
var pseudoRE = regexp.MustCompile(`(?:^v\d+\.\d+\.\d+-|[-.]0\.)(\d{14})-([0-9a-f]{12})(?:\+.*)?$`)

// buildVersion is the version, commit and build date to print: those the
// linker set, each else what the Go toolchain recorded in the binary: the
// module version (go install ...@version), the commit and its time (a build
// in a git checkout, or a pseudo-version such as v0.0.0-DATE-COMMIT).
func buildVersion(info *debug.BuildInfo, ok bool) (v, c, d string) {
	v, c, d = version, commit, date
	if !ok || info == nil {
		return v, c, d
	}
	mod := info.Main.Version
	if v == "dev" && mod != "" && mod != "(devel)" {
		v = mod
	}
	var rev, at string
	modified := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev == "" || at == "" {
		if m := pseudoRE.FindStringSubmatch(mod); m != nil {
			if t, err := time.Parse("20060102150405", m[1]); err == nil && at == "" {
				at = t.UTC().Format(time.RFC3339)
			}
			if rev == "" {
				rev = m[2]
			}
		}
	}
	if c == "none" && rev != "" {
		c = rev[:min(len(rev), 12)]
		if modified {
			c += "-dirty"
		}
	}
	if d == "unknown" && at != "" {
		d = at
	}
	return v, c, d
}

func main() {
	// First, before any secret is read: a core would hold what memory does.
	if err := noCoreDumps(); err != nil {
		fmt.Fprintf(os.Stderr, "procore-sa: %v; it does not run where a crash could write a secret to disk\n", err)
		os.Exit(exitFailed)
	}
	ctx, stop := cmdutil.WatchSignals(context.Background())
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes the command line and returns the process exit code. A
// command stopped by a signal exits 128 and the signal's number.
func run(ctx context.Context, args []string, stdin *os.File, stdout, stderr *os.File) int {
	code := runCommand(ctx, args, stdin, stdout, stderr)
	if sig := cmdutil.SignalsOf(ctx).First(); sig != nil && code == exitInterrupted {
		code = cmdutil.SignalExit(sig)
	}
	return code
}

func runCommand(ctx context.Context, args []string, stdin *os.File, stdout, stderr *os.File) int {
	a := newCLI(stdin, stdout, stderr)
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
