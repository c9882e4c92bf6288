package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/explain"
	"github.com/procore-sa/procore-sa/steps"
)

// actionTimeout bounds a plan or a change, waits for Procore's rate limit
// included.
const actionTimeout = 2 * time.Minute

type actionPhase int

const (
	actionInner    actionPhase = iota // the step's own input first (a form)
	actionIdle                        // offered; nothing read yet
	actionPlanning                    // reading Procore for the plan
	actionPlanned                     // the plan is shown; asking before changing anything
	actionDoing                       // changing Procore
	actionDone                        // done and read back; the outcome is recorded
	actionRefused                     // Procore refused the change; nothing recorded
	actionManual                      // done by hand: the step's checklist
	actionListing                     // reading the projects to choose from
	actionChoosing                    // the person ticks the projects
)

type (
	actionPlannedMsg struct {
		step string
		seq  int
		plan app.ActionPlan
		err  error
	}
	actionDoneMsg struct {
		step    string
		seq     int
		outcome steps.Outcome
		err     error
	}
	projectsListedMsg struct {
		step     string
		seq      int
		projects []app.Project
		err      error
	}
)

// actionScreen does a step's action through Procore's API: it reads
// Procore for a plan (what will change, as whom), asks before changing
// anything, changes it, and records the outcome Procore reads back as. h
// leaves the step to the person, as the checklist it always was; s skips
// it, recorded as skipped. A refusal changes nothing in the walk.
type actionScreen struct {
	sh      *shared
	step    *steps.Step
	auto    app.Automator
	width   int
	spin    spinner.Model
	inner   screen       // the step as drawn by hand: a form, a checklist
	checks  *checksPanel // the step's checks, read after the change (nil: none)
	news    string       // what the client last said while planning or doing (a rate-limit wait)
	manual  screen       // the by-hand checklist, with the checks when there are any
	checker app.Checker
	lister  app.ProjectLister // nil: the projects to choose are chosen by hand
	chooser *projectChooser   // while choosing
	listed  []app.Project     // the projects last listed, to name the ones chosen
	// chooseFrom is the phase esc from the chooser returns to.
	chooseFrom actionPhase

	phase    actionPhase
	seq      int
	plan     app.ActionPlan
	err      error // the plan could not be read
	refusal  error // Procore refused the change
	skipped  bool  // skipped earlier: it is not done
	stopping bool  // leaving once the change under way has answered
	scroll   int   // the line of a long plan kept in sight
}

// longPlan is the number of changes past which a plan scrolls.
const longPlan = 5

func scrollKeys(k KeyMap) key.Binding {
	return key.NewBinding(key.WithKeys(append(k.Up.Keys(), k.Down.Keys()...)...), key.WithHelp("↑/↓", "scroll"))
}

func newActionScreen(sh *shared, st *steps.Step, inner screen, a app.Automator, c app.Checker, l app.ProjectLister) *actionScreen {
	s := &actionScreen{sh: sh, step: st, auto: a, inner: inner, checker: c, lister: l, spin: newSpinner(sh), phase: actionIdle}
	if len(st.Checks) > 0 && c != nil {
		s.checks = newChecksPanel(sh, st, c)
	}
	if st.Kind == steps.KindForm {
		s.phase = actionInner // the action takes what the form asks
	}
	if o, ok := sh.walker.Outcome(st.ID); ok {
		switch o.Kind {
		case steps.OutcomeDone:
			s.phase = actionDone
		case steps.OutcomeByHand:
			s.byHand()
		case steps.OutcomeSkipped:
			s.skipped = true
		}
	}
	return s
}

func (s *actionScreen) byHand() {
	s.phase = actionManual
	var m screen = &checklistScreen{sh: s.sh, step: s.step}
	if s.checks != nil {
		m = &checksScreen{inner: m, panel: s.checks, sh: s.sh}
	}
	s.manual = m
	s.manual.SetWidth(s.width)
}

func (s *actionScreen) SetWidth(w int) {
	s.width = w
	s.inner.SetWidth(w)
	if s.chooser != nil {
		s.chooser.width = w
	}
	if s.checks != nil {
		s.checks.width = w
	}
	if s.manual != nil {
		s.manual.SetWidth(w)
	}
}

