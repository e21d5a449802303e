// Package statuspage is the daemon's live status page: one HTML file with
// a small script and no build chain. The token is entered once and kept
// in the tab (sessionStorage, never a cookie); the page reads the API with
// it and follows a run's server-sent events.
package statuspage

import (
	"bytes"
	_ "embed"
)

//go:embed page.html
var page []byte

// HTML returns the page.
func HTML() []byte { return bytes.Clone(page) }
