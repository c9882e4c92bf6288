package procore

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/procore-sa/procore-sa/internal/secret"
)

// Error is an answer from Procore that was not a success. It reads every
// body shape v1 uses and OAuth's, and its message is a sentence saying what
// went wrong and what the person can do. It never holds a token or secret:
// only the method, the path (no query) and what Procore said.
type Error struct {
	Method string
	Path   string // the request path, without its query
	Status int

	// What Procore said, from whichever body shape it used.
	Message string              // "errors" as a string, "message", or OAuth's error_description
	Code    string              // "error" (OAuth's code, or v1's second field)
	Fields  map[string][]string // {"errors":{"field":["message"]}}

	RetryAfter time.Duration // from Retry-After, when present
}

// maxErrorText bounds what of Procore's words an error repeats.
const maxErrorText = 300

// ParseError reads an error answer's body; it never fails and never panics,
// whatever the body holds. Every copy of the withheld secrets (what the
// request carried, should the answer repeat it) is taken out of Procore's
// words before they are clipped, so that no part of one is left at the cut.
func ParseError(status int, body []byte, withheld ...secret.Value) *Error {
	e := parseRaw(status, body)
	w := func(s string) string { return Clip(secret.Withhold(s, withheld...)) }
	e.Message, e.Code = w(e.Message), w(e.Code)
	if e.Fields != nil {
		fields := make(map[string][]string, len(e.Fields))
		for k, msgs := range e.Fields {
			for i := range msgs {
				msgs[i] = w(msgs[i])
			}
			fields[w(k)] = msgs
		}
		e.Fields = fields
	}
	return e
}

// parseRaw reads what Procore said, whole: ParseError withholds and clips it
// before anything else sees it.
func parseRaw(status int, body []byte) *Error {
	e := &Error{Status: status}
	var raw map[string]json.RawMessage
	if json.Unmarshal(body, &raw) == nil {
		if v, ok := raw["errors"]; ok {
			var s string
			var fields map[string]json.RawMessage
			var list []string
			switch {
			case json.Unmarshal(v, &s) == nil:
				e.Message = s
			case json.Unmarshal(v, &list) == nil:
				e.Message = strings.Join(list, "; ")
			case json.Unmarshal(v, &fields) == nil:
				e.Fields = map[string][]string{}
				for k, fv := range fields {
					var msgs []string
					var one string
					if json.Unmarshal(fv, &msgs) == nil {
						e.Fields[k] = msgs
					} else if json.Unmarshal(fv, &one) == nil {
						e.Fields[k] = []string{one}
					}
				}
			}
		}
		str := func(key string) string {
			var s string
			if v, ok := raw[key]; ok && json.Unmarshal(v, &s) == nil {
				return s
			}
			return ""
		}
		if e.Message == "" {
			e.Message = str("message")
		}
		if d := str("error_description"); d != "" && e.Message == "" {
			e.Message = d
		}
		e.Code = str("error")
		if e.Message == "" && e.Code != "" && e.Fields == nil {
			e.Message, e.Code = e.Code, ""
		}
	} else if text := strings.TrimSpace(string(body)); text != "" && !strings.HasPrefix(text, "<") {
		// Some answers (a 429's) are plain text; HTML pages say nothing useful.
		e.Message = text
	}
	return e
}

// Clip keeps Procore's words to one printable line of bounded length.
func Clip(s string) string {
	s = strings.Join(strings.Fields(strings.ReplaceAll(Printable(s), "\uFFFD", " ")), " ")
	if len(s) > maxErrorText {
		cut := maxErrorText
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// said is what Procore said, as one clause.
func (e *Error) said() string {
	var parts []string
	if e.Message != "" {
		parts = append(parts, e.Message)
	}
	if e.Code != "" && e.Code != e.Message {
		parts = append(parts, e.Code)
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		parts = append(parts, Clip(k+" "+strings.Join(e.Fields[k], ", ")))
	}
	return strings.Join(parts, "; ")
}

// advice is what the person can do about an answer with this status.
func (e *Error) advice() string {
	switch e.Status {
	case http.StatusBadRequest:
		if e.Code == "invalid_grant" {
			return "The code or refresh token was refused: it is used up or expired. Sign in again with 'procore-sa login'."
		}
		return "Procore refused the request as malformed; this is likely a bug in procore-sa, please report it."
	case http.StatusUnauthorized:
		if e.Code == "invalid_client" {
			return "Procore did not accept the client ID and secret: check both, and that they belong to this environment (production or sandbox)."
		}
		return "Procore did not accept the credential: it may be expired or revoked. Sign in again, or check the stored credential with 'procore-sa verify'."
	case http.StatusForbidden:
		if strings.Contains(strings.ToLower(e.Message), "not connected") {
			return "The app is not installed in this company: a company admin must install it in Company Admin > App Management, or check the company ID."
		}
		return "The account may not do this: give it the permission in Procore (its permission template or the app's tool permissions), or ask a company admin."
	case http.StatusNotFound:
		return "Procore could not find it, or this account may not see it: check the ID and that the account is a member of the project or company."
	case http.StatusConflict:
		return "It already exists in Procore (for a user: that email address is taken); use the existing one."
	case http.StatusUnprocessableEntity:
		return "Procore refused the values given; correct them and try again."
	case http.StatusTooManyRequests:
		return "Procore's rate limit was reached; wait for it to reset and try again."
	}
	if e.Status >= 500 {
		return "Procore had a problem on its side; try again in a few minutes."
	}
	return ""
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: Procore answered %d %s", e.Method, e.Path, e.Status, http.StatusText(e.Status))
	if s := e.said(); s != "" {
		fmt.Fprintf(&b, " (%q)", s)
	}
	if a := e.advice(); a != "" {
		b.WriteString(". " + a)
	}
	return b.String()
}

// StatusOf is the HTTP status of err when it is (or wraps) an *Error, else 0.
func StatusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}
