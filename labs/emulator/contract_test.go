package emulator

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The dialect contracts (contracts/*.yaml, format in the README's
// "Dialect contracts"): for every behaviour a CLI driver relies on, what
// the vendor documents and where, or that it is an assumption; and the
// tests that pin the emulator and the driver to it.

// contractDialects are the emulated dialects that must each have a
// contract, by file name. Listed, not read from New, so that a dialect
// added to the emulator is added here (and its contract written) on
// purpose.
var contractDialects = []string{"iosxe", "eos", "junos", "srl", "nxos", "aoscx"}

// contractAreas are the values of a behaviour's area.
var contractAreas = []string{"enter", "commit", "abort", "trial", "confirm", "cancel",
	"dropped-session", "lock", "errors", "prompts", "paging", "read"}

// contract is one contracts/*.yaml file.
type contract struct {
	Platform   string      `yaml:"platform"`
	Driver     string      `yaml:"driver"`
	Emulator   string      `yaml:"emulator"`
	Behaviours []behaviour `yaml:"behaviours"`
}

// behaviour is one row of a contract.
type behaviour struct {
	ID         string   `yaml:"id"`
	Area       string   `yaml:"area"`
	Relies     string   `yaml:"relies"`
	Documented string   `yaml:"documented"`
	Source     string   `yaml:"source"`
	Assumption bool     `yaml:"assumption"`
	PinnedBy   []string `yaml:"pinned_by"`
}

var contractID = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// contractChecker checks contracts against the repository at root.
type contractChecker struct {
	root   string
	readme string
	// tests: package dir -> its Test functions; runs: package dir -> the
	// t.Run name literals of its Go files.
	tests, runs map[string]map[string]bool
}

func newContractChecker(root string) (*contractChecker, error) {
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		return nil, err
	}
	return &contractChecker{root: root, readme: string(readme), tests: map[string]map[string]bool{}, runs: map[string]map[string]bool{}}, nil
}

// parseContract reads one contract strictly: unknown keys and a second
// document are errors.
func parseContract(data []byte) (contract, error) {
	var c contract
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return c, err
	}
	var extra any
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return c, errors.New("more than one YAML document")
	}
	return c, nil
}

// scan reads a package directory's Go files: the Test functions of its
// _test.go files, and every t.Run("name", …) name literal of all its Go
// files (drivertest defines its subtests outside test files).
func (cc *contractChecker) scan(dir string) error {
	if _, done := cc.tests[dir]; done {
		return nil
	}
	tests, runs := map[string]bool{}, map[string]bool{}
	cc.tests[dir], cc.runs[dir] = tests, runs
	files, err := filepath.Glob(filepath.Join(cc.root, dir, "*.go"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no Go files in %s", dir)
	}
	fset := token.NewFileSet()
	for _, file := range files {
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			return err
		}
		isTest := strings.HasSuffix(file, "_test.go")
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				if isTest && n.Recv == nil && strings.HasPrefix(n.Name.Name, "Test") {
					tests[n.Name.Name] = true
				}
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "Run" || len(n.Args) != 2 {
					return true
				}
				if lit, ok := n.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					if s, err := strconv.Unquote(lit.Value); err == nil {
						runs[s] = true
					}
				}
			}
			return true
		})
	}
	return nil
}

// pinned checks one pinned_by entry: package-dir.TestName[/Sub[/Sub…]].
func (cc *contractChecker) pinned(ref string) error {
	// The package dir has slashes of its own: split at the dot before
	// the test name.
	i := strings.LastIndex(ref, ".Test")
	if i < 0 {
		return fmt.Errorf("pinned_by %q: want package-dir.TestName[/subtest]", ref)
	}
	dir, rest := ref[:i], ref[i+1:]
	name, subs, _ := strings.Cut(rest, "/")
	if err := cc.scan(dir); err != nil {
		return fmt.Errorf("pinned_by %q: %w", ref, err)
	}
	if !cc.tests[dir][name] {
		return fmt.Errorf("pinned_by %q: no func %s in %s/*_test.go", ref, name, dir)
	}
	if subs == "" {
		return nil
	}
	if err := cc.scan("switchdrivers/drivertest"); err != nil {
		return err
	}
	for _, s := range strings.Split(subs, "/") {
		if !cc.runs[dir][s] && !cc.runs["switchdrivers/drivertest"][s] {
			return fmt.Errorf("pinned_by %q: no t.Run(%q, …) in %s or switchdrivers/drivertest", ref, s, dir)
		}
	}
	return nil
}

// check returns every problem of a contract; seen holds the ids of the
// contracts checked before it.
func (cc *contractChecker) check(c contract, seen map[string]string, file string) []error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(file+": "+format, a...)) }
	if c.Platform == "" || c.Driver == "" || c.Emulator == "" {
		bad("platform, driver and emulator are required")
	}
	for _, p := range []string{c.Driver, c.Emulator} {
		if _, err := os.Stat(filepath.Join(cc.root, p)); p != "" && err != nil {
			bad("%s does not exist", p)
		}
	}
	if len(c.Behaviours) == 0 {
		bad("no behaviours")
	}
	for _, b := range c.Behaviours {
		if !contractID.MatchString(b.ID) {
			bad("id %q: want lower-case words joined by dashes", b.ID)
		}
		if other, dup := seen[b.ID]; dup {
			bad("id %q is also in %s", b.ID, other)
		}
		seen[b.ID] = file
		if !slices.Contains(contractAreas, b.Area) {
			bad("%s: area %q is not one of %s", b.ID, b.Area, strings.Join(contractAreas, ", "))
		}
		if strings.TrimSpace(b.Relies) == "" || strings.TrimSpace(b.Documented) == "" {
			bad("%s: relies and documented are required", b.ID)
		}
		switch {
		case b.Assumption && strings.TrimSpace(b.Source) != "":
			bad("%s: an assumption has no source (give the source and assumption: false, or no source)", b.ID)
		case !b.Assumption && strings.TrimSpace(b.Source) == "":
			bad("%s: no source: name it, or mark the row assumption: true", b.ID)
		}
		if b.Assumption && !strings.Contains(cc.readme, b.ID) {
			bad("%s: an assumption the README does not name", b.ID)
		}
		if len(b.PinnedBy) == 0 {
			bad("%s: pinned by no test", b.ID)
		}
		for _, ref := range b.PinnedBy {
			if err := cc.pinned(ref); err != nil {
				bad("%s: %v", b.ID, err)
			}
		}
	}
	return errs
}

// TestContracts: every dialect has its contract, and every contract
// keeps the rules.
func TestContracts(t *testing.T) {
	cc, err := newContractChecker("../..")
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("contracts/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range contractDialects {
		if !slices.Contains(files, filepath.Join("contracts", d+".yaml")) {
			t.Errorf("no contract for the emulated dialect %s (contracts/%s.yaml)", d, d)
		}
	}
	seen := map[string]string{}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		if !slices.Contains(contractDialects, name) {
			t.Errorf("%s: not a dialect the emulator emulates (%s)", file, strings.Join(contractDialects, ", "))
		}
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		c, err := parseContract(data)
		if err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		for _, err := range cc.check(c, seen, file) {
			t.Error(err)
		}
	}
}

// TestContractCheckerRejects: the checker finds each kind of mistake.
func TestContractCheckerRejects(t *testing.T) {
	cc, err := newContractChecker("../..")
	if err != nil {
		t.Fatal(err)
	}
	const good = `platform: cisco_iosxe
driver: switchdrivers/ciscoios
emulator: labs/emulator/iosxe.go
behaviours:
  - id: x-row
    area: trial
    relies: r
    documented: d
    source: s
    pinned_by: [labs/emulator.TestIOSRevertTimer, switchdrivers/ciscoios.TestTrialConformance/NothingPending]
`
	c, err := parseContract([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if errs := cc.check(c, map[string]string{}, "good"); len(errs) != 0 {
		t.Fatalf("a good contract: %v", errs)
	}
	if _, err := parseContract([]byte(good + "    sources: more\n")); err == nil || !strings.Contains(err.Error(), "sources") {
		t.Fatalf("an unknown key: %v", err)
	}
	if _, err := parseContract([]byte(strings.Replace(good, "platform:", "platfrom:", 1))); err == nil {
		t.Fatal("an unknown top-level key was accepted")
	}
	for _, bad := range []struct{ from, to, want string }{
		{"    source: s\n", "", "no source"},
		{"    source: s\n", "    source: s\n    assumption: true\n", "an assumption has no source"},
		{"    source: s\n", "    assumption: true\n", "the README does not name"},
		{"TestIOSRevertTimer", "TestNoSuchTest", "no func TestNoSuchTest"},
		{"labs/emulator.TestIOSRevertTimer", "labs/nowhere.TestX", "no Go files"},
		{"NothingPending", "NoSuchSubtest", `no t.Run("NoSuchSubtest"`},
		{"labs/emulator.TestIOSRevertTimer", "TestIOSRevertTimer", "want package-dir.TestName"},
		{"area: trial", "area: vibes", "area \"vibes\""},
		{"id: x-row", "id: X_Row", "lower-case"},
		{"emulator: labs/emulator/iosxe.go", "emulator: labs/emulator/ios.go", "does not exist"},
	} {
		c, err := parseContract([]byte(strings.Replace(good, bad.from, bad.to, 1)))
		if err != nil {
			t.Fatalf("%s: %v", bad.want, err)
		}
		errs := cc.check(c, map[string]string{}, "bad")
		if !strings.Contains(fmt.Sprint(errs), bad.want) {
			t.Errorf("%q -> %q: want a problem %q, got %v", bad.from, bad.to, bad.want, errs)
		}
	}
	seen := map[string]string{"x-row": "other.yaml"}
	if errs := cc.check(c, seen, "dup"); !strings.Contains(fmt.Sprint(errs), "also in other.yaml") {
		t.Errorf("a duplicate id: %v", errs)
	}
}
