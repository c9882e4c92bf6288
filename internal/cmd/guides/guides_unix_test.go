//go:build unix

package guides_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/cmd/cmdtest"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
)

// TestGuidesFIFO: a FIFO in the guides folder blocked procore-sa guides
// until SIGKILL; it is named as refused and the list is printed.
func TestGuidesFIFO(t *testing.T) {
	dir := cmdtest.Env(t)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "pipe.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	type result struct {
		out, errOut string
		code        int
	}
	done := make(chan result, 1)
	go func() {
		out, errOut, code := cmdtest.Run(t, "", "guides")
		done <- result{out, errOut, code}
	}()
	select {
	case r := <-done:
		if r.code != cmdutil.ExitOK || !strings.Contains(r.out, "dmsa") || !strings.Contains(r.errOut, fifo+": not a regular file") {
			t.Errorf("exit %d\nstdout %s\nstderr %s", r.code, r.out, r.errOut)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("procore-sa guides blocked on a FIFO in the guides folder")
	}
}
