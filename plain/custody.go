package plain

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/explain"
	"github.com/procore-sa/procore-sa/steps"
)

// errDiscarded means the person typed discard at the keeping menu: the
// held secret is gone and the step starts over.
var errDiscarded = errors.New("discarded")

// What leaving would lose, said before the discard question.
const (
	secretLost   = "Procore shows this secret only once. If you leave now it is lost and you will have to generate a new one."
	passwordLost = "The password is not saved anywhere yet. If you leave now it is lost, and you will have to set a new one in Procore."
)

// held is a credential the walk holds and has not yet kept: what to call
// it should the walk be ended before it is kept, and the warning said
// before a discard.
type held struct{ what, warn string }

var (
	heldSecret    = held{app.UnkeptClientSecret, secretLost}
	heldPassword  = held{app.UnkeptPassword, passwordLost}
	heldGenerated = held{app.UnkeptGeneratedPassword, passwordLost}
)

// capture draws the capture protocol (app.Capture) at a line prompt: the
// client ID, the one-time client secret and the company ID, checked by the
// protocol's rules as they are typed, proved when asked, and the walk goes
// on only once they are saved and read back (or written to an age file).
// Leaving first needs the typed discard.
func (r *Runner) capture(ctx context.Context, w *steps.Walker) (bool, error) {
	k := r.Custody
	r.printf("The secret is never shown. It goes to %s and is read back before you can go on.\n", k.Where())
	cp := app.NewCapture(w.Guide.ID, k.Environment())
	defer r.releaseHolds()
	var in app.CaptureInput
	for {
		var job app.Job
		var err error
		job, in, err = r.captureFields(ctx, cp, in)
		if err != nil {
			return false, err
		}
		switch err := r.settle(ctx, cp, job, heldSecret); {
		case errors.Is(err, errDiscarded):
			in = app.CaptureInput{}
			r.releaseHolds()
			r.printf("The secret was discarded. Enter the credentials again, or b or q to leave this step.\n")
		case errors.Is(err, errRefused):
			if explain.Of(cp.Err).Safe() {
				r.printf("The secret you typed is still here and was not judged. Press enter at each question to keep what was typed and try again, or answer n to save them without checking.\n")
			} else {
				r.printf("Correct them below (enter keeps what was typed), or answer n to save them without checking.\n")
			}
		case err != nil:
			return false, err
		default:
			w.Record(w.Current().ID, cp.Outcome())
			if cp.Exported == "" {
				return true, r.offerHandover(ctx, cp.Saved.Profile) // handover.go
			}
			return true, nil
		}
	}
}

// errRefused: Procore refused what was typed; the fields are asked again.
var errRefused = errors.New("refused")

// captureFields asks for the three fields, each checked by the protocol's
// rule as it is typed (enter keeps what was typed before), and whether to
// prove them; it returns the protocol's job. Once the secret is typed, b
// and q lead to the discard question.
func (r *Runner) captureFields(ctx context.Context, cp *app.Capture, in app.CaptureInput) (app.Job, app.CaptureInput, error) {
	demo, offerDemo := r.Custody.DemoCredential()
	if offerDemo && in.ClientSecret == "" {
		r.printf("Demo: type demo at Client ID to use the simulator's own app (the secret stays hidden).\n")
	}
	holding := in.ClientSecret != ""
	ask := func(prompt string, hide bool) (string, error) {
		if !holding {
			if hide {
				return r.secret(prompt)
			}
			return r.ask(prompt)
		}
		return r.askKeeping(ctx, prompt, heldSecret, hide)
	}
	holdNow := func() {
		if !holding {
			holding = true
			// From here the secret is held: an interrupt does not drop it.
			stop := r.hold(ctx, heldSecret)
			r.release = append(r.release, stop)
		}
	}
	for {
		prompt := "Client ID: "
		if in.ClientID != "" {
			prompt = "Client ID [" + in.ClientID + "]: "
		}
		id, err := ask(prompt, false)
		if err != nil {
			return nil, in, err
		}
		if id = strings.TrimSpace(id); id == "" {
			id = in.ClientID
		}
		if offerDemo && id == "demo" {
			holdNow()
			r.printf("  Using the simulator's app: client ID %s, company ID %d; the secret is filled in, not shown.\n", demo.ClientID, demo.CompanyID)
			in = app.CaptureInput{ClientID: demo.ClientID, ClientSecret: demo.ClientSecret.Reveal(), CompanyID: strconv.FormatInt(demo.CompanyID, 10)}
			return r.askProve(ctx, cp, in)
		}
		if err := app.CheckClientID(id); err != nil {
			r.printf("  Client ID: %v\n", err)
			continue
		}
		in.ClientID = id
		break
	}
	for {
		prompt := "Client secret (not shown): "
		if in.ClientSecret != "" {
			prompt = "Client secret (not shown; enter keeps the one typed): "
		}
		sec, err := ask(prompt, true)
		if err != nil {
			return nil, in, err
		}
		if sec = strings.TrimSpace(sec); sec == "" && in.ClientSecret != "" {
			break
		}
		if err := app.CheckClientSecret(sec); err != nil {
			r.printf("  Client secret: %v\n", err)
			continue
		}
		holdNow()
		in.ClientSecret = sec
		break
	}
	for {
		prompt := "Company ID: "
		if in.CompanyID != "" {
			prompt = "Company ID [" + in.CompanyID + "]: "
		}
		ans, err := ask(prompt, false)
		if err != nil {
			return nil, in, err
		}
		if ans = strings.TrimSpace(ans); ans == "" && in.CompanyID != "" {
			break
		}
		if _, err := app.ParseCompanyID(ans); err != nil {
			r.printf("  Company ID: %v\n", err)
			continue
		}
		in.CompanyID = ans
		break
	}
	return r.askProve(ctx, cp, in)
}

