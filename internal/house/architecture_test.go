package house

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestHouse_ArchitectureNamesEveryPackage keeps ARCHITECTURE.md true to
// the tree: every package of the module is named there, as `path` or
// under a `parent/*` entry, so a newcomer's map has no blank.
func TestHouse_ArchitectureNamesEveryPackage(t *testing.T) {
	t.Parallel()
	root := moduleRoot(t)
	doc, err := os.ReadFile(filepath.Join(root, "ARCHITECTURE.md"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "list", "./...")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const module = "github.com/sesame-id/sesame/"
	pkgs := strings.Fields(string(out))
	if len(pkgs) < 20 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	for _, pkg := range pkgs {
		rel := strings.TrimPrefix(pkg, module)
		if !named(string(doc), rel) {
			t.Errorf("ARCHITECTURE.md does not name the package %s: add it to the packages table", rel)
		}
	}
}

// named reports whether doc names the package at rel, itself or through a
// parent's `parent/*` entry.
func named(doc, rel string) bool {
	if strings.Contains(doc, "`"+rel+"`") {
		return true
	}
	for dir := filepath.Dir(rel); dir != "."; dir = filepath.Dir(dir) {
		if strings.Contains(doc, "`"+dir+"/*`") {
			return true
		}
	}
	return false
}
