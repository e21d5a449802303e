// Package yamlstrict reads YAML configuration files strictly, for the
// inventory and the daemon's configuration alike: every problem is
// collected with its file, line and column (unknown keys, keys given twice,
// wrong kinds of node, unset environment variables), ${VAR} and
// ${VAR:-default} expand from the environment ($$ is a literal $), and
// secrets read from files never reach an error message.
package yamlstrict

import (
	"bytes"
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/cutover-net/cutover/internal/secret"
	"gopkg.in/yaml.v3"
)

// Problem is one thing wrong with a file, at a position.
type Problem struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Col  int    `json:"column"`
	Msg  string `json:"message"`
}

func (p Problem) String() string {
	if p.Line == 0 {
		return fmt.Sprintf("%s: %s", p.File, p.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Col, p.Msg)
}

// ValidationError lists every problem found in a file.
type ValidationError struct{ Problems []Problem }

func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	if len(lines) == 1 {
		return lines[0]
	}
	return fmt.Sprintf("%d problems:\n%s", len(lines), strings.Join(lines, "\n"))
}

// Reader collects the problems of one file while its nodes are read.
type Reader struct {
	// File names the file in problems; Dir resolves relative file paths
	// (secret files) and defaults to File's directory.
	File, Dir string
	// LookupEnv resolves ${VAR}; nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
	Problems  []Problem
}

// NewReader returns a Reader for file; lookup nil means os.LookupEnv.
func NewReader(file string, lookup func(string) (string, bool)) *Reader {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	return &Reader{File: file, Dir: filepath.Dir(file), LookupEnv: lookup}
}

// Decode parses data into its document node. A syntax error or an empty
// document is recorded as a problem and gives nil.
func (r *Reader) Decode(data []byte, what string) *yaml.Node {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		r.Problems = append(r.Problems, syntaxProblem(r.File, err))
		return nil
	}
	if len(doc.Content) == 0 {
		r.Addf(nil, "empty %s", what)
		return nil
	}
	return doc.Content[0]
}

// Err returns the problems, sorted by line, as a *ValidationError; nil if
// there are none.
func (r *Reader) Err() error {
	if len(r.Problems) == 0 {
		return nil
	}
	slices.SortStableFunc(r.Problems, func(a, b Problem) int { return cmp.Compare(a.Line, b.Line) })
	return &ValidationError{r.Problems}
}

// Addf records a problem at n's position (n nil: the file as a whole).
func (r *Reader) Addf(n *yaml.Node, format string, a ...any) {
	p := Problem{File: r.File, Msg: fmt.Sprintf(format, a...)}
	if n != nil {
		p.Line, p.Col = n.Line, n.Column
	}
	r.Problems = append(r.Problems, p)
}

// Field is one key of a mapping and its value.
type Field struct{ Key, Val *yaml.Node }

// Mapping returns the fields of a mapping node, reporting unknown and
// duplicate keys. It returns nil if n is not a mapping.
func (r *Reader) Mapping(n *yaml.Node, what string, known ...string) map[string]Field {
	if n.Kind != yaml.MappingNode {
		r.Addf(n, "%s: want a mapping, found %s", what, KindName(n))
		return nil
	}
	out := map[string]Field{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !slices.Contains(known, k.Value) {
			r.Addf(k, "%s: unknown key %q (known: %s)", what, k.Value, strings.Join(known, ", "))
			continue
		}
		if prev, dup := out[k.Value]; dup {
			r.Addf(k, "%s: key %q given twice (first at line %d)", what, k.Value, prev.Key.Line)
			continue
		}
		out[k.Value] = Field{k, v}
	}
	return out
}

// KindName says what a node is, for problems.
func KindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	if n.Tag == "!!null" {
		return "nothing"
	}
	return fmt.Sprintf("%q", n.Value)
}

var envRef = regexp.MustCompile(`\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}`)

// Scalar returns a scalar's value with ${VAR} and ${VAR:-default} expanded
// ($$ is a literal $). ok is false if a problem was reported.
func (r *Reader) Scalar(n *yaml.Node, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		r.Addf(n, "%s: want a value, found %s", what, KindName(n))
		return "", false
	}
	ok := true
	v := envRef.ReplaceAllStringFunc(n.Value, func(m string) string {
		if m == "$$" {
			return "$"
		}
		sub := envRef.FindStringSubmatch(m)
		if val, set := r.LookupEnv(sub[1]); set {
			return val
		}
		if sub[2] != "" {
			return sub[2][2:]
		}
		r.Addf(n, "%s: environment variable %s is not set", what, sub[1])
		ok = false
		return ""
	})
	return v, ok
}

