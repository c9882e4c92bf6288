package tui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/progress"
	tea "charm.land/bubbletea/v2"

	"github.com/procore-sa/procore-sa/internal/addall"
	"github.com/procore-sa/procore-sa/steps"
)

// AddAller adds the guide's account to every project through Procore's API.
// Its methods run as commands, never inside Update.
type AddAller interface {
	// Plan reads what is to be done for the walk's values by role (the
	// account's email, when the guide asked for one; else the credential's
	// own user).
	Plan(ctx context.Context, values map[steps.Role]string) (*addall.Plan, string, error)
	// RunJournaled carries the plan out, sending progress to emit, with
	// run (from addall.NewRunID) as the name of its journal, so that a run
	// stopped early can be resumed by that name.
	RunJournaled(ctx context.Context, run string, plan *addall.Plan, emit func(addall.Event)) (*addall.Report, error)
}

type addAllPhase int

const (
	addAllIdle addAllPhase = iota
	addAllPlanning
	addAllPlanned
	addAllRunning
	addAllDone
)

type (
	addAllPlannedMsg struct {
		plan *addall.Plan
		who  string
		err  error
	}
	// addAllEventMsg is the events a run sent since the last one, in order.
	addAllEventMsg struct {
		box *progressBox
		evs []addall.Event
	}
	addAllDoneMsg struct {
		rep *addall.Report
		err error
	}
)

// addAllScreen plans, confirms, then adds the account to every project
// with a progress bar, and ends with a report that lists what failed.
type addAllScreen struct {
	sh     *shared
	step   *steps.Step
	runner AddAller
	width  int
	now    func() time.Time

	phase    addAllPhase
	plan     *addall.Plan
	who      string
	err      error
	box      *progressBox
	cancel   context.CancelFunc
	stopping bool // stop was asked; the run ends at its next safe point
	bar      progress.Model
	pace     addall.Pace // the rate, from the run's outcomes
	run      string      // the journal of the latest run

	// Counts are the latest event's running totals (the report's, once the
	// run ends).
	done, total, added, already, failed int
	waitUntil                           time.Time
	waitWhy                             string
	retries                             int
	report                              *addall.Report
}

func newAddAllScreen(sh *shared, st *steps.Step, r AddAller, now func() time.Time) *addAllScreen {
	return &addAllScreen{sh: sh, step: st, runner: r, now: now,
		bar: progress.New(progress.WithoutPercentage(), progress.WithFillCharacters('█', '░'))}
}

func (s *addAllScreen) SetWidth(w int) {
	s.width = w
	s.bar.SetWidth(max(10, min(w, 60)))
}

func (s *addAllScreen) Typing() bool { return false }

// stop cancels a run in progress; the engine journals what was confirmed
// and ends at its next safe point, which the run's done message reports.
func (s *addAllScreen) stop() {
	if s.cancel != nil {
		s.cancel()
		s.stopping = true
	}
}

// running reports whether a run is under way (its done message not yet in).
func (s *addAllScreen) running() bool { return s.phase == addAllRunning }

func (s *addAllScreen) Bindings() []key.Binding {
	k := s.sh.keys
	switch s.phase {
	case addAllPlanned:
		return []key.Binding{withHelp(k.Next, "add to every project"), k.Back}
	case addAllRunning, addAllPlanning:
		return nil
	case addAllDone:
		b := []key.Binding{}
		if s.report != nil && s.report.OK() {
			b = append(b, k.Next)
		}
		if s.failed > 0 || s.err != nil {
			b = append(b, key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "retry the failed ones")))
		}
		return append(b, k.Back)
	}
	return []key.Binding{withHelp(k.Next, "plan"), k.Back}
}

func (s *addAllScreen) startPlan() tea.Cmd {
	s.phase, s.err = addAllPlanning, nil
	runner, values := s.runner, s.sh.walker.RoleValues()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		plan, who, err := runner.Plan(ctx, values)
		return addAllPlannedMsg{plan: plan, who: who, err: err}
	}
}

func (s *addAllScreen) startRun() tea.Cmd {
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel, s.phase, s.pace, s.stopping = cancel, addAllRunning, addall.Pace{}, false
	// The pace starts now, less the members already, which need no
	// request: the box may fold their outcomes into later ones.
	s.pace.Observe(s.now(), len(s.plan.Already))
	s.done, s.total, s.added, s.already, s.failed = 0, s.plan.Total(), 0, 0, 0
	s.retries, s.waitUntil, s.waitWhy, s.report, s.err = 0, time.Time{}, "", nil, nil
	// The run's name is chosen here, not in the runner, so that the wizard
	// knows it from the start and can say how to resume however it ends.
	s.run = addall.NewRunID(s.now())
	s.sh.openRun = s.run
	s.box = newProgressBox()
	runner, plan, box, run := s.runner, s.plan, s.box, s.run
	work := func() tea.Msg {
		defer box.close()
		rep, err := runner.RunJournaled(ctx, run, plan, box.put)
		return addAllDoneMsg{rep: rep, err: err}
	}
	return tea.Batch(work, s.listen())
}

