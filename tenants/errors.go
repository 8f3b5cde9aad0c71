package tenants

import (
	"errors"
	"fmt"

	"github.com/sesame-id/sesame/internal/errcode"
)

// InputError says which input is wrong and how to put it right. Callers
// show it to the person who typed the input.
type InputError struct {
	Field   string
	Problem string
	// Params, when set, name the rule broken ("reason") and its values,
	// so a page in another language words the problem itself
	// (errcode.Error.Params).
	Params map[string]any
}

func (e *InputError) Error() string { return e.Field + ": " + e.Problem }

// PublicError is the catalogue's invalid_input naming the field, with the
// problem as its sentence.
func (e *InputError) PublicError() *errcode.Error {
	pe := errcode.ErrInvalidInput.WithField(e.Field, e.Error())
	if e.Params != nil {
		pe = pe.WithParams(e.Params)
	}
	return pe
}

// outside is the refusal of a number v of field outside lo–hi; why adds
// what the bounds are for, after a colon, or is "".
func outside(field string, v, lo, hi int, why string) *InputError {
	problem := fmt.Sprintf("%d is outside %d–%d", v, lo, hi)
	if why != "" {
		problem += ": " + why
	}
	return &InputError{Field: field, Problem: problem, Params: map[string]any{"reason": "outside", "value": v, "min": lo, "max": hi}}
}

var (
	// ErrSlugTaken is returned when another tenant has the slug.
	ErrSlugTaken = errors.New("slug is taken by another tenant")

	// ErrUnknownHost is returned when a host names no tenant.
	ErrUnknownHost = errors.New("no tenant serves this host")
)
