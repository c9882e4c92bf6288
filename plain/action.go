package plain

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/explain"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/steps"
)

// automationTimeout bounds a plan, a change, or a reading of checks,
// waits for Procore's rate limit included.
const automationTimeout = 2 * time.Minute

// automatedKind reports whether steps of the kind are drawn by hand and so
// take an action or checks (the kinds the tool does have their own
// protocols).
func automatedKind(k steps.Kind) bool {
	switch k {
	case steps.KindNotice, steps.KindInstruction, steps.KindForm, steps.KindMatrix:
		return true
	}
	return false
}

// choice asks a numbered question and returns the number chosen, from 1. A
// letter in brackets after an option chooses it too; enter chooses def.
func (r *Runner) choice(question string, def int, options ...string) (int, error) {
	var b strings.Builder
	b.WriteString(question + "\n")
	for i, o := range options {
		fmt.Fprintf(&b, "  %d. %s\n", i+1, o)
	}
	fmt.Fprintf(&b, "Type a number from 1 to %d, or press enter for %d: ", len(options), def)
	for {
		ans, err := r.ask(b.String())
		if err != nil {
			return 0, err
		}
		ans = strings.ToLower(strings.TrimSpace(ans))
		if ans == "" {
			return def, nil
		}
		for i, o := range options {
			if ans == fmt.Sprint(i+1) || (len(ans) == 1 && strings.Contains(strings.ToLower(o), "("+ans+")")) {
				return i + 1, nil
			}
		}
		r.printf("  %q is not one of the choices.\n", ans)
		b.Reset()
		fmt.Fprintf(&b, "Type a number from 1 to %d: ", len(options))
	}
}

// action does the step's action through Procore: the plan (what will
// change, as whom) read first, the person asked before anything changes,
// then the change and the outcome Procore reads back as, recorded. Done by
// hand, the step's checklist is asked for and the step recorded as done by
// hand; skipped, it is recorded as skipped. A refusal records nothing.
func (r *Runner) action(ctx context.Context, w *steps.Walker) (bool, error) {
	st := w.Current()
	if st.Kind == steps.KindForm {
		// The action takes what the form asks.
		if err := r.form(w, st); err != nil {
			return false, err
		}
	}
	if o, ok := w.Outcome(st.ID); ok && o.Kind == steps.OutcomeSkipped {
		r.printf("You skipped this step earlier: it is not done.\n")
	}
	r.printf("procore-sa can do this step for you: %s.\n", st.Action.Describe())
	n, err := r.choice("Nothing changes in Procore until you say so. What now?", 1,
		"Read Procore and see what would change",
		"Do it by (h)and in Procore's web pages",
		"(S)kip this step; it is recorded as skipped, not done")
	if err != nil {
		return false, err
	}
	// The projects last listed, to name the ones chosen in the plan.
	var listed []app.Project
	canChoose := r.Projects != nil && app.TakesChosenProjects(st)
	for {
		switch n {
		case 2:
			return r.byHand(ctx, w)
		case 3:
			w.Record(st.ID, steps.Outcome{Kind: steps.OutcomeSkipped, Detail: "skipped; not done"})
			r.printf("Skipped: this step is not done.\n")
			return true, nil
		case 4:
			// Choose the projects (again); the plan is read afresh either way.
			ps, _, err := r.chooseProjects(ctx, w)
			if err != nil {
				return false, err
			}
			listed = ps
			r.save(w)
		}
		r.printf("Reading Procore for the plan...\n")
		ctx2, cancel := context.WithTimeout(ctx, automationTimeout)
		plan, err := r.Automate.Plan(ctx2, *st.Action, r.usingWithNews(w))
		cancel()
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return false, ctx.Err()
			}
			r.printf("The plan could not be read: %s\n", procore.Printable(err.Error()))
			n, err = r.choice("What now?", 1, "(R)ead Procore again", "Do it by (h)and", "(S)kip this step")
		case plan.ChooseProjects && canChoose:
			r.printf("A choice only you can make: %s.\n", strings.TrimSuffix(procore.Printable(plan.Ask), "."))
			ps, chose, cerr := r.chooseProjects(ctx, w)
			if cerr != nil {
				return false, cerr
			}
			listed = ps
			if chose {
				r.save(w)
				n = 1 // the plan of what the choice makes
				continue
			}
			n, err = r.choice("No project is chosen, so nothing can be planned. What now?", 1,
				"(C)hoose the projects", "Do it by (h)and", "(S)kip this step")
		case plan.Ask != "":
			r.printf("A choice only you can make: %s\n", procore.Printable(plan.Ask))
			n, err = r.choice("Make it in Procore (or go back with b and change an earlier step), then read Procore again. What now?", 1,
				"(R)ead Procore again", "Do it by (h)and", "(S)kip this step")
		default:
			r.printPlan(plan)
			var do string
			if plan.Nothing {
				do = "Record it as done"
			} else {
				do = fmt.Sprintf("(Y)es: make %s in Procore", changes(len(plan.Changes)))
			}
			options := []string{do, "Do it by (h)and", "(S)kip this step"}
			if canChoose {
				if ids := w.Chosen(st.ID); len(ids) > 0 {
					r.printf("Projects chosen: %s.\n", app.DescribeChosen(listed, ids))
				}
				options = append(options, "(C)hange the chosen projects")
			}
			n, err = r.choice("What now?", 1, options...)
			if err == nil && n == 1 {
				done, derr := r.do(ctx, w, plan)
				if done || derr != nil {
					return done, derr
				}
				n, err = r.choice("What now?", 1, "(R)ead Procore again", "Do it by (h)and", "(S)kip this step")
			}
		}
		if err != nil {
			return false, err
		}
	}
}

