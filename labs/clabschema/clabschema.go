// Package clabschema checks a topology file against containerlab's own
// published JSON schema, so that a file the local lab runs is one
// containerlab accepts. The schema is embedded unchanged
// (clab.schema.json: srl-labs/containerlab, commit
// 39ff2b7ccce20f3c4610fcbd1fc030582f4499c1, schemas/clab.schema.json,
// BSD-3-Clause, see LICENSE.containerlab) and validated with a JSON-schema
// library; problems are reported at the line of the YAML they concern.
package clabschema

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"gopkg.in/yaml.v3"
)

//go:embed clab.schema.json
var schemaJSON []byte

// Source names the embedded schema's origin.
const Source = "srl-labs/containerlab@39ff2b7ccce20f3c4610fcbd1fc030582f4499c1:schemas/clab.schema.json"

const schemaURL = "https://containerlab.dev/clab.schema.json"

// JSON returns the embedded schema's text.
func JSON() []byte { return bytes.Clone(schemaJSON) }

// Kinds lists the node kinds the embedded schema allows.
func Kinds() []string { return slices.Clone(kinds()) }

var kinds = sync.OnceValue(func() []string {
	var doc struct {
		Definitions struct {
			NodeConfig struct {
				Properties struct {
					Kind struct {
						Enum []string `json:"enum"`
					} `json:"kind"`
				} `json:"properties"`
			} `json:"node-config"`
		} `json:"definitions"`
	}
	if err := json.Unmarshal(schemaJSON, &doc); err != nil {
		return nil // the schema does not compile either; Validate says so
	}
	return doc.Definitions.NodeConfig.Properties.Kind.Enum
})

// Schema is a compiled containerlab schema.
type Schema struct{ s *jsonschema.Schema }

