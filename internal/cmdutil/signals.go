package cmdutil

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// stopSignals end procore-sa: an interrupt (ctrl+c, or kill -INT), a
// termination (kill), and the terminal hanging up.
var stopSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP}

// Signals hears the signals that end procore-sa. Each goes first to the
// wizard's own gate when one is listening (see Take); one the wizard lets
// pass cancels the context, which every command takes as "stop at the next
// safe point". One more, after that, ends the process at once by the
// signal's default action: a person who asks three times is not kept
// waiting.
type Signals struct {
	cancel context.CancelCauseFunc
	ch     chan os.Signal

	mu    sync.Mutex
	first os.Signal
	taker func(os.Signal) bool
}

type signalsKey struct{}

// WatchSignals starts hearing stopSignals; ctx is cancelled (with a
// stopSignal as its cause) as said above. stop ends the watch.
func WatchSignals(parent context.Context) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	s := &Signals{cancel: cancel, ch: make(chan os.Signal, 4)}
	ctx = context.WithValue(ctx, signalsKey{}, s)
	signal.Notify(s.ch, stopSignals...)
	done := make(chan struct{})
	go s.loop(ctx, done)
	return ctx, func() {
		signal.Stop(s.ch)
		close(done)
		cancel(nil)
	}
}

func (s *Signals) loop(ctx context.Context, done <-chan struct{}) {
	for {
		var sig os.Signal
		select {
		case sig = <-s.ch:
		case <-done:
			return
		}
		s.mu.Lock()
		if s.first == nil {
			s.first = sig
		}
		taker := s.taker
		s.mu.Unlock()
		if taker != nil && taker(sig) {
			continue
		}
		if ctx.Err() == nil {
			s.cancel(stopSignal{sig})
			continue
		}
		signal.Reset(sig)
		if p, err := os.FindProcess(os.Getpid()); err != nil || p.Signal(sig) != nil {
			// Where a process cannot signal itself (Windows), leave as
			// the signal would have.
			os.Exit(SignalExit(sig))
		}
		return
	}
}

// stopSignal is the cause of a context a signal cancelled.
type stopSignal struct{ sig os.Signal }

func (e stopSignal) Error() string { return "stopped by " + SignalName(e.sig) }

// SignalsOf is the watch ctx carries, or nil (in tests, which start none).
func SignalsOf(ctx context.Context) *Signals {
	s, _ := ctx.Value(signalsKey{}).(*Signals)
	return s
}

// First is the first signal heard, or nil.
func (s *Signals) First() os.Signal {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.first
}

// Take gives each signal to f first, until release: f reports whether it
// took the signal to its own gate. A nil watch takes nothing.
func (s *Signals) Take(f func(os.Signal) bool) (release func()) {
	if s == nil {
		return func() {}
	}
	s.mu.Lock()
	s.taker = f
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		s.taker = nil
		s.mu.Unlock()
	}
}

// SignalExit is the exit code of a process that a signal ended: 128 and
// its number (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP).
func SignalExit(sig os.Signal) int {
	if ss, ok := sig.(syscall.Signal); ok {
		return 128 + int(ss)
	}
	return ExitInterrupted
}

// SignalName is how a message names sig.
func SignalName(sig os.Signal) string {
	switch sig {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	}
	return fmt.Sprint(sig)
}
