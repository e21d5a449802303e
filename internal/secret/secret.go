// Package secret holds credentials so that they cannot leak by accident:
// a Secret prints, formats, logs and marshals as a fixed placeholder, and
// its value is reachable only through Reveal.
package secret

import (
	"encoding/json"
	"log/slog"
)

// Redacted is what a Secret shows wherever it is printed.
const Redacted = "[redacted]"

// Secret is a credential (password, community string, key).
// The zero value is an empty secret.
type Secret struct{ v string }

// New wraps a credential.
func New(v string) Secret { return Secret{v: v} }

// Reveal returns the credential itself. Call it only at the point where the
// value is handed to a protocol library.
func (s Secret) Reveal() string { return s.v }

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.v == "" }

// String implements fmt.Stringer.
func (s Secret) String() string {
	if s.v == "" {
		return ""
	}
	return Redacted
}

// GoString implements fmt.GoStringer so %#v does not leak either.
func (s Secret) GoString() string { return s.String() }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON implements json.Marshaler.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// MarshalText implements encoding.TextMarshaler (used by YAML and others).
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