func (r *Runner) printPlan(p app.ActionPlan) {
	who := ""
	if p.As != "" {
		who = ", as " + procore.Printable(p.As)
	}
	if p.Nothing {
		r.printf("The plan%s: it is already so in Procore; there is nothing to change.\n", who)
		return
	}
	r.printf("The plan%s, %s:\n", who, plural(len(p.Changes), "change", "changes"))
	for i, c := range p.Changes {
		r.printf("  %d. %s\n", i+1, procore.Printable(c))
	}
}

// do carries the plan out; a refusal is said and nothing recorded.
func (r *Runner) do(ctx context.Context, w *steps.Walker, p app.ActionPlan) (bool, error) {
	st := w.Current()
	who := ""
	if p.As != "" {
		who = " as " + procore.Printable(p.As)
	}
	r.printf("Changing Procore%s...\n", who)
	// The change is one short request: an interrupt does not cut it off
	// half-way; its answer is waited for and recorded.
	ctx2, cancel := r.untilEnd(ctx, automationTimeout)
	o, err := r.Automate.Do(ctx2, *st.Action, p, r.usingWithNews(w))
	cancel()
	if err != nil {
		r.printf("%s\n  %s\n", explain.Refusal(err), procore.Printable(err.Error()))
		r.printf("Nothing was recorded: the step is still to do, and everything you entered is kept.\n")
		return false, nil
	}
	if o.Kind == "" {
		o.Kind = steps.OutcomeDone
	}
	w.Record(st.ID, o)
	r.save(w)
	r.printf("Done: %s.\n", strings.TrimSuffix(procore.Printable(o.Detail), "."))
	if len(st.Checks) > 0 && r.Check != nil {
		if err := r.readChecks(ctx, w, "Press enter to go on, or type r to read Procore again. "); err != nil {
			return false, err
		}
	}
	return true, nil
}

// byHand asks for the step's checklist, then its form or matrix, and
// records the step as done by hand: the person did it in Procore.
func (r *Runner) byHand(ctx context.Context, w *steps.Walker) (bool, error) {
	st := w.Current()
	r.printf("Do it by hand in Procore's web pages, and answer y as each item is done:\n")
	if err := r.manual(w, st); err != nil {
		return false, err
	}
	if err := w.Problem(); err != nil {
		return false, nil // the walk says what is missing
	}
	w.Record(st.ID, steps.Outcome{Kind: steps.OutcomeByHand, Detail: "done by hand"})
	if len(st.Checks) > 0 && r.Check != nil {
		if err := r.readChecks(ctx, w, "Press enter to go on, or type r to read Procore again. "); err != nil {
			return false, err
		}
	}
	return true, nil
}

// manual is the step as the person does it: each checklist item, then the
// step's form (asked again, each value kept with enter) or matrix.
func (r *Runner) manual(w *steps.Walker, st *steps.Step) error {
	for i, item := range st.Checklist {
		for !w.Checked(i) {
			ans, err := r.ask(fmt.Sprintf("  [%d/%d] %s\n        Done? [y/n] ", i+1, len(st.Checklist), item))
			if err != nil {
				return err
			}
			if yes(ans) {
				w.Toggle(i)
			}
		}
	}
	switch st.Kind {
	case steps.KindMatrix:
		return r.matrix(w, st)
	case steps.KindForm:
		if fieldsValid(w, st) {
			return nil // asked before the action was offered
		}
		return r.form(w, st)
	}
	return nil
}

func fieldsValid(w *steps.Walker, st *steps.Step) bool {
	for _, f := range st.Fields {
		if f.Validate(w.Value(f.ID), w.Session.Values) != nil {
			return false
		}
	}
	return true
}