// askProve asks whether to check the credentials with Procore first, and
// hands what was typed to the protocol.
func (r *Runner) askProve(ctx context.Context, cp *app.Capture, in app.CaptureInput) (app.Job, app.CaptureInput, error) {
	ans, err := r.askKeeping(ctx, "Check them with Procore before saving? [Y/n] ", heldSecret, false)
	if err != nil {
		return nil, in, err
	}
	cp.Prove = !strings.HasPrefix(strings.ToLower(strings.TrimSpace(ans)), "n")
	job, ok := cp.Submit(in)
	if !ok {
		for _, msg := range cp.Errs {
			r.printf("  %s\n", msg)
		}
		return nil, in, errors.New("the credentials were not accepted") // each field was checked as typed: not reached
	}
	return job, in, nil
}

// keep keeps a credential the walk holds (a user login's password) with
// the capture protocol's gate: saved and read back, or on failure tried
// again, written to an age file, or discarded by typing discard.
func (r *Runner) keep(ctx context.Context, cred credstore.Credential, lost held) (steps.Outcome, error) {
	cp, job := app.KeepHeld(cred)
	if err := r.settle(ctx, cp, job, lost); err != nil {
		return steps.Outcome{}, err
	}
	return cp.Outcome(), nil
}

// Keep keeps a credential procore-sa holds (a sign-in Procore just
// issued) with the capture protocol's gate, at line prompts, for a
// command outside a walk: what describes it is named should the person
// leave before it is kept.
// It returns the capture, which says where the credential went.
func (r *Runner) Keep(ctx context.Context, cred credstore.Credential, what, warn string) (*app.Capture, error) {
	if r.Now == nil {
		r.Now = time.Now
	}
	if r.lines == nil {
		r.lines = bufio.NewReader(r.In)
	}
	r.ctx = ctx
	defer func() { r.ctx = nil }()
	cp, job := app.KeepHeld(cred)
	if err := r.settle(ctx, cp, job, held{what, warn}); err != nil {
		return nil, err
	}
	return cp, nil
}

// settle runs the protocol's job and then whatever the person chooses,
// until the credential is kept (nil), discarded (errDiscarded), refused by
// Procore (errRefused), or the walk is left. An interrupt does not drop
// the held secret.
func (r *Runner) settle(ctx context.Context, cp *app.Capture, job app.Job, lost held) error {
	stop := r.hold(ctx, lost)
	defer stop()
	for {
		r.runJob(ctx, cp, job)
		if r.isEnded() {
			return r.ended()
		}
		switch cp.Phase {
		case app.CaptureSaved:
			if cp.Exported != "" {
				r.printf("Written to %s, encrypted with your passphrase; decrypt it with: age -d %s\n", cp.Exported, cp.Exported)
				r.printf("The keychain holds nothing: keep the file and the passphrase apart.\n")
				return nil
			}
			r.printf("Saved as profile %s in %s and read back.\n", cp.Saved.Profile, r.Custody.Where())
			if note := cp.Saved.Note(); note != "" {
				r.printf("Note: %s.\n", note)
			}
			return nil
		case app.CaptureEditing:
			r.problem(cp.Err)
			return errRefused
		case app.CaptureExporting:
			r.printf("The file could not be written: ")
			r.problem(cp.Err)
			cp.CancelExport()
		case app.CaptureFailed:
			r.problem(cp.Err)
		}
		r.printf("It is held here, unsaved, and never written in plain text.\n")
		var err error
		if job, err = r.afterFailure(ctx, cp, lost); err != nil || job == nil {
			return err
		}
	}
}

