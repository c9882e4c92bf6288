// Package wizard is the guided wizard, the root command's own work: the
// full screen, or plain lines at a prompt, over the application layer.
package wizard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/iostreams"
	"github.com/procore-sa/procore-sa/plain"
	"github.com/procore-sa/procore-sa/state"
	"github.com/procore-sa/procore-sa/steps"
	"github.com/procore-sa/procore-sa/tui"
)

// Options are the wizard's settings and what it talks through.
type Options struct {
	IO      *iostreams.IOStreams
	App     func() *app.App
	Catalog func() (*steps.Catalog, error)
	Notices *cmdutil.Notices
	// SetQuiet says while the full screen owns the terminal.
	SetQuiet func(bool)
	Now      func() time.Time
	// TargetArgs repeats the flags that chose where the run went.
	TargetArgs string

	GuideID   string
	Demo      bool
	Plain     bool
	Presenter bool

	// fellBack: plain mode was not asked for, but there is no terminal.
	fellBack bool
}

// NewOptions are the wizard's options from the factory and its flags.
func NewOptions(f *cmdutil.Factory, guideID string) *Options {
	return &Options{IO: f.IOStreams, App: f.App, Catalog: f.Catalog, Notices: f.Notices, SetQuiet: f.SetQuiet, Now: f.Now,
		TargetArgs: f.TargetArgs(), GuideID: guideID, Demo: f.Flags.Demo, Plain: f.Flags.Plain, Presenter: f.Flags.Presenter}
}

// Run runs the guided wizard, starting with guide opts.GuideID when it is
// given.
func Run(ctx context.Context, opts *Options) error {
	core, id := opts.App(), opts.GuideID
	stdin, stdout, stderr := opts.IO.In, opts.IO.Out, opts.IO.ErrOut
	cat, err := opts.Catalog()
	if err != nil {
		return err
	}
	if id != "" {
		if _, ok := cat.Get(id); !ok {
			return cmdutil.Usage(fmt.Errorf("unknown guide %q; see 'procore-sa guides'", id))
		}
	}
	store, err := core.State()
	if err != nil {
		return err
	}
	defer core.Close()
	svc, err := services(core)
	if err != nil {
		return err
	}
	target := ""
	if opts.Demo {
		s, err := core.Sim()
		if err != nil {
			return err
		}
		target = s.Where()
	}
	if !opts.Plain && (!opts.IO.IsStdinTTY() || !opts.IO.IsStdoutTTY()) {
		// The full screen needs a terminal both ways: without one it
		// could neither read keys nor draw. Plain mode asks the same
		// questions as lines, which a pipe can answer.
		fmt.Fprintln(stderr, "procore-sa: standard input or output is not a terminal, so the wizard runs in plain mode (as with --plain).")
		opts.Plain, opts.fellBack = true, true
	}
	if opts.Plain {
		return runPlain(ctx, opts, cat, id, svc)
	}
	opts.SetQuiet(true)
	defer opts.SetQuiet(false)
	saves := &trackedStore{Store: store}
	svc.Sessions = saves
	m := tui.New(tui.Options{
		Services:  svc,
		Target:    target,
		Guides:    cat.List(),
		GuideID:   id,
		Now:       opts.Now,
		Demo:      opts.Demo,
		Presenter: opts.Presenter,
	})
	// Signals go to the wizard's own gate (tui.StopMsg), not Bubble Tea's:
	// the first ends it there; a second cancels ctx, which kills the
	// program at once.
	// 120 frames a second, Bubble Tea's most: a key's frame is drawn
	// within about 8 ms instead of 16, close to the terminal's own echo.
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithInput(stdin), tea.WithOutput(stdout), tea.WithoutSignalHandler(),
		tea.WithColorProfile(colorProfile(opts.IO)), tea.WithFPS(120))
	sigs := cmdutil.SignalsOf(ctx)
	var taken atomic.Bool
	release := sigs.Take(func(sig os.Signal) bool {
		if taken.Swap(true) {
			return false
		}
		go p.Send(tui.StopMsg{Why: cmdutil.SignalName(sig)})
		return true
	})
	opts.Notices.Begin(func(msg string) { p.Send(tui.NoticeMsg{Text: msg}) })
	_, err = p.Run()
	opts.Notices.End(stderr)
	release()
	opts.SetQuiet(false)
	if sig := sigs.First(); sig != nil {
		// Ended from outside: make sure the walk is on disk, whole, before
		// the process goes (a save in flight would leave its temporary
		// file behind), and say what could not be kept.
		saves.settle(m.Walker())
		fmt.Fprint(stderr, leavingNotes(opts.TargetArgs, m))
		sayLost(stderr, m.Unkept(), sig)
		return cmdutil.ErrCancel
	}
	fmt.Fprint(stderr, leavingNotes(opts.TargetArgs, m))
	if err != nil {
		if errors.Is(err, tea.ErrInterrupted) || errors.Is(err, tea.ErrProgramKilled) || ctx.Err() != nil {
			return cmdutil.ErrCancel
		}
		return fmt.Errorf("run the wizard: %w", err)
	}
	if leftMidGuide(m) {
		return cmdutil.ErrCancel
	}
	return nil
}

