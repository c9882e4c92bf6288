package procore

import (
	"fmt"
	"log/slog"
)

// Secret holds a client secret, password or token. Every way of printing it
// shows a mask: each fmt verb, %#v, JSON, slog, and a panic (which prints a
// Stringer through String). The value sits behind a pointer so that even a
// struct printed with an unexported Secret field shows an address, not the
// text. Reveal is the only way out, and a reviewer can grep for it.
type Secret struct{ v *string }

// Mask is what a Secret prints as.
const Mask = "[secret]"

// NewSecret wraps s.
func NewSecret(s string) Secret { return Secret{v: &s} }

// Reveal is the secret's text, for the few places that must send or store it.
func (s Secret) Reveal() string {
	if s.v == nil {
		return ""
	}
	return *s.v
}

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.Reveal() == "" }

// Equal compares two secrets.
func (s Secret) Equal(o Secret) bool { return s.Reveal() == o.Reveal() }

func (s Secret) String() string   { return Mask }
func (s Secret) GoString() string { return Mask }

// Format masks every verb, %x and %q included.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(Mask)) }

// MarshalJSON masks the secret; a store writes Reveal into its own document.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + Mask + `"`), nil }

// MarshalText masks the secret for encoders that use it (YAML, XML, slog's text).
func (s Secret) MarshalText() ([]byte, error) { return []byte(Mask), nil }

// LogValue masks the secret in structured logs.
func (s Secret) LogValue() slog.Value { return slog.StringValue(Mask) }
