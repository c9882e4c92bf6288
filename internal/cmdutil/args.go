package cmdutil

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/procore-sa/procore-sa/steps"
)

// NoArgs refuses arguments as bad usage (exit 2).
func NoArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return Usagef("%s takes no arguments; got %q", cmd.CommandPath(), args[0])
	}
	return nil
}

// OneLine keeps a table row on one line.
func OneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// NoFiles is what a completion returns where no file fits.
const NoFiles = cobra.ShellCompDirectiveNoFileComp

// CompleteGuideIDs offers the guide ids for shell completion.
func CompleteGuideIDs(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, NoFiles
	}
	dir, err := ConfigDir()
	if err != nil {
		return nil, NoFiles
	}
	cat, _ := steps.LoadCatalog(filepath.Join(dir, "guides"))
	var ids []string
	for _, g := range cat.List() {
		ids = append(ids, g.ID+"\t"+OneLine(g.Title))
	}
	return ids, NoFiles
}

// Plural is n what, in words: "1 step", "3 steps".
func Plural(n int, what string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", what)
	}
	return fmt.Sprintf("%d %ss", n, what)
}
