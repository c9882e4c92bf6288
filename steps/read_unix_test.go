//go:build unix

package steps

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestFIFOInGuidesFolder: a FIFO named like a guide must not block the
// catalog (it blocked procore-sa and procore-sa guides until SIGKILL).
func TestFIFOInGuidesFolder(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	writeFile(t, dir, "mine.yaml", minimal(1))
	cat, problems := loadWithin(t, dir)
	if len(problems) != 1 || !strings.HasPrefix(problems[0].Error(), fifo+": ") ||
		!strings.Contains(problems[0].Error(), "not a regular file") {
		t.Fatalf("problems %v, want the FIFO refused as not a regular file", problems)
	}
	if _, ok := cat.Get("many-steps"); !ok {
		t.Error("the good guide beside the FIFO did not load")
	}
	if _, err := ValidateFile(fifo); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("guides validate on a FIFO: %v", err)
	}
}