// listen waits for the events sent since the last ones were taken.
func (s *addAllScreen) listen() tea.Cmd {
	box := s.box
	return func() tea.Msg {
		evs, ok := box.take()
		if !ok {
			return nil
		}
		return addAllEventMsg{box: box, evs: evs}
	}
}

// progressBox carries a run's events to the screen without blocking the run
// and without losing any that matter. Added and already events come one a
// project, up to a thousand at once; a run of them collapses into the
// newest, whose running totals say all the screen needs. Every other kind
// (wait, retry, fallback, failed, new_projects, done) is kept, in order.
type progressBox struct {
	mu     sync.Mutex
	queue  []addall.Event
	closed bool
	ready  chan struct{} // holds a token when there may be something to take
}

func newProgressBox() *progressBox { return &progressBox{ready: make(chan struct{}, 1)} }

// collapses reports whether an event of the kind says nothing that the next
// one's running totals do not.
func collapses(kind string) bool { return kind == "added" || kind == "already" }

// put queues an event; it never blocks for long, whatever the screen does.
func (b *progressBox) put(e addall.Event) {
	b.mu.Lock()
	if n := len(b.queue); n > 0 && collapses(e.Kind) && collapses(b.queue[n-1].Kind) {
		b.queue[n-1] = e
	} else {
		b.queue = append(b.queue, e)
	}
	b.mu.Unlock()
	b.wake()
}

// close says the run has ended: once the queue is taken, take reports false.
func (b *progressBox) close() {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	b.wake()
}

func (b *progressBox) wake() {
	select {
	case b.ready <- struct{}{}:
	default: // a token is waiting already
	}
}

// take waits for events and returns every one queued, or false when the run
// has ended and all were taken.
func (b *progressBox) take() ([]addall.Event, bool) {
	for {
		b.mu.Lock()
		if q := b.queue; len(q) > 0 {
			b.queue = nil
			b.mu.Unlock()
			return q, true
		}
		if b.closed {
			b.mu.Unlock()
			return nil, false
		}
		b.mu.Unlock()
		<-b.ready
	}
}

func (s *addAllScreen) Update(msg tea.Msg) (nav, tea.Cmd) {
	switch msg := msg.(type) {
	case addAllPlannedMsg:
		s.plan, s.who, s.err = msg.plan, msg.who, msg.err
		s.phase = addAllPlanned
		if msg.err != nil {
			s.phase = addAllIdle
		}
		return stay, nil
	case addAllEventMsg:
		if msg.box != s.box || s.phase != addAllRunning {
			return stay, nil // late progress from a run that has ended
		}
		for _, e := range msg.evs {
			s.apply(e)
		}
		return stay, s.listen()
	case addAllDoneMsg:
		s.phase, s.report, s.err, s.cancel, s.stopping = addAllDone, msg.rep, msg.err, nil, false
		if msg.rep != nil {
			s.added = msg.rep.Count(addall.OutcomeAdded)
			s.already = msg.rep.Count(addall.OutcomeAlready)
			s.failed = msg.rep.Count(addall.OutcomeFailed)
			s.done = len(msg.rep.Results)
			if msg.err == nil && msg.rep.OK() {
				s.sh.walker.TickAll()
				s.sh.openRun = "" // nothing left to resume
			}
		}
		return stay, nil
	case tea.KeyPressMsg:
		k := s.sh.keys
		switch s.phase {
		case addAllIdle:
			switch {
			case key.Matches(msg, k.Next):
				return stay, s.startPlan()
			case key.Matches(msg, k.Back):
				return backward, nil
			}
		case addAllPlanned:
			switch {
			case key.Matches(msg, k.Next):
				if s.plan.Total() == 0 {
					return stay, nil
				}
				return stay, s.startRun()
			case key.Matches(msg, k.Back):
				s.phase = addAllIdle
			}
		case addAllDone:
			switch {
			case key.Matches(msg, k.Next) && s.report != nil && s.report.OK() && s.err == nil:
				return forward, nil
			case msg.String() == "r" && (s.failed > 0 || s.err != nil):
				return stay, s.startPlan() // a new plan holds only what is still missing
			case key.Matches(msg, k.Back):
				s.phase = addAllIdle
			}
		}
	}
	return stay, nil
}

