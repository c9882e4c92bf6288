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
	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/steps"
)

type addAllPhase int

const (
	addAllIdle addAllPhase = iota
	addAllPlanning
	addAllPlanned
	addAllRunning
	addAllDone
	addAllRecorded // done before: the outcome says what was done
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
// with a progress bar, and ends with a report that lists what failed. The
// counts, pace and waits are the protocol's (app.Progress); the step's
// outcome is recorded when every project has the account, and a run
// stopped early is recorded as started, so that resuming the walk resumes
// the run.
type addAllScreen struct {
	sh     *shared
	step   *steps.Step
	runner app.AddAller
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
	run      string // the journal of the latest run (or the one to resume)
	prog     app.Progress
	report   *addall.Report
	manual   *checklistScreen
	// planBox carries planning's pages and waits; planning is their sum.
	planBox  *progressBox
	planning app.Planning
}

func newAddAllScreen(sh *shared, st *steps.Step, r app.AddAller, now func() time.Time) *addAllScreen {
	s := &addAllScreen{sh: sh, step: st, runner: r, now: now,
		bar: progress.New(progress.WithoutPercentage(), progress.WithFillCharacters('█', '░'))}
	if o, ok := sh.walker.Outcome(st.ID); ok {
		switch o.Kind {
		case steps.OutcomeDone:
			s.phase = addAllRecorded
		case steps.OutcomeStarted:
			s.run = o.Run // planned again, then carried on under its journal
		}
	}
	return s
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

func (s *addAllScreen) ShortHelp() []key.Binding {
	k := s.sh.keys
	if s.manual != nil {
		return s.manual.ShortHelp()
	}
	switch s.phase {
	case addAllRecorded:
		return []key.Binding{withHelp(k.Next, "continue"), k.Back, withHelp(k.Replace, "check again")}
	case addAllPlanned:
		return []key.Binding{withHelp(k.Next, "add to every project"), k.Back}
	case addAllRunning, addAllPlanning:
		return nil
	case addAllDone:
		b := []key.Binding{}
		if s.report != nil && s.report.OK() {
			b = append(b, k.Next)
		}
		if s.prog.Failed > 0 || s.err != nil {
			b = append(b, withHelp(k.Retry, "retry the failed ones"))
		}
		return append(b, k.Back)
	}
	if s.run != "" {
		return []key.Binding{withHelp(k.Next, "resume the run"), k.ByHand, k.Back}
	}
	return []key.Binding{withHelp(k.Next, "plan"), k.ByHand, k.Back}
}

func (s *addAllScreen) startPlan() tea.Cmd {
	s.phase, s.err = addAllPlanning, nil
	s.planning = app.StartPlanning(s.now())
	runner, using := s.runner, app.UsingWalk(s.sh.walker)
	reporter, reports := runner.(app.PlanReporter)
	if !reports {
		return func() tea.Msg {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			plan, who, err := runner.Plan(ctx, using)
			return addAllPlannedMsg{plan: plan, who: who, err: err}
		}
	}
	// Planning a large company takes minutes: its pages and waits come
	// back through a box, as a run's progress does.
	box := newProgressBox()
	s.planBox = box
	work := func() tea.Msg {
		defer box.close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		plan, who, err := reporter.PlanEmitting(ctx, using, box.put)
		return addAllPlannedMsg{plan: plan, who: who, err: err}
	}
	return tea.Batch(work, listenBox(box))
}

// listenBox waits for the events sent to box since the last ones taken.
func listenBox(box *progressBox) tea.Cmd {
	return func() tea.Msg {
		evs, ok := box.take()
		if !ok {
			return nil
		}
		return addAllEventMsg{box: box, evs: evs}
	}
}

func (s *addAllScreen) startRun() tea.Cmd {
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel, s.phase, s.stopping = cancel, addAllRunning, false
	s.prog, s.report, s.err = app.StartProgress(s.plan), nil, nil
	// The run's name is chosen here, not in the runner, so that the wizard
	// knows it from the start and can resume it however it ends: the walk
	// records it as started until every project has the account.
	if s.run == "" {
		s.run = addall.NewRunID(s.now())
	}
	s.sh.openRun = s.run
	s.sh.walker.Record(s.step.ID, steps.Outcome{Kind: steps.OutcomeStarted, Detail: "add-all run " + s.run, Run: s.run})
	s.box = newProgressBox()
	runner, plan, box, run := s.runner, s.plan, s.box, s.run
	work := func() tea.Msg {
		defer box.close()
		rep, err := runner.Run(ctx, run, plan, box.put)
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
// project, up to a thousand at once; a run of them collapses into its
// first (where the pace starts) and its newest, whose running totals say
// all the screen needs. Every other kind (wait, retry, fallback, failed,
// new_projects, done) is kept, in order.
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
	// A run of them keeps its first (where the pace starts) and its
	// newest (the running totals).
	if n := len(b.queue); n > 1 && collapses(e.Kind) && collapses(b.queue[n-1].Kind) && collapses(b.queue[n-2].Kind) {
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
	if s.manual != nil {
		return s.manual.Update(msg)
	}
	switch msg := msg.(type) {
	case addAllPlannedMsg:
		s.plan, s.who, s.err = msg.plan, msg.who, msg.err
		s.phase = addAllPlanned
		if msg.err != nil {
			s.phase = addAllIdle
		}
		return stay, nil
	case addAllEventMsg:
		if msg.box == s.planBox && s.phase == addAllPlanning {
			for _, e := range msg.evs {
				s.planning.Apply(e)
			}
			return stay, listenBox(msg.box)
		}
		if msg.box != s.box || s.phase != addAllRunning {
			return stay, nil // late progress from a run that has ended
		}
		for _, e := range msg.evs {
			s.prog.Apply(e)
		}
		return stay, s.listen()
	case addAllDoneMsg:
		s.phase, s.report, s.err, s.cancel, s.stopping = addAllDone, msg.rep, msg.err, nil, false
		s.prog.End(msg.rep)
		if msg.rep != nil && msg.err == nil && msg.rep.OK() {
			s.sh.walker.Record(s.step.ID, app.AddAllOutcome(s.run, s.plan, msg.rep))
			s.sh.openRun = "" // nothing left to resume
			s.run = ""
		}
		return stay, nil
	case tea.KeyPressMsg:
		k := s.sh.keys
		switch s.phase {
		case addAllRecorded:
			switch {
			case key.Matches(msg, k.Next):
				return forward, nil
			case key.Matches(msg, k.Back):
				return backward, nil
			case key.Matches(msg, k.Replace):
				// A new plan reads Procore again: it adds only what is missing.
				return stay, s.startPlan()
			}
		case addAllIdle:
			switch {
			case key.Matches(msg, k.Next):
				return stay, s.startPlan()
			case key.Matches(msg, k.ByHand):
				s.manual = &checklistScreen{sh: s.sh, step: s.step}
				s.manual.SetWidth(s.width)
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
			case key.Matches(msg, k.Retry) && (s.prog.Failed > 0 || s.err != nil):
				return stay, s.startPlan() // a new plan holds only what is still missing
			case key.Matches(msg, k.Back):
				s.phase = addAllIdle
			}
		}
	}
	return stay, nil
}

func (s *addAllScreen) View() (string, int) {
	if s.manual != nil {
		return s.manual.View()
	}
	st := s.sh.styles
	var b strings.Builder
	if s.step.Body != "" {
		b.WriteString(wrap(s.step.Body, s.width, 0) + "\n\n")
	}
	switch s.phase {
	case addAllRecorded:
		o, _ := s.sh.walker.Outcome(s.step.ID)
		b.WriteString(st.Success.Render(wrap("✓ "+sentence(o.Detail), s.width, 2)) + "\n\n")
		b.WriteString(wrap("Press enter to continue, or r to read Procore again and add what is missing.", s.width, 0) + "\n")
	case addAllIdle:
		if s.err != nil {
			b.WriteString(problemView(s.sh, s.err, s.width, "") + "\n\n")
		}
		if s.run != "" {
			b.WriteString(wrap("Add-all run "+s.run+" stopped before it finished; what it confirmed is journaled. Press enter to read Procore again and carry the run on, or h to do this step by hand.", s.width, 0) + "\n")
			break
		}
		b.WriteString(wrap("Press enter to read the projects from Procore and see the plan. Nothing changes until you confirm it. Press h to do this step by hand instead.", s.width, 0) + "\n")
	case addAllPlanning:
		b.WriteString("Reading the projects and memberships from Procore…\n")
		if s.planBox != nil {
			line := s.planning.Line(s.now())
			b.WriteString("\n  " + wrap(line, s.width-2, 2) + "\n")
		}
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
		pct := s.prog.Fraction()
		b.WriteString(s.bar.ViewAs(pct) + fmt.Sprintf(" %3.0f%%\n\n", pct*100))
		b.WriteString("  " + s.prog.Counts() + "\n")
		if s.phase == addAllRunning {
			now := s.now()
			if speed := s.prog.Speed(now); speed != "" {
				b.WriteString("  " + speed + "\n")
			}
			if why := s.prog.Waiting(now); why != "" {
				b.WriteString("  " + st.Warning.Render(wrap(why, s.width-2, 2)) + "\n")
			} else if s.prog.Fallback {
				b.WriteString("  " + wrap("bulk add was refused; adding one project at a time", s.width-2, 2) + "\n")
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
			b.WriteString(problemView(s.sh, s.err, s.width, "The run stopped; what it confirmed is journaled.") + "\n")
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

// FullHelp is every binding of the screen, in one group.
func (s *addAllScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

// problem is the failed plan or run, if any.
func (s *addAllScreen) problem() error {
	if s.manual != nil || s.phase == addAllRunning || s.phase == addAllPlanning {
		return nil
	}
	return s.err
}
