//go:build linux

package e2e

import (
	"bytes"
	endian "encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"
)

// TestNoCoreDumpCanHoldTheSecret runs the wizard with core dumps enabled
// (ulimit -c unlimited, GOTRACEBACK=crash so that the Go runtime aborts
// rather than exits) while it holds a typed client secret, then aborts it.
//
// What it can observe on this kernel, as root:
//   - that the kernel writes cores here at all: a control shell killed by
//     SIGSEGV in the same setup leaves a core in its working directory
//     (the core pattern names a file). Where the pattern pipes cores to a
//     handler instead, that part is skipped, said in the log.
//   - that the secret is in the process's memory, so a core would carry
//     it: gcore (when gdb is installed) reads the memory through ptrace,
//     which root may do whatever the process says.
//   - RLIMIT_CORE: /proc/PID/limits reads 0 (soft and hard).
//   - PR_SET_DUMPABLE 0: not shown anywhere in /proc; it is seen through
//     its effect, that a process of the same user without CAP_SYS_PTRACE
//     may not open /proc/PID/mem, while it may open that of a dumpable
//     process. As root that takes setpriv: the observer, the wizard and
//     the dumpable control all run with CAP_SYS_PTRACE dropped (the kernel
//     also wants an observer to hold every capability of its target), so
//     that only the dumpable flag decides.
//   - that after SIGABRT no core file appears where the control's did.
//
// What it cannot observe: a pipe core pattern (a crash handler receives
// the dump whatever RLIMIT_CORE says; only the dumpable flag, seen above,
// stops it) without changing the machine's core pattern, which a test
// must not do; and root with CAP_SYS_PTRACE can always read the memory of
// any process (gcore does), which no process can prevent.
func TestNoCoreDumpCanHoldTheSecret(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	needTmux(t)
	home := t.TempDir()
	dir := filepath.Join(home, "config", "procore-sa", "guides")
	must(t, os.MkdirAll(dir, 0o700))
	must(t, os.WriteFile(filepath.Join(dir, "leak.yaml"), []byte(leakGuide), 0o600))
	cores, control := filepath.Join(home, "cores"), filepath.Join(home, "control")
	must(t, os.Mkdir(cores, 0o700))
	must(t, os.Mkdir(control, 0o700))

	_ = exec.Command("sh", "-c", fmt.Sprintf("ulimit -c unlimited && cd %q && sh -c 'kill -SEGV $$'", control)).Run()
	observable := len(coreFiles(t, control)) > 0
	if !observable {
		pattern, _ := os.ReadFile("/proc/sys/kernel/core_pattern")
		t.Logf("a process that may dump left no core in its directory (core pattern %q): only the process's own settings are checked", bytes.TrimSpace(pattern))
	}

	// Without CAP_SYS_PTRACE, for the dumpable check (see above).
	var noPtrace []string
	if _, err := exec.LookPath("setpriv"); err == nil {
		noPtrace = []string{"setpriv", "--bounding-set", "-sys_ptrace", "--inh-caps", "-sys_ptrace"}
	} else {
		t.Log("setpriv is not installed: the dumpable flag is not checked")
	}

	stderr := filepath.Join(home, "stderr")
	tm := &term{t: t, socket: fmt.Sprintf("procore-sa-e2e-%d-%d", os.Getpid(), time.Now().UnixNano()), home: home,
		exit: filepath.Join(home, "exit-code")}
	shell := fmt.Sprintf("cd %q && ulimit -c unlimited && env -u NO_COLOR TERM=xterm-256color GOTRACEBACK=crash XDG_STATE_HOME=%q XDG_CONFIG_HOME=%q %s %q --demo --profile coretest leak-check 2>%q; echo $? > %q",
		cores, filepath.Join(home, "state"), filepath.Join(home, "config"), strings.Join(noPtrace, " "), binary, stderr, tm.exit)
	tm.tmux("-f", "/dev/null", "new-session", "-d", "-s", "e2e", "-x", "100", "-y", "30", shell)
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", tm.socket, "kill-server").Run() })
	tm.waitFor("Step 1 of 3")
	tm.press("enter")
	tm.waitFor("Capture the client ID and secret")
	tm.tmux("send-keys", "-t", "e2e", "-l", "dmsa-client-core")
	tm.press("tab")
	tm.tmux("send-keys", "-t", "e2e", "-l", canary)
	time.Sleep(300 * time.Millisecond) // let the wizard take the keys in

	shellPID := strings.TrimSpace(tm.tmux("display-message", "-p", "-t", "e2e", "#{pane_pid}"))
	pid := childNamed(t, shellPID, "procore-sa")

	limits, err := os.ReadFile("/proc/" + pid + "/limits")
	must(t, err)
	if f := limitFields(string(limits), "Max core file size"); len(f) < 2 || f[0] != "0" || f[1] != "0" {
		t.Errorf("core file size limit %v, want 0 0:\n%s", f, limits)
	}

	if noPtrace != nil {
		ctl := exec.Command(noPtrace[0], append(noPtrace[1:], "sleep", "60")...)
		must(t, ctl.Start())
		t.Cleanup(func() { _ = ctl.Process.Kill(); _ = ctl.Wait() })
		time.Sleep(100 * time.Millisecond) // setpriv has exec'd sleep
		open := func(p int) error {
			return exec.Command(noPtrace[0], append(noPtrace[1:], "sh", "-c", fmt.Sprintf("exec 3</proc/%d/mem", p))...).Run()
		}
		if err := open(ctl.Process.Pid); err != nil {
			t.Fatalf("the observer cannot open a dumpable process's memory either (%v): it proves nothing", err)
		}
		if p, _ := strconv.Atoi(pid); open(p) == nil {
			t.Error("a process of the same user without CAP_SYS_PTRACE opened the wizard's memory: it is dumpable")
		}
	}

	if _, err := exec.LookPath("gdb"); err == nil {
		img := filepath.Join(home, "gcore")
		out, err := exec.Command("gdb", "-batch", "-p", pid, "-ex", "gcore "+img).CombinedOutput()
		if err != nil {
			t.Fatalf("gcore: %v\n%s", err, lastLines(string(out), 5))
		}
		mem, err := os.ReadFile(img)
		must(t, err)
		os.Remove(img)
		if !holdsSecret(mem, canary) {
			t.Fatal("the secret is not in the wizard's memory: a core could not have carried it, and the test proves nothing")
		}
	} else {
		t.Log("gdb is not installed: that the secret is in memory is not checked")
	}

	p, err := strconv.Atoi(pid)
	must(t, err)
	must(t, syscall.Kill(p, syscall.SIGABRT))
	if code := tm.exitCode(); code != "134" { // 128 + SIGABRT: the runtime aborted
		t.Errorf("exit code %s, want 134 (killed by SIGABRT)", code)
	}
	time.Sleep(200 * time.Millisecond)
	if m := coreFiles(t, cores); len(m) > 0 {
		for _, c := range m {
			if b, _ := os.ReadFile(c); holdsSecret(b, canary) {
				t.Errorf("%s holds the secret", c)
			}
		}
		t.Fatalf("a core was written: %v", m)
	}
	if b, _ := os.ReadFile(stderr); bytes.Contains(b, []byte(canary)) {
		t.Error("the secret is in the crash's stack trace")
	}
	if observable {
		t.Log("the control dumped core and the wizard did not")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func coreFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "core*"))
	must(t, err)
	return m
}

// childNamed is the pid of parent's child running name.
func childNamed(t *testing.T, parent, name string) string {
	t.Helper()
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, s := range stats {
		b, err := os.ReadFile(s)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		open, end := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
		if open < 0 || end < open {
			continue
		}
		f := strings.Fields(string(b[end+1:]))
		if string(b[open+1:end]) == name && len(f) > 1 && f[1] == parent {
			return strings.TrimSpace(string(b[:open]))
		}
	}
	t.Fatalf("no %s process under %s", name, parent)
	return ""
}

func limitFields(limits, name string) []string {
	for _, l := range strings.Split(limits, "\n") {
		if rest, ok := strings.CutPrefix(l, name); ok {
			return strings.Fields(rest)
		}
	}
	return nil
}

// holdsSecret looks for s as bytes and as the runes a text field keeps
// (UTF-32, little-endian).
func holdsSecret(mem []byte, s string) bool {
	if bytes.Contains(mem, []byte(s)) {
		return true
	}
	wide := make([]byte, 0, 4*utf8.RuneCountInString(s))
	for _, r := range s {
		wide = endian.LittleEndian.AppendUint32(wide, uint32(r))
	}
	return bytes.Contains(mem, wide)
}
