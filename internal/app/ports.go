// Package app is the application layer between the front-ends (the full
// screen, the plain line mode, the commands) and Procore: the ports they
// call, declared once, and each protocol written once (a capture, a
// sign-in, add-all, a verification, resuming and finishing a walk). It
// holds no terminal code: a front-end draws what a protocol says and runs
// the work it hands out.
package app

import (
	"context"
	"maps"
	"time"

	"github.com/procore-sa/procore-sa/internal/addall"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/steps"
)

// Sessions keeps a walk between runs and writes the transcript of a
// finished one. *state.Store satisfies it.
type Sessions interface {
	LoadSession(guideID string) (*steps.Session, error)
	SaveSession(s *steps.Session) error
	DeleteSession(guideID string) error
	WriteTranscript(g *steps.Guide, s *steps.Session, now time.Time) (string, error)
}

// Keeper takes a one-time credential (or a user login's password) into
// safe keeping. Its methods may wait on the keychain or the network: a full
// screen calls them from commands, never inside Update.
type Keeper interface {
	// Prove gets a client-credentials token with the credential.
	Prove(ctx context.Context, c credstore.Credential) error
	// Save writes the credential to the keychain and reads it back, by the
	// one rule of credstore.Store.Save (never over another credential),
	// and says where it went.
	Save(ctx context.Context, c credstore.Credential) (credstore.Saved, error)
	// Export writes it to a passphrase-encrypted age file (0600).
	Export(ctx context.Context, path string, passphrase secret.Value, c credstore.Credential) error
	// Where says where Save keeps credentials ("the keychain (Secret
	// Service), service procore-sa").
	Where() string
	// DefaultExportPath is offered when the keychain fails.
	DefaultExportPath() string
	// Environment is the environment a credential captured now belongs to.
	Environment() string
	// DemoCredential is, under --demo, the simulator's own app, for the
	// capture step to fill in; false outside the demo. It does no I/O.
	DemoCredential() (credstore.Credential, bool)
}

// SignIn is the admin's own sign-in: authorization code, out of band,
// through an app of the admin's own (a Developer Portal app with the
// out-of-band redirect).
type SignIn interface {
	// HasApp reports whether the app to sign in through is known (from
	// PROCORE_CLIENT_ID and PROCORE_CLIENT_SECRET, or the demo's); when
	// not, the person gives one to Start. It does no I/O.
	HasApp() bool
	// Start returns the sign-in page's address, through withApp when
	// given; Code is set when the sign-in was approved without a browser
	// (the demo's simulator).
	Start(ctx context.Context, withApp *AdminApp) (Started, error)
	// Finish trades the pasted code for tokens and says who signed in;
	// the sign-in it hands back is kept like any one-time credential
	// (Capture, through the Keeper).
	Finish(ctx context.Context, code string) (SignedIn, error)
}

// AdminApp is the app an admin signs in through. Its secret is kept with
// the sign-in (credstore's admin_oauth), never alone in plain text.
type AdminApp struct {
	ClientID     string
	ClientSecret secret.Value
}

// Started is a sign-in under way.
type Started struct {
	URL  string
	Code string
}

// SignedIn is a finished sign-in, to be kept: Cred (an admin_oauth
// credential) holds the refresh token and the app's secret.
type SignedIn struct {
	Who  string // "morgan.reyes@example.com (user 14100001)"
	Cred credstore.Credential
}

// SignInOutcome is the sign-in step's outcome once the sign-in was kept
// (kept is the keeping's outcome).
func SignInOutcome(who string, kept steps.Outcome) steps.Outcome {
	kept.Detail = "signed in as " + who + "; " + kept.Detail
	return kept
}

// Using is what a step's work takes from the walk so far: the profiles the
// walk's own steps kept credentials in, and the values the person typed,
// by role. The walk's session is the record, so nothing is read from state
// a front-end changed on the side.
type Using struct {
	Guide *steps.Guide
	// Integration is the profile a capture kept the integration's
	// credential in ("" when none was captured in this walk).
	Integration string
	// Admin is the profile the admin's sign-in was kept in ("" when the
	// walk had no sign-in).
	Admin  string
	Values map[steps.Role]string
	// UserID is the account's directory user: the latest outcome that
	// found or made it (0 when none did).
	UserID int64
	// Answers are the walk's field values by field id, for the steps an
	// answer makes not apply (an audit leaves their checks out); nil
	// outside a walk: every check applies.
	Answers map[string]string
	// Projects are the projects the person chose, for an action or a
	// check of "the chosen projects" (nil: none chosen yet).
	Projects []int64
	// Events, when not nil, hears what the clients say while they work
	// (a rate-limit wait, a retry, a slow answer), so a screen can say
	// why a step takes long. It may be called from other goroutines.
	Events func(procore.Event)
	// ChooseHow, when set, says how to name the chosen projects where none
	// were chosen ("name them with --projects ID,ID"): outside a walk there
	// is nobody to offer a list to.
	ChooseHow string
}