// Str returns the expanded value of fields[key] and its node (nil when the
// key is absent).
func (r *Reader) Str(fields map[string]Field, key, what string) (string, *yaml.Node) {
	f, ok := fields[key]
	if !ok {
		return "", nil
	}
	v, _ := r.Scalar(f.Val, what+"."+key)
	return v, f.Val
}

// Require reports each missing key at its parent's position.
func (r *Reader) Require(parent *yaml.Node, fields map[string]Field, what string, keys ...string) {
	for _, k := range keys {
		if _, ok := fields[k]; !ok {
			r.Addf(parent, "%s: %s is missing", what, k)
		}
	}
}

// SecretFile reads a secret from file p (relative to Dir), trailing line
// breaks removed. Problems name the file, never its content.
func (r *Reader) SecretFile(n *yaml.Node, what, p string) secret.Secret {
	if !filepath.IsAbs(p) {
		p = filepath.Join(r.Dir, p)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		r.Addf(n, "%s: %v", what, err)
		return secret.Secret{}
	}
	v := strings.TrimRight(string(b), "\r\n")
	if v == "" {
		r.Addf(n, "%s: %s is empty", what, p)
	}
	return secret.New(v)
}

// InlineOrFile reads a secret given inline (fields[key]) or in a file
// (fields[key+"_file"]), never both and never empty; when neither is
// there, missing is said at n. It returns the node the secret came
// from, nil if none.
func (r *Reader) InlineOrFile(fields map[string]Field, key, what string, n *yaml.Node, missing string) (secret.Secret, *yaml.Node) {
	ff, hasFile := fields[key+"_file"]
	vf, hasValue := fields[key]
	switch {
	case hasFile && hasValue:
		r.Addf(ff.Key, "%s: give %s or %s_file, not both", what, key, key)
	case hasValue:
		if v, ok := r.Scalar(vf.Val, what+"."+key); ok {
			if v == "" {
				r.Addf(vf.Val, "%s: the %s is empty", what, key)
			}
			return secret.New(v), vf.Val
		}
	case hasFile:
		if p, ok := r.Scalar(ff.Val, what+"."+key+"_file"); ok {
			return r.SecretFile(ff.Val, what+": "+key+"_file", p), ff.Val
		}
	default:
		r.Addf(n, "%s: %s", what, missing)
	}
	return secret.Secret{}, nil
}

// StringMap reads a mapping of strings; keys nil allows any key.
func (r *Reader) StringMap(n *yaml.Node, what string, keys []string) map[string]string {
	if n.Kind != yaml.MappingNode {
		r.Addf(n, "%s: want a mapping, found %s", what, KindName(n))
		return nil
	}
	out := map[string]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if keys != nil && !slices.Contains(keys, k.Value) {
			r.Addf(k, "%s: unknown key %q (known: %s)", what, k.Value, strings.Join(keys, ", "))
			continue
		}
		if _, dup := out[k.Value]; dup {
			r.Addf(k, "%s: key %q given twice", what, k.Value)
			continue
		}
		if val, ok := r.Scalar(v, what+"."+k.Value); ok {
			out[k.Value] = val
		}
	}
	return out
}

// List returns the items of a sequence node; nil (reported) if n is not one.
func (r *Reader) List(n *yaml.Node, what string) []*yaml.Node {
	if n.Kind != yaml.SequenceNode {
		r.Addf(n, "%s: want a list, found %s", what, KindName(n))
		return nil
	}
	return n.Content
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// syntaxProblem turns a YAML syntax error into a Problem. yaml.v3 numbers
// the lines of syntax errors from 0 (its mark is 0-based there, unlike node
// positions), so the line is corrected to count from 1.
func syntaxProblem(file string, err error) Problem {
	msg := err.Error()
	p := Problem{File: file, Msg: "YAML syntax: " + strings.TrimPrefix(msg, "yaml: ")}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		fmt.Sscan(m[1], &p.Line)
		p.Line++
		p.Col = 1
		p.Msg = "YAML syntax: " + msg[len(m[0]):]
	}
	return p
}