func (s *actionScreen) Typing() bool {
	switch s.phase {
	case actionInner:
		return s.inner.Typing()
	case actionManual:
		return s.manual.Typing()
	case actionChoosing:
		return s.chooser.filtering
	}
	return false
}

// running reports a change under way: leaving waits for its answer, so
// that what Procore did is recorded before the program ends.
func (s *actionScreen) running() bool { return s.phase == actionDoing }

// stop is asked of a change under way. A change is one short request, not
// cut off half-way: its answer is waited for and recorded.
func (s *actionScreen) stop() { s.stopping = true }

func (s *actionScreen) Bindings() []key.Binding {
	k := s.sh.keys
	skip := withHelp(k.Skip, "skip")
	switch s.phase {
	case actionInner:
		return keysOf(s.inner)
	case actionManual:
		return keysOf(s.manual)
	case actionPlanning, actionDoing, actionListing:
		return nil // nothing is taken until Procore answers
	case actionChoosing:
		return s.chooser.bindings()
	case actionPlanned:
		var b []key.Binding
		switch {
		case s.plan.Ask != "":
			b = []key.Binding{withHelp(k.Retry, "read again"), k.ByHand, skip, k.Back}
		case s.plan.Nothing:
			b = []key.Binding{withHelp(doKey(k), "record it"), k.ByHand, k.Back}
		default:
			b = []key.Binding{withHelp(doKey(k), "do it"), k.ByHand, skip, k.Back}
		}
		if s.canChoose() {
			b = append(b[:1:1], append([]key.Binding{k.Choose}, b[1:]...)...)
		}
		if s.plan.Ask == "" && !s.plan.Nothing && len(s.plan.Changes) > longPlan {
			b = append(b, scrollKeys(k))
		}
		return b
	case actionDone:
		b := []key.Binding{withHelp(k.Next, "continue")}
		if s.checks == nil || !s.checks.reading {
			b = append(b, withHelp(k.Retry, "read again"))
		}
		return append(b, k.Back)
	case actionRefused:
		return []key.Binding{withHelp(k.Retry, "read again"), k.ByHand, skip, k.Back}
	}
	if s.err != nil {
		return []key.Binding{withHelp(k.Next, "try again"), k.ByHand, skip, k.Back}
	}
	return []key.Binding{withHelp(k.Next, "see the plan"), k.ByHand, skip, k.Back}
}

// fieldsValid reports whether every field of the step holds a valid value.
func fieldsValid(w *steps.Walker, st *steps.Step) bool {
	for _, f := range st.Fields {
		if f.Validate(w.Value(f.ID), w.Session.Values) != nil {
			return false
		}
	}
	return true
}

// doKey is enter or y: the keys that carry a plan out.
func doKey(k KeyMap) key.Binding {
	return key.NewBinding(key.WithKeys(append(k.Next.Keys(), k.Yes.Keys()...)...), key.WithHelp("enter/y", "do it"))
}

func (s *actionScreen) startPlan() tea.Cmd {
	s.seq++
	s.phase, s.err, s.refusal = actionPlanning, nil, nil
	s.news = ""
	auto, a, using := s.auto, *s.step.Action, app.UsingWalk(s.sh.walker)
	id, seq := s.step.ID, s.seq
	feed := newNews()
	using.Events = feed.send
	plan := func() tea.Msg {
		defer feed.close()
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		p, err := auto.Plan(ctx, a, using)
		return actionPlannedMsg{step: id, seq: seq, plan: p, err: err}
	}
	return tea.Batch(plan, s.spin.Tick, feed.listen(id, seq))
}

// canChoose reports whether the projects the step's action takes can be
// chosen, or chosen again, from a list: the plan no longer asks for them.
func (s *actionScreen) canChoose() bool {
	return s.lister != nil && app.TakesChosenProjects(s.step) && !s.plan.ChooseProjects
}

// startListing reads the projects to choose from; esc from the chooser
// then returns to from.
func (s *actionScreen) startListing(from actionPhase) tea.Cmd {
	s.seq++
	s.phase, s.chooseFrom, s.err = actionListing, from, nil
	lister, using := s.lister, app.UsingWalk(s.sh.walker)
	id, seq := s.step.ID, s.seq
	list := func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		ps, err := lister.ActiveProjects(ctx, using)
		return projectsListedMsg{step: id, seq: seq, projects: ps, err: err}
	}
	return tea.Batch(list, s.spin.Tick)
}

