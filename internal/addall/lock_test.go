package addall_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/addall"
)

func openLock(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// TestRunLockOneAtATime: while one run holds the lock of a user in a
// company, a second is refused with the holder's run and since when; once
// it is released, the next takes it and finds nothing stale.
func TestRunLockOneAtATime(t *testing.T) {
	path := filepath.Join(t.TempDir(), addall.RunLockName(7, 42))
	since := time.Date(2026, 11, 23, 10, 15, 0, 0, time.UTC)
	first, err := addall.LockRun(openLock(t, path), addall.LockHolder{Run: "run-a", PID: 111, Host: "desk", Since: since})
	if err != nil {
		t.Fatal(err)
	}
	_, err = addall.LockRun(openLock(t, path), addall.LockHolder{Run: "run-b", PID: 222, Since: since.Add(time.Minute)})
	var held *addall.LockedError
	if !errors.As(err, &held) || held.Holder.Run != "run-a" || !held.Holder.Since.Equal(since) || held.Holder.PID != 111 {
		t.Fatalf("second lock: %v; want it held by run-a since %v", err, since)
	}
	for _, want := range []string{"run-a", "2026-11-23 10:15:00 UTC", "process 111 on desk"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	next, err := addall.LockRun(openLock(t, path), addall.LockHolder{Run: "run-b", PID: 222, Since: since})
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	if next.Previous != nil {
		t.Errorf("a released lock looked stale: %+v", next.Previous)
	}
	next.Release()
	if a, b := addall.RunLockName(7, 42), addall.RunLockName(7, 43); a == b {
		t.Errorf("two users share a lock: %s", a)
	}
}

// TestRunLockHelper holds a lock for TestRunLockStaleIsTakenOver, in a
// process of its own.
func TestRunLockHelper(t *testing.T) {
	path := os.Getenv("ADDALL_LOCK_HELPER")
	if path == "" {
		t.Skip("run by TestRunLockStaleIsTakenOver")
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := addall.LockRun(f, addall.LockHolder{Run: "run-gone", PID: os.Getpid(), Since: time.Now()}); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("held\n")
	time.Sleep(time.Minute)
}

// TestRunLockStaleIsTakenOver: a run killed outright (kill -9) leaves its
// lock file saying it holds the lock; the OS lock went with the process,
// so the next run takes it over and says whose it was.
func TestRunLockStaleIsTakenOver(t *testing.T) {
	path := filepath.Join(t.TempDir(), addall.RunLockName(7, 42))
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunLockHelper$")
	cmd.Env = append(os.Environ(), "ADDALL_LOCK_HELPER="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "held\n" {
		cmd.Process.Kill()
		t.Fatalf("the helper did not take the lock: %q", line)
	}
	_, err = addall.LockRun(openLock(t, path), addall.LockHolder{Run: "run-new", PID: os.Getpid(), Since: time.Now()})
	var held *addall.LockedError
	if !errors.As(err, &held) || held.Holder.Run != "run-gone" || held.Holder.PID != cmd.Process.Pid {
		t.Fatalf("while the helper lives: %v", err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	l, err := addall.LockRun(openLock(t, path), addall.LockHolder{Run: "run-new", PID: os.Getpid(), Since: time.Now()})
	if err != nil {
		t.Fatalf("a dead run's lock was not taken over: %v", err)
	}
	defer l.Release()
	if l.Previous == nil || l.Previous.Run != "run-gone" {
		t.Errorf("the stale holder is not named: %+v", l.Previous)
	}
	b, _ := os.ReadFile(path)
	var now addall.LockHolder
	if json.Unmarshal(b, &now) != nil || now.Run != "run-new" {
		t.Errorf("the lock file names %q, want run-new", b)
	}
}
