package federation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
)

// checkDomains normalizes an enterprise connector's email domains: at
// least one, each a hostname with a dot; a social connector has none.
func checkDomains(kind string, in []string) ([]string, error) {
	out := []string{}
	for _, d := range in {
		d = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
		if !validDomain(d) {
			return nil, flows.ErrInvalidInput.WithField("domains", fmt.Sprintf("%q is not an email domain; give one such as corp.example.com.", d))
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	switch {
	case kind == KindEnterprise && len(out) == 0:
		return nil, flows.ErrInvalidInput.WithField("domains", "An enterprise connector needs at least one email domain: its users are sent to it by their address.")
	case kind == KindSocial && len(out) > 0:
		return nil, flows.ErrInvalidInput.WithField("domains", "A social connector is a button for everyone; only an enterprise connector takes email domains.")
	}
	return out, nil
}

func validDomain(d string) bool {
	if len(d) < 3 || len(d) > 253 || !strings.Contains(d, ".") || strings.HasPrefix(d, ".") || strings.Contains(d, "..") {
		return false
	}
	for _, r := range d {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// domainsFree refuses a domain verified for another of the tenant's
// connectors. A domain another connector lists but has not proven does
// not block: the TXT record decides which connector it routes to.
func domainsFree(ctx context.Context, scope db.Scope, domains []string) error {
	for _, d := range domains {
		if err := verifiedElsewhere(ctx, scope, d, uuid.Nil, "domains"); err != nil {
			return err
		}
	}
	return nil
}

// List returns the tenant's connectors.
func List(ctx context.Context, scope db.Scope) ([]*Connector, error) {
	rows, err := scope.Connectors().List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*Connector, 0, len(rows))
	for _, r := range rows {
		c, err := Parse(r)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// Get returns the tenant's connector id (db.ErrNotFound when none).
func Get(ctx context.Context, scope db.Scope, id uuid.UUID) (*Connector, error) {
	row, err := scope.Connectors().Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return Parse(row)
}

// Delete removes the tenant's connector id with the identities linked
// through it (db.ErrNotFound when none).
func Delete(ctx context.Context, scope db.Scope, id uuid.UUID) error {
	return scope.Connectors().Delete(ctx, id)
}

// ForEmail returns the enterprise connector that routes email's domain,
// or nil: the one connector the domain is verified for. A pending domain
// routes nowhere.
func ForEmail(ctx context.Context, scope db.Scope, email string) (*Connector, error) {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return nil, nil
	}
	domain := strings.ToLower(email[at+1:])
	row, err := scope.ConnectorDomains().Verified(ctx, domain)
	if errors.Is(err, db.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	c, err := Get(ctx, scope, row.ConnectorID)
	if errors.Is(err, db.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if c.Kind != KindEnterprise || !slices.Contains(c.Domains, domain) {
		return nil, nil
	}
	return c, nil
}

// Social returns the tenant's social connectors, the buttons of the
// sign-in and sign-up pages.
func Social(ctx context.Context, scope db.Scope) ([]*Connector, error) {
	all, err := List(ctx, scope)
	if err != nil {
		return nil, err
	}
	out := []*Connector{}
	for _, c := range all {
		if c.Kind == KindSocial {
			out = append(out, c)
		}
	}
	return out, nil
}
