package statuspage

import (
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestNothingInline walks the page's HTML: every script has a src and no
// body, there is no style element or attribute, no event-handler
// attribute and no javascript: URL, so the policy (no 'unsafe-inline')
// loses nothing; the files the page loads are the package's own.
func TestNothingInline(t *testing.T) {
	files := map[string]File{}
	for _, f := range Files() {
		files[f.Path] = f
	}
	doc, err := html.Parse(strings.NewReader(string(files["/"].Body)))
	if err != nil {
		t.Fatal(err)
	}
	var loaded []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				switch {
				case a.Key == "style" || strings.HasPrefix(a.Key, "on"):
					t.Errorf("<%s %s=%q>: inline, which the policy refuses", n.Data, a.Key, a.Val)
				case strings.HasPrefix(strings.TrimSpace(strings.ToLower(a.Val)), "javascript:"):
					t.Errorf("<%s %s=%q>: a javascript: URL", n.Data, a.Key, a.Val)
				case (n.Data == "script" && a.Key == "src") || (n.Data == "link" && a.Key == "href"):
					loaded = append(loaded, a.Val)
				}
			}
			switch n.Data {
			case "style":
				t.Error("an inline <style> element")
			case "script":
				if n.FirstChild != nil || !slicesHasKey(n.Attr, "src") {
					t.Error("an inline <script>")
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if strings.Join(loaded, " ") != "/status.css /status.js" {
		t.Errorf("the page loads %v", loaded)
	}
	for _, p := range loaded {
		if f, ok := files[p]; !ok || len(f.Body) == 0 {
			t.Errorf("%s is not one of the package's files", p)
		}
	}
	// The script builds no code from strings and sets no inline style.
	if m := regexp.MustCompile(`\beval\(|new Function\(|setAttribute\(["']style|\.innerHTML\s*=`).FindString(string(files["/status.js"].Body)); m != "" {
		t.Errorf("the script uses %s", m)
	}
	if strings.Contains(CSP, "unsafe-inline") || !strings.Contains(CSP, "script-src 'self'") {
		t.Errorf("policy %q", CSP)
	}
}

func slicesHasKey(attrs []html.Attribute, key string) bool {
	for _, a := range attrs {
		if a.Key == key {
			return true
		}
	}
	return false
}
