// Package plain is the wizard's plain line mode: the same step engine as the
// full-screen wizard, driven by ordinary prompts, for screen readers, dumb
// terminals and scripts (--plain, ACCESSIBLE, TERM=dumb).
package plain

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/x/ansi"
	"golang.org/x/term"

	"github.com/procore-sa/procore-sa/internal/addall"
	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/explain"
	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/steps"
)

// ErrQuit means the person chose to leave before the end.
var ErrQuit = errors.New("left the guide")

// Runner walks a guide at a line prompt.
type Runner struct {
	In    io.Reader
	Out   io.Writer
	Store app.Sessions // nil keeps nothing
	Now   func() time.Time
	// AddAll, when set, runs add-all steps through Procore's API.
	AddAll app.AddAller
	// Verify, when set, proves the credential at verify steps.
	Verify app.Verifier
	// Custody, when set, keeps the credentials of capture steps and the
	// password of a user login, with the same protocol as the full-screen
	// wizard (app.Capture): saved and read back before the walk goes on.
	Custody app.Keeper
	// Login, when set, signs the admin in at admin-login steps.
	Login app.SignIn
	// Automate, when set, does the actions steps declare through Procore's
	// API (plan, ask, do, record); Check reads their checks and the audit.
	Automate app.Automator
	Check    app.Checker
	// Projects, when set, lists the projects a step's "chosen projects"
	// are chosen from; else the choice is made in Procore by hand.
	Projects app.ProjectLister
	// Presenter is a shared screen: nothing secret goes to the clipboard.
	Presenter bool
	// End, when closed, ends the walk at once, even while a secret is
	// held: nobody can be asked any more (the terminal hung up, the system
	// is stopping procore-sa). Run saves the walk and returns ErrEnded;
	// Unkept then names what was held and never kept. A cancelled ctx, by
	// contrast, is an interrupt the person may still answer.
	End <-chan struct{}

	// planTick is how often a line says planning is still going on.
	planTick time.Duration

	ctx  context.Context // the walk's, for reads that an interrupt ends
	held *held           // a secret is held, not yet kept: reads ignore ctx
	// release ends the holds a capture began as its secret was typed.
	release []func()
	// unkept names what was held when the walk was ended.
	unkept string
	// toldInterrupt: the interrupt notice was printed (by a hold watcher,
	// whose end every later watcher waits for).
	toldInterrupt bool
	// detail is the whole text of the last failure, printed when the
	// next answer is d.
	detail  string
	lines   *bufio.Reader
	pending chan readResult // a read started and not yet taken
	outMu   sync.Mutex

	// interrupts, while an add-all run is under way and not yet told to
	// stop, takes the interrupts that Interrupt hands it.
	runMu      sync.Mutex
	interrupts chan struct{}
}

type readResult struct {
	line string
	err  error
}

// back is returned by a prompt when the person typed "b".
var errBack = errors.New("back")

// ErrEnded means End was closed: the walk was saved and ended without
// asking anyone.
var ErrEnded = errors.New("the walk was ended from outside")

// Unkept names the credential the walk held, not yet kept, when it was
// ended ("the client secret you typed"); "" when there was none.
func (r *Runner) Unkept() string { return r.unkept }

// isEnded reports whether End has been closed.
func (r *Runner) isEnded() bool {
	if r.End == nil {
		return false
	}
	select {
	case <-r.End:
		return true
	default:
		return false
	}
}

// ended is ErrEnded, noting what was held and so lost.
func (r *Runner) ended() error {
	if r.held != nil && r.unkept == "" {
		r.unkept = r.held.what
	}
	return ErrEnded
}

// untilEnd is a context for work that an interrupt does not stop while a
// secret is held (the check of it, say), bounded by d and ended by End.
func (r *Runner) untilEnd(parent context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), d)
	if r.End == nil {
		return ctx, cancel
	}
	stop := make(chan struct{})
	go func() {
		select {
		case <-r.End:
			cancel()
		case <-stop:
		}
	}()
	return ctx, func() { close(stop); cancel() }
}

