package tenants

import (
	"errors"

	"github.com/sesame-id/sesame/internal/errcode"
)

// InputError says which input is wrong and how to put it right. Callers
// show it to the person who typed the input.
type InputError struct {
	Field   string
	Problem string
}

func (e *InputError) Error() string { return e.Field + ": " + e.Problem }

// PublicError is the catalogue's invalid_input naming the field, with the
// problem as its sentence.
func (e *InputError) PublicError() *errcode.Error {
	return errcode.ErrInvalidInput.WithField(e.Field, e.Error())
}

var (
	// ErrSlugTaken is returned when another tenant has the slug.
	ErrSlugTaken = errors.New("slug is taken by another tenant")

	// ErrUnknownHost is returned when a host names no tenant.
	ErrUnknownHost = errors.New("no tenant serves this host")
)
