//go:build unix

package main

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// noCoreDumps keeps the process from ever writing a core: a crash (or a
// SIGABRT with GOTRACEBACK=crash) would otherwise put the memory, a typed
// secret in it, in a file. RLIMIT_CORE 0, hard limit too, so nothing in
// the process can raise it again; on Linux also not dumpable, which stops
// a crash handler the core pattern pipes to (RLIMIT_CORE does not) and
// other processes of the same user reading its memory through /proc or
// ptrace. Children inherit the limit; exec makes them dumpable again.
func noCoreDumps() error {
	if err := unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{Cur: 0, Max: 0}); err != nil {
		return fmt.Errorf("set the core file size limit to 0: %w", err)
	}
	return notDumpable()
}