func (s *actionScreen) startDo() tea.Cmd {
	s.seq++
	s.phase, s.refusal = actionDoing, nil
	s.news = ""
	auto, a, p, using := s.auto, *s.step.Action, s.plan, app.UsingWalk(s.sh.walker)
	id, seq := s.step.ID, s.seq
	feed := newNews()
	using.Events = feed.send
	do := func() tea.Msg {
		defer feed.close()
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		o, err := auto.Do(ctx, a, p, using)
		return actionDoneMsg{step: id, seq: seq, outcome: o, err: err}
	}
	return tea.Batch(do, s.spin.Tick, feed.listen(id, seq))
}

func (s *actionScreen) Update(msg tea.Msg) (nav, tea.Cmd) {
	if s.checks != nil {
		if ok, cmd := s.checks.update(msg); ok {
			return stay, cmd
		}
	}
	switch msg := msg.(type) {
	case newsMsg:
		if msg.step != s.step.ID || msg.seq != s.seq {
			return stay, nil
		}
		s.news = msg.text
		return stay, msg.from.listen(msg.step, msg.seq)
	case actionPlannedMsg:
		if msg.step != s.step.ID || msg.seq != s.seq {
			return stay, nil
		}
		s.plan, s.err, s.scroll = msg.plan, msg.err, 0
		s.phase = actionPlanned
		if msg.err != nil {
			s.phase = actionIdle
		}
		if msg.err == nil && msg.plan.ChooseProjects && s.lister != nil {
			// The choice the plan asks for is offered as a list.
			return stay, s.startListing(actionIdle)
		}
		return stay, nil
	case projectsListedMsg:
		if msg.step != s.step.ID || msg.seq != s.seq {
			return stay, nil
		}
		if msg.err != nil {
			s.phase, s.err = actionIdle, fmt.Errorf("list the projects to choose from: %w", msg.err)
			return stay, nil
		}
		s.listed = msg.projects
		s.chooser = newProjectChooser(s.sh, msg.projects, s.sh.walker.Chosen(s.step.ID))
		s.chooser.width = s.width
		s.phase = actionChoosing
		return stay, nil
	case actionDoneMsg:
		if msg.step != s.step.ID || msg.seq != s.seq {
			return stay, nil
		}
		s.stopping = false
		if msg.err != nil {
			// Nothing is recorded: the step stays to do, and the walk
			// keeps everything it held.
			s.phase, s.refusal = actionRefused, msg.err
			return stay, nil
		}
		o := msg.outcome
		if o.Kind == "" {
			o.Kind = steps.OutcomeDone
		}
		s.sh.walker.Record(s.step.ID, o)
		s.phase, s.skipped = actionDone, false
		if s.checks != nil {
			return stay, s.checks.start() // read back what the step should now hold
		}
		return stay, nil
	case spinner.TickMsg:
		if msg.ID != s.spin.ID() || (s.phase != actionPlanning && s.phase != actionDoing && s.phase != actionListing) {
			break
		}
		var cmd tea.Cmd
		s.spin, cmd = s.spin.Update(msg)
		return stay, cmd
	}
	switch s.phase {
	case actionInner:
		n, cmd := s.inner.Update(msg)
		if n == forward {
			// The form is filled in: read the plan it makes.
			if !fieldsValid(s.sh.walker, s.step) {
				return n, cmd // the root says what is missing
			}
			return stay, tea.Batch(cmd, s.startPlan())
		}
		return n, cmd
	case actionManual:
		n, cmd := s.manual.Update(msg)
		if n == forward && s.sh.walker.Problem() == nil {
			s.sh.walker.Record(s.step.ID, steps.Outcome{Kind: steps.OutcomeByHand, Detail: "done by hand"})
		}
		if n == backward {
			// From the checklist, esc offers the action again.
			s.phase, s.manual = actionIdle, nil
			if o, ok := s.sh.walker.Outcome(s.step.ID); ok && o.Kind == steps.OutcomeByHand {
				s.sh.walker.Forget(s.step.ID)
			}
			return stay, cmd
		}
		return n, cmd
	}
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		if s.phase == actionChoosing && s.chooser.filtering {
			var cmd tea.Cmd
			s.chooser.filter, cmd = s.chooser.filter.Update(msg) // a paste into the filter
			s.chooser.refilter()
			return stay, cmd
		}
		return stay, nil
	}
	k := s.sh.keys
	skip := func() (nav, tea.Cmd) {
		s.sh.walker.Record(s.step.ID, steps.Outcome{Kind: steps.OutcomeSkipped, Detail: "skipped; not done"})
		return forward, nil
	}
	switch s.phase {
	case actionChoosing:
		switch n, cmd := s.chooser.update(km); n {
		case chooserConfirm:
			app.ChooseProjects(s.sh.walker, s.chooser.choice())
			s.chooser = nil
			return stay, s.startPlan() // the plan of what the choice makes
		case chooserBack:
			s.phase, s.chooser = s.chooseFrom, nil
		default:
			return stay, cmd
		}
	case actionIdle:
		switch {
		case key.Matches(km, k.Next):
			return stay, s.startPlan()
		case key.Matches(km, k.ByHand):
			s.byHand()
		case key.Matches(km, k.Skip):
			return skip()
		case key.Matches(km, k.Back):
			if s.step.Kind == steps.KindForm {
				s.phase = actionInner
				return stay, nil
			}
			return backward, nil
		}
	case actionPlanned:
		switch {
		case key.Matches(km, k.Choose) && s.canChoose():
			return stay, s.startListing(actionPlanned)
		case key.Matches(km, k.Next, k.Yes) && s.plan.Ask == "":
			return stay, s.startDo()
		case key.Matches(km, k.Retry) && s.plan.Ask != "":
			return stay, s.startPlan()
		case key.Matches(km, k.ByHand):
			s.byHand()
		case key.Matches(km, k.Skip) && !s.plan.Nothing:
			return skip()
		case key.Matches(km, k.Back):
			s.phase = actionIdle
		case key.Matches(km, k.Up):
			s.scroll = max(0, s.scroll-1)
		case key.Matches(km, k.Down):
			s.scroll = min(lineCount(s.planView()), s.scroll+1)
		}
	case actionRefused:
		switch {
		case key.Matches(km, k.Retry):
			return stay, s.startPlan()
		case key.Matches(km, k.ByHand):
			s.byHand()
		case key.Matches(km, k.Skip):
			return skip()
		case key.Matches(km, k.Back):
			s.phase, s.refusal = actionIdle, nil
		}
	case actionDone:
		switch {
		case key.Matches(km, k.Next):
			return forward, nil
		case key.Matches(km, k.Retry) && s.checks != nil:
			return stay, s.checks.start()
		case key.Matches(km, k.Retry):
			return stay, s.startPlan() // read Procore again: a plan of what is still missing
		case key.Matches(km, k.Back):
			return backward, nil
		}
	}
	return stay, nil
}

