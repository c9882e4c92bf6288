// Package secret holds the type every secret travels in: a value that prints
// as a mask through every fmt verb, JSON, slog and a panic, so that a secret
// is redacted by its type wherever it goes.
package secret

import (
	"fmt"
	"log/slog"
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
