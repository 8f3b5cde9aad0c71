package graph

import (
	"context"
	"errors"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/sesame-id/sesame/flows"
)

// checkArguments refuses a field whose string arguments are not text
// (flows.CheckStrings: invalid UTF-8, which the JSON decoder turns into
// U+FFFD, NUL or control characters), before its directives and resolver
// run, so no such value reaches a store whatever the field. The error
// names the argument as the client wrote it, without the conventional
// "input." wrapper ("displayName", "smtp.password"). One-line inputs
// (names, searches) are checked further by their resolvers with
// flows.CleanText.
func checkArguments(ctx context.Context, next graphql.Resolver) (any, error) {
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		for name, v := range fc.Args {
			if name != "input" {
				v = map[string]any{name: v}
			}
			if err := flows.CheckStrings(v); err != nil {
				return nil, err
			}
		}
	}
	return next(ctx)
}

// argumentName names the argument an error of gqlgen's argument decoding
// (an ID that is not one) is about: the last name of its path.
func argumentName(err error) string {
	var gerr *gqlerror.Error
	if !errors.As(err, &gerr) {
		return ""
	}
	for i := len(gerr.Path) - 1; i >= 0; i-- {
		if name, ok := gerr.Path[i].(ast.PathName); ok {
			return string(name)
		}
	}
	return ""
}
