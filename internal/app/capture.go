package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/steps"
)

// CapturePhase is where a capture stands.
type CapturePhase int

const (
	// CaptureEditing: the person is typing the client ID, secret and
	// company ID (or, for a credential the wizard already holds, nothing).
	CaptureEditing CapturePhase = iota
	// CaptureWorking: proving and saving; the front-end runs the Job.
	CaptureWorking
	// CaptureSaved: in the keychain (or an age file) and read back.
	CaptureSaved
	// CaptureFailed: the keychain refused; retry, export, or discard.
	CaptureFailed
	// CaptureExporting: asking for a passphrase and a file.
	CaptureExporting
	// CaptureDiscarding: asking the person to type "discard".
	CaptureDiscarding
)

// CaptureField names a field of the capture form.
type CaptureField int

const (
	FieldClientID CaptureField = iota
	FieldClientSecret
	FieldCompanyID
)

// CaptureInput is what the person typed.
type CaptureInput struct {
	ClientID, ClientSecret, CompanyID string
}

// Leave is what leaving the step leads to, once the discard is confirmed.
type Leave int

const (
	LeaveBack Leave = iota // to the previous step
	LeaveQuit              // out of the wizard
)

// Capture is the protocol of taking a one-time credential (or a user
// login's password) into safe keeping, written once for both wizards: a
// pure state machine. A front-end feeds it what the person typed and the
// results of the Jobs it hands out, and draws its Phase; it never decides
// a rule itself. The credential it holds is dropped once kept or
// discarded.
type Capture struct {
	Phase CapturePhase
	// Errs are the fields the person must correct, with what is wrong.
	Errs map[CaptureField]string
	// Err is what went wrong last: Procore's refusal (back to Editing),
	// the keychain's (Failed) or the age file's (Exporting).
	Err error
	// Saved says where the credential went, once Phase is Saved and it
	// went to the keychain; Exported is the age file when it went there.
	Saved    credstore.Saved
	Exported string

	// Prove asks for a client-credentials token before saving.
	Prove bool

	guide, env string
	held       *credstore.Credential // from Submit until kept or discarded
	preset     bool                  // held came from the wizard, not typed here
	before     CapturePhase          // the phase a discard question returns to
	leave      Leave
}

// NewCapture starts a capture of a client ID, secret and company ID for
// guide, in environment env.
func NewCapture(guide, env string) *Capture {
	return &Capture{Prove: true, guide: guide, env: env}
}

// KeepHeld starts keeping a credential the wizard already holds (a user
// login's password it generated or accepted): no form, the same gate.
func KeepHeld(c credstore.Credential) (*Capture, Job) {
	cp := &Capture{guide: c.Guide, env: c.Environment, held: &c, preset: true}
	return cp, cp.start()
}

// Hold holds a credential the wizard made (a generated password not yet
// accepted), without keeping it yet: leaving asks for the typed discard.
func Hold(c credstore.Credential) *Capture {
	return &Capture{guide: c.Guide, env: c.Environment, held: &c, preset: true}
}

// Holding reports whether leaving now would lose a credential the person
// cannot get back: typed (or given) and not yet kept.
func (c *Capture) Holding(typedSecret string) bool {
	if c.Phase == CaptureSaved {
		return false
	}
	return c.held != nil || strings.TrimSpace(typedSecret) != ""
}

// Check validates what was typed and returns the credential it makes. The
// rules are the same for both front-ends: one word for the ID and the
// secret (white space around them dropped), digits only for the company.
func (c *Capture) Check(in CaptureInput) (credstore.Credential, map[CaptureField]string) {
	errs := map[CaptureField]string{}
	id := strings.TrimSpace(in.ClientID)
	typed := strings.TrimSpace(in.ClientSecret)
	if err := CheckClientID(id); err != nil {
		errs[FieldClientID] = err.Error()
	}
	if err := CheckClientSecret(typed); err != nil {
		errs[FieldClientSecret] = err.Error()
	}
	cid, err := ParseCompanyID(in.CompanyID)
	if err != nil {
		errs[FieldCompanyID] = err.Error()
	}
	return credstore.Credential{
		Version: credstore.CredentialVersion, Kind: credstore.KindClientCredentials, Environment: c.env,
		CompanyID: cid, ClientID: id, ClientSecret: secret.New(typed), Guide: c.guide,
	}, errs
}