func (s *actionScreen) View() (string, int) {
	switch s.phase {
	case actionInner:
		return s.inner.View()
	case actionChoosing:
		return s.chooser.view(s.sh.height)
	case actionManual:
		body, focus := s.manual.View()
		return s.sh.styles.Subtle.Render(wrap("Done by hand: tick each item once it is so in Procore.", s.width, 0)) + "\n\n" + body, focus + 2
	}
	st := s.sh.styles
	var b strings.Builder
	if s.step.Body != "" && s.step.Kind != steps.KindForm {
		b.WriteString(wrap(s.step.Body, s.width, 0) + "\n\n")
	}
	switch s.phase {
	case actionIdle:
		if s.skipped {
			b.WriteString(st.Warning.Render(wrap("You skipped this step earlier: it is not done.", s.width, 0)) + "\n\n")
		}
		if s.err != nil {
			b.WriteString(st.Error.Render(wrap("✗ The plan could not be read: "+printable(s.err.Error()), s.width, 2)) + "\n\n")
		}
		b.WriteString(wrap("procore-sa can do this step for you: "+s.step.Action.Describe()+".", s.width, 0) + "\n\n")
		b.WriteString(wrap("Press enter to read Procore and see what would change; nothing changes until you say so. Press h to do it by hand instead, or s to skip it.", s.width, 0) + "\n")
	case actionPlanning:
		b.WriteString(s.spin.View() + " Reading Procore for the plan…\n")
		if s.news != "" {
			b.WriteString("  " + st.Warning.Render(wrap(capital(printable(s.news)), s.width-2, 2)) + "\n")
		}
	case actionListing:
		b.WriteString(s.spin.View() + " Reading the company's active projects from Procore, to choose from…\n")
	case actionPlanned:
		top := strings.Count(b.String(), "\n")
		b.WriteString(s.planView())
		if s.scroll > 0 {
			return b.String(), top + s.scroll
		}
	case actionDoing:
		b.WriteString(s.spin.View() + " " + wrap("Changing Procore"+as(s.plan.As)+"…", s.width-2, 2) + "\n")
		if s.news != "" {
			b.WriteString("  " + st.Warning.Render(wrap(capital(printable(s.news)), s.width-2, 2)) + "\n")
		}
		if s.stopping {
			b.WriteString("\n" + st.Warning.Render(wrap("Leaving once Procore answers, so that what it did is recorded.", s.width, 0)) + "\n")
		}
	case actionDone:
		o, _ := s.sh.walker.Outcome(s.step.ID)
		b.WriteString(st.Success.Render(wrap("✓ done: "+printable(o.Detail), s.width, 2)) + "\n")
		if s.checks != nil {
			b.WriteString("\n" + s.checks.view() + "\n")
		}
		b.WriteString("\nPress enter to continue.\n")
	case actionRefused:
		b.WriteString(st.Error.Render(wrap("✗ "+explain.Refusal(s.refusal), s.width, 2)) + "\n")
		b.WriteString("  " + st.Subtle.Render(wrap(printable(s.refusal.Error()), s.width-2, 2)) + "\n\n")
		b.WriteString(wrap("Nothing was recorded: the step is still to do, and everything you entered is kept. Press r to read Procore again, h to do it by hand, or s to skip it.", s.width, 0) + "\n")
	}
	return b.String(), 0
}

