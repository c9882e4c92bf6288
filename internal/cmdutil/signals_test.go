//go:build unix

package cmdutil

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"
	"time"
)

func TestSignalExit(t *testing.T) {
	for sig, want := range map[os.Signal]int{syscall.SIGINT: 130, syscall.SIGTERM: 143, syscall.SIGHUP: 129} {
		if got := SignalExit(sig); got != want {
			t.Errorf("%v: %d, want %d", sig, got, want)
		}
	}
}

// TestSignalsGoToTheGateFirst: a signal goes to the wizard's gate while
// one takes it; one it lets pass cancels the context, naming the signal.
func TestSignalsGoToTheGateFirst(t *testing.T) {
	ctx, stop := WatchSignals(context.Background())
	defer stop()
	sigs := SignalsOf(ctx)
	took := make(chan os.Signal, 2)
	n := 0
	release := sigs.Take(func(sig os.Signal) bool {
		n++
		took <- sig
		return n == 1
	})
	defer release()
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	if got := <-took; got != syscall.SIGHUP {
		t.Fatalf("the gate got %v", got)
	}
	time.Sleep(50 * time.Millisecond)
	if ctx.Err() != nil {
		t.Fatal("a signal the gate took cancelled the context")
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-took
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("a signal the gate let pass did not cancel the context")
	}
	var cause stopSignal
	if !errors.As(context.Cause(ctx), &cause) || cause.sig != syscall.SIGTERM {
		t.Errorf("cause %v", context.Cause(ctx))
	}
	if sigs.First() != syscall.SIGHUP {
		t.Errorf("first %v", sigs.First())
	}
}