// CheckClientID says what is wrong with a client ID (white space around
// it already dropped): one word.
func CheckClientID(id string) error {
	if id == "" || strings.ContainsAny(id, " \t\r\n") {
		return errors.New("paste the client ID from Procore (one word, no spaces)")
	}
	return nil
}

// CheckClientSecret says what is wrong with a client secret, never
// repeating it: one word.
func CheckClientSecret(s string) error {
	if s == "" || strings.ContainsAny(s, " \t\r\n") {
		return errors.New("paste the client secret Procore shows once (one word, no spaces)")
	}
	return nil
}

// ParseCompanyID reads a company ID: digits only (no sign, no spaces
// inside), a positive number, as Procore's addresses show it.
func ParseCompanyID(s string) (int64, error) {
	const msg = "digits only: the number in Procore's address after /companies/"
	s = strings.TrimSpace(s)
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, errors.New(msg)
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, errors.New(msg)
	}
	return id, nil
}

// MinPassphrase is the fewest characters (not bytes) an age file's
// passphrase may have.
const MinPassphrase = credstore.MinPassphrase

// CheckPassphrase says what is wrong with a passphrase and its repetition.
func CheckPassphrase(pass, again string) error {
	switch {
	case utf8.RuneCountInString(pass) < MinPassphrase:
		return fmt.Errorf("choose a passphrase of at least %d characters", MinPassphrase)
	case pass != again:
		return errors.New("the two passphrases differ; type them again")
	}
	return nil
}

// Submit checks what was typed and, when it is right, holds the credential
// and returns the Job that proves (if asked) and saves it.
func (c *Capture) Submit(in CaptureInput) (Job, bool) {
	if c.Phase != CaptureEditing {
		return nil, false
	}
	cred, errs := c.Check(in)
	c.Errs = errs
	if len(errs) > 0 {
		return nil, false
	}
	cred.CreatedAt = time.Now().UTC()
	c.held = &cred
	return c.start(), true
}

// Fill holds a credential given whole (the demo's simulator app) and
// returns its Job, as Submit does.
func (c *Capture) Fill(cred credstore.Credential) Job {
	cred.Guide, cred.Environment = c.guide, c.env
	if cred.CreatedAt.IsZero() {
		cred.CreatedAt = time.Now().UTC()
	}
	c.held, c.Errs = &cred, nil
	return c.start()
}

func (c *Capture) start() Job {
	c.Phase, c.Err = CaptureWorking, nil
	cred, prove := *c.held, c.Prove && !c.preset
	return func(ctx context.Context, k Keeper, say func(string)) CaptureResult {
		if prove {
			say("Checking the credentials with Procore…")
			if err := k.Prove(ctx, cred); err != nil {
				return CaptureResult{ProveErr: err}
			}
			if err := ctx.Err(); err != nil {
				return CaptureResult{ProveErr: err}
			}
			say("Procore accepted them.")
		}
		say("Saving to " + k.Where() + "…")
		sctx, cancel := saveContext(ctx, say)
		defer cancel()
		saved, err := k.Save(sctx, cred)
		return CaptureResult{Saved: saved, SaveErr: err}
	}
}

// SaveTimeout bounds a save, which may wait for the person to unlock the
// keychain.
const SaveTimeout = 3 * time.Minute

// saveContext is the context of a save: once begun it is seen through
// (an interrupt does not drop a secret half-way into the keychain), within
// SaveTimeout, and a keychain slow to answer is named as such.
func saveContext(ctx context.Context, say func(string)) (context.Context, context.CancelFunc) {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), SaveTimeout)
	return credstore.NoticeSlow(sctx, func() { say(credstore.KeychainWait) }), cancel
}

// Job is work a capture asks for: it may wait on the keychain or Procore,
// so a full screen runs it as a command and a line prompt in place. ctx
// bounds the check with Procore (a stop ends it); say tells the person
// what it is doing or waiting for, and may be called from another
// goroutine.
type Job func(ctx context.Context, k Keeper, say func(string)) CaptureResult

// CaptureResult is what a Job found.
type CaptureResult struct {
	ProveErr, SaveErr error
	Saved             credstore.Saved
	Exported          string // the age file written, for an export
	ExportErr         error
}