// UsingWalk is what the walk gives a step's work.
func UsingWalk(w *steps.Walker) Using {
	u := Using{Guide: w.Guide, Values: w.RoleValues()}
	if o, ok := w.Latest(steps.KindCredential); ok {
		u.Integration = o.Profile
	}
	if o, ok := w.Latest(steps.KindAdminLogin); ok {
		u.Admin = o.Profile
	}
	if o, ok := w.Latest(steps.KindPassword); ok && u.Integration == "" {
		u.Integration = o.Profile
	}
	u.UserID = latestUser(w)
	u.Answers = maps.Clone(w.Session.Values)
	u.Projects = chosenProjects(w)
	return u
}

// latestUser is the user of the latest outcome, up to the current step,
// that the tool did and that names one.
func latestUser(w *steps.Walker) int64 {
	for i := min(w.Session.Step, len(w.Guide.Steps)-1); i >= 0; i-- {
		if o, ok := w.Session.Outcomes[w.Guide.Steps[i].ID]; ok && o.Kind == steps.OutcomeDone && o.UserID != 0 {
			return o.UserID
		}
	}
	return 0
}

// AddAller adds the walk's account to every project.
type AddAller interface {
	// Plan reads what is to be done and says for whom.
	Plan(ctx context.Context, u Using) (*addall.Plan, string, error)
	// Run carries the plan out, sending progress to emit, with run (from
	// addall.NewRunID) as the name of its journal, so that a run stopped
	// early can be resumed by that name.
	Run(ctx context.Context, run string, plan *addall.Plan, emit func(addall.Event)) (*addall.Report, error)
}

// Verifier proves the walk's integration credential with its own token and
// says what it found, one fact a line.
type Verifier interface {
	Verify(ctx context.Context, u Using) ([]string, error)
}

// Automator does a step's action through Procore's API.
type Automator interface {
	// Plan reads Procore and says what Do would change, as whom; it changes nothing.
	Plan(ctx context.Context, a steps.Action, u Using) (ActionPlan, error)
	// Do carries the plan out with the admin's sign-in, reads Procore back and returns the outcome
	// (Kind done, Detail in words, UserID when a user was made or found).
	Do(ctx context.Context, a steps.Action, p ActionPlan, u Using) (steps.Outcome, error)
}

// ProjectLister lists the projects a person can choose from, for a step's
// "chosen projects", with the admin's sign-in.
type ProjectLister interface {
	// ActiveProjects are the company's active projects, sorted as a person
	// looks for one (SortProjects), their text made printable.
	ActiveProjects(ctx context.Context, u Using) ([]Project, error)
}

// Checker reads Procore to prove steps' end states.
type Checker interface {
	// Check reads Procore for the given checks of one step.
	Check(ctx context.Context, checks []steps.Check, u Using) ([]Requirement, error)
	// Audit runs every check of the guide: the `check` command and the guide's audit step.
	Audit(ctx context.Context, g *steps.Guide, u Using) ([]Requirement, error)
}

// ActionPlan is what an action would change, read from Procore.
type ActionPlan struct {
	Action  string
	As      string   // who acts: "morgan.reyes@example.com (user 14100001)"
	Changes []string // one line per change, in words
	Nothing bool     // Procore already holds the end state; Do records it without changing anything
	Ask     string   // a choice only the person can make (e.g. no project template known); Do refuses until answered
	// ChooseProjects: Ask is the choice of projects (the step's chosen
	// projects, none chosen yet), which a front-end offers a list for
	// (ProjectLister, then ChooseProjects and a new plan).
	ChooseProjects bool
}

// Requirement is one check's result, as Procore holds it now.
type Requirement struct {
	ID      string // stable: "<step id>/<check name>"
	Step    string // step id
	Text    string // "Account user exists in the directory"
	OK      bool
	Unknown bool   // could not be read (say why in State)
	State   string // what Procore says now
	Fix     string // how to fix it, in Procore's words
}

// Services are the ports a wizard walks a guide with. A nil one leaves its
// steps to be done by hand.
type Services struct {
	Sessions Sessions
	Keeper   Keeper
	SignIn   SignIn
	AddAll   AddAller
	Verify   Verifier
	Automate Automator
	Check    Checker
	Projects ProjectLister
}

// What a wizard held and had not yet kept, named on stderr when it was
// ended from outside (a signal) before the person could keep or discard it.
const (
	UnkeptClientSecret      = "the client secret you typed"
	UnkeptPassword          = "the password you chose"
	UnkeptGeneratedPassword = "the password procore-sa generated"
	UnkeptSignIn            = "the sign-in Procore just issued (its refresh token)"
)
