package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/handover"
	"github.com/procore-sa/procore-sa/procore"
)

// HandoverPlan is a handover about to be written: what goes to whom, and
// whether the person must be asked first.
type HandoverPlan struct {
	Profile    string
	Cred       credstore.Credential
	Env        procore.Environment
	Recipients []handover.Recipient
	// New are the recipients this profile was never handed to.
	New []handover.Recipient
	// Out is the file to write.
	Out string
}

// Production reports whether the credential belongs to the production
// environment.
func (p *HandoverPlan) Production() bool {
	return p.Cred.Environment == procore.Production.Name || (p.Cred.Environment == "" && p.Env.Name == procore.Production.Name)
}

// NeedsConfirm reports whether the person must be warned, and asked in a
// terminal, before the file is written: a production credential going to
// a recipient it was never handed to.
func (p *HandoverPlan) NeedsConfirm() bool { return p.Production() && len(p.New) > 0 }

// Warning is what the person is told before a handover that NeedsConfirm.
func (p *HandoverPlan) Warning() string {
	names := make([]string, len(p.New))
	for i, r := range p.New {
		names[i] = r.Describe()
	}
	return fmt.Sprintf("profile %q holds a production credential, and it was never handed to %s before. Whoever holds the matching private key can act in your company's Procore as this integration: check the fingerprint with the vendor (by phone or another channel than the one that brought the key).",
		p.Profile, strings.Join(names, ", "))
}

// HandoverResult is a handover written.
type HandoverResult struct {
	Path       string
	Recipients []handover.Recipient
	Armored    bool
	// Kind is the kind of credential handed over.
	Kind credstore.Kind
}

// Send says what to send the vendor and how they read it, one line each:
// never the secret.
func (r HandoverResult) Send() []string {
	fps := make([]string, len(r.Recipients))
	for i, rc := range r.Recipients {
		fps[i] = rc.Fingerprint
	}
	holds := "PROCORE_CLIENT_ID, PROCORE_CLIENT_SECRET, PROCORE_COMPANY_ID"
	if r.Kind == credstore.KindUserLogin {
		holds = "PROCORE_LOGIN, PROCORE_PASSWORD, PROCORE_COMPANY_ID"
	}
	lines := []string{
		"Send the vendor the file " + r.Path + ": by email, a ticket or a file share. It is encrypted: only the private key of " + strings.Join(fps, ", ") + " opens it.",
		"They read it with: age -d -i THEIR_PRIVATE_KEY " + filepath.Base(r.Path) + " (it holds " + holds + " and the hosts, as KEY=value lines).",
		"Send no password or secret beside it, and delete your copy once they have it.",
	}
	if r.Armored {
		lines[0] = "Paste the text of " + r.Path + " into the ticket or email (it is ASCII armor, encrypted): only the private key of " + strings.Join(fps, ", ") + " opens it."
	}
	return lines
}

// DefaultHandoverPath is where a handover goes unless the person says
// otherwise: the home directory, named for the profile and the time.
func (a *App) DefaultHandoverPath(profile string, armored bool) string {
	home, err := os.UserHomeDir()
	if err != nil {
		home = "."
	}
	ext := ".age"
	if armored {
		ext = ".age.txt"
	}
	return filepath.Join(home, fmt.Sprintf("procore-sa-%s-handover-%s%s", profile, a.cfg.Now().Format("20060102-150405"), ext))
}

// PlanHandover reads profile's credential and the recipients it was handed
// to before. It writes nothing.
func (a *App) PlanHandover(ctx context.Context, profile string, recips []handover.Recipient, out string, armored bool) (*HandoverPlan, error) {
	if err := credstore.ValidateProfile(profile); err != nil {
		return nil, Usage(err)
	}
	if len(recips) == 0 {
		return nil, Usage(errors.New("give the vendor's public key with --to KEY (age1..., ssh-ed25519 ..., ssh-rsa ...) or a file of them with --to-file FILE"))
	}
	store, _ := a.Credentials(ctx)
	ctx = credstore.NoticeSlow(credstore.Interactive(ctx), a.sayOnce(credstore.KeychainWait))
	cred, err := store.Load(ctx, profile, true)
	if err != nil {
		return nil, err
	}
	if err := (handover.Payload{Cred: cred}).Check(); err != nil {
		return nil, fmt.Errorf("profile %q: %w", profile, err)
	}
	env, err := a.EnvironmentFor(cred, profile)
	if err != nil {
		return nil, err
	}
	p := &HandoverPlan{Profile: profile, Cred: cred, Env: env, Recipients: recips, Out: out}
	if p.Out == "" {
		p.Out = a.DefaultHandoverPath(profile, armored)
	}
	st, err := a.State()
	if err != nil {
		return nil, err
	}
	fresh, err := handover.Seen{State: st}.New(profile, handover.Fingerprints(recips))
	if err != nil {
		return nil, err
	}
	for _, r := range recips {
		for _, fp := range fresh {
			if r.Fingerprint == fp {
				p.New = append(p.New, r)
			}
		}
	}
	return p, nil
}

