// Package explain turns an error from Procore, the network or the keychain
// into what a person needs first: which kind of failure it is, in one
// sentence of plain words, with the full text kept aside for a details
// key. Every front-end (the full screen, the plain lines, the commands)
// asks it, so that the same failure reads the same everywhere.
package explain

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/procore"
)

// Kind is what sort of failure an error is, which decides what a person
// can do about it.
type Kind int

const (
	// Other is a failure none of the kinds below describes.
	Other Kind = iota
	// Unreachable: Procore was never reached, or did not answer (a name
	// that does not resolve, a refused connection, a failed secure
	// connection, no answer in time). Nothing was judged: a credential
	// sent is not known to be wrong.
	Unreachable
	// Refused: Procore answered and said no (a credential not accepted, a
	// permission missing, something not found or not valid).
	Refused
	// RateLimited: Procore's rate limit was reached; waiting fixes it.
	RateLimited
	// ServerFault: Procore failed on its side (a 5xx); trying later fixes it.
	ServerFault
	// Keychain: the keychain could not keep or give back a credential.
	Keychain
	// Stopped: the work was stopped (an interrupt, a cancel) before it
	// finished.
	Stopped
)

func (k Kind) String() string {
	switch k {
	case Unreachable:
		return "unreachable"
	case Refused:
		return "refused"
	case RateLimited:
		return "rate limited"
	case ServerFault:
		return "server fault"
	case Keychain:
		return "keychain"
	case Stopped:
		return "stopped"
	}
	return "other"
}

// Explanation is an error as a person reads it first.
type Explanation struct {
	Kind Kind
	// Sentence is one sentence: what happened and what to do.
	Sentence string
	// Detail is the error's whole text, as it is, for whoever asks for
	// the details.
	Detail string
	// Status is Procore's HTTP status, when it answered; 0 when not.
	Status int
	// RetryAfter is how long Procore asked to wait, when it said.
	RetryAfter time.Duration
}

// HasMore reports whether the details say more than the sentence.
func (e Explanation) HasMore() bool { return Sentence(e.Detail) != e.Sentence }

// String is the sentence.
func (e Explanation) String() string { return e.Sentence }

// Safe reports whether a credential sent with the failed request is still
// worth keeping: Procore never judged it (it was not reached, or failed on
// its side, or asked to wait).
func (e Explanation) Safe() bool {
	return e.Kind == Unreachable || e.Kind == ServerFault || e.Kind == RateLimited || e.Kind == Stopped
}

// Of explains err; a nil err explains as the zero Explanation.
func Of(err error) Explanation {
	if err == nil {
		return Explanation{}
	}
	x := Explanation{Detail: err.Error()}
	var pe *procore.Error
	var se *credstore.StoreError
	switch {
	case errors.As(err, &pe):
		x.Status, x.RetryAfter = pe.Status, pe.RetryAfter
		x.Kind, x.Sentence = answered(pe)
	case errors.As(err, &se):
		x.Kind, x.Sentence = Keychain, Sentence(se.Error())
	case errors.Is(err, context.Canceled):
		x.Kind, x.Sentence = Stopped, "It was stopped before it finished; nothing more was sent to Procore."
	default:
		if why, ok := unreachable(err); ok {
			x.Kind = Unreachable
			x.Sentence = "Could not reach Procore: " + why + ". Check the network (a VPN or proxy may be in the way) and try again."
		} else {
			x.Kind, x.Sentence = Other, Sentence(x.Detail)
		}
	}
	return x
}