// apply takes an event's news. The counts come from the running totals of
// the engine's events, never from counting events, so that collapsed or
// reordered progress still shows the right numbers; a client's wait or
// retry carries no totals and leaves them be.
func (s *addAllScreen) apply(e addall.Event) {
	if e.Total > 0 {
		s.total = e.Total
		if e.Done >= s.done {
			s.done, s.added, s.already, s.failed = e.Done, e.Added, e.Already, e.Failed
		}
	}
	switch e.Kind {
	case "added", "already", "failed":
		s.pace.Observe(e.At, e.Done)
	case "wait":
		s.waitUntil, s.waitWhy = e.At.Add(e.Wait), e.Reason
	case "retry":
		s.retries++
		s.waitUntil, s.waitWhy = e.At.Add(e.Wait), e.Reason
	case "fallback":
		s.waitWhy = "bulk add was refused; adding one project at a time"
	}
}

func (s *addAllScreen) View() (string, int) {
	st := s.sh.styles
	var b strings.Builder
	if s.step.Body != "" {
		b.WriteString(wrap(s.step.Body, s.width, 0) + "\n\n")
	}
	switch s.phase {
	case addAllIdle:
		if s.err != nil {
			b.WriteString(st.Error.Render(wrap("✗ "+s.err.Error(), s.width, 2)) + "\n\n")
		}
		b.WriteString(wrap("Press enter to read the projects from Procore and see the plan. Nothing changes until you confirm it.", s.width, 0) + "\n")
	case addAllPlanning:
		b.WriteString("Reading the projects and memberships from Procore…\n")
	case addAllPlanned:
		p := s.plan
		b.WriteString(st.Label.Render("The plan") + "  " + wrap(s.who, s.width-10, 0) + "\n\n")
		fmt.Fprintf(&b, "  %6d projects to add\n  %6d already a member\n  %6d inactive, skipped\n", len(p.ToAdd), len(p.Already), p.Inactive)
		if p.TemplateName != "" {
			fmt.Fprintf(&b, "  template %s\n", p.TemplateName)
		}
		if p.Request.NewProjects {
			b.WriteString("  and then: add to every new project\n")
		}
		b.WriteString("\n")
		if p.Total() == 0 {
			b.WriteString("There are no active projects to add to.\n")
		} else {
			b.WriteString("Press enter to add the account to every project.\n")
		}
	case addAllRunning, addAllDone:
		pct := 0.0
		if s.total > 0 {
			pct = float64(s.done) / float64(s.total)
		}
		b.WriteString(s.bar.ViewAs(pct) + fmt.Sprintf(" %3.0f%%\n\n", pct*100))
		fmt.Fprintf(&b, "  %d of %d done: %d added, %d already a member, %d failed\n", s.done, s.total, s.added, s.already, s.failed)
		if s.phase == addAllRunning {
			now := s.now()
			if left, ok := s.pace.Left(now, s.done, s.total); ok {
				rate, _ := s.pace.Rate(now, s.done)
				fmt.Fprintf(&b, "  %s projects/s, about %s left\n", addall.FormatRate(rate), addall.RoundLeft(left))
			}
			if w := s.waitUntil.Sub(s.now()); w > 0 {
				b.WriteString("  " + st.Warning.Render(wrap(s.waitWhy, s.width-2, 2)) + "\n")
			} else if s.waitWhy != "" && strings.HasPrefix(s.waitWhy, "bulk add") {
				b.WriteString("  " + wrap(s.waitWhy, s.width-2, 2) + "\n")
			}
			if s.stopping {
				b.WriteString("\n" + st.Warning.Render(wrap("Stopping at the next safe point… (ctrl+c again leaves at once; the journal keeps what was confirmed)", s.width, 0)) + "\n")
			} else {
				b.WriteString("\nctrl+c stops at the next safe point; what was done is journaled.\n")
			}
			break
		}
		b.WriteString("\n")
		if s.err != nil {
			b.WriteString(st.Error.Render(wrap("✗ Stopped: "+s.err.Error(), s.width, 2)) + "\n")
		}
		if s.report != nil {
			for _, r := range s.report.Results {
				if r.Outcome == addall.OutcomeFailed {
					b.WriteString(st.Error.Render(wrap(fmt.Sprintf("✗ %s (%d): %s", r.Name, r.ID, r.Reason), s.width, 2)) + "\n")
				}
			}
			if s.report.OK() && s.err == nil {
				b.WriteString(st.Success.Render(wrap(fmt.Sprintf("✓ Every project has the account as a member (%d requests, %s).", s.report.Requests, s.report.Elapsed.Round(100*time.Millisecond)), s.width, 2)) + "\n\nPress enter to continue.\n")
			} else if s.report.NewProjectsReason != "" {
				b.WriteString(st.Error.Render(wrap("✗ Add to new projects: "+s.report.NewProjectsReason, s.width, 2)) + "\n")
			}
		}
	}
	return b.String(), 0
}
