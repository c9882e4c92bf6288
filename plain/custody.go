package plain

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/steps"
)

// Custody is the keeper of capture steps, the same for both wizards.
type Custody = credstore.Custodian

// custodyTimeout bounds a save, which may wait for the person to unlock
// the keychain.
const custodyTimeout = 3 * time.Minute

// minPassphrase is the shortest passphrase an age file is written with.
const minPassphrase = 12

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
	heldSecret    = held{credstore.UnkeptClientSecret, secretLost}
	heldPassword  = held{credstore.UnkeptPassword, passwordLost}
	heldGenerated = held{credstore.UnkeptGeneratedPassword, passwordLost}
)

// capture takes the client ID, the one-time client secret and the company
// ID, optionally proves them, and goes on only once they are saved and read
// back (or written to an age file). Leaving first needs the typed discard.
func (r *Runner) capture(ctx context.Context, w *steps.Walker) (bool, error) {
	c := r.Custody
	r.printf("The secret is never shown. It goes to %s and is read back before you can go on.\n", c.Where())
	for {
		cred, err := r.captureFields(ctx, w)
		if err != nil {
			return false, err
		}
		switch err := r.keep(ctx, cred, heldSecret); {
		case errors.Is(err, errDiscarded):
			r.printf("The secret was discarded. Enter the credentials again, or b or q to leave this step.\n")
		case err != nil:
			return false, err
		default:
			w.TickAll()
			return true, nil
		}
	}
}

// captureFields asks for the three fields and whether to prove them, and
// proves them when asked. Once the secret is typed, b and q lead to the
// discard question.
func (r *Runner) captureFields(ctx context.Context, w *steps.Walker) (credstore.Credential, error) {
	c := r.Custody
	cred := credstore.Credential{Version: 1, Kind: credstore.KindClientCredentials, Environment: c.Environment(), Guide: w.Guide.ID}
	var held secret.Value
	demo, offerDemo := c.DemoCredential()
	if offerDemo {
		r.printf("Demo: type demo at Client ID to use the simulator's own app (the secret stays hidden).\n")
	}
	for {
		// demoFilled: the answer demo filled in all three fields.
		demoFilled := false
		// The client ID: nothing secret is held yet unless this is a retry.
		for {
			prompt := "Client ID: "
			if cred.ClientID != "" {
				prompt = "Client ID [" + cred.ClientID + "]: "
			}
			var id string
			var err error
			if held.IsZero() {
				id, err = r.ask(prompt)
			} else {
				id, err = r.askKeeping(ctx, prompt, heldSecret, false)
			}
			if err != nil {
				return cred, err
			}
			if id = strings.TrimSpace(id); id == "" {
				id = cred.ClientID
			}
			if offerDemo && id == "demo" {
				if held.IsZero() {
					// From here the secret is held: an interrupt does not drop it.
					defer r.hold(ctx, heldSecret)()
				}
				cred.ClientID, cred.CompanyID, held = demo.ClientID, demo.CompanyID, demo.ClientSecret
				demoFilled = true
				r.printf("  Using the simulator's app: client ID %s, company ID %d; the secret is filled in, not shown.\n", cred.ClientID, cred.CompanyID)
				break
			}
			if id == "" || strings.ContainsAny(id, " \t") {
				r.printf("  Client ID: paste the client ID from Procore (one word, no spaces)\n")
				continue
			}
			cred.ClientID = id
			break
		}
		for !demoFilled {
			prompt := "Client secret (not shown): "
			if !held.IsZero() {
				prompt = "Client secret (not shown; enter keeps the one typed): "
			}
			var s string
			var err error
			if held.IsZero() {
				s, err = r.secret(prompt)
			} else {
				s, err = r.askKeeping(ctx, prompt, heldSecret, true)
			}
			if err != nil {
				return cred, err
			}
			if s = strings.TrimSpace(s); s == "" && !held.IsZero() {
				break
			}
			if s == "" || strings.ContainsAny(s, " \t\r\n") {
				r.printf("  Client secret: paste the client secret Procore shows once (one word, no spaces)\n")
				continue
			}
			if held.IsZero() {
				// From here the secret is held: an interrupt does not drop it.
				defer r.hold(ctx, heldSecret)()
			}
			held = secret.New(s)
			break
		}
		cred.ClientSecret = held
		for !demoFilled {
			prompt := "Company ID: "
			if cred.CompanyID > 0 {
				prompt = "Company ID [" + strconv.FormatInt(cred.CompanyID, 10) + "]: "
			}
			ans, err := r.askKeeping(ctx, prompt, heldSecret, false)
			if err != nil {
				return cred, err
			}
			if ans = strings.TrimSpace(ans); ans == "" && cred.CompanyID > 0 {
				break
			}
			id, err := strconv.ParseInt(ans, 10, 64)
			if err != nil || id <= 0 || strings.ContainsAny(ans, "+-") {
				r.printf("  Company ID: digits only: the number in Procore's address after /companies/\n")
				continue
			}
			cred.CompanyID = id
			break
		}
		ans, err := r.askKeeping(ctx, "Check them with Procore before saving? [Y/n] ", heldSecret, false)
		if err != nil {
			return cred, err
		}
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(ans)), "n") {
			return cred, nil
		}
		r.printf("Checking the credentials with Procore...\n")
		opCtx, cancel := r.untilEnd(ctx, custodyTimeout)
		err = c.Prove(opCtx, cred)
		cancel()
		if r.isEnded() {
			return cred, r.ended()
		}
		if err == nil {
			r.printf("  Procore accepted them.\n")
			return cred, nil
		}
		r.printf("Procore refused the credentials: %v\n", err)
		r.printf("Correct them below (enter keeps what was typed), or answer n to save them without checking.\n")
	}
}

