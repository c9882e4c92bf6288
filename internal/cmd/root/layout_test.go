package root

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestLayoutDocumented: every package of the module has a row in the
// README's layout table (internal/cmd/<name> stands for each command's
// folder) and is named in docs/architecture.md, and every path the table
// names exists.
func TestLayoutDocumented(t *testing.T) {
	top := filepath.Join("..", "..", "..")
	readme, err := os.ReadFile(filepath.Join(top, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	arch, err := os.ReadFile(filepath.Join(top, "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(readme), "\n## Layout\n")
	if !ok {
		t.Fatal("README.md has no Layout section")
	}
	table, _, _ = strings.Cut(table, "\n## ")
	var rows []string
	for _, m := range regexp.MustCompile(`(?m)^\| ([^|]+) \|`).FindAllStringSubmatch(table, -1) {
		for _, p := range regexp.MustCompile("`([^`]+)`").FindAllStringSubmatch(m[1], -1) {
			rows = append(rows, p[1])
		}
	}
	if len(rows) < 10 {
		t.Fatalf("found only %v in the layout table", rows)
	}
	for _, r := range rows {
		if _, err := os.Stat(filepath.Join(top, strings.ReplaceAll(r, "<name>", "root"))); err != nil {
			t.Errorf("the layout table names %s, which does not exist", r)
		}
	}
	err = filepath.WalkDir(top, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		switch d.Name() {
		case ".git", "testdata", "scripts", "docs", "dist", "build":
			return filepath.SkipDir
		}
		gos, _ := filepath.Glob(filepath.Join(path, "*.go"))
		if len(gos) == 0 {
			return nil
		}
		pkg, _ := filepath.Rel(top, path)
		pkg = filepath.ToSlash(pkg)
		row := pkg
		if strings.HasPrefix(pkg, "internal/cmd/") && pkg != "internal/cmd/cmdtest" {
			row = "internal/cmd/<name>"
		}
		found := false
		for _, r := range rows {
			found = found || r == row
		}
		if !found {
			t.Errorf("package %s has no row in README.md's layout table", pkg)
		}
		if !strings.Contains(string(arch), row) && !strings.HasPrefix(pkg, "internal/cmd/") {
			t.Errorf("docs/architecture.md does not name %s", pkg)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
