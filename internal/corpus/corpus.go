// Package corpus finds the shared real-device corpus (../shared/corpus
// beside the repository, or $CUTOVER_CORPUS) for tests, which read it in
// place and never copy it.
package corpus

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Dir returns the corpus directory, or skips the test with a visible
// message when it is absent.
func Dir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("CUTOVER_CORPUS"); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			c := filepath.Join(dir, "..", "shared", "corpus")
			if _, err := os.Stat(c); err != nil {
				t.Skipf("corpus not found at %s (set CUTOVER_CORPUS): %v", c, err)
			}
			return c
		}
		if filepath.Dir(dir) == dir {
			t.Skip("corpus not found: no go.mod above the test")
		}
	}
}

// Manifest reads a folder's MANIFEST.tsv into rows keyed by column name.
func Manifest(t testing.TB, folder string) []map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(folder, "MANIFEST.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var head []string
	var rows []map[string]string
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if head == nil {
			head = cols
			continue
		}
		row := map[string]string{}
		for i, h := range head {
			if i < len(cols) {
				row[h] = cols[i]
			}
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}
