// Package statuspage is the daemon's live status page: an HTML file, its
// script and its style sheet, served as three static files with no build
// chain. Nothing in the page is inline (no script, no style, no event
// handler attribute), so the daemon's Content-Security-Policy allows
// scripts and styles from its own origin only. The token is entered once
// and kept in the tab (sessionStorage, never a cookie); the script reads
// the API with it and follows a run's server-sent events.
package statuspage

import (
	"bytes"
	_ "embed"
)

var (
	//go:embed page.html
	page []byte
	//go:embed status.js
	script []byte
	//go:embed status.css
	style []byte
)

// File is one of the page's files.
type File struct {
	// Path is where the daemon serves it ("/" for the page).
	Path        string
	ContentType string
	Body        []byte
}

// Files returns the page and the files it loads.
func Files() []File {
	return []File{
		{Path: "/", ContentType: "text/html; charset=utf-8", Body: bytes.Clone(page)},
		{Path: "/status.js", ContentType: "text/javascript; charset=utf-8", Body: bytes.Clone(script)},
		{Path: "/status.css", ContentType: "text/css; charset=utf-8", Body: bytes.Clone(style)},
	}
}

// CSP is the Content-Security-Policy the files are served with: this
// origin's scripts, styles and API only, nothing inline, no forms posted,
// no framing.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