// Compile compiles a containerlab schema (the JSON text of clab.schema.json).
func Compile(schema []byte) (*Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	if err != nil {
		return nil, fmt.Errorf("containerlab schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, fmt.Errorf("containerlab schema: %w", err)
	}
	s, err := c.Compile(schemaURL)
	if err != nil {
		return nil, fmt.Errorf("containerlab schema: %w", err)
	}
	return &Schema{s}, nil
}

// embedded is the embedded schema, compiled once and never changed.
var embedded = sync.OnceValues(func() (*Schema, error) { return Compile(schemaJSON) })

// Problem is one way a document fails the schema.
type Problem struct {
	Line    int    `json:"line"`
	Path    string `json:"path"` // where in the document, e.g. topology.nodes.sw1.kind
	Message string `json:"message"`
}

func (p Problem) String() string { return fmt.Sprintf("line %d: %s: %s", p.Line, p.Path, p.Message) }

// Validate checks a parsed YAML document (the root node yaml.Unmarshal
// fills) against the embedded containerlab schema.
func Validate(root *yaml.Node) ([]Problem, error) {
	s, err := embedded()
	if err != nil {
		return nil, err
	}
	return s.Validate(root)
}

// Validate checks a parsed YAML document against the schema. It returns
// the problems found, sorted by line; an error means the document could
// not be checked at all.
func (s *Schema) Validate(root *yaml.Node) ([]Problem, error) {
	conv := converter{at: map[string]*yaml.Node{}}
	doc, err := conv.value(root, nil)
	if err != nil {
		return nil, err
	}
	verr := s.s.Validate(doc)
	if verr == nil {
		return nil, nil
	}
	ve, ok := verr.(*jsonschema.ValidationError)
	if !ok {
		return nil, verr
	}
	printer := message.NewPrinter(language.English)
	var out []Problem
	seen := map[string]bool{}
	for _, leaf := range leaves(ve) {
		msg := leaf.ErrorKind.LocalizedString(printer)
		if en, ok := leaf.ErrorKind.(*kind.Enum); ok && len(en.Want) > 8 {
			msg = fmt.Sprintf("%s is not one of the %d values containerlab's schema allows here", quoteValue(en.Got), len(en.Want))
		}
		p := Problem{Line: conv.line(leaf.InstanceLocation), Path: dotted(leaf.InstanceLocation), Message: msg}
		if key := p.String(); !seen[key] {
			seen[key] = true
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	return out, nil
}

func quoteValue(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(v)
}

// leaves returns the innermost errors: the ones that say what is wrong.
// Of the alternatives of an anyOf or oneOf, only the closest match is
// kept: first one that has the value's type (no wrong-type error at the
// value itself), then one with no wrong-type error inside, then the one
// with the fewest errors. A node that is a mapping with a bad kind is
// reported for its kind, not for not being null; a short-form link for
// its endpoints, not for lacking the "type" of the long forms.
func leaves(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return []*jsonschema.ValidationError{e}
	}
	_, anyOf := e.ErrorKind.(*kind.AnyOf)
	_, oneOf := e.ErrorKind.(*kind.OneOf)
	if !anyOf && !oneOf {
		var out []*jsonschema.ValidationError
		for _, c := range e.Causes {
			out = append(out, leaves(c)...)
		}
		return out
	}
	var best []*jsonschema.ValidationError
	bestRank := 0
	for _, c := range e.Causes {
		ls := leaves(c)
		rank := 0
		for _, l := range ls {
			if _, ok := l.ErrorKind.(*kind.Type); ok {
				if len(l.InstanceLocation) == len(e.InstanceLocation) {
					rank = max(rank, 2)
				} else {
					rank = max(rank, 1)
				}
			}
		}
		if best == nil || rank < bestRank || (rank == bestRank && len(ls) < len(best)) {
			best, bestRank = ls, rank
		}
	}
	return best
}

func dotted(loc []string) string {
	if len(loc) == 0 {
		return "(document)"
	}
	var b strings.Builder
	for i, k := range loc {
		if _, err := strconv.Atoi(k); err == nil {
			fmt.Fprintf(&b, "[%s]", k)
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(k)
	}
	return b.String()
}

// converter turns YAML into the values a JSON document decodes to,
// remembering the YAML node of every location for line numbers.
type converter struct {
	at map[string]*yaml.Node // JSON pointer -> the node (a mapping's key node)
}

func pointer(loc []string) string { return "/" + strings.Join(loc, "/") }

// line is the line of the innermost located node of loc.
func (c converter) line(loc []string) int {
	for i := len(loc); i >= 0; i-- {
		if n, ok := c.at[pointer(loc[:i])]; ok {
			return n.Line
		}
	}
	return 0
}

func (c converter) value(n *yaml.Node, loc []string) (any, error) {
	if _, ok := c.at[pointer(loc)]; !ok {
		c.at[pointer(loc)] = n
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.value(n.Content[0], loc)
	case yaml.AliasNode:
		return c.value(n.Alias, loc)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for i, item := range n.Content {
			v, err := c.value(item, append(slices.Clone(loc), strconv.Itoa(i)))
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := map[string]any{}
		if err := c.mapping(n, loc, out); err != nil {
			return nil, err
		}
		return out, nil
	case yaml.ScalarNode:
		return scalar(n)
	}
	return nil, fmt.Errorf("line %d: unexpected YAML node", n.Line)
}

// mapping fills out from a mapping node; merge keys (<<) fill in what the
// mapping itself does not set.
func (c converter) mapping(n *yaml.Node, loc []string, out map[string]any) error {
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merges = append(merges, v)
			continue
		}
		if k.Kind != yaml.ScalarNode {
			return fmt.Errorf("line %d: a mapping key must be a plain value", k.Line)
		}
		kloc := append(slices.Clone(loc), k.Value)
		c.at[pointer(kloc)] = k
		val, err := c.value(v, kloc)
		if err != nil {
			return err
		}
		out[k.Value] = val
	}
	for _, m := range merges {
		for m.Kind == yaml.AliasNode {
			m = m.Alias
		}
		srcs := []*yaml.Node{m}
		if m.Kind == yaml.SequenceNode {
			srcs = m.Content
		}
		for _, src := range srcs {
			for src.Kind == yaml.AliasNode {
				src = src.Alias
			}
			if src.Kind != yaml.MappingNode {
				return fmt.Errorf("line %d: << merges mappings only", src.Line)
			}
			merged := map[string]any{}
			if err := c.mapping(src, loc, merged); err != nil {
				return err
			}
			for k, v := range merged {
				if _, set := out[k]; !set {
					out[k] = v
				}
			}
		}
	}
	return nil
}

// scalar is a YAML scalar as JSON would have it: numbers stay numbers,
// timestamps and binary stay the text written.
func scalar(n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool", "!!int", "!!float":
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
		if f, ok := v.(float64); ok {
			return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), nil
		}
		return v, nil
	case "!!timestamp":
		var t time.Time
		if err := n.Decode(&t); err == nil {
			return n.Value, nil
		}
	}
	return n.Value, nil
}
