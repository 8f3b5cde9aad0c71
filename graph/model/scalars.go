// Package model holds the GraphQL API's own types: those gqlgen generates
// from the schema (models_gen.go) and the ID scalar.
package model

import (
	"io"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"

	"github.com/sesame-id/sesame/flows"
)

// MarshalUUID writes an ID.
func MarshalUUID(id uuid.UUID) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(id.String())) })
}

// errNotID answers an ID argument that is not one of ours: invalid_input,
// which the error presenter names with the argument. The value is not
// repeated: it may not be text.
var errNotID = flows.ErrInvalidInput.WithField("", "This is not an ID: send an id as the API returned it.")

// UnmarshalUUID reads an ID, refusing anything that is not one of ours.
func UnmarshalUUID(v any) (uuid.UUID, error) {
	s, ok := v.(string)
	if !ok {
		return uuid.Nil, errNotID
	}
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, errNotID
	}
	return id, nil
}