// answered explains an answer that was not a success.
func answered(e *procore.Error) (Kind, string) {
	switch s := e.Status; {
	case s == http.StatusTooManyRequests:
		msg := "Procore's rate limit was reached"
		if e.RetryAfter > 0 {
			msg += fmt.Sprintf("; it asks to wait %s", e.RetryAfter.Round(time.Second))
		}
		return RateLimited, msg + ". Wait, then try again."
	case s >= 500:
		return ServerFault, fmt.Sprintf("Procore had a problem on its side (%d %s); try again in a few minutes.", s, http.StatusText(s))
	case s == http.StatusBadRequest && e.Code == "invalid_grant":
		return Refused, "Procore refused the code or sign-in: it is used up or expired. Sign in again."
	case s == http.StatusUnauthorized && (e.Code == "invalid_client" || e.Path == "/oauth/token"):
		return Refused, "Procore refused the client ID and secret: check both, and that they belong to this environment (production or sandbox)."
	case s == http.StatusUnauthorized:
		return Refused, "Procore refused the credential: it may be expired or revoked. Sign in again, or check it with 'procore-sa verify'."
	case s == http.StatusForbidden && strings.Contains(strings.ToLower(e.Message), "not connected"):
		return Refused, "Procore refused: the app is not installed in this company. A company admin installs it in Company Admin > App Management; or check the company ID."
	case s == http.StatusForbidden:
		return Refused, "Procore refused: this account may not do that. Give it the permission in Procore (its permission template or the app's tool permissions), or ask a company admin."
	case s == http.StatusNotFound:
		return Refused, "Procore could not find it, or this account may not see it: check the ID, and that the account is a member of the company or project."
	case s == http.StatusConflict:
		return Refused, "Procore says it already exists (for a user, that email address is taken)."
	case s == http.StatusUnprocessableEntity:
		return Refused, "Procore refused the values given; correct them and try again."
	}
	return Refused, fmt.Sprintf("Procore refused the request (%d %s).", e.Status, http.StatusText(e.Status))
}

// unreachable says why Procore was not reached, when that is what err is.
func unreachable(err error) (string, bool) {
	host := ""
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			host = u.Hostname()
		}
	}
	var dns *net.DNSError
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var recordErr tls.RecordHeaderError
	var netErr net.Error
	switch {
	case errors.As(err, &dns):
		return fmt.Sprintf("the name %s does not resolve", orWord(dns.Name, host, "of Procore's host")), true
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("%s refused the connection", orWord(host, "", "the host")), true
	case errors.As(err, &certErr), errors.As(err, &unknownAuth), errors.As(err, &hostErr), errors.As(err, &recordErr):
		return fmt.Sprintf("the secure connection to %s failed (its certificate was not trusted)", orWord(host, "", "the host")), true
	case errors.Is(err, procore.ErrNoAnswer), errors.Is(err, context.DeadlineExceeded):
		return "it did not answer in time", true
	case errors.As(err, &netErr) && netErr.Timeout():
		return "it did not answer in time", true
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return "the connection dropped before Procore answered", true
	case ue != nil:
		return "the connection failed before Procore answered", true
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return "the connection failed before Procore answered", true
	}
	if strings.Contains(err.Error(), "the connection dropped before Procore answered") {
		return "the connection dropped before Procore answered", true
	}
	return "", false
}

func orWord(a, b, none string) string {
	switch {
	case a != "":
		return a
	case b != "":
		return b
	}
	return none
}

// Sentence is text as a sentence of its own: a capital first, a full stop
// last.
func Sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	r := []rune(s)
	s = strings.ToUpper(string(r[0])) + string(r[1:])
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "?") && !strings.HasSuffix(s, "!") {
		s += "."
	}
	return s
}

// Refusal says in a person's words why Procore refused a change to the
// directory; the error itself, said after it, has Procore's own.
func Refusal(err error) string {
	switch procore.StatusOf(err) {
	case http.StatusUnauthorized:
		return "Procore no longer accepts the admin's sign-in: sign in again on the sign-in step, then come back."
	case http.StatusForbidden:
		return "Procore refused: the signed-in admin may not make this change."
	case http.StatusConflict:
		return "Procore refused: something already there conflicts with this change. Read Procore again to see where it stands."
	case http.StatusUnprocessableEntity:
		return "Procore would not accept the change as sent: check the values on the earlier steps."
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "Procore did not answer in time; the change may or may not have been made. Read Procore again to see."
	}
	return "The change did not go through."
}