// Run walks g. It returns nil when every step is done, ErrQuit when the
// person left (progress saved), or an error.
func (r *Runner) Run(ctx context.Context, g *steps.Guide) error {
	if r.Now == nil {
		r.Now = time.Now
	}
	if r.lines == nil {
		r.lines = bufio.NewReader(r.In)
	}
	r.ctx = ctx
	defer func() { r.ctx = nil }()
	if r.End != nil {
		// The steps' work (add-all, verify, a sign-in) stops at an end as
		// at an interrupt; reads tell the two apart.
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		go func() {
			select {
			case <-r.End:
				cancel()
			case <-ctx.Done():
			}
		}()
	}
	var saved *steps.Session
	if r.Store != nil {
		s, err := r.Store.LoadSession(g.ID)
		if err != nil {
			r.printf("Saved progress could not be read, so this starts over: %v\n", err)
		} else if app.OfferResume(g, s) {
			ans, err := r.ask(fmt.Sprintf("You have saved progress in this guide: %s. Resume there? Press enter to resume, or type n to start over. ", app.DescribeSaved(g, s, r.Now())))
			if err != nil {
				return err
			}
			if !strings.HasPrefix(strings.ToLower(ans), "n") {
				saved = s
			}
		}
	}
	w := steps.NewWalker(g, saved, r.Now)
	r.printf("%s\n%s\n\n", g.Title, g.Summary)
	r.printf("Type b to go back a step, q to leave (your place is saved).\n")
	for !w.Finished() {
		if r.isEnded() {
			r.save(w)
			return r.ended()
		}
		if err := ctx.Err(); err != nil {
			r.save(w)
			return err
		}
		err := r.step(ctx, w)
		switch {
		case err != nil && r.isEnded():
			r.save(w)
			if !errors.Is(err, ErrEnded) {
				err = r.ended()
			}
			return err
		case errors.Is(err, errBack):
			if !w.Back() {
				r.printf("This is the first step.\n")
			}
		case errors.Is(err, ErrQuit):
			r.save(w)
			saved := "is saved. Run the same command to resume."
			if errors.Is(err, errRunStopped) {
				saved = "and the stopped run are saved. Run the same command to take them up again."
			}
			r.printf("Your place (step %d of %d) %s\n", w.Index()+1, w.Len(), saved)
			if errors.Is(err, ErrInputEnded) {
				return ErrInputEnded
			}
			return ErrQuit
		case err != nil:
			r.save(w)
			return err
		default:
			if err := w.Next(); err != nil {
				r.printf("Not yet: %v.\n", err)
			}
		}
		r.save(w)
	}
	if r.Store != nil {
		path, err := app.Finish(r.Store, g, w.Session, r.Now())
		if err != nil {
			return err
		}
		r.printf("\nEvery step is done. Support transcript (no password or secret): %s\n", path)
	} else {
		r.printf("\nEvery step is done.\n")
	}
	return nil
}

// problem prints a failure as a person reads it first (explain.Of): one
// sentence; its whole text waits for d at the next question.
func (r *Runner) problem(err error) {
	x := explain.Of(err)
	r.printf("%s\n", x.Sentence)
	if x.HasMore() {
		r.detail = x.Detail
		r.printf("(Type d at the next question for the details.)\n")
	}
}

func (r *Runner) save(w *steps.Walker) {
	if r.Store == nil || w.Finished() {
		return
	}
	if err := r.Store.SaveSession(w.Session); err != nil {
		r.printf("Progress could not be saved: %v\n", err)
	}
}

// printf writes to Out; progress and interrupt notices may write from
// other goroutines.
func (r *Runner) printf(format string, args ...any) {
	r.outMu.Lock()
	defer r.outMu.Unlock()
	fmt.Fprintf(r.Out, format, args...)
}

// ErrInputEnded is the end of the input (a pipe or file that ran out, or
// nothing on standard input): a quit that nobody can be asked about. It
// is an ErrQuit, so the walk's place is saved.
var ErrInputEnded = fmt.Errorf("%w: the input ended", ErrQuit)

// errClosed is ErrInputEnded, by its old name within the package.
var errClosed = ErrInputEnded

// startRead starts reading a line, unless a read is already under way,
// and returns where its line comes.
func (r *Runner) startRead() <-chan readResult {
	if r.pending == nil {
		ch := make(chan readResult, 1)
		lines := r.lines
		go func() {
			line, err := lines.ReadString('\n')
			ch <- readResult{line, err}
		}()
		r.pending = ch
	}
	return r.pending
}

