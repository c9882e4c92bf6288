//go:build unix

package state

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// The umask exists on Unix systems only; Windows has no file modes to check.
func TestModesDespiteUmask(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	root := filepath.Join(t.TempDir(), "a", "b")
	s, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WriteFile("runs/x.jsonl", []byte("{}\n")); err != nil {
		t.Fatal(err)
	}
	f, err := s.OpenAppend("audit.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	for path, want := range map[string]fs.FileMode{
		root: 0o700, s.Path("runs"): 0o700, s.Path("runs/x.jsonl"): 0o600, s.Path("audit.jsonl"): 0o600,
	} {
		if got := mode(t, path); got != want {
			t.Errorf("%s: mode %v, want %v", path, got, want)
		}
	}
	// An existing directory that is too open is narrowed.
	loose := filepath.Join(t.TempDir(), "loose")
	if err := os.Mkdir(loose, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(loose); err != nil {
		t.Fatal(err)
	}
	if got := mode(t, loose); got != 0o700 {
		t.Errorf("existing directory left at %v", got)
	}
}
