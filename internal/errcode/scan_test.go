package errcode

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// codeLiteral is a public error code written in the source.
type codeLiteral struct {
	pos  string
	code string
}

// scan collects, from Go source, the error codes written as literals:
// the Code of an Error composite literal (flows.Error, errcode.Error), a
// "code" entry of a map literal or an index assignment (GraphQL's
// extensions.code), and the codes given to define. An Error literal whose
// Code is not a literal is opaque: the scan cannot check it.
type scan struct {
	fset     *token.FileSet
	codes    []codeLiteral
	opaque   []string
	declared map[string]int
}

// scanModule scans every production Go file of the module: tests, the
// fake providers (their codes are the providers') and generated code
// aside.
func scanModule(t *testing.T) *scan {
	t.Helper()
	root := moduleRoot(t)
	var s scan
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			name := d.Name()
			if rel != "." && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata" ||
				rel == filepath.Join("internal", "fake") || rel == filepath.Join("graph", "generated")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return s.file(rel, src, filepath.Dir(rel) == filepath.Join("internal", "errcode"))
	})
	require.NoError(t, err)
	return &s
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, dir, parent, "no go.mod above the test")
		dir = parent
	}
}

// file scans one file; catalogue marks the catalogue's own package, where
// define builds its entries from a variable.
func (s *scan) file(name string, src []byte, catalogue bool) error {
	if s.fset == nil {
		s.fset = token.NewFileSet()
		s.declared = map[string]int{}
	}
	f, err := parser.ParseFile(s.fset, name, src, parser.SkipObjectResolution)
	if err != nil {
		return err
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CompositeLit:
			s.compositeLit(n, catalogue)
		case *ast.AssignStmt:
			for i, lhs := range n.Lhs {
				if ix, ok := lhs.(*ast.IndexExpr); ok && isString(ix.Index, "code") && i < len(n.Rhs) {
					s.literal(n.Rhs[i])
				}
			}
		case *ast.CallExpr:
			if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "define" && len(n.Args) > 0 {
				if code, ok := s.literal(n.Args[0]); ok {
					s.declared[code]++
				}
			}
		}
		return true
	})
	return nil
}

func (s *scan) compositeLit(n *ast.CompositeLit, catalogue bool) {
	isError := false
	switch t := n.Type.(type) {
	case *ast.Ident:
		isError = t.Name == "Error"
	case *ast.SelectorExpr:
		isError = t.Sel.Name == "Error"
	}
	for _, elt := range n.Elts {
		kv, ok := elt.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		if id, ok := kv.Key.(*ast.Ident); ok && isError && id.Name == "Code" {
			if _, ok := s.literal(kv.Value); !ok && !catalogue {
				s.opaque = append(s.opaque, s.fset.Position(kv.Pos()).String())
			}
		}
		if isString(kv.Key, "code") {
			s.literal(kv.Value)
		}
	}
}

// literal records e when it is a string literal.
func (s *scan) literal(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	v, err := strconv.Unquote(lit.Value)
	if err != nil {
		return "", false
	}
	s.codes = append(s.codes, codeLiteral{pos: s.fset.Position(lit.Pos()).String(), code: v})
	return v, true
}

func isString(e ast.Expr, want string) bool {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return false
	}
	v, err := strconv.Unquote(lit.Value)
	return err == nil && v == want
}
