// Package flowdoc checks that a flow package's doc comment draws the
// machine the package declares, so that the diagram a reader trusts and
// the transitions the engine enforces cannot drift apart.
//
// A diagram line, anywhere in the package comment, reads
//
//	FROM ──ACTION──▶ TO  (anything after is a note)
//
// with FROM and TO one state or several joined by "|", and TO "stays" for
// a transition that leaves the flow in the state it ran in
// (flows.Transition.Stays). Lines without the arrow are prose.
package flowdoc

import (
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/flows"
)

// stays is the TO that names the state the action ran in.
const stays = "stays"

// Declared lists the (from, action, to) moves ts allow, one
// "from ──action──▶ to" string each, sorted and without repeats.
func Declared(ts []flows.Transition) []string {
	var out []string
	for _, t := range ts {
		for _, from := range t.From {
			for _, to := range t.Leads(from) {
				out = append(out, move(string(from), t.Action, string(to)))
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Drawn lists the moves the diagram lines of text draw, in the form of
// Declared.
func Drawn(text string) ([]string, error) {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		fields := strings.Fields(line)
		if len(fields) < 3 || !strings.HasPrefix(fields[1], "──") || !strings.HasSuffix(fields[1], "──▶") {
			continue
		}
		action := strings.TrimSuffix(strings.TrimPrefix(fields[1], "──"), "──▶")
		if action == "" {
			return nil, fmt.Errorf("diagram line %q names no action", line)
		}
		for _, from := range strings.Split(fields[0], "|") {
			for _, to := range strings.Split(fields[2], "|") {
				if from == "" || to == "" {
					return nil, fmt.Errorf("diagram line %q has an empty state", line)
				}
				if to == stays {
					to = from
				}
				out = append(out, move(from, action, to))
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// PackageDoc returns the package comment of the Go package in dir (its
// non-test files).
func PackageDoc(dir string) (string, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return "", err
	}
	var doc strings.Builder
	fset := token.NewFileSet()
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			return "", err
		}
		f, err := parser.ParseFile(fset, name, src, parser.PackageClauseOnly|parser.ParseComments)
		if err != nil {
			return "", err
		}
		if f.Doc != nil {
			doc.WriteString(f.Doc.Text())
		}
	}
	return doc.String(), nil
}

// Check fails t unless the package comment of the package in dir draws
// exactly the moves ts declare: none missing, none extra.
func Check(t testing.TB, dir string, ts []flows.Transition) {
	t.Helper()
	doc, err := PackageDoc(dir)
	require.NoError(t, err)
	drawn, err := Drawn(doc)
	require.NoError(t, err)
	require.NotEmpty(t, drawn, "the package comment draws no machine")
	require.Equal(t, Declared(ts), drawn, "the package comment's diagram and the declared machine differ")
}

func move(from, action, to string) string {
	return from + " ──" + action + "──▶ " + to
}