// keep saves cred and reads it back, holding it until then: on a keychain
// failure it says why and offers to try again, to write an age file, or to
// discard it. It returns nil once kept, errDiscarded, or errBack or ErrQuit
// after a typed discard. An interrupt does not drop the held secret.
func (r *Runner) keep(ctx context.Context, cred credstore.Credential, lost held) error {
	c := r.Custody
	stop := r.hold(ctx, lost)
	defer stop()
	for {
		r.printf("Saving to %s...\n", c.Where())
		opCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), custodyTimeout)
		opCtx = credstore.NoticeSlow(opCtx, r.onceLine(credstore.KeychainWait))
		saved, err := c.Save(opCtx, cred)
		cancel()
		if err == nil {
			c.Use(saved.Profile)
			r.printf("Saved to %s and read back.\n", c.Where())
			if note := saved.Note(); note != "" {
				r.printf("Note: %s.\n", note)
			}
			return nil
		}
		r.printf("It could not be saved: %v\n", err)
		r.printf("It is held here, unsaved, and never written in plain text.\n")
		for retry := false; !retry; {
			ans, err := r.askKeeping(ctx, "Try the keychain again (t), write a file encrypted with a passphrase (a), or type discard to leave it: ", lost, false)
			if err != nil {
				return err
			}
			switch strings.ToLower(strings.TrimSpace(ans)) {
			case "t", "":
				retry = true
			case "a":
				path, err := r.exportAge(ctx, cred, lost)
				if err != nil {
					return err
				}
				if path != "" {
					r.printf("Written to %s, encrypted with your passphrase; decrypt it with: age -d %s\n", path, path)
					r.printf("The keychain holds nothing: keep the file and the passphrase apart.\n")
					return nil
				}
			case "discard":
				return errDiscarded
			default:
				r.printf("  Answer t, a or discard.\n")
			}
		}
	}
}

// onceLine is a notice that prints msg on a line of its own the first
// time it is called.
func (r *Runner) onceLine(msg string) func() {
	var once sync.Once
	return func() { once.Do(func() { r.printf("%s\n", msg) }) }
}

// exportAge asks for a passphrase twice and a path, and writes the age
// file; it returns the path, or "" when it was not written (said why).
func (r *Runner) exportAge(ctx context.Context, cred credstore.Credential, lost held) (string, error) {
	var pass string
	for {
		p, err := r.askKeeping(ctx, fmt.Sprintf("Passphrase (at least %d characters, not shown): ", minPassphrase), lost, true)
		if err != nil {
			return "", err
		}
		if len([]rune(p)) < minPassphrase {
			r.printf("  Choose a passphrase of at least %d characters.\n", minPassphrase)
			continue
		}
		again, err := r.askKeeping(ctx, "Again (not shown): ", lost, true)
		if err != nil {
			return "", err
		}
		if p != again {
			r.printf("  The two passphrases differ; type them again.\n")
			continue
		}
		pass = p
		break
	}
	def := r.Custody.DefaultExportPath()
	path, err := r.askKeeping(ctx, "File ["+def+"]: ", lost, false)
	if err != nil {
		return "", err
	}
	if path = strings.TrimSpace(path); path == "" {
		path = def
	}
	r.printf("Encrypting to %s...\n", path)
	opCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), custodyTimeout)
	defer cancel()
	if err := r.Custody.Export(opCtx, path, secret.New(pass), cred); err != nil {
		r.printf("The file could not be written: %v\n", err)
		return "", nil
	}
	return path, nil
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
