// Package secret holds the type every secret travels in: a value that prints
// as a mask through every fmt verb, JSON, slog and a panic, so that a secret
// is redacted by its type wherever it goes.
package secret

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
)

// Value holds a client secret, password or token. Every way of printing it
// shows a mask: each fmt verb, %#v, JSON, slog, and a panic (which prints a
// Stringer through String). The value sits behind a pointer so that even a
// struct printed with an unexported Value field shows an address, not the
// text. Reveal is the only way out, and a reviewer can grep for it.
type Value struct{ v *string }

// Mask is what a Value prints as.
const Mask = "[secret]"

// New wraps s.
func New(s string) Value { return Value{v: &s} }

// Reveal is the secret's text, for the few places that must send or store it.
func (s Value) Reveal() string {
	if s.v == nil {
		return ""
	}
	return *s.v
}

// IsZero reports whether the secret is empty.
func (s Value) IsZero() bool { return s.Reveal() == "" }

// Equal compares two secrets.
func (s Value) Equal(o Value) bool { return s.Reveal() == o.Reveal() }

func (s Value) String() string   { return Mask }
func (s Value) GoString() string { return Mask }

// Format masks every verb, %x and %q included.
func (s Value) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(Mask)) }

// MarshalJSON masks the secret; a store writes Reveal into its own document.
func (s Value) MarshalJSON() ([]byte, error) { return []byte(`"` + Mask + `"`), nil }

// MarshalText masks the secret for encoders that use it (YAML, XML, slog's text).
func (s Value) MarshalText() ([]byte, error) { return []byte(Mask), nil }

// LogValue masks the secret in structured logs.
func (s Value) LogValue() slog.Value { return slog.StringValue(Mask) }

// Withheld is what stands in a text for a secret taken out of it.
const Withheld = "[withheld]"

// minWithheld is the shortest secret Withhold looks for: a shorter one
// would take ordinary words out of the text with it.
const minWithheld = 4

// Withhold is text with every copy of each secret replaced by Withheld: as
// it is, and in the forms a server that repeats a request gives it back in
// (form- and path-encoded, JSON-escaped). A text that may hold a secret is
// withheld before it is clipped or wrapped, so that no part of one
// survives at the cut.
func Withhold(text string, secrets ...Value) string {
	var olds []string
	for _, s := range secrets {
		v := s.Reveal()
		if len(v) < minWithheld {
			continue
		}
		for _, form := range forms(v) {
			if !slices.Contains(olds, form) {
				olds = append(olds, form)
			}
		}
	}
	if len(olds) == 0 {
		return text
	}
	// Longest first: a form that holds another is replaced whole.
	slices.SortStableFunc(olds, func(a, b string) int { return len(b) - len(a) })
	pairs := make([]string, 0, 2*len(olds))
	for _, o := range olds {
		pairs = append(pairs, o, Withheld)
	}
	return strings.NewReplacer(pairs...).Replace(text)
}

// forms are the ways v may come back in a server's words.
func forms(v string) []string {
	out := []string{v, url.QueryEscape(v), url.PathEscape(v)}
	if b, err := json.Marshal(v); err == nil {
		out = append(out, strings.Trim(string(b), `"`))
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) == nil {
		out = append(out, strings.Trim(strings.TrimSpace(b.String()), `"`))
	}
	return out
}
