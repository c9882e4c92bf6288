package plain

import (
	"context"
	"fmt"
	"strings"

	"github.com/procore-sa/procore-sa/internal/addall"
)

// errRunStopped is an add-all run the person stopped to leave: a quit, with
// the run's journal kept for the guide's resume.
var errRunStopped = fmt.Errorf("%w: the add-all run was stopped", ErrQuit)

// stopRunQuestion is asked at the first interrupt during an add-all run, as
// the full screen's dialog asks it.
const stopRunQuestion = "Interrupted. Stop the run and leave? It stops at its next safe point (the call under way is answered first), every project Procore confirmed is journaled, and running the same command takes the guide and its run up again. Type y to stop, or n to let it go on (ctrl+c again stops it): "

// Interrupt hands an interrupt to the add-all run under way, which asks
// before it stops. It reports false when no run is under way, or one has
// already been told to stop: the interrupt is then the walk's.
func (r *Runner) Interrupt() bool {
	r.runMu.Lock()
	defer r.runMu.Unlock()
	if r.interrupts == nil {
		return false
	}
	select {
	case r.interrupts <- struct{}{}:
	default: // one not yet heard stands for both
	}
	return true
}

// runAddAll carries the plan out. The first interrupt (see Interrupt) asks
// whether to stop; a yes or a second interrupt stops the run at its next
// safe point, and stopped says so. The person's answer is read here, on
// the walk's goroutine, so that no other read races it.
func (r *Runner) runAddAll(ctx context.Context, run string, plan *addall.Plan) (rep *addall.Report, stopped bool, err error) {
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	intr := make(chan struct{}, 1)
	r.setInterrupts(intr)
	defer r.setInterrupts(nil)

	type result struct {
		rep *addall.Report
		err error
	}
	done := make(chan result, 1)
	go func() {
		rep, err := r.AddAll.Run(runCtx, run, plan, r.progress(plan))
		done <- result{rep, err}
	}()
	halt := func() {
		stopped = true
		r.setInterrupts(nil) // a further interrupt is the walk's
		stop()
		r.printf("Stopping the run at its next safe point...\n")
	}
	var answer <-chan readResult // the question is out
	for {
		select {
		case res := <-done:
			if answer != nil {
				// The line the person is typing answers this, not the
				// next question.
				r.printf("\nThe run ended before you answered, so it was not stopped. Press enter to go on. ")
				if _, err := r.readLine(); err != nil && res.err == nil {
					res.err = err
				}
			}
			return res.rep, stopped, res.err
		case <-intr:
			if answer != nil {
				r.printf("\n")
				answer = nil // the read stays pending; the next prompt takes its line
				halt()
				continue
			}
			r.printf("\n%s", stopRunQuestion)
			answer = r.startRead()
		case res := <-answer:
			r.pending, answer = nil, nil
			if res.err != nil || yes(res.line) || strings.TrimSpace(res.line) == "q" {
				// Nobody left to answer stands by the interrupt.
				halt()
				continue
			}
			r.printf("The run goes on.\n")
		}
	}
}

func (r *Runner) setInterrupts(ch chan struct{}) {
	r.runMu.Lock()
	r.interrupts = ch
	r.runMu.Unlock()
}
