package cmdutil

import (
	"errors"
	"fmt"
)

// Exit codes. Commands never choose one: they return an error of the kind
// below, and the root maps it to its code in one place.
const (
	ExitOK          = 0
	ExitFailed      = 1 // the job failed: a rule not met, a project not added, a credential refused
	ExitUsage       = 2
	ExitInterrupted = 130
)

// UsageError is a mistake in how procore-sa was called: an unknown guide,
// a bad flag value, a missing argument. Exit status 2; nothing was changed.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usage marks err as bad usage.
func Usage(err error) error { return &UsageError{Err: err} }

// Usagef is a usage error with a formatted message.
func Usagef(format string, args ...any) error { return Usage(fmt.Errorf(format, args...)) }

// ErrSilent is a failure the command has already told the person about:
// exit status 1, and nothing more is printed.
var ErrSilent = errors.New("failed")

// ErrCancel is a command stopped by the person (ctrl+c, a signal) that
// has already said what it left: exit status 130, or the signal's code,
// and nothing more is printed.
var ErrCancel = errors.New("interrupted")