// Done takes a Job's result.
func (c *Capture) Done(r CaptureResult) {
	switch {
	case r.ProveErr != nil:
		// Procore's answer is about what was typed: correct it.
		c.Phase, c.Err = CaptureEditing, r.ProveErr
		if c.preset {
			c.Phase = CaptureFailed
		} else {
			c.held = nil
		}
	case r.ExportErr != nil:
		c.Phase, c.Err = CaptureExporting, r.ExportErr
	case r.SaveErr != nil:
		c.Phase, c.Err = CaptureFailed, r.SaveErr
	default:
		c.Phase, c.Err, c.Saved, c.Exported = CaptureSaved, nil, r.Saved, r.Exported
		c.held = nil // nothing of the secret stays once it is kept
	}
}

// Retry tries the keychain again after a failure.
func (c *Capture) Retry() (Job, bool) {
	if c.Phase != CaptureFailed || c.held == nil {
		return nil, false
	}
	c.Prove = false // it was proved already, or the person chose not to
	return c.start(), true
}

// AskExport moves a failed save to the age-file question.
func (c *Capture) AskExport() bool {
	if c.Phase != CaptureFailed || c.held == nil {
		return false
	}
	c.Phase, c.Err = CaptureExporting, nil
	return true
}

// CancelExport goes back to the failure.
func (c *Capture) CancelExport() {
	if c.Phase == CaptureExporting {
		c.Phase = CaptureFailed
	}
}

// Export checks the passphrase and the file, and returns the Job that
// writes the age file.
func (c *Capture) Export(pass, again, path string) (Job, error) {
	if c.Phase != CaptureExporting || c.held == nil {
		return nil, errors.New("there is nothing to export")
	}
	if err := CheckPassphrase(pass, again); err != nil {
		return nil, err
	}
	path = strings.TrimSpace(path)
	if path == "" {
		return nil, errors.New("name the file to write")
	}
	cred, passphrase := *c.held, secret.New(pass)
	c.Err = nil
	return func(ctx context.Context, k Keeper, say func(string)) CaptureResult {
		say("Encrypting to " + path + "…")
		sctx, cancel := saveContext(ctx, say)
		defer cancel()
		if err := k.Export(sctx, path, passphrase, cred); err != nil {
			return CaptureResult{ExportErr: err}
		}
		return CaptureResult{Exported: path}
	}, nil
}

// AskLeave is what leaving the step (back, or quitting) does: with nothing
// held it leaves; with a credential held it asks for the typed discard.
func (c *Capture) AskLeave(typedSecret string, to Leave) (leaveNow bool) {
	if !c.Holding(typedSecret) {
		return true
	}
	if c.Phase != CaptureDiscarding {
		c.before = c.Phase
	}
	c.Phase, c.leave = CaptureDiscarding, to
	return false
}

// ErrNotDiscard is what anything but the word discard gets.
var ErrNotDiscard = errors.New(`type the word discard to leave without it, or go back to keep it`)

// Discard takes the typed confirmation. On "discard" the held credential
// is dropped and the capture starts over; it says where leaving goes.
func (c *Capture) Discard(typed string) (Leave, error) {
	if c.Phase != CaptureDiscarding {
		return 0, errors.New("nothing is waiting to be discarded")
	}
	if strings.TrimSpace(typed) != "discard" {
		return 0, ErrNotDiscard
	}
	to := c.leave
	*c = Capture{Prove: true, guide: c.guide, env: c.env}
	return to, nil
}

// StayHolding closes the discard question and keeps the credential.
func (c *Capture) StayHolding() {
	if c.Phase == CaptureDiscarding {
		c.Phase = c.before
	}
}

// Preset reports whether the capture keeps a credential the wizard gave it
// (a password), rather than one typed into its form.
func (c *Capture) Preset() bool { return c.preset }

// Outcome is the step's outcome once saved: where the credential went, for
// the transcript and for the later steps that use it.
func (c *Capture) Outcome() steps.Outcome {
	if c.Exported != "" {
		return steps.Outcome{Kind: steps.OutcomeDone, Detail: "written to the age file " + c.Exported + " (not the keychain)"}
	}
	detail := "saved to profile " + c.Saved.Profile + " and read back"
	if note := c.Saved.Note(); note != "" {
		detail += "; " + note
	}
	return steps.Outcome{Kind: steps.OutcomeDone, Detail: detail, Profile: c.Saved.Profile}
}
