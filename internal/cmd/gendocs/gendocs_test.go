package gendocs_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/procore-sa/procore-sa/internal/cmd/cmdtest"
	"github.com/procore-sa/procore-sa/internal/cmd/gendocs"
	"github.com/procore-sa/procore-sa/internal/cmd/help"
)

// TestGenDocs: a completion script for each shell and a man page for every
// command, gzipped too; the root's page carries the environment and exit
// status sections; no page repeats the global options; every page renders
// with man without a warning.
func TestGenDocs(t *testing.T) {
	cmdtest.Env(t)
	t.Setenv("SOURCE_DATE_EPOCH", "1798761600") // 2027-01-01
	dir := t.TempDir()
	if err := gendocs.Run(&gendocs.Options{Root: cmdtest.Tree(t), Dir: dir, Release: "v1.2.3"}); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"procore-sa.bash": "__start_procore-sa", "_procore-sa": "#compdef procore-sa",
		"procore-sa.fish": "complete -c procore-sa", "procore-sa.ps1": "Register-ArgumentCompleter",
	} {
		b, err := os.ReadFile(filepath.Join(dir, "completions", name))
		if err != nil || !strings.Contains(string(b), want) {
			t.Errorf("completions/%s: %v; lacks %q", name, err, want)
		}
	}

	root := cmdtest.Tree(t)
	var pages []string
	for path, c := range cmdtest.AllCommands(root) {
		if c.IsAvailableCommand() || c == root {
			pages = append(pages, strings.Join(append([]string{"procore-sa"}, strings.Fields(path)...), "-")+".1")
		}
	}
	for _, hidden := range []string{"procore-sa-help.1", "procore-sa-environment.1"} {
		if _, err := os.Stat(filepath.Join(dir, "man", hidden)); err == nil {
			t.Errorf("man/%s written", hidden)
		}
	}
	if len(pages) < 15 {
		t.Fatalf("only %d pages expected: %v", len(pages), pages)
	}
	for _, p := range pages {
		page, err := os.ReadFile(filepath.Join(dir, "man", p))
		if err != nil {
			t.Errorf("man page: %v", err)
			continue
		}
		f, err := os.Open(filepath.Join(dir, "man", p+".gz"))
		if err != nil {
			t.Errorf("gzipped man page: %v", err)
			continue
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		unzipped, err := io.ReadAll(zr)
		f.Close()
		if err != nil || !bytes.Equal(unzipped, page) {
			t.Errorf("%s.gz is not %s: %v", p, p, err)
		}
		s := string(page)
		if strings.Contains(s, "INHERITED") || (p != "procore-sa.1" && strings.Contains(s, "override the API base URL")) {
			t.Errorf("%s repeats the global options", p)
		}
		if !strings.Contains(s, `"procore-sa 1.2.3"`) || !strings.Contains(s, `"Jan 2027"`) || strings.Contains(s, "Auto generated") {
			t.Errorf("%s: header %q", p, strings.SplitN(s, "\n", 3)[:2])
		}
	}

	rootPage, _ := os.ReadFile(filepath.Join(dir, "man", "procore-sa.1"))
	text := renderMan(t, filepath.Join(dir, "man", "procore-sa.1"))
	for _, want := range []string{"NAME", "SYNOPSIS", "OPTIONS", "ENVIRONMENT", "EXIT STATUS", "SEE ALSO", "--api-url",
		`%APPDATA%\procore-sa\guides`} {
		if !strings.Contains(text, want) {
			t.Errorf("man procore-sa.1 lacks %q:\n%s", want, text)
		}
	}
	for _, v := range help.EnvironmentVars {
		if !strings.Contains(text, v.Name) {
			t.Errorf("man procore-sa.1 lacks %s", v.Name)
		}
	}
	for _, c := range help.ExitCodes {
		if !strings.Contains(text, "\n       "+strconv.Itoa(c.Code)+" ") {
			t.Errorf("man procore-sa.1 lacks exit status %d", c.Code)
		}
	}
	if i, j := strings.Index(string(rootPage), ".SH EXIT STATUS"), strings.Index(string(rootPage), ".SH SEE ALSO"); i < 0 || i > j {
		t.Errorf("EXIT STATUS is not before SEE ALSO")
	}
	for _, p := range pages[1:] {
		renderMan(t, filepath.Join(dir, "man", p))
	}
}

// renderMan renders a man page as 'man ./procore-sa.1' would and returns the
// text; a warning from the formatter fails the test. Without man the test
// is skipped, except in CI, where scripts/test installs it.
func renderMan(t *testing.T, path string) string {
	t.Helper()
	if _, err := exec.LookPath("man"); err != nil {
		if os.Getenv("CI") != "" || os.Getenv("PROCORE_SA_TEST_CI") != "" {
			t.Fatal("man is required in CI (scripts/test installs man-db)")
		}
		t.Skip("man is not installed; ./scripts/test installs it")
	}
	cmd := exec.Command("man", "--warnings", "-l", path)
	cmd.Env = append(os.Environ(), "MANWIDTH=100", "MANPAGER=cat", "PAGER=cat", "LANG=C.UTF-8")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil || errb.Len() > 0 {
		t.Fatalf("man -l %s: %v\n%s", filepath.Base(path), err, errb.String())
	}
	// Bold and underline are drawn by overstriking; read the letters.
	b := out.Bytes()
	var clean []byte
	for i := 0; i < len(b); i++ {
		if i+1 < len(b) && b[i+1] == '\b' {
			i++
			continue
		}
		clean = append(clean, b[i])
	}
	return string(clean)
}

// TestGenDocsIsNotInTheProgram: the man page generator is linked into the
// release's gen-docs step only; procore-sa itself would pay for its
// initialisation at every start.
func TestGenDocsIsNotInTheProgram(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/procore-sa/procore-sa/cmd/procore-sa").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, pkg := range []string{"github.com/spf13/cobra/doc", "github.com/procore-sa/procore-sa/internal/cmd/gendocs"} {
		if strings.Contains("\n"+string(out), "\n"+pkg+"\n") {
			t.Errorf("procore-sa links %s", pkg)
		}
	}
}