// WriteHandover writes the plan's file, remembers its recipients for the
// profile (fingerprints only) and records an audit line naming the
// profile, the recipients' fingerprints and the file; never the secret.
func (a *App) WriteHandover(_ context.Context, p *HandoverPlan, armored bool) (HandoverResult, error) {
	plain, err := handover.NewPayload(p.Profile, p.Cred, p.Env, a.cfg.Now()).Encode()
	if err != nil {
		return HandoverResult{}, fmt.Errorf("profile %q: %w", p.Profile, err)
	}
	err = handover.Write(p.Out, p.Recipients, armored, plain)
	clear(plain)
	if err != nil {
		return HandoverResult{}, err
	}
	fps := handover.Fingerprints(p.Recipients)
	if st, err := a.State(); err == nil {
		if err := (handover.Seen{State: st}).Add(p.Profile, fps); err != nil {
			a.warn("the recipients could not be remembered for the next handover (" + err.Error() + ")")
		}
	}
	a.Audit("handover", p.Profile, fmt.Sprintf("%s encrypted to %s in %s", p.Cred.Kind, strings.Join(fps, ", "), p.Out))
	return HandoverResult{Path: p.Out, Recipients: p.Recipients, Armored: armored, Kind: p.Cred.Kind}, nil
}

// HandsOver is a Keeper that can also hand what it kept to a vendor: the
// wizard's capture step offers it once the secret is kept.
type HandsOver interface {
	Handover() Handoverer
}

// Handoverer plans and writes handovers.
type Handoverer interface {
	PlanHandover(ctx context.Context, profile string, recips []handover.Recipient, out string, armored bool) (*HandoverPlan, error)
	WriteHandover(ctx context.Context, p *HandoverPlan, armored bool) (HandoverResult, error)
}

// Handover is the app itself as the wizard's handoverer.
func (k *keeper) Handover() Handoverer { return k.a }

// OfferPhase is where the wizard's offer to hand a kept credential over
// stands.
type OfferPhase int

const (
	// OfferAsking: the person may paste the vendor's public key, or skip.
	OfferAsking OfferPhase = iota
	// OfferWorking: reading the profile and the recipients seen before.
	OfferWorking
	// OfferConfirming: the key's fingerprint is shown (with the production
	// warning when one is due); write, or go back.
	OfferConfirming
	// OfferWriting: the file is being written.
	OfferWriting
	// OfferWritten: the file is written; Result says where and what to send.
	OfferWritten
)

// HandoverOffer is the protocol of the capture step's "hand it over to the
// vendor", written once for both wizards: paste the vendor's public key,
// see its fingerprint, write the file, see where it is and what to send.
// A front-end feeds it what was typed and the results of its jobs.
type HandoverOffer struct {
	Phase OfferPhase
	// Err is what went wrong last: the key (Asking) or the file.
	Err       error
	Recipient handover.Recipient
	Plan      *HandoverPlan
	Result    HandoverResult

	profile string
}

// NewHandoverOffer offers to hand over what profile holds.
func NewHandoverOffer(profile string) *HandoverOffer { return &HandoverOffer{profile: profile} }

// Profile is the profile offered.
func (o *HandoverOffer) Profile() string { return o.profile }

// OfferJob is work an offer asks for; a full screen runs it as a command.
type OfferJob func(ctx context.Context, h Handoverer) OfferResult

// OfferResult is what an OfferJob found.
type OfferResult struct {
	Plan   *HandoverPlan
	Result HandoverResult
	Err    error
}

// Paste reads the pasted key and returns the job that plans the handover.
func (o *HandoverOffer) Paste(key string) (OfferJob, error) {
	if o.Phase != OfferAsking {
		return nil, errors.New("a key was already given")
	}
	r, err := handover.ParseRecipient(key)
	if err != nil {
		o.Err = err
		return nil, err
	}
	o.Recipient, o.Err, o.Phase = r, nil, OfferWorking
	profile := o.profile
	return func(ctx context.Context, h Handoverer) OfferResult {
		p, err := h.PlanHandover(ctx, profile, []handover.Recipient{r}, "", false)
		return OfferResult{Plan: p, Err: err}
	}, nil
}

// Write returns the job that writes the file, once the fingerprint was
// seen (and the warning, when one is due, answered yes).
func (o *HandoverOffer) Write() (OfferJob, bool) {
	if o.Phase != OfferConfirming || o.Plan == nil {
		return nil, false
	}
	o.Phase = OfferWriting
	p := o.Plan
	return func(ctx context.Context, h Handoverer) OfferResult {
		res, err := h.WriteHandover(ctx, p, false)
		return OfferResult{Plan: p, Result: res, Err: err}
	}, true
}

// Back returns to pasting a key.
func (o *HandoverOffer) Back() {
	if o.Phase == OfferConfirming {
		*o = HandoverOffer{profile: o.profile}
	}
}

// Done takes a job's result.
func (o *HandoverOffer) Done(r OfferResult) {
	switch {
	case r.Err != nil && o.Phase == OfferWriting:
		o.Phase, o.Err = OfferConfirming, r.Err
	case r.Err != nil:
		o.Phase, o.Err, o.Plan = OfferAsking, r.Err, nil
	case o.Phase == OfferWorking:
		o.Phase, o.Err, o.Plan = OfferConfirming, nil, r.Plan
	case o.Phase == OfferWriting:
		o.Phase, o.Err, o.Result = OfferWritten, nil, r.Result
	}
}
