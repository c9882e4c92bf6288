// Command gen-docs writes into DIR the shell completions and man pages that
// a release of procore-sa carries, made from its commands' own help:
//
//	completions/procore-sa.bash, _procore-sa (zsh), procore-sa.fish, procore-sa.ps1
//	man/procore-sa.1 and one page for each command, each also gzipped (.1.gz)
//
// SOURCE_DATE_EPOCH, when set, dates the man pages (reproducible builds).
// The release runs it before it builds (see .goreleaser.yaml):
//
//	go run ./cmd/gen-docs --release 1.2.0 build
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/debug"

	"github.com/procore-sa/procore-sa/internal/cmd/gendocs"
	"github.com/procore-sa/procore-sa/internal/cmd/root"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/internal/iostreams"
)

func main() {
	release := flag.String("release", "dev", "the version the man pages name")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: gen-docs [--release VERSION] DIR")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(cmdutil.ExitUsage)
	}
	info, ok := debug.ReadBuildInfo()
	f := cmdutil.New(iostreams.System(), cmdutil.ResolveBuild(cmdutil.BuildInfo{Version: *release}, info, ok))
	tree := root.NewCmdRoot(f)
	tree.InitDefaultCompletionCmd() // as running a command would
	if err := gendocs.Run(&gendocs.Options{Root: tree, Dir: flag.Arg(0), Release: *release}); err != nil {
		fmt.Fprintln(os.Stderr, "gen-docs:", err)
		os.Exit(cmdutil.ExitFailed)
	}
}
