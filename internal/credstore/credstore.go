// Package credstore keeps credentials in the OS keychain (one JSON document
// per profile, read back after every write) and writes them to age files
// encrypted with a passphrase. It never falls back to a plain-text file.
package credstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/procore-sa/procore-sa/internal/secret"
)

// Kind is which way a credential signs in to Procore.
type Kind string

// The kinds of credential the keychain holds.
const (
	KindClientCredentials Kind = "client_credentials" // a Developer Managed Service Account
	KindUserLogin         Kind = "user_login"         // a dedicated user's login and password
	KindAdminOAuth        Kind = "admin_oauth"        // an admin's sign-in, kept as a refresh token
)

// CredentialVersion is the version of the stored document this code writes.
const CredentialVersion = 1

// Credential is one profile's entry in the keychain. Its secret fields are
// Secrets, so printing or marshalling a Credential shows masks; the store
// writes the real values through its own wire document.
type Credential struct {
	Version      int
	Kind         Kind
	Environment  string
	CompanyID    int64
	ClientID     string
	ClientSecret secret.Value
	Login        string
	Password     secret.Value
	RefreshToken secret.Value
	Guide        string
	CreatedAt    time.Time
}

// credentialWire is the stored document, the only place the secrets are
// revealed. The field order is the documented layout's.
type credentialWire struct {
	Version      int    `json:"version"`
	Kind         Kind   `json:"kind"`
	Environment  string `json:"environment,omitempty"`
	CompanyID    int64  `json:"company_id,omitempty"`
	ClientID     string `json:"client_id,omitempty"`
	ClientSecret string `json:"client_secret,omitempty"`
	Login        string `json:"login,omitempty"`
	Password     string `json:"password,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Guide        string `json:"guide,omitempty"`
	CreatedAt    string `json:"created_at,omitempty"`
}

// kindFields says which kind-specific fields each kind may hold and which it
// must; the shared fields (environment, company_id, guide, created_at) are
// allowed for all.
var kindFields = map[Kind]struct{ allowed, required []string }{
	KindClientCredentials: {[]string{"client_id", "client_secret"}, []string{"client_id", "client_secret"}},
	KindUserLogin:         {[]string{"login", "password"}, []string{"login", "password"}},
	KindAdminOAuth:        {[]string{"client_id", "client_secret", "refresh_token"}, []string{"refresh_token"}},
}

func (w *credentialWire) specific() map[string]string {
	return map[string]string{
		"client_id": w.ClientID, "client_secret": w.ClientSecret,
		"login": w.Login, "password": w.Password, "refresh_token": w.RefreshToken,
	}
}

// check rejects a document with a field of another kind or without one its
// kind needs. Rejecting (rather than dropping) a stray field means nothing a
// person typed disappears without a word.
func (w *credentialWire) check() error {
	if w.Version != CredentialVersion {
		return fmt.Errorf("version %d is not %d (written by another version of procore-sa?)", w.Version, CredentialVersion)
	}
	kf, ok := kindFields[w.Kind]
	if !ok {
		return fmt.Errorf("kind %q is not one of client_credentials, user_login, admin_oauth", w.Kind)
	}
	for name, v := range w.specific() {
		if v == "" {
			continue
		}
		if !slices.Contains(kf.allowed, name) {
			return fmt.Errorf("a %s credential has no %s", w.Kind, name)
		}
	}
	for _, name := range kf.required {
		if w.specific()[name] == "" {
			return fmt.Errorf("a %s credential needs a %s", w.Kind, name)
		}
	}
	return nil
}

func (c Credential) wire() credentialWire {
	w := credentialWire{
		Version: c.Version, Kind: c.Kind, Environment: c.Environment, CompanyID: c.CompanyID,
		ClientID: c.ClientID, ClientSecret: c.ClientSecret.Reveal(),
		Login: c.Login, Password: c.Password.Reveal(), RefreshToken: c.RefreshToken.Reveal(),
		Guide: c.Guide,
	}
	if !c.CreatedAt.IsZero() {
		w.CreatedAt = c.CreatedAt.UTC().Format(time.RFC3339Nano)
	}
	return w
}

func (w credentialWire) credential() (Credential, error) {
	c := Credential{
		Version: w.Version, Kind: w.Kind, Environment: w.Environment, CompanyID: w.CompanyID,
		ClientID: w.ClientID, Login: w.Login, Guide: w.Guide,
	}
	// Zero Secrets for absent fields, so IsZero and == behave as expected.
	if w.ClientSecret != "" {
		c.ClientSecret = secret.New(w.ClientSecret)
	}
	if w.Password != "" {
		c.Password = secret.New(w.Password)
	}
	if w.RefreshToken != "" {
		c.RefreshToken = secret.New(w.RefreshToken)
	}
	if w.CreatedAt != "" {
		t, err := time.Parse(time.RFC3339Nano, w.CreatedAt)
		if err != nil {
			return Credential{}, errors.New("created_at is not an RFC 3339 time")
		}
		c.CreatedAt = t
	}
	return c, nil
}

// encodeCredential is the stored document for c.
func encodeCredential(c Credential) (string, error) {
	w := c.wire()
	if err := w.check(); err != nil {
		return "", err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // secrets with & < > stay readable to secret-tool
	if err := enc.Encode(w); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// decodeCredential reads a stored document. Its errors never quote the
// document: it holds secrets.
func decodeCredential(s string) (Credential, error) {
	var w credentialWire
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return Credential{}, errors.New("it is not a procore-sa credential document")
	}
	if err := w.check(); err != nil {
		return Credential{}, err
	}
	return w.credential()
}

// Keyring is what the store needs of an OS keychain: go-keyring's calls.
// Tests put a fake here.
type Keyring interface {
	Get(service, account string) (string, error)
	Set(service, account, value string) error
	Delete(service, account string) error
}

// osKeyring is go-keyring behind a platform check (on Linux: is there a
// session bus at all, so that godbus never runs dbus-launch).
type osKeyring struct{}

func (osKeyring) Get(service, account string) (string, error) {
	if err := checkSessionBus(); err != nil {
		return "", err
	}
	return keyring.Get(service, account)
}

func (osKeyring) Set(service, account, value string) error {
	if err := checkSessionBus(); err != nil {
		return err
	}
	return keyring.Set(service, account, value)
}

func (osKeyring) Delete(service, account string) error {
	if err := checkSessionBus(); err != nil {
		return err
	}
	return keyring.Delete(service, account)
}

// Default timeouts. Nobody typing: a keychain that answers answers in
// milliseconds. Someone may be typing an unlock password (a KWallet or
// login-keyring prompt): give them time (a 3 s wait is not enough).
const (
	DefaultTimeout            = 5 * time.Second
	DefaultInteractiveTimeout = 2 * time.Minute
)

// MaxValueBytes bounds a stored document on every system: Windows Credential
// Manager holds 2,560 bytes and macOS about 3,000 with the names, so a
// credential that saves on one machine saves on all.
const MaxValueBytes = 2500

// indexAccount is the entry that lists the profiles, since go-keyring cannot
// enumerate. Profile names start with a letter or digit, so no profile can
// collide with it.
const indexAccount = "_profiles"

// probeAccount is what Probe looks up; it is never written.
const probeAccount = "_probe"

// Store keeps credentials in the OS keychain, one entry per profile, under
// Service. It never falls back to a file.
type Store struct {
	Service string // "procore-sa", or "procore-sa-demo" under --demo

	Timeout            time.Duration // per call when nobody is typing; DefaultTimeout if zero
	InteractiveTimeout time.Duration // per call when a person may be unlocking; DefaultInteractiveTimeout if zero

	Keyring Keyring // the OS keychain through go-keyring; a fake in tests

	mu sync.Mutex // serialises the index's read-modify-write within a process
}

// NewStore is a store over the OS keychain.
func NewStore(service string) *Store {
	return &Store{Service: service, Keyring: osKeyring{}}
}

// Backend names the keychain for messages and doctor.
func (s *Store) Backend() string { return backendName }

type slowKey struct{}

// SlowAfter is how long a call to the keychain may go unanswered before
// the notice given with NoticeSlow is called.
const SlowAfter = time.Second

// KeychainWait is what a person is told once the keychain is slow: it is
// the keychain that is waited for, not Procore, and it may be asking for
// its unlock password in a window of its own.
const KeychainWait = "Waiting for the keychain (it may be asking for its unlock password)..."

// NoticeSlow gives ctx a notice that the store calls (in the goroutine
// that called it) each time a call to the keychain has gone unanswered for
// SlowAfter, so that a wait can say what it is waiting for.
func NoticeSlow(ctx context.Context, notice func()) context.Context {
	return context.WithValue(ctx, slowKey{}, notice)
}

type interactiveKey struct{}

// Interactive marks ctx as coming from a person at a terminal who may be
// asked to unlock the keychain, so Delete, Profiles and Probe (which take no
// interactive flag) wait InteractiveTimeout instead of Timeout.
func Interactive(ctx context.Context) context.Context {
	return context.WithValue(ctx, interactiveKey{}, true)
}

func isInteractive(ctx context.Context) bool {
	v, _ := ctx.Value(interactiveKey{}).(bool)
	return v
}

func (s *Store) timeout(interactive bool) time.Duration {
	if interactive {
		if s.InteractiveTimeout > 0 {
			return s.InteractiveTimeout
		}
		return DefaultInteractiveTimeout
	}
	if s.Timeout > 0 {
		return s.Timeout
	}
	return DefaultTimeout
}

func (s *Store) keyring() Keyring {
	if s.Keyring == nil {
		return osKeyring{}
	}
	return s.Keyring
}

// errTimedOut is the cause of a TimedOut error.
type errTimedOut struct{ after time.Duration }

func (e errTimedOut) Error() string {
	return fmt.Sprintf("the keychain did not answer within %s", e.after)
}

// errTooBig is the cause of a TooBig error found before calling the keychain.
type errTooBig struct{ n int }

func (e errTooBig) Error() string {
	return fmt.Sprintf("the entry is %d bytes, more than the %d a keychain entry can hold on every system", e.n, MaxValueBytes)
}

// errMismatch is what a read-back that differs from the write returns.
var errMismatch = errors.New("the keychain returned something other than what was just written")

// do runs f with a timeout. go-keyring has no context and blocks forever on
// a locked keyring whose unlock prompt nobody answers, so f runs in its own
// goroutine; on expiry that goroutine is left behind (it ends with the
// process) and the caller gets TimedOut with its data still in hand.
func (s *Store) do(ctx context.Context, interactive bool, f func() (string, error)) (string, error) {
	d := s.timeout(interactive)
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	type result struct {
		v   string
		err error
	}
	ch := make(chan result, 1) // buffered: an abandoned f can still send and exit
	go func() {
		v, err := f()
		ch <- result{v, err}
	}()
	// The notice runs here, in the caller's goroutine, so that what it
	// writes does not cross what the caller writes.
	var slow <-chan time.Time
	notice, _ := ctx.Value(slowKey{}).(func())
	if notice != nil {
		t := time.NewTimer(SlowAfter)
		defer t.Stop()
		slow = t.C
	}
	for {
		select {
		case r := <-ch:
			return r.v, r.err
		case <-slow:
			slow = nil
			notice()
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return "", errTimedOut{d}
			}
			return "", ctx.Err()
		}
	}
}

func (s *Store) get(ctx context.Context, interactive bool, account string) (string, error) {
	return s.do(ctx, interactive, func() (string, error) { return s.keyring().Get(s.Service, account) })
}

func (s *Store) set(ctx context.Context, interactive bool, account, value string) error {
	// Checked here so every system refuses the same sizes, before any call.
	if len(value) > MaxValueBytes {
		return errTooBig{len(value)}
	}
	_, err := s.do(ctx, interactive, func() (string, error) { return "", s.keyring().Set(s.Service, account, value) })
	return err
}

func (s *Store) del(ctx context.Context, interactive bool, account string) error {
	_, err := s.do(ctx, interactive, func() (string, error) { return "", s.keyring().Delete(s.Service, account) })
	return err
}

func (s *Store) fail(op, profile string, err error) error {
	return &StoreError{Op: op, Profile: profile, Class: classify(err), Err: err, Service: s.Service, Backend: s.Backend()}
}

// Placement says where a new credential may be saved: Profile, or, when
// Profile is not free for it, the first of Beside that is. A profile is free
// for a credential when it holds nothing, or holds the same credential (see
// Credential.SameAs). It is not free when it holds anything else, when its
// entry cannot be parsed (a newer version of procore-sa may have written
// it), or when the keychain does not give it back in time: a slow keychain
// never makes a profile look empty.
type Placement struct {
	Profile string
	// Beside are the names to try, in order, when Profile is not free;
	// none means Save fails (class Taken) rather than go elsewhere, for a
	// caller that asks the person first (see Place).
	Beside []string
}

// BesideNames are the names a credential goes to when the profile asked for
// holds another: first, then base-2 to base-99, leaving out any that are not
// valid profile names.
func BesideNames(base string, first ...string) []string {
	var names []string
	for _, n := range first {
		if ValidateProfile(n) == nil && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	for n := 2; n < 100; n++ {
		if p := fmt.Sprintf("%s-%d", base, n); ValidateProfile(p) == nil && !slices.Contains(names, p) {
			names = append(names, p)
		}
	}
	return names
}

// Saved says where Save put a credential, for the person to be told.
type Saved struct {
	Profile  string // where the credential is now
	Replaced bool   // it replaced an older entry of the same credential there
	// Beside is the profile asked for when the credential went elsewhere:
	// it holds something else (Holds says what), which is kept.
	Beside string
	Holds  string
}

// Note is what the person should be told beyond the profile's name: what
// was kept beside it, or what it replaced; "" when it went, new, where it
// was asked to.
func (s Saved) Note() string {
	switch {
	case s.Beside != "" && s.Replaced:
		return fmt.Sprintf("profile %s holds %s, which is kept; this one replaces the older entry of the same credential in profile %s", s.Beside, s.Holds, s.Profile)
	case s.Beside != "":
		return fmt.Sprintf("profile %s holds %s, which is kept; this one is saved beside it as profile %s", s.Beside, s.Holds, s.Profile)
	case s.Replaced:
		return fmt.Sprintf("it replaces the older entry of the same credential in profile %s", s.Profile)
	}
	return ""
}

// SameAs reports whether c and o are the same credential, so that c may
// replace o: the same kind in the same environment, for the same app
// (client ID) and the same login. A new secret of the same app, or a new
// refresh token of the same sign-in, is the same credential.
func (c Credential) SameAs(o Credential) bool {
	return c.Kind == o.Kind && c.Environment == o.Environment && c.ClientID == o.ClientID && c.Login == o.Login
}

// describe says what a profile holds, without a secret: for a message that
// it was kept.
func describe(c Credential) string {
	var who []string
	if c.ClientID != "" {
		who = append(who, "client ID "+c.ClientID)
	}
	if c.Login != "" {
		who = append(who, "login "+c.Login)
	}
	if c.Environment != "" {
		who = append(who, c.Environment)
	}
	article := "a"
	if c.Kind == KindAdminOAuth {
		article = "an"
	}
	d := fmt.Sprintf("%s %s credential", article, c.Kind)
	if len(who) > 0 {
		d += " (" + strings.Join(who, ", ") + ")"
	}
	return d
}

// maxCheckTimeouts is how many profiles may fail to come back in time
// before Save gives up: a keychain that answers none would otherwise be
// asked for every name beside the first.
const maxCheckTimeouts = 2

// Save writes c where pl allows (see Placement), reads it back, and says
// where it went; it succeeds only when the keychain gave back exactly what
// was written. A zero Version is written as CredentialVersion and a zero
// CreatedAt as now. Every writer of a credential goes through here, so one
// rule decides what may be replaced. On any error the caller still holds c:
// nothing here clears it, and nothing was replaced.
func (s *Store) Save(ctx context.Context, pl Placement, c Credential, interactive bool) (Saved, error) {
	if c.Version == 0 {
		c.Version = CredentialVersion
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = time.Now()
	}
	doc, err := s.document(pl, c)
	if err != nil {
		return Saved{}, withholding(err, c)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	saved, err := s.place(ctx, pl, c, interactive)
	if err != nil {
		return Saved{}, withholding(err, c)
	}
	if err := s.put(ctx, interactive, saved.Profile, doc); err != nil {
		return Saved{}, withholding(err, c)
	}
	return saved, nil
}

// Place says where Save would put c now, reading only: for a caller that
// asks the person before it saves (c needs only its kind, environment,
// client ID and login). Save checks again.
func (s *Store) Place(ctx context.Context, pl Placement, c Credential, interactive bool) (Saved, error) {
	for _, p := range append([]string{pl.Profile}, pl.Beside...) {
		if err := ValidateProfile(p); err != nil {
			return Saved{}, s.fail(OpSave, p, &errInvalid{err})
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.place(ctx, pl, c, interactive)
}

// document checks the names and encodes c.
func (s *Store) document(pl Placement, c Credential) (string, error) {
	for _, p := range append([]string{pl.Profile}, pl.Beside...) {
		if err := ValidateProfile(p); err != nil {
			return "", s.fail(OpSave, p, &errInvalid{err})
		}
	}
	if c.Version == 0 {
		c.Version = CredentialVersion
	}
	doc, err := encodeCredential(c)
	if err != nil {
		return "", s.fail(OpSave, pl.Profile, &errInvalid{fmt.Errorf("the credential is not complete: %w", err)})
	}
	if len(doc) > MaxValueBytes {
		return "", s.fail(OpSave, pl.Profile, errTooBig{len(doc)})
	}
	return doc, nil
}

// place finds the first profile of pl that is free for c. The caller holds
// s.mu, so that no other save of this process comes between the check and
// the write.
func (s *Store) place(ctx context.Context, pl Placement, c Credential, interactive bool) (Saved, error) {
	var saved Saved
	var timedOut error // the last check the keychain did not answer
	timeouts := 0
	for _, p := range append([]string{pl.Profile}, pl.Beside...) {
		old, err := s.Load(ctx, p, interactive)
		var holds string
		switch ClassOf(err) {
		case NotFound:
			saved.Profile = p
			return saved, nil
		case TimedOut:
			timedOut = s.fail(OpSave, p, &errCheckTimedOut{errors.Unwrap(err)})
			if timeouts++; timeouts == maxCheckTimeouts {
				return Saved{}, timedOut
			}
			holds = "an entry the keychain did not give back in time"
		default:
			switch {
			case err == nil && c.SameAs(old):
				saved.Profile, saved.Replaced = p, true
				return saved, nil
			case err == nil:
				holds = describe(old)
			case errors.As(err, new(*errBadEntry)):
				holds = "an entry this procore-sa cannot read (perhaps a newer version wrote it)"
			default:
				// Locked, unavailable, or another failure: what it holds
				// cannot be told, and a save would fail the same way.
				return Saved{}, s.fail(OpSave, p, errors.Unwrap(err))
			}
		}
		if saved.Beside == "" {
			saved.Beside, saved.Holds = p, holds
		}
	}
	if timedOut != nil {
		return Saved{}, timedOut
	}
	return Saved{}, s.fail(OpSave, pl.Profile, &errTaken{profile: pl.Profile, holds: saved.Holds, beside: len(pl.Beside)})
}

// errCheckTimedOut is a check of what a profile holds that the keychain
// did not answer in time: the profile is not taken to be empty.
type errCheckTimedOut struct{ err error }

func (e *errCheckTimedOut) Error() string {
	return e.err.Error() + " when asked what the profile holds, so nothing was saved or replaced"
}
func (e *errCheckTimedOut) Unwrap() error { return e.err }

// errTaken is a profile (and every name beside it) that holds something
// a save would replace.
type errTaken struct {
	profile, holds string
	beside         int
}

func (e *errTaken) Error() string {
	if e.beside > 0 {
		return fmt.Sprintf("profile %s holds %s, and so do the %d names tried beside it; saving would replace one", e.profile, e.holds, e.beside)
	}
	return fmt.Sprintf("profile %s holds %s, which saving would replace", e.profile, e.holds)
}

// put writes doc as profile's entry and reads it back. The caller holds s.mu.
func (s *Store) put(ctx context.Context, interactive bool, profile, doc string) error {
	// The name goes into the index first: a failure after that leaves a
	// listed name with no entry (Load says NotFound), never a saved secret
	// that `secret list` cannot show.
	added, err := s.addToIndex(ctx, interactive, profile)
	if err != nil {
		return s.fail(OpSave, profile, err)
	}
	if err := s.set(ctx, interactive, profile, doc); err != nil {
		s.undoIndex(ctx, added, profile, err)
		return s.fail(OpSave, profile, err)
	}
	back, err := s.get(ctx, interactive, profile)
	if err != nil {
		return s.fail(OpVerify, profile, err)
	}
	if back != doc {
		return s.fail(OpVerify, profile, errMismatch)
	}
	return nil
}

// undoIndex takes back a name Save just added, best effort: the error the
// caller sees is the one that stopped the save. After a timeout the write
// may still land, so the name stays: a listed name with no entry is the
// harmless side.
func (s *Store) undoIndex(ctx context.Context, added bool, profile string, cause error) {
	if added && classify(cause) != TimedOut {
		_ = s.removeFromIndex(ctx, false, profile)
	}
}

// Load reads profile's entry.
func (s *Store) Load(ctx context.Context, profile string, interactive bool) (Credential, error) {
	if err := ValidateProfile(profile); err != nil {
		return Credential{}, s.fail(OpLoad, profile, &errInvalid{err})
	}
	doc, err := s.get(ctx, interactive, profile)
	if err != nil {
		return Credential{}, s.fail(OpLoad, profile, err)
	}
	c, err := decodeCredential(doc)
	if err != nil {
		return Credential{}, s.fail(OpLoad, profile, &errBadEntry{err})
	}
	return c, nil
}

// errInvalid is a caller's mistake (a bad profile name, a credential
// missing a field); its text already says what to do.
type errInvalid struct{ err error }

func (e *errInvalid) Error() string { return e.err.Error() }
func (e *errInvalid) Unwrap() error { return e.err }

// errBadEntry is an entry that is there but cannot be read as a credential.
type errBadEntry struct{ err error }

func (e *errBadEntry) Error() string { return "the entry is damaged: " + e.err.Error() }
func (e *errBadEntry) Unwrap() error { return e.err }

// Delete removes profile's entry and its name from the index. A profile
// with no entry is NotFound, but its name still leaves the index.
func (s *Store) Delete(ctx context.Context, profile string) error {
	if err := ValidateProfile(profile); err != nil {
		return s.fail(OpDelete, profile, &errInvalid{err})
	}
	interactive := isInteractive(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	delErr := s.del(ctx, interactive, profile)
	if delErr != nil && classify(delErr) != NotFound {
		return s.fail(OpDelete, profile, delErr)
	}
	if err := s.removeFromIndex(ctx, interactive, profile); err != nil {
		return s.fail(OpUnlist, profile, err)
	}
	if delErr != nil {
		return s.fail(OpDelete, profile, delErr)
	}
	return nil
}

// Probe says whether the keychain can be used at all: it looks up an entry
// that is never written and expects NotFound.
func (s *Store) Probe(ctx context.Context) error {
	_, err := s.get(ctx, isInteractive(ctx), probeAccount)
	if err == nil || errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	return s.fail(OpProbe, "", err)
}

// Profiles lists the saved profile names, sorted. No index yet means none.
func (s *Store) Profiles(ctx context.Context) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	names, err := s.readIndex(ctx, isInteractive(ctx))
	if err != nil {
		return nil, s.fail(OpList, "", err)
	}
	return names, nil
}

// errBadIndex is an index entry that is not a JSON list of names.
var errBadIndex = errors.New("the list of profiles (entry _profiles) is damaged; delete it with `secret-tool clear` and save each profile again")

func (s *Store) readIndex(ctx context.Context, interactive bool) ([]string, error) {
	doc, err := s.get(ctx, interactive, indexAccount)
	if errors.Is(err, keyring.ErrNotFound) {
		return []string{}, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	if json.Unmarshal([]byte(doc), &names) != nil {
		return nil, errBadIndex
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}

func (s *Store) writeIndex(ctx context.Context, interactive bool, names []string) error {
	if len(names) == 0 {
		err := s.del(ctx, interactive, indexAccount)
		if errors.Is(err, keyring.ErrNotFound) {
			return nil
		}
		return err
	}
	b, err := json.Marshal(names)
	if err != nil {
		return err
	}
	return s.set(ctx, interactive, indexAccount, string(b))
}

// addToIndex adds profile, reporting whether it was not there before.
func (s *Store) addToIndex(ctx context.Context, interactive bool, profile string) (bool, error) {
	names, err := s.readIndex(ctx, interactive)
	if errors.Is(err, errBadIndex) {
		// A damaged list must not stop a secret from being saved; the
		// names it held are lost, the entries are not.
		names, err = nil, nil
	}
	if err != nil {
		return false, err
	}
	if slices.Contains(names, profile) {
		return false, nil
	}
	names = append(names, profile)
	slices.Sort(names)
	return true, s.writeIndex(ctx, interactive, names)
}

func (s *Store) removeFromIndex(ctx context.Context, interactive bool, profile string) error {
	names, err := s.readIndex(ctx, interactive)
	if err != nil {
		return err
	}
	if !slices.Contains(names, profile) {
		return nil
	}
	return s.writeIndex(ctx, interactive, slices.DeleteFunc(names, func(n string) bool { return n == profile }))
}

// ValidateProfile checks a profile name: 1 to 64 ASCII letters, digits,
// '-', '_' and '.', starting with a letter or digit (so that it never reads
// as a flag and never collides with the store's own "_profiles" entry).
func ValidateProfile(name string) error {
	if name == "" || len(name) > 64 {
		return fmt.Errorf("profile name %q: use 1 to 64 letters, digits, '-', '_' or '.'", name)
	}
	for i, r := range name {
		alnum := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if i == 0 && !alnum {
			return fmt.Errorf("profile name %q: start it with a letter or a digit", name)
		}
		if !alnum && r != '-' && r != '_' && r != '.' {
			return fmt.Errorf("profile name %q: use only letters, digits, '-', '_' or '.'", name)
		}
	}
	return nil
}

// ErrorClass sorts keychain failures by what the person can do about them.
type ErrorClass int

// The classes. Other is the zero value: an error nobody has sorted.
const (
	Other       ErrorClass = iota
	NotFound               // no entry for this profile (only go-keyring's ErrNotFound)
	Unavailable            // no keychain to talk to (no session bus, no Secret Service)
	Locked                 // the keychain is locked and could not be unlocked here
	TimedOut               // the keychain did not answer in time
	TooBig                 // the entry is larger than a keychain entry can hold
	Taken                  // the profile holds another credential, which a save would replace
)

func (c ErrorClass) String() string {
	switch c {
	case NotFound:
		return "NotFound"
	case Unavailable:
		return "Unavailable"
	case Locked:
		return "Locked"
	case TimedOut:
		return "TimedOut"
	case TooBig:
		return "TooBig"
	case Taken:
		return "Taken"
	}
	return "Other"
}

// ClassOf is the class of err: a StoreError's own, or else what the error
// from go-keyring means. nil and unrecognised errors are Other.
func ClassOf(err error) ErrorClass {
	var se *StoreError
	if errors.As(err, &se) {
		return se.Class
	}
	return classify(err)
}

// unavailableText and lockedText are go-keyring's (godbus's, the Secret
// Service's) words for each situation of keyring-on-linux.md; there is no
// typed error to test for.
var (
	unavailableText = []string{
		"executable file not found",                    // no bus and no dbus-launch
		"dbus-launch",                                  // dbus-launch failed
		"connect: no such file",                        // stale bus address
		"connect: connection refused",                  // stale abstract address
		"was not provided by any .service files",       // bus but no Secret Service
		"org.freedesktop.DBus.Error.ServiceUnknown",    // the same, by name
		"couldn't determine address of session bus",    // godbus without autolaunch
		"org.freedesktop.DBus.Error.NoServer",          // the bus went away
		"org.freedesktop.DBus.Error.Spawn.ChildExited", // activation failed
	}
	lockedText = []string{
		"failed to unlock correct collection",   // locked, or no login collection, no prompter
		"org.freedesktop.Secret.Error.IsLocked", // a call on a locked collection
		"Cannot create an item in a locked collection",
	}
)

func classify(err error) ErrorClass {
	var se *StoreError
	var tm errTimedOut
	var tb errTooBig
	var nb *busError
	switch {
	case err == nil:
		return Other
	case errors.As(err, new(*errTaken)):
		return Taken
	case errors.As(err, &se):
		return se.Class
	case errors.Is(err, keyring.ErrNotFound):
		return NotFound
	case errors.Is(err, keyring.ErrSetDataTooBig), errors.As(err, &tb):
		return TooBig
	case errors.As(err, &tm), errors.Is(err, context.DeadlineExceeded):
		return TimedOut
	case errors.As(err, &nb), errors.Is(err, keyring.ErrUnsupportedPlatform):
		return Unavailable
	}
	msg := err.Error()
	for _, t := range unavailableText {
		if strings.Contains(msg, t) {
			return Unavailable
		}
	}
	for _, t := range lockedText {
		if strings.Contains(msg, t) {
			return Locked
		}
	}
	return Other
}

// The operations a StoreError names.
const (
	OpSave   = "save"
	OpVerify = "verify"
	OpLoad   = "load"
	OpDelete = "delete"
	OpUnlist = "unlist"
	OpList   = "list"
	OpProbe  = "probe"
)

// StoreError is a keychain failure. Its message is one sentence: what
// failed, why, and what the person can do. It never holds a secret: the
// causes are go-keyring's and D-Bus's words or this file's, never a value.
type StoreError struct {
	Op      string // OpSave, OpVerify, OpLoad, OpDelete, OpUnlist, OpList or OpProbe
	Profile string
	Class   ErrorClass
	Err     error

	Service string // the keychain service, for the message
	Backend string // the keychain's name, for the message

	// Fallback, when set, is the other way the caller offers to keep the
	// secret (WizardFallback in the wizard); see WithFallback.
	Fallback string

	// withheld are the secrets of the credential being saved: a backend
	// that repeats what it was given must not show them through the cause.
	withheld []secret.Value
}

// cause is the words of Err without the secrets of the credential at hand,
// taken out before anything clips them.
func (e *StoreError) cause() string { return secret.Withhold(e.Err.Error(), e.withheld...) }

// withholding makes err, a failure to save c, leave c's secrets out of
// its words.
func withholding(err error, c Credential) error {
	var se *StoreError
	if errors.As(err, &se) {
		se.withheld = []secret.Value{c.ClientSecret, c.Password, c.RefreshToken}
	}
	return err
}

func (e *StoreError) Unwrap() error { return e.Err }

func (e *StoreError) Error() string {
	if errors.As(e.Err, new(*errInvalid)) {
		return e.what() + ": " + e.cause()
	}
	return e.what() + ": " + e.why() + "; " + e.advice()
}

func (e *StoreError) what() string {
	in := "the " + e.backendName()
	p := fmt.Sprintf("profile %q", e.Profile)
	switch e.Op {
	case OpSave:
		return fmt.Sprintf("could not save the credential for %s in %s", p, in)
	case OpVerify:
		return fmt.Sprintf("could not confirm the credential for %s was saved in %s", p, in)
	case OpLoad:
		return fmt.Sprintf("could not read the credential for %s from %s", p, in)
	case OpDelete:
		return fmt.Sprintf("could not delete the credential for %s from %s", p, in)
	case OpUnlist:
		return fmt.Sprintf("deleted the credential for %s, but could not remove it from the list of profiles in %s", p, in)
	case OpList:
		return "could not list the saved profiles in " + in
	case OpProbe:
		return "could not use " + in
	}
	return fmt.Sprintf("could not %s %s in %s", e.Op, p, in)
}

func (e *StoreError) backendName() string {
	if e.Backend != "" {
		return e.Backend
	}
	return backendName
}

// maxCause bounds how much of a cause a message repeats.
const maxCause = 240

func (e *StoreError) why() string {
	if e.Err == nil {
		return "no reason was given"
	}
	switch e.Class {
	case NotFound:
		svc := e.Service
		if svc == "" {
			svc = "procore-sa"
		}
		return fmt.Sprintf("there is no entry for it (service %s)", svc)
	case Locked:
		if strings.Contains(e.Err.Error(), "aliases/default") {
			// go-keyring falls back to the default alias when there is no
			// login collection: a keyring that was never created.
			return "the Secret Service has no login keyring to keep it in, or cannot unlock it here (" + clipCause(e.cause()) + ")"
		}
		return "the keyring is locked and no unlock prompt can be shown here (" + clipCause(e.cause()) + ")"
	case Unavailable:
		var nb *busError
		if errors.As(e.Err, &nb) {
			return nb.Error()
		}
		msg := e.cause()
		switch {
		case strings.Contains(msg, "was not provided by any .service files") || strings.Contains(msg, "ServiceUnknown"):
			return "no Secret Service is running on the D-Bus session bus (nothing owns org.freedesktop.secrets)"
		case strings.Contains(msg, "connect: no such file") || strings.Contains(msg, "connection refused"):
			return "the D-Bus session bus in DBUS_SESSION_BUS_ADDRESS is gone (" + clipCause(msg) + ")"
		case strings.Contains(msg, "dbus-launch") || strings.Contains(msg, "executable file not found"):
			return "there is no D-Bus session bus (" + clipCause(msg) + ")"
		}
	}
	return clipCause(e.cause())
}

func clipCause(s string) string {
	if len(s) > maxCause {
		return s[:maxCause] + "..."
	}
	return s
}

// WizardFallback is what the wizard offers when the keychain will not keep
// a secret: its screen (and the plain wizard's prompt) has an "a" choice that
// writes an age file encrypted with a passphrase, never plain text.
const WizardFallback = "or press a to write it to an age file encrypted with a passphrase (never plain text)"

// WithFallback is err with fallback, said after the advice to fix the
// keychain, when err is a StoreError; other errors come back unchanged. A
// command that has a way to keep the secret other than the keychain says it
// here; without one, the advice is only to fix the keychain.
func WithFallback(err error, fallback string) error {
	var se *StoreError
	if !errors.As(err, &se) {
		return err
	}
	cp := *se
	cp.Fallback = fallback
	return &cp
}

// doctorHint points to the command that says what is wrong with the
// keychain. It is not a way to keep a secret: it never reads one.
const doctorHint = "`procore-sa doctor` shows what it finds"

func (e *StoreError) advice() string {
	or := ""
	if e.Fallback != "" {
		or = "; " + e.Fallback
	}
	switch e.Class {
	case NotFound:
		return "check the name with `procore-sa secret list`, or run the guide again to create it"
	case Unavailable:
		return unavailableAdvice + ", then try again (" + doctorHint + ")" + or
	case Locked:
		return lockedAdvice + or
	case TimedOut:
		return "it may be waiting for an unlock password in a window you cannot see: unlock the keychain and try again" + or
	case TooBig:
		return "this is more than procore-sa should ever store, so please report it" + or
	case Taken:
		return "nothing was replaced; save it under another name (--profile NAME)" + or
	}
	if errors.As(e.Err, new(*errBadEntry)) {
		return "save the profile again (run its guide), or delete it with `procore-sa secret delete`"
	}
	if e.Op == OpVerify {
		return "the keychain may be failing: try again, and if it fails again " + doctorHint + or
	}
	return "try again; if it fails again, " + doctorHint + or
}