func (s *actionScreen) planView() string {
	st := s.sh.styles
	p := s.plan
	var b strings.Builder
	b.WriteString(st.Label.Render("The plan"))
	if p.As != "" {
		b.WriteString(st.Subtle.Render(wrap(" · as "+printable(p.As), s.width-8, 0)))
	}
	b.WriteString("\n\n")
	switch {
	case p.Ask != "":
		b.WriteString(st.Warning.Render(wrap("A choice only you can make: "+printable(p.Ask), s.width, 0)) + "\n\n")
		b.WriteString(wrap("Make it in Procore (or on an earlier step: esc goes back), then press r to read Procore again. Nothing is changed until then.", s.width, 0) + "\n")
	case p.Nothing:
		b.WriteString(st.Success.Render(wrap("✓ Already so in Procore: nothing to change.", s.width, 2)) + "\n\n")
		b.WriteString("Press enter to record it.\n")
	default:
		for _, c := range p.Changes {
			b.WriteString("  • " + wrap(printable(c), s.width-4, 4) + "\n")
		}
		choose := ""
		if s.canChoose() {
			choose = " c to change the projects,"
		}
		b.WriteString("\n" + wrap("Press enter (or y) to make "+changes(len(p.Changes))+" in Procore,"+choose+" h to do it by hand, or esc to go back.", s.width, 0) + "\n")
	}
	if ids := s.sh.walker.Chosen(s.step.ID); len(ids) > 0 && s.canChoose() {
		b.WriteString("\n" + st.Subtle.Render(wrap("Projects chosen: "+app.DescribeChosen(s.listed, ids), s.width, 2)) + "\n")
	}
	return b.String()
}

func changes(n int) string {
	if n == 1 {
		return "this change"
	}
	return "these changes"
}

func as(who string) string {
	if who == "" {
		return ""
	}
	return " as " + printable(who)
}

// automated is the step's screen with what the tool can do for it: its
// action (plan, ask, do) and its checks. Only the kinds drawn by hand are
// wrapped; the kinds with screens of their own keep them.
func automated(sh *shared, st *steps.Step, s screen) screen {
	switch st.Kind {
	case steps.KindNotice, steps.KindInstruction, steps.KindForm, steps.KindMatrix:
	default:
		return s
	}
	switch {
	case st.Action != nil && sh.svc.Automate != nil:
		return newActionScreen(sh, st, s, sh.svc.Automate, sh.svc.Check, sh.svc.Projects)
	case len(st.Checks) > 0 && sh.svc.Check != nil:
		return newChecksScreen(sh, st, s, sh.svc.Check)
	}
	return s
}
