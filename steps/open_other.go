//go:build !unix

package steps

import "os"

// openNonBlocking opens path for reading; the platform has no non-blocking
// open, and what was opened is checked on the descriptor.
func openNonBlocking(path string) (*os.File, error) { return os.Open(path) }