// afterFailure asks what to do about a save that failed: try the keychain
// again, write an age file, or discard. It returns the next job.
func (r *Runner) afterFailure(ctx context.Context, cp *app.Capture, lost held) (app.Job, error) {
	for {
		ans, err := r.askKeeping(ctx, "Try the keychain again (t), write a file encrypted with a passphrase (a), or type discard to leave it: ", lost, false)
		if err != nil {
			return nil, err
		}
		switch strings.ToLower(strings.TrimSpace(ans)) {
		case "t", "":
			job, _ := cp.Retry()
			return job, nil
		case "a":
			cp.AskExport()
			job, err := r.exportAge(ctx, cp, lost)
			if err != nil || job != nil {
				return job, err
			}
			cp.CancelExport()
		case "discard":
			cp.AskLeave("", app.LeaveBack)
			if _, err := cp.Discard("discard"); err != nil {
				return nil, err
			}
			return nil, errDiscarded
		default:
			r.printf("  Answer t, a or discard.\n")
		}
	}
}

// runJob runs a job of the protocol in place, saying what it does.
func (r *Runner) runJob(ctx context.Context, cp *app.Capture, job app.Job) {
	opCtx, cancel := r.untilEnd(ctx, app.SaveTimeout)
	defer cancel()
	said := map[string]bool{}
	var mu sync.Mutex
	res := job(opCtx, r.Custody, func(what string) {
		mu.Lock()
		defer mu.Unlock()
		if !said[what] {
			said[what] = true
			r.printf("%s\n", what)
		}
	})
	cp.Done(res)
}

// exportAge asks for a passphrase twice and a path, checked by the
// protocol's rules, and returns the job that writes the age file.
func (r *Runner) exportAge(ctx context.Context, cp *app.Capture, lost held) (app.Job, error) {
	for {
		p, err := r.askKeeping(ctx, fmt.Sprintf("Passphrase (at least %d characters, not shown): ", app.MinPassphrase), lost, true)
		if err != nil {
			return nil, err
		}
		if err := app.CheckPassphrase(p, p); err != nil {
			r.printf("  %s.\n", sentenceCase(err.Error()))
			continue
		}
		again, err := r.askKeeping(ctx, "Again (not shown): ", lost, true)
		if err != nil {
			return nil, err
		}
		if err := app.CheckPassphrase(p, again); err != nil {
			r.printf("  %s.\n", sentenceCase(err.Error()))
			continue
		}
		def := r.Custody.DefaultExportPath()
		path, err := r.askKeeping(ctx, "File ["+def+"]: ", lost, false)
		if err != nil {
			return nil, err
		}
		if path = strings.TrimSpace(path); path == "" {
			path = def
		}
		job, err := cp.Export(p, again, path)
		if err != nil {
			r.printf("  %s.\n", sentenceCase(err.Error()))
			continue
		}
		return job, nil
	}
}

// sentenceCase starts s with a capital letter.
func sentenceCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// releaseHolds ends the holds a capture's fields began.
func (r *Runner) releaseHolds() {
	for i := len(r.release) - 1; i >= 0; i-- {
		r.release[i]()
	}
	r.release = nil
}

// askKeeping asks while a secret is held and not yet kept (hidden when
// hide is set): b, q and the end of the input lead to the discard question
// instead of away. It returns errBack or ErrQuit only after a typed
// discard, and an error when the input ends with the secret unkept.
func (r *Runner) askKeeping(ctx context.Context, prompt string, lost held, hide bool) (string, error) {
	before := r.held
	r.held = &lost
	defer func() { r.held = before }()
	for {
		var ans string
		var err error
		if hide {
			ans, err = r.secret(prompt)
		} else {
			ans, err = r.ask(prompt)
		}
		if err == nil {
			return ans, nil
		}
		if !errors.Is(err, errBack) && !errors.Is(err, ErrQuit) {
			return "", err
		}
		if errors.Is(err, errClosed) {
			return "", errUnkept
		}
		r.printf("%s\n", lost.warn)
		conf, cerr := r.ask("Type discard and press enter to leave without it, or just press enter to keep it: ")
		switch {
		case errors.Is(cerr, errClosed):
			return "", errUnkept
		case cerr == nil && strings.TrimSpace(conf) == "discard":
			return "", err
		}
		r.printf("Kept for now.\n")
	}
}

// errUnkept ends the walk when the input closes while a secret is held:
// nobody can be asked, and nothing was written anywhere.
var errUnkept = errors.New("the input ended before the secret was kept: it was not saved anywhere")

// hold marks a secret as held until the returned stop is called: reads
// ignore an interrupt, and an interrupt says that the secret must be kept
// or discarded first.
func (r *Runner) hold(ctx context.Context, lost held) (stop func()) {
	before := r.held
	r.held = &lost
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		select {
		case <-ctx.Done():
			// An end is not an interrupt: nobody is there to answer.
			if !r.toldInterrupt && !r.isEnded() {
				r.toldInterrupt = true
				r.printf("\nInterrupted. %s Finish keeping it, or type discard at the next question to leave without it. A second interrupt leaves without it.\n", lost.warn)
			}
		case <-quit:
		}
	}()
	return func() {
		close(quit)
		<-done
		r.held = before
	}
}
