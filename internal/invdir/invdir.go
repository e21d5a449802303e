// Package invdir is the set of inventories the daemon serves: the files of
// one directory that match its patterns, each known by its file name
// without the extension. Every read goes back to the file, so an edited
// inventory is seen at once (and a run's plan hash tells whether it is
// still the plan that was approved).
package invdir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/cutover-net/cutover/plan"
	"github.com/cutover-net/cutover/switchdrivers"
)

// Dir is a directory of inventories.
type Dir struct {
	Path  string
	Match []string // file name patterns (default *.yml, *.yaml)
	// Registry checks driver and port names.
	Registry *switchdrivers.Registry
	// LookupEnv resolves ${VAR} in inventories (nil: the environment).
	LookupEnv func(string) (string, bool)
}

// ErrNotFound is the error of a name no inventory has.
var ErrNotFound = errors.New("no such inventory")

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`)

// Entry is one inventory file.
type Entry struct {
	Name string `json:"name"`
	File string `json:"file"`
}

// List returns the inventories, sorted by name. Two files with one name
// (a.yml and a.yaml) are an error naming both.
func (d *Dir) List() ([]Entry, error) {
	match := d.Match
	if len(match) == 0 {
		match = []string{"*.yml", "*.yaml"}
	}
	seen := map[string]string{}
	var out []Entry
	for _, pat := range match {
		files, err := filepath.Glob(filepath.Join(d.Path, pat))
		if err != nil {
			return nil, fmt.Errorf("inventories: pattern %q: %w", pat, err)
		}
		for _, f := range files {
			if fi, err := os.Stat(f); err != nil || !fi.Mode().IsRegular() {
				continue
			}
			name := strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
			if !nameRE.MatchString(name) {
				continue
			}
			if other, dup := seen[name]; dup {
				if other == f {
					continue
				}
				return nil, fmt.Errorf("inventories: %s and %s have the same name %q; rename one", other, f, name)
			}
			seen[name] = f
			out = append(out, Entry{Name: name, File: f})
		}
	}
	slices.SortFunc(out, func(a, b Entry) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// Find returns the file of the named inventory.
func (d *Dir) Find(name string) (Entry, error) {
	if !nameRE.MatchString(name) {
		return Entry{}, fmt.Errorf("inventory %q: %w (names are letters, digits, '_', '.', '-')", name, ErrNotFound)
	}
	all, err := d.List()
	if err != nil {
		return Entry{}, err
	}
	for _, e := range all {
		if e.Name == name {
			return e, nil
		}
	}
	return Entry{}, fmt.Errorf("inventory %q: %w in %s", name, ErrNotFound, d.Path)
}

// Load reads and validates the named inventory (a *plan.ValidationError
// lists its problems).
func (d *Dir) Load(name string) (*plan.Inventory, error) {
	e, err := d.Find(name)
	if err != nil {
		return nil, err
	}
	return plan.Load(e.File, d.LoadOptions())
}

// LoadOptions are the options every inventory is loaded with.
func (d *Dir) LoadOptions() plan.LoadOptions {
	return plan.LoadOptions{Catalog: d.Registry, LookupEnv: d.LookupEnv}
}