// sayLost names on stderr a one-time credential the wizard held and never
// kept when a signal ended it: nobody was there to keep it or discard it.
// The credential itself is never printed.
func sayLost(stderr io.Writer, what string, sig os.Signal) {
	if what == "" {
		return
	}
	advice := "Procore shows a client secret only once: generate a new one for the app in Procore when you take the guide up again."
	if what != credstore.UnkeptClientSecret {
		advice = "Set a new password for the account in Procore when you take the guide up again."
	}
	fmt.Fprintf(stderr, "procore-sa: %s was not saved: procore-sa was stopped (%s) before it was kept, and it was not written anywhere. %s\n", what, cmdutil.SignalName(sig), advice)
}

// trackedStore is the wizard's state store, knowing which writes are in
// flight, so that the process does not end in the middle of one.
type trackedStore struct {
	*state.Store
	wg sync.WaitGroup
}

func (s *trackedStore) SaveSession(sess *steps.Session) error {
	s.wg.Add(1)
	defer s.wg.Done()
	return s.Store.SaveSession(sess)
}

func (s *trackedStore) WriteTranscript(g *steps.Guide, sess *steps.Session, now time.Time) (string, error) {
	s.wg.Add(1)
	defer s.wg.Done()
	return s.Store.WriteTranscript(g, sess, now)
}

// settleWait bounds the wait for writes in flight when the wizard ends.
const settleWait = 5 * time.Second

// settle waits for the writes in flight, then saves w once more (the
// program may have been killed before its last save), unless it is done.
func (s *trackedStore) settle(w *steps.Walker) {
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(settleWait):
		return // a write that hangs: leave it rather than race it
	}
	if w != nil && !w.Finished() && w.Dirty() {
		_ = s.Store.SaveSession(w.Session)
	}
}

// wizardEnd is what the wizard left behind: see tui.Model.
type wizardEnd interface {
	Outcome() tui.Outcome
	Walker() *steps.Walker
	HoldsWork() bool
	UnfinishedRun() string
}

// leavingNotes says, once the wizard has gone, how to take up what it left:
// the guide's saved place, and an add-all run that did not finish (stopped
// at a safe point, failed, or left running), whose journal resumes it.
//
// A run the walk started is taken up by resuming the guide, so then one
// command is said, the guide's; a run the walk does not hold keeps its own.
func leavingNotes(targetArgs string, m wizardEnd) string {
	var b strings.Builder
	w := m.Walker()
	unfinished := m.Outcome() != tui.OutcomeFinished && w != nil && m.HoldsWork()
	run := m.UnfinishedRun()
	if unfinished && run != "" && walkHolds(w, run) {
		fmt.Fprintf(&b, "Add-all run %s stopped at a safe point; every project Procore confirmed is journaled. Progress saved at step %d of %d. Resume the guide and its run with: procore-sa%s %s\n",
			run, w.Index()+1, w.Len(), targetArgs, w.Guide.ID)
		return b.String()
	}
	if run != "" {
		fmt.Fprintf(&b, "Add-all run %s did not finish; what was confirmed is journaled. Resume it with: procore-sa%s add-all --resume %s\n",
			run, targetArgs, run)
	}
	if unfinished {
		fmt.Fprintf(&b, "Progress saved at step %d of %d. Resume with: procore-sa%s %s\n",
			w.Index()+1, w.Len(), targetArgs, w.Guide.ID)
	}
	return b.String()
}

