// Package gendocs writes the shell completions and man pages a release
// carries, from the command tree's own help. cmd/gen-docs runs it before the
// release builds; it is not part of procore-sa itself, whose start-up would
// pay for the man page generator.
package gendocs

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/procore-sa/procore-sa/internal/cmd/help"
)

// Options are the tree documented, where the documents go and the version
// they name.
type Options struct {
	Root    *cobra.Command
	Dir     string
	Release string
}

// Run writes the completions and man pages of the root's tree under the
// directory.
func Run(opts *Options) error {
	root, dir, release := opts.Root, opts.Dir, opts.Release
	comp := filepath.Join(dir, "completions")
	man := filepath.Join(dir, "man")
	for _, d := range []string{comp, man} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("make %s: %w", d, err)
		}
	}
	scripts := []struct {
		name string
		gen  func(*bytes.Buffer) error
	}{
		{"procore-sa.bash", func(b *bytes.Buffer) error { return root.GenBashCompletionV2(b, true) }},
		{"_procore-sa", func(b *bytes.Buffer) error { return root.GenZshCompletion(b) }},
		{"procore-sa.fish", func(b *bytes.Buffer) error { return root.GenFishCompletion(b, true) }},
		{"procore-sa.ps1", func(b *bytes.Buffer) error { return root.GenPowerShellCompletionWithDesc(b) }},
	}
	for _, s := range scripts {
		var b bytes.Buffer
		if err := s.gen(&b); err != nil {
			return fmt.Errorf("write the %s completion: %w", s.name, err)
		}
		if err := writeDoc(filepath.Join(comp, s.name), b.Bytes()); err != nil {
			return err
		}
	}

	root.DisableAutoGenTag = true
	header := &doc.GenManHeader{Title: "PROCORE-SA", Section: "1", Source: "procore-sa " + strings.TrimPrefix(release, "v"), Manual: "procore-sa manual"}
	var pages []*cobra.Command
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		// The pages doc.GenManTree would write: every command a person
		// can run, not the help topics, which the root's page carries.
		if !c.IsAvailableCommand() || c.IsAdditionalHelpTopicCommand() {
			return
		}
		pages = append(pages, c)
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
	for _, c := range pages {
		h := *header
		h.Title = strings.ToUpper(strings.ReplaceAll(c.CommandPath(), " ", "-"))
		var b bytes.Buffer
		if err := doc.GenMan(c, &h, &b); err != nil {
			return fmt.Errorf("write the man page of %s: %w", c.CommandPath(), err)
		}
		page := withoutInheritedOptions(b.Bytes())
		if c == root {
			page = withSections(page, manSections())
		}
		name := strings.ReplaceAll(c.CommandPath(), " ", "-") + ".1"
		if err := writeDoc(filepath.Join(man, name), page); err != nil {
			return err
		}
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression) // no name, no time: the same bytes every build
		if _, err := zw.Write(page); err != nil {
			return fmt.Errorf("compress %s: %w", name, err)
		}
		if err := zw.Close(); err != nil {
			return fmt.Errorf("compress %s: %w", name, err)
		}
		if err := writeDoc(filepath.Join(man, name+".gz"), gz.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

func writeDoc(path string, data []byte) error {
	// Files a package installs for every user to read.
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// manSections is the root page's ENVIRONMENT and EXIT STATUS, in roff, from
// the data of the help topics; paths are not hyphenated.
func manSections() string {
	var b strings.Builder
	b.WriteString(".nh\n.SH ENVIRONMENT\n")
	for _, v := range help.EnvironmentVars {
		fmt.Fprintf(&b, ".TP\n\\fB%s\\fP\n%s\n", roffEscape(v.Name), roffEscape(v.What))
	}
	b.WriteString(".SH EXIT STATUS\n")
	for _, c := range help.ExitCodes {
		fmt.Fprintf(&b, ".TP\n\\fB%d\\fP\n%s\n", c.Code, roffEscape(c.What))
	}
	return b.String() + ".hy\n"
}

// inheritedOptions is the section the man page generator gives every
// command, repeating the global options.
const inheritedOptions = ".SH OPTIONS INHERITED FROM PARENT COMMANDS\n"

// withoutInheritedOptions shows the global options once, as the help does:
// a command's page points to the root's page instead of repeating them.
func withoutInheritedOptions(page []byte) []byte {
	s := string(page)
	i := strings.Index(s, inheritedOptions)
	if i < 0 {
		return page
	}
	rest := s[i+len(inheritedOptions):]
	end := strings.Index(rest, "\n.SH ")
	if end < 0 {
		end = len(rest)
	} else {
		end++
	}
	return []byte(s[:i] + ".SH GLOBAL OPTIONS\nSee \\fBprocore\\-sa\\fP(1) for the options every command takes.\n" + rest[end:])
}

// withSections puts sections into a man page before its SEE ALSO, where
// man pages keep them, or at the end.
func withSections(page []byte, sections string) []byte {
	s := string(page)
	if i := strings.Index(s, "\n.SH SEE ALSO"); i >= 0 {
		return []byte(s[:i+1] + sections + s[i+1:])
	}
	return []byte(strings.TrimRight(s, "\n") + "\n" + sections)
}

// roffEscape makes text safe in a roff paragraph: backslashes printed as
// such, hyphens as hyphens, and no line starting a request.
func roffEscape(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}
