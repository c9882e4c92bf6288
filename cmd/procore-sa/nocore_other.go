//go:build unix && !linux

package main

// notDumpable: only Linux has PR_SET_DUMPABLE; elsewhere RLIMIT_CORE 0 is
// what stops a core. (macOS's ptrace denial, PT_DENY_ATTACH, would also
// stop debugging, which is not the point.)
func notDumpable() error { return nil }
