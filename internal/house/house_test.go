package house

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The house limits: a newcomer reads a production file in one sitting and
// a function on one screen. Tests, generated code and data tables (the
// embedded lists of internal/aaguid) are not counted.
const (
	maxFileLines = 400
	maxFuncLines = 80
)

// TestHouse_FilesAndFunctionsStaySmall walks every hand-written
// production Go file of the module and fails on a file over maxFileLines
// lines or a function (declared or literal) over maxFuncLines lines.
func TestHouse_FilesAndFunctionsStaySmall(t *testing.T) {
	t.Parallel()
	root := moduleRoot(t)
	fset := token.NewFileSet()
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !handWritten(path) {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if generated(src) {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		checked++
		if n := strings.Count(string(src), "\n"); n > maxFileLines {
			t.Errorf("%s has %d lines (the house limit is %d): split it by job", rel, n, maxFileLines)
		}
		f, err := parser.ParseFile(fset, path, src, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			var body *ast.BlockStmt
			name := "a function literal"
			switch fn := n.(type) {
			case *ast.FuncDecl:
				body, name = fn.Body, fn.Name.Name
			case *ast.FuncLit:
				body = fn.Body
			}
			if body == nil {
				return true
			}
			start := fset.Position(n.Pos())
			if lines := fset.Position(body.End()).Line - start.Line + 1; lines > maxFuncLines {
				t.Errorf("%s:%d: %s has %d lines (the house limit is %d)", rel, start.Line, name, lines, maxFuncLines)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Fatalf("checked only %d files under %s: the walk lost its way", checked, root)
	}
}

// handWritten reports whether path is a production Go source file: not a
// test. Generated files are told apart by their marker (generated).
func handWritten(path string) bool {
	return strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go")
}

// generated reports whether src carries Go's generated-code marker.
func generated(src []byte) bool {
	head := src[:min(len(src), 1024)]
	return strings.Contains(string(head), "// Code generated ") && strings.Contains(string(head), " DO NOT EDIT.")
}

// moduleRoot finds the folder holding go.mod above this package.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = parent
	}
}
