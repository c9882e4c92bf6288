//go:build unix

package steps

import (
	"os"
	"syscall"
)

// openNonBlocking opens path for reading without waiting: a FIFO opens at
// once instead of blocking until a writer comes, and a terminal does not
// become the process's controlling terminal. What it opened is checked on
// the descriptor before anything is read.
func openNonBlocking(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
}
