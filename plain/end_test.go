package plain

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/app/apptest"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/state"
)

// endRun starts a walk of the capture guide reading from a pipe, with an
// End the test closes; it returns the pipe's writer, the end, the walk's
// error channel, and the store.
func endRun(t *testing.T, ctx context.Context, c app.Keeper) (io.Writer, chan struct{}, *syncBuffer, chan error, *state.Store, *Runner) {
	t.Helper()
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.Close() })
	st, err := state.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	end := make(chan struct{})
	out := &syncBuffer{}
	r := &Runner{In: pr, Out: out, Custody: c, Store: st, End: end}
	errc := make(chan error, 1)
	go func() { errc <- r.Run(ctx, captureGuide()) }()
	return pw, end, out, errc, st, r
}

func waitErr(t *testing.T, errc chan error, out *syncBuffer) error {
	t.Helper()
	select {
	case err := <-errc:
		return err
	case <-time.After(5 * time.Second):
		t.Fatalf("the walk did not end:\n%s", out)
		return nil
	}
}

// TestPlainEndWhileHolding: an end (a termination, a hang-up) while a
// typed secret is held ends the walk at once, without the discard
// question nobody could answer: the walk is saved, and what was lost is
// named, never printed.
func TestPlainEndWhileHolding(t *testing.T) {
	for _, interruptFirst := range []bool{false, true} {
		ctx, cancel := context.WithCancel(context.Background())
		c := &apptest.Keeper{}
		pw, end, out, errc, st, r := endRun(t, ctx, c)
		if _, err := io.WriteString(pw, lines("", "id-1", testSecret)); err != nil {
			t.Fatal(err)
		}
		waitFor(t, out, "Company ID: ")
		if interruptFirst {
			cancel() // ctrl+c's gate: it asks first
			waitFor(t, out, "Interrupted.")
		}
		close(end)
		err := waitErr(t, errc, out)
		cancel()
		if !errors.Is(err, ErrEnded) || r.Unkept() != credstore.UnkeptClientSecret || len(c.Kept) != 0 {
			t.Fatalf("err %v, unkept %q, saved %d:\n%s", err, r.Unkept(), len(c.Kept), out)
		}
		if strings.Contains(out.String(), "Type discard") {
			t.Errorf("asked a question nobody can answer:\n%s", out)
		}
		noLeak(t, "the output", out.String(), testSecret)
		s, err := st.LoadSession("cap")
		if err != nil || s == nil || s.Step != 1 {
			t.Fatalf("the walk was not saved at the capture step: %+v %v", s, err)
		}
	}
}

// TestPlainEndMidGuide: an end at an ordinary prompt saves the walk and
// names nothing as lost.
func TestPlainEndMidGuide(t *testing.T) {
	c := &apptest.Keeper{}
	pw, end, out, errc, st, r := endRun(t, context.Background(), c)
	if _, err := io.WriteString(pw, lines("")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, out, "Client ID: ")
	close(end)
	if err := waitErr(t, errc, out); !errors.Is(err, ErrEnded) || r.Unkept() != "" {
		t.Fatalf("err %v, unkept %q", err, r.Unkept())
	}
	if s, err := st.LoadSession("cap"); err != nil || s == nil || s.Step != 1 {
		t.Fatalf("the walk was not saved: %+v %v", s, err)
	}
}

// blockingProve is a keeper whose check with Procore waits for its context.
type blockingProve struct{ *apptest.Keeper }

func (b *blockingProve) Prove(ctx context.Context, _ credstore.Credential) error {
	<-ctx.Done()
	return ctx.Err()
}

// TestPlainEndStopsACheck: an end during the check with Procore stops it
// (an interrupt would not, while the secret is held).
func TestPlainEndStopsACheck(t *testing.T) {
	c := &blockingProve{&apptest.Keeper{}}
	pw, end, out, errc, _, r := endRun(t, context.Background(), c)
	if _, err := io.WriteString(pw, lines("", "id-1", testSecret, "4264807", "y")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, out, "Checking the credentials with Procore")
	close(end)
	if err := waitErr(t, errc, out); !errors.Is(err, ErrEnded) || r.Unkept() != credstore.UnkeptClientSecret {
		t.Fatalf("err %v, unkept %q:\n%s", err, r.Unkept(), out)
	}
	if strings.Contains(out.String(), "Procore refused") {
		t.Errorf("a stopped check was reported as a refusal:\n%s", out)
	}
}