// checks is a step with checks and no action the tool can do: the person
// does it by hand, then the checks say whether Procore agrees. They never
// change the walk.
func (r *Runner) checks(ctx context.Context, w *steps.Walker) (bool, error) {
	st := w.Current()
	if len(st.Checklist) > 0 {
		r.printf("Do it in Procore's web pages, and answer y as each item is done; procore-sa then reads %s from Procore.\n", plural(len(st.Checks), "check", "checks"))
	}
	if err := r.manual(w, st); err != nil {
		return false, err
	}
	prompt := "Press enter to go on, or type r to read Procore again. "
	if len(st.Checklist) == 0 && st.Kind != steps.KindForm && st.Kind != steps.KindMatrix {
		prompt = "Press enter to continue, or type r to read Procore again. "
	}
	if err := r.readChecks(ctx, w, prompt); err != nil {
		return false, err
	}
	return true, nil
}

// readChecks reads the step's checks and says each requirement, until the
// person goes on.
func (r *Runner) readChecks(ctx context.Context, w *steps.Walker, prompt string) error {
	st := w.Current()
	for {
		r.printf("Reading %s from Procore...\n", plural(len(st.Checks), "check", "checks"))
		ctx2, cancel := context.WithTimeout(ctx, automationTimeout)
		reqs, err := r.Check.Check(ctx2, st.Checks, r.usingWithNews(w))
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			r.printf("The checks could not be read: %s\n", procore.Printable(err.Error()))
		} else {
			r.printRequirements(reqs)
		}
		ans, err := r.ask(prompt)
		if err != nil {
			return err
		}
		if strings.ToLower(strings.TrimSpace(ans)) != "r" {
			return nil
		}
	}
}

// audit is the guide's last step: every check of the guide read from
// Procore, each requirement said with what Procore says and how to fix it,
// then one line that sums it up. The reading is the step's outcome.
func (r *Runner) audit(ctx context.Context, w *steps.Walker) (bool, error) {
	st := w.Current()
	for {
		r.printf("Reading every check of this guide from Procore; nothing is changed...\n")
		ctx2, cancel := context.WithTimeout(ctx, automationTimeout)
		reqs, err := r.Check.Audit(ctx2, w.Guide, r.usingWithNews(w))
		cancel()
		prompt := "Press enter to finish, or type r to read Procore again. "
		if err != nil {
			if ctx.Err() != nil {
				return false, ctx.Err()
			}
			r.printf("The audit could not be read: %s\n", procore.Printable(err.Error()))
			prompt = "Press enter to read Procore again, or type h to finish without the audit. "
		} else {
			r.printRequirements(reqs)
			w.Record(st.ID, steps.Outcome{Kind: steps.OutcomeDone, Detail: "audited in Procore: " + app.Summary(reqs)})
		}
		read := err == nil
		ans, err := r.ask(prompt)
		if err != nil {
			return false, err
		}
		ans = strings.ToLower(strings.TrimSpace(ans))
		switch {
		case read && ans != "r":
			return true, nil
		case !read && ans == "h":
			return false, nil
		}
	}
}

// printRequirements says each requirement in words, a screen reader's
// line each: whether it holds, what Procore says, and how to fix it.
func (r *Runner) printRequirements(reqs []app.Requirement) {
	for i, q := range reqs {
		verdict := "Holds"
		switch {
		case q.Unknown:
			verdict = "Could not be read"
		case !q.OK:
			verdict = "Needs fixing"
		}
		r.printf("  %d. %s: %s.\n", i+1, verdict, strings.TrimSuffix(procore.Printable(q.Text), "."))
		if s := procore.Printable(q.State); s != "" {
			if q.Unknown {
				r.printf("     Why: %s\n", strings.TrimPrefix(s, "could not be read: "))
			} else {
				r.printf("     Procore says: %s\n", s)
			}
		}
		if !q.OK && !q.Unknown && q.Fix != "" {
			r.printf("     To fix: %s\n", procore.Printable(q.Fix))
		}
	}
	r.printf("Summary: %s.\n", app.Summary(reqs))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func changes(n int) string {
	if n == 1 {
		return "this change"
	}
	return "these changes"
}

// usingWithNews is the walk's Using, with the clients' waits and retries
// printed as they come ("  waiting 8 s for Procore's rate limit"), so a
// step that takes long says why. The runner is waiting on the work, so the
// line is printed on its own.
func (r *Runner) usingWithNews(w *steps.Walker) app.Using {
	u := app.UsingWalk(w)
	var mu sync.Mutex
	u.Events = func(e procore.Event) {
		mu.Lock()
		defer mu.Unlock()
		r.printf("  %s\n", procore.Printable(e.String()))
	}
	return u
}
