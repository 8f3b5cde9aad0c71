package flows_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

const module = "github.com/sesame-id/sesame/"

// TestLayering_DependenciesPointDown keeps the engine below the web
// bundle: the flow engine and the jobs reach the locale files through
// internal/locale, never through console (the browser bundle), and the
// GraphQL layer masks a phone with flows.MaskPhone instead of reaching
// into one flow kind's package.
func TestLayering_DependenciesPointDown(t *testing.T) {
	t.Parallel()
	forbidden := map[string][]string{
		"flows": {"console"},
		"jobs":  {"console"},
		"graph": {"flows/signin"},
	}
	for pkg, never := range forbidden {
		importers := reverseDeps(t, module+pkg)
		for _, n := range never {
			require.NotContains(t, importers, module+n,
				"%s depends on %s, imported by %v", pkg, n, importers[module+n])
		}
	}
}

// reverseDeps lists, by `go list -deps -json`, every package pkg depends
// on (itself included), each with the packages of that graph importing it.
func reverseDeps(t *testing.T, pkg string) map[string][]string {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath,Imports", pkg)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "go list: %s", stderr.String())
	importers := map[string][]string{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			ImportPath string
			Imports    []string
		}
		err := dec.Decode(&p)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		if _, ok := importers[p.ImportPath]; !ok {
			importers[p.ImportPath] = nil
		}
		for _, imp := range p.Imports {
			if !slices.Contains(importers[imp], p.ImportPath) {
				importers[imp] = append(importers[imp], p.ImportPath)
			}
		}
	}
	require.Contains(t, importers, pkg, "go list listed the package itself")
	return importers
}