// walkHolds reports whether the walk recorded run as started and not
// finished, so that resuming the walk resumes the run.
func walkHolds(w *steps.Walker, run string) bool {
	for _, o := range w.Session.Outcomes {
		if o.Kind == steps.OutcomeStarted && o.Run == run {
			return true
		}
	}
	return false
}

// leftMidGuide reports whether the person left a guide before its end:
// exit status 130, as for any interrupted command.
func leftMidGuide(m wizardEnd) bool {
	w := m.Walker()
	return m.Outcome() == tui.OutcomeQuit && w != nil && !w.Finished()
}

// services are the ports a wizard walks with: the application layer's.
func services(core *app.App) (app.Services, error) {
	st, err := core.State()
	if err != nil {
		return app.Services{}, err
	}
	keeper, err := core.Keeper()
	if err != nil {
		return app.Services{}, err
	}
	signIn, err := core.SignIn()
	if err != nil {
		return app.Services{}, err
	}
	return app.Services{Sessions: st, Keeper: keeper, SignIn: signIn, AddAll: core.AddAll(), Verify: core.Verify(),
		Automate: core.Automate(), Check: core.Check(), Projects: core.Projects()}, nil
}

// runPlain walks a guide at a line prompt: the same engine, no full screen.
func runPlain(ctx context.Context, opts *Options, cat *steps.Catalog, id string, svc app.Services) error {
	stderr := opts.IO.ErrOut
	end := make(chan struct{})
	r := &plain.Runner{In: opts.IO.In, Out: opts.IO.Out, Store: svc.Sessions, Now: opts.Now, End: end,
		AddAll: svc.AddAll, Verify: svc.Verify, Custody: svc.Keeper, Login: svc.SignIn,
		Automate: svc.Automate, Check: svc.Check, Projects: svc.Projects, Presenter: opts.Presenter}
	// An interrupt is ctrl+c's gate (ctx): a held secret or an add-all run
	// under way makes the walk ask first. A second interrupt, a termination
	// or a hang-up ends the walk at once (End); any signal after that, the
	// process.
	interrupted, ended := false, false
	sigs := cmdutil.SignalsOf(ctx)
	defer sigs.Take(func(sig os.Signal) bool {
		switch {
		case ended:
			return false
		case sig == syscall.SIGINT && r.Interrupt():
			return true // an add-all run asks before it stops
		case sig == syscall.SIGINT && !interrupted:
			interrupted = true
			return false
		}
		ended = true
		close(end)
		return true
	})()
	g, ok := cat.Get(id)
	if !ok {
		var err error
		if g, err = r.Pick(cat.List()); err != nil {
			if errors.Is(err, plain.ErrInputEnded) && opts.fellBack {
				return inputEnded()
			}
			if errors.Is(err, plain.ErrQuit) {
				return nil
			}
			return err
		}
	}
	switch err := r.Run(ctx, g); {
	case errors.Is(err, plain.ErrEnded):
		if sig := sigs.First(); sig != nil {
			sayLost(stderr, r.Unkept(), sig)
		}
		return cmdutil.ErrCancel
	case errors.Is(err, plain.ErrInputEnded) && (opts.fellBack || !opts.IO.IsStdinTTY()):
		// The answers on standard input ran out mid-guide: say what to
		// do instead.
		return inputEnded()
	case err == nil:
		return nil
	case errors.Is(err, plain.ErrQuit):
		// Left before the end, as a quit mid-guide on the full screen:
		// interrupted (its place is saved, and said so).
		return cmdutil.ErrCancel
	case ctx.Err() != nil:
		return cmdutil.ErrCancel
	default:
		return err
	}
}

// inputEnded is the usage error of a walk whose answers ran out: what to
// do instead, exit status 2. The place is saved.
func inputEnded() error {
	return cmdutil.Usage(errors.New("standard input ended before the guide did (your place, if any, is saved): run procore-sa in a terminal, or give every answer on standard input, one a line"))
}

// colorProfile is the wizard's colour profile. Standard output's was
// detected once already, as lipgloss started; detecting it again would run
// tmux info a second time inside tmux, some milliseconds of start-up.
func colorProfile(ios *iostreams.IOStreams) colorprofile.Profile {
	if f, ok := ios.Out.(*os.File); ok && f == os.Stdout && ios.Environ != nil {
		env := ios.Environ()
		if slices.Equal(env, os.Environ()) {
			return iostreams.Adjust(lipgloss.Writer.Profile, env)
		}
	}
	return ios.ColorProfile()
}
