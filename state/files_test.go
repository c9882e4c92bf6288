//go:build unix

package state

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/steps"
)

// planted is a file of someone else's that a link in the state directory
// points at: nothing procore-sa does may change it.
func planted(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(p, []byte("not yours\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func untouched(t *testing.T, path string, mode fs.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != mode {
		t.Errorf("%s: mode changed to %v", path, fi.Mode().Perm())
	}
	if fi.IsDir() {
		return
	}
	if b, _ := os.ReadFile(path); string(b) != "not yours\n" {
		t.Errorf("%s: contents changed to %q", path, b)
	}
}

// refused checks that err refuses the path with a reason and a way out.
func refused(t *testing.T, err error, path string, words ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: not refused", path)
	}
	msg := err.Error()
	if !strings.Contains(msg, path) {
		t.Errorf("the refusal does not say where (%s): %s", path, msg)
	}
	for _, w := range words {
		if !strings.Contains(msg, w) {
			t.Errorf("the refusal lacks %q: %s", w, msg)
		}
	}
}

// TestSymlinksAreRefused: a link anywhere procore-sa keeps state (the
// directory, runs/, sessions/, the audit log, a journal, a session) is
// refused with the reason, and what it points at is neither written,
// truncated nor chmodded.
func TestSymlinksAreRefused(t *testing.T) {
	t.Run("state directory", func(t *testing.T) {
		target := t.TempDir()
		if err := os.Chmod(target, 0o755); err != nil {
			t.Fatal(err)
		}
		root := filepath.Join(t.TempDir(), "procore-sa")
		must(t, os.Symlink(target, root))
		_, err := Open(root)
		refused(t, err, root, "symbolic link", "remove")
		untouched(t, target, 0o755)
	})
	for _, dir := range []string{"runs", "sessions", "transcripts"} {
		t.Run(dir+"/", func(t *testing.T) {
			s, _ := Open(t.TempDir())
			target := t.TempDir()
			must(t, os.Chmod(target, 0o755))
			must(t, os.Symlink(target, s.Path(dir)))
			refused(t, s.WriteFile(dir+"/x.json", []byte("{}")), s.Path(dir), "symbolic link")
			_, err := s.OpenAppend(dir + "/x.jsonl")
			refused(t, err, s.Path(dir), "symbolic link")
			untouched(t, target, 0o755)
			if es, _ := os.ReadDir(target); len(es) != 0 {
				t.Errorf("wrote through the link: %v", es)
			}
		})
	}
	t.Run("audit.jsonl", func(t *testing.T) {
		s, _ := Open(t.TempDir())
		victim := planted(t)
		must(t, os.Symlink(victim, s.Path("audit.jsonl")))
		refused(t, s.Audit(AuditEntry{Action: "save", Profile: "default"}), s.Path("audit.jsonl"), "symbolic link", "remove")
		untouched(t, victim, 0o644)
	})
	t.Run("journal", func(t *testing.T) {
		s, _ := Open(t.TempDir())
		victim := planted(t)
		must(t, os.MkdirAll(s.Path("runs"), 0o700))
		must(t, os.Symlink(victim, s.Path("runs/r.jsonl")))
		_, err := s.OpenAppend("runs/r.jsonl")
		refused(t, err, s.Path("runs/r.jsonl"), "symbolic link")
		_, err = s.OpenRead("runs/r.jsonl")
		refused(t, err, s.Path("runs/r.jsonl"), "symbolic link")
		untouched(t, victim, 0o644)
	})
	t.Run("session", func(t *testing.T) {
		s, _ := Open(t.TempDir())
		victim := planted(t)
		must(t, os.MkdirAll(s.Path("sessions"), 0o700))
		must(t, os.Symlink(victim, s.Path("sessions/g.json")))
		_, err := s.LoadSession("g")
		refused(t, err, s.Path("sessions/g.json"), "symbolic link")
		refused(t, s.SaveSession(&steps.Session{Version: steps.SessionVersion, GuideID: "g"}), s.Path("sessions/g.json"), "symbolic link")
		untouched(t, victim, 0o644)
	})
}

// TestForeignOwnerIsRefused: a state directory, runs/ or sessions/ (or a
// file in them) that belongs to another user is refused, not fixed.
func TestForeignOwnerIsRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("giving a file to another user takes root")
	}
	const nobody = 65534
	t.Run("state directory", func(t *testing.T) {
		root := filepath.Join(t.TempDir(), "procore-sa")
		must(t, os.Mkdir(root, 0o700))
		must(t, os.Chown(root, nobody, nobody))
		_, err := Open(root)
		refused(t, err, root, "belongs to", "not to you")
	})
	for _, dir := range []string{"runs", "sessions"} {
		t.Run(dir+"/", func(t *testing.T) {
			s, _ := Open(t.TempDir())
			must(t, os.Mkdir(s.Path(dir), 0o700))
			must(t, os.Chown(s.Path(dir), nobody, nobody))
			_, err := s.OpenAppend(dir + "/x.jsonl")
			refused(t, err, s.Path(dir), "belongs to")
			refused(t, s.WriteFile(dir+"/x.json", nil), s.Path(dir), "belongs to")
		})
	}
	t.Run("audit.jsonl", func(t *testing.T) {
		s, _ := Open(t.TempDir())
		must(t, os.WriteFile(s.Path("audit.jsonl"), nil, 0o600))
		must(t, os.Chown(s.Path("audit.jsonl"), nobody, nobody))
		refused(t, s.Audit(AuditEntry{Action: "save"}), s.Path("audit.jsonl"), "belongs to")
	})
}

