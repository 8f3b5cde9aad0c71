package tenants

import "errors"

// InputError says which input is wrong and how to put it right. Callers
// show it to the person who typed the input.
type InputError struct {
	Field   string
	Problem string
}

func (e *InputError) Error() string { return e.Field + ": " + e.Problem }

var (
	// ErrSlugTaken is returned when another tenant has the slug.
	ErrSlugTaken = errors.New("slug is taken by another tenant")

	// ErrUnknownHost is returned when a host names no tenant.
	ErrUnknownHost = errors.New("no tenant serves this host")
)