// readLine reads one line. An interrupt (ctx) ends the wait, except while a
// secret is held; the read goes on and its line is taken by the next call.
func (r *Runner) readLine() (string, error) {
	r.startRead()
	var done <-chan struct{}
	if r.ctx != nil && r.held == nil {
		done = r.ctx.Done()
	}
	if r.isEnded() {
		return "", r.ended()
	}
	select {
	case res := <-r.pending:
		r.pending = nil
		return res.line, res.err
	case <-done:
		r.printf("\n")
		return "", r.ctx.Err()
	case <-r.End:
		r.printf("\n")
		return "", r.ended()
	}
}

// ask prints a prompt and reads one line, handling b and q.
func (r *Runner) ask(prompt string) (string, error) {
	if r.lines == nil {
		r.lines = bufio.NewReader(r.In)
	}
	r.printf("%s", prompt)
	line, err := r.readLine()
	if err != nil && (line == "" || !errors.Is(err, io.EOF)) {
		if errors.Is(err, io.EOF) {
			r.printf("\n")
			return "", errClosed
		}
		if errors.Is(err, ErrEnded) || (r.ctx != nil && errors.Is(err, r.ctx.Err())) {
			return "", err
		}
		return "", fmt.Errorf("read an answer: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	switch strings.TrimSpace(line) {
	case "q":
		return "", ErrQuit
	case "b":
		return "", errBack
	case "d":
		if r.detail != "" {
			r.printf("Details: %s\n", r.detail)
			r.detail = ""
			return r.ask(prompt)
		}
	}
	return line, nil
}

// step presents the current step and collects what it needs.
func (r *Runner) step(ctx context.Context, w *steps.Walker) error {
	st := w.Current()
	r.printf("\nStep %d of %d: %s\n", w.Index()+1, w.Len(), st.Title)
	if st.Level == "warning" {
		r.printf("WARNING\n")
	}
	if st.Body != "" {
		r.printf("%s\n", strings.TrimRight(st.Body, "\n"))
	}
	if o, ok := w.Outcome(st.ID); ok && o.Kind == steps.OutcomeDone {
		// Done before: say what was done; doing it again is a choice.
		r.printf("Done: %s.\n", o.Detail)
		ans, err := r.ask("Press enter to keep it and go on, or type r to do this step again. ")
		if err != nil {
			return err
		}
		if strings.ToLower(strings.TrimSpace(ans)) != "r" {
			return nil
		}
		w.Forget(st.ID)
	}
	if _, recorded := w.Outcome(st.ID); w.Done(st.ID) && !recorded && st.Kind != steps.KindForm && st.Kind != steps.KindPassword {
		// Done before and nothing to ask again: say so, so that b can go
		// back over it as over any step.
		_, err := r.ask("This step is done. Press enter to go on, or type b to go back a step. ")
		return err
	}
	var auto func(context.Context, *steps.Walker) (bool, error)
	switch {
	case st.Kind == steps.KindAddAll && r.AddAll != nil:
		auto = r.addAll
	case st.Kind == steps.KindVerify && r.Verify != nil:
		auto = r.verify
	case st.Kind == steps.KindCredential && r.Custody != nil:
		auto = r.capture
	case st.Kind == steps.KindAdminLogin && r.Login != nil && r.Custody != nil:
		auto = r.adminLogin
	case st.Kind == steps.KindAudit && r.Check != nil:
		auto = r.audit
	case st.Action != nil && r.Automate != nil && automatedKind(st.Kind):
		auto = r.action
	case len(st.Checks) > 0 && r.Check != nil && automatedKind(st.Kind):
		auto = r.checks
	}
	if auto != nil {
		done, err := auto(ctx, w)
		if err != nil || done {
			return err
		}
		r.printf("Then do it by hand in Procore's web pages:\n")
	}
	for i, item := range st.Checklist {
		for !w.Checked(i) {
			ans, err := r.ask(fmt.Sprintf("  Item %d of %d: %s\n  Have you done this? Type y once it is done, or n if not yet: ", i+1, len(st.Checklist), item))
			if err != nil {
				return err
			}
			if yes(ans) {
				w.Toggle(i)
			}
		}
	}
	switch st.Kind {
	case steps.KindForm:
		return r.form(w, st)
	case steps.KindPassword:
		return r.password(ctx, w, st)
	case steps.KindMatrix:
		return r.matrix(w, st)
	}
	if len(st.Checklist) == 0 {
		_, err := r.ask("Press enter to continue. ")
		return err
	}
	return nil
}

// addAll plans, asks, adds with a progress line every few seconds, and
// reports. It returns done=false when the person chooses to do it by hand.
func (r *Runner) addAll(ctx context.Context, w *steps.Walker) (bool, error) {
	run := ""
	if o, ok := w.Outcome(w.Current().ID); ok && o.Kind == steps.OutcomeStarted {
		run = o.Run
		r.printf("Add-all run %s stopped before it finished; what it confirmed is journaled. It is carried on now.\n", run)
	}
	for {
		r.printf("Reading the projects and memberships from Procore...\n")
		plan, who, err := r.plan(ctx, app.UsingWalk(w))
		if err != nil {
			r.printf("Could not plan. ")
			r.problem(err)
		} else {
			r.printf("Plan %s: %d projects to add, %d already a member, %d inactive skipped.\n",
				who, len(plan.ToAdd), len(plan.Already), plan.Inactive)
			ans, err := r.ask("Add the account to every project now? [y/n] ")
			if err != nil {
				return false, err
			}
			if yes(ans) {
				if run == "" {
					run = addall.NewRunID(r.Now())
				}
				st := w.Current()
				w.Record(st.ID, steps.Outcome{Kind: steps.OutcomeStarted, Detail: "add-all run " + run, Run: run})
				r.save(w)
				rep, stopped, err := r.runAddAll(ctx, run, plan)
				if rep != nil {
					r.printf("%d added, %d already a member, %d failed.\n",
						rep.Count(addall.OutcomeAdded), rep.Count(addall.OutcomeAlready), rep.Count(addall.OutcomeFailed))
					for _, res := range rep.Results {
						if res.Outcome == addall.OutcomeFailed {
							r.printf("  failed: %s (%d): %s\n", res.Name, res.ID, res.Reason)
						}
					}
				}
				switch {
				case stopped: // the walk saves as it leaves
					r.printf("The run stopped at a safe point; every project Procore confirmed is journaled.\n")
					return false, errRunStopped
				case err != nil:
					r.printf("The run stopped; what it confirmed is journaled. ")
					r.problem(err)
				case rep.OK():
					w.Record(st.ID, app.AddAllOutcome(run, plan, rep))
					return true, nil
				}
			}
		}
		ans, err := r.ask("Try again (t), or do it by hand in Procore (h)? ")
		if err != nil {
			return false, err
		}
		if strings.HasPrefix(strings.TrimSpace(ans), "h") {
			return false, nil
		}
	}
}

func (r *Runner) verify(ctx context.Context, w *steps.Walker) (bool, error) {
	for {
		r.printf("Checking the credential with Procore...\n")
		facts, err := r.Verify.Verify(ctx, app.UsingWalk(w))
		if err == nil {
			for _, f := range facts {
				r.printf("  ok  %s\n", f)
			}
			w.Record(w.Current().ID, app.VerifyOutcome(facts))
			return true, nil
		}
		r.printf("The check failed. ")
		r.problem(err)
		ans, err := r.ask("Try again (t), or check by hand in Procore (h)? ")
		if err != nil {
			return false, err
		}
		if strings.HasPrefix(strings.TrimSpace(ans), "h") {
			return false, nil
		}
	}
}

func yes(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	return s == "y" || s == "yes"
}

func (r *Runner) form(w *steps.Walker, st *steps.Step) error {
	for _, f := range st.Fields {
		// What the full screen shows beside the field, said first: the
		// hint, the help, and for a choice its numbered options.
		if h := fieldHint(f, w.Session.Values); h != "" {
			r.printf("%s: %s.\n", f.Label, h)
		}
		if f.Help != "" {
			r.printf("  %s\n", strings.TrimSpace(f.Help))
		}
		if f.Type == steps.FieldChoice {
			for i, o := range f.Options {
				r.printf("  %d. %s\n", i+1, o)
			}
		}
		for {
			prompt := "Type the " + f.Label
			if f.Type == steps.FieldChoice {
				prompt = fmt.Sprintf("Choose the %s: type its number (1 to %d)", f.Label, len(f.Options))
			}
			if f.Required {
				prompt += " (required)"
			} else {
				prompt += " (optional)"
			}
			if v := w.Value(f.ID); v != "" {
				prompt += "; enter keeps " + v
			}
			ans, err := r.ask(prompt + ": ")
			if err != nil {
				return err
			}
			ans = strings.TrimSpace(ans)
			if ans == "" {
				ans = w.Value(f.ID)
			}
			if f.Type == steps.FieldChoice {
				if n, err := strconv.Atoi(ans); err == nil && n >= 1 && n <= len(f.Options) {
					ans = f.Options[n-1]
				}
			}
			if err := f.Validate(ans, w.Session.Values); err != nil {
				r.printf("  %s: %v\n", f.Label, err)
				continue
			}
			w.SetValue(f.ID, ans)
			break
		}
	}
	return nil
}

// fieldHint says what a field expects, beyond its label, as the full
// screen says it beside the field.
func fieldHint(f steps.Field, values map[string]string) string {
	switch f.Type {
	case steps.FieldEmail:
		switch d := strings.TrimSpace(values[f.DomainFrom]); {
		case f.Domain != "":
			return "an address on " + f.Domain
		case f.DomainFrom != "" && d != "":
			return "an address on " + strings.TrimPrefix(d, "@")
		case f.DomainFrom != "":
			return "an address on your company's domain"
		}
		return "an email address"
	case steps.FieldNumber:
		return "digits only"
	}
	if p := strings.TrimSpace(f.Placeholder); p != "" {
		return "for example " + strings.TrimPrefix(p, "e.g. ")
	}
	return ""
}

func (r *Runner) matrix(w *steps.Walker, st *steps.Step) error {
	m := st.Matrix
	for i, row := range m.Rows {
		for j, col := range m.Columns {
			for !w.Cell(i, j) {
				ans, err := r.ask(fmt.Sprintf("  Is %s ticked for %s in Procore? Type y once it is, or n: ", col, row))
				if err != nil {
					return err
				}
				if yes(ans) {
					w.ToggleCell(i, j)
				} else if !m.RequireAll {
					break
				}
			}
		}
	}
	return nil
}

// password reads a password without echo on a terminal. The engine keeps
// only the fact that it was accepted. When credentials are kept, a password
// the wizard generated, or one accepted for a user-login account, goes
// through the same gate as a one-time secret: saved and read back before
// the walk goes on, or discarded by typing discard. It is never printed.
func (r *Runner) password(ctx context.Context, w *steps.Walker, st *steps.Step) error {
	p := w.Guide.Policy()
	if st.For != "" {
		r.printf("Password for %s\n", st.For)
	}
	r.printf("Rules:\n")
	for _, rule := range p.Check("") {
		r.printf("  - %s\n", rule.Text)
	}
	if r.Custody != nil {
		r.printf("Type g to generate one. It is not shown: it goes to %s, where you can copy it from.\n", r.Custody.Where())
	}
	for {
		pw, err := r.secret("Password: ")
		if err != nil {
			return err
		}
		generated := false
		if pw == "g" && r.Custody != nil {
			gen, err := p.Generate(rand.Reader, 0)
			if err != nil {
				return fmt.Errorf("generate a password: %w", err)
			}
			if err := w.AcceptPassword(gen, gen); err != nil {
				return err
			}
			pw, generated = gen, true
			r.printf("A password that meets every rule was generated; it is not shown here.\n")
		} else {
			unmet := 0
			for _, rule := range p.Check(pw) {
				if !rule.Met {
					r.printf("  not met: %s\n", rule.Text)
					unmet++
				}
			}
			if unmet > 0 {
				continue
			}
			confirm := pw
			if p.Confirm {
				if confirm, err = r.secret("Confirm:  "); err != nil {
					return err
				}
			}
			if err := w.AcceptPassword(pw, confirm); err != nil {
				r.printf("  %v\n", err)
				continue
			}
			r.printf("  All rules met.\n")
		}
		if r.Custody == nil || (!generated && w.Guide.AccountModel != steps.UserLogin) {
			return nil
		}
		lost := heldPassword
		if generated {
			lost = heldGenerated
		}
		o, err := r.keep(ctx, userLogin(w, r.Custody, pw), lost)
		if err == nil {
			w.Record(w.Current().ID, o)
		}
		switch {
		case errors.Is(err, errDiscarded):
			r.printf("The password was discarded; choose another.\n")
		case err != nil:
			return err
		default:
			if generated {
				r.offerClipboard(pw)
				r.printf("Copy it from there into Procore's Password box.\n")
			}
			return nil
		}
	}
}

// offerClipboard offers, as the full screen's ctrl+y does, to send a
// generated password to the terminal's clipboard (OSC 52): only on a
// terminal, never on a shared screen, and never printed.
func (r *Runner) offerClipboard(pw string) {
	f, ok := r.Out.(*os.File)
	if r.Presenter || !ok || !term.IsTerminal(int(f.Fd())) {
		return
	}
	ans, err := r.ask("Type c to send it to the terminal's clipboard (OSC 52; not every terminal supports it), or press enter to skip: ")
	if err != nil || strings.ToLower(strings.TrimSpace(ans)) != "c" {
		return
	}
	r.printf("%s", ansi.SetSystemClipboard(pw))
	r.printf("Sent to the clipboard, if the terminal takes it. Paste it into Procore, then clear your clipboard.\n")
}

// userLogin is the user login a password belongs to: the guide's field
// with the account_email role.
func userLogin(w *steps.Walker, c app.Keeper, pw string) credstore.Credential {
	login := w.RoleValue(steps.RoleAccountEmail)
	return credstore.Credential{Version: 1, Kind: credstore.KindUserLogin, Environment: c.Environment(),
		Login: login, Password: secret.New(pw), Guide: w.Guide.ID, CreatedAt: time.Now().UTC()}
}

// secret reads a line without echo when the input is a terminal; b and q
// mean back and quit. The text is never printed, nor its length.
func (r *Runner) secret(prompt string) (string, error) {
	if r.lines == nil {
		r.lines = bufio.NewReader(r.In)
	}
	if f, ok := r.In.(*os.File); ok && r.pending == nil && term.IsTerminal(int(f.Fd())) {
		r.printf("%s", prompt)
		b, err := r.readHidden(int(f.Fd()))
		r.printf("\n")
		if errors.Is(err, ErrEnded) || (r.ctx != nil && err != nil && errors.Is(err, r.ctx.Err())) {
			return "", err
		}
		if errors.Is(err, io.EOF) {
			return "", ErrQuit // ctrl+d: the terminal can still be asked
		}
		if err != nil {
			return "", fmt.Errorf("read a password: %w", err)
		}
		s := string(b)
		switch strings.TrimSpace(s) {
		case "q":
			return "", ErrQuit
		case "b":
			return "", errBack
		}
		return s, nil
	}
	return r.ask(prompt)
}

// readHidden reads a line without echo from the terminal fd. An end (and,
// while nothing is held, an interrupt) stops the wait: the terminal gets its
// echo back, and the read left behind ends with the process.
func (r *Runner) readHidden(fd int) ([]byte, error) {
	state, err := term.GetState(fd)
	if err != nil {
		return nil, err
	}
	ch := make(chan readResult, 1)
	go func() {
		b, err := term.ReadPassword(fd)
		ch <- readResult{string(b), err}
	}()
	var done <-chan struct{}
	if r.ctx != nil && r.held == nil {
		done = r.ctx.Done()
	}
	select {
	case res := <-ch:
		return []byte(res.line), res.err
	case <-done:
		_ = term.Restore(fd, state)
		return nil, r.ctx.Err()
	case <-r.End:
		_ = term.Restore(fd, state)
		return nil, r.ended()
	}
}

// Pick asks which guide to walk.
func (r *Runner) Pick(guides []*steps.Guide) (*steps.Guide, error) {
	if len(guides) == 0 {
		return nil, errors.New("no guides are available")
	}
	if r.lines == nil {
		r.lines = bufio.NewReader(r.In)
	}
	r.printf("Which setup are you doing?\n")
	for i, g := range guides {
		mine := ""
		if steps.IsYours(g) {
			mine = " (" + steps.Origin(g) + ")"
		}
		r.printf("  %d. %s (%s): %s%s\n", i+1, g.ID, g.AccountModel, g.Title, mine)
	}
	for {
		ans, err := r.ask(fmt.Sprintf("Which guide? Type its number (1 to %d) or its id: ", len(guides)))
		if err != nil {
			if errors.Is(err, errBack) {
				continue
			}
			return nil, err
		}
		ans = strings.TrimSpace(ans)
		if n, err := strconv.Atoi(ans); err == nil && n >= 1 && n <= len(guides) {
			return guides[n-1], nil
		}
		for _, g := range guides {
			if g.ID == ans {
				return g, nil
			}
		}
		r.printf("  %q is not one of the guides above.\n", ans)
	}
}