// TestLooseDirectoryIsCheckedNotTrusted: a state directory that was 0777
// is narrowed, and what anyone could have put in it meanwhile is checked:
// a link, another user's file or a file others can write is refused; a
// file of one's own others could only read is narrowed.
func TestLooseDirectoryIsCheckedNotTrusted(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	loose := func(t *testing.T) string {
		root := filepath.Join(t.TempDir(), "procore-sa")
		must(t, os.Mkdir(root, 0o777))
		must(t, os.Mkdir(filepath.Join(root, "runs"), 0o777))
		return root
	}
	t.Run("own files narrowed", func(t *testing.T) {
		root := loose(t)
		must(t, os.WriteFile(filepath.Join(root, "runs", "r.jsonl"), []byte("{}\n"), 0o644))
		if _, err := Open(root); err != nil {
			t.Fatal(err)
		}
		for path, want := range map[string]fs.FileMode{root: 0o700, filepath.Join(root, "runs"): 0o700, filepath.Join(root, "runs", "r.jsonl"): 0o600} {
			if got := mode(t, path); got != want {
				t.Errorf("%s: mode %v, want %v", path, got, want)
			}
		}
	})
	t.Run("a link inside", func(t *testing.T) {
		root := loose(t)
		victim := planted(t)
		link := filepath.Join(root, "runs", "r.jsonl")
		must(t, os.Symlink(victim, link))
		_, err := Open(root)
		refused(t, err, link, "symbolic link")
		untouched(t, victim, 0o644)
	})
	t.Run("a file others could write", func(t *testing.T) {
		root := loose(t)
		p := filepath.Join(root, "audit.jsonl")
		must(t, os.WriteFile(p, nil, 0o666))
		_, err := Open(root)
		refused(t, err, p, "other users", "chmod 600")
	})
	t.Run("another user's file", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("giving a file to another user takes root")
		}
		root := loose(t)
		p := filepath.Join(root, "runs", "r.jsonl")
		must(t, os.WriteFile(p, nil, 0o600))
		must(t, os.Chown(p, 65534, 65534))
		_, err := Open(root)
		refused(t, err, p, "belongs to")
	})
}

func temps(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, ".tmp-*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestWholeFileWritesLeaveNoTemporaryFile: a write that fails removes its
// temporary file; one left by a process killed mid-write is swept away the
// next time the directory is opened (but not one another writer may still
// be using).
func TestWholeFileWritesLeaveNoTemporaryFile(t *testing.T) {
	s, _ := Open(t.TempDir())
	// The rename fails: a non-empty directory is in the way.
	must(t, os.MkdirAll(s.Path("sessions/g.json/in-the-way"), 0o700))
	if err := s.WriteFile("sessions/g.json", []byte("{}")); err == nil {
		t.Fatal("wrote over a directory")
	}
	if m := temps(t, s.Path("sessions")); len(m) != 0 {
		t.Errorf("left behind: %v", m)
	}

	stale, fresh := s.Path("runs/.tmp-1234"), s.Path(".tmp-5678")
	must(t, os.MkdirAll(s.Path("runs"), 0o700))
	must(t, os.WriteFile(stale, []byte("half"), 0o600))
	must(t, os.WriteFile(fresh, []byte("half"), 0o600))
	long := time.Now().Add(-time.Hour)
	must(t, os.Chtimes(stale, long, long))
	if _, err := Open(s.Root); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a temporary file an hour old is still there: %v", err)
	}
	if _, err := os.Lstat(fresh); err != nil {
		t.Errorf("a temporary file another writer may be using was removed: %v", err)
	}
}

// TestWholeFileWriteReplacesNotTruncates: a file written again is a new
// file (create, then rename), so a second link to the old one keeps the old
// contents and nothing of the old mode survives.
func TestWholeFileWriteReplacesNotTruncates(t *testing.T) {
	s, _ := Open(t.TempDir())
	must(t, os.MkdirAll(s.Path("sessions"), 0o700))
	p := s.Path("sessions/g.json")
	must(t, os.WriteFile(p, []byte("old\n"), 0o644))
	other := filepath.Join(s.Root, "other-link")
	must(t, os.Link(p, other))
	must(t, s.WriteFile("sessions/g.json", []byte("new\n")))
	if b, _ := os.ReadFile(other); string(b) != "old\n" {
		t.Errorf("the other link to the old file now holds %q: it was truncated in place", b)
	}
	if got := mode(t, p); got != 0o600 {
		t.Errorf("mode %v, want 0600", got)
	}
}

// TestReadsDoNotBlockOnAFIFO: a FIFO where a session or a journal should
// be is refused at once, not waited on.
func TestReadsDoNotBlockOnAFIFO(t *testing.T) {
	s, _ := Open(t.TempDir())
	must(t, os.MkdirAll(s.Path("sessions"), 0o700))
	must(t, syscall.Mkfifo(s.Path("sessions/g.json"), 0o600))
	must(t, syscall.Mkfifo(s.Path("audit.jsonl"), 0o600))
	done := make(chan [2]error, 1)
	go func() {
		_, err := s.LoadSession("g")
		done <- [2]error{err, s.Audit(AuditEntry{Action: "save"})}
	}()
	select {
	case errs := <-done:
		refused(t, errs[0], s.Path("sessions/g.json"), "not a regular file")
		refused(t, errs[1], s.Path("audit.jsonl"), "not a regular file")
	case <-time.After(5 * time.Second):
		t.Fatal("blocked on a FIFO")
	}
}

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
