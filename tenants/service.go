package tenants

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/text"
	"github.com/sesame-id/sesame/internal/webhook"
)

// NameMaxLen is the longest tenant display name accepted, in characters.
const NameMaxLen = 100

// Service creates tenants and finds them by host.
type Service struct {
	db    *db.DB
	base  string
	cache *tenantCache

	// Jobs enqueues the webhook deliveries of the settings changes it
	// records (internal/audit); app.Build sets it once the River client
	// exists, before serving. Nil: no deliveries.
	Jobs webhook.Inserter
}

// NewService returns a Service over d for tenants served under baseDomain
// (e.g. "localhost:8080", or "id.example.com"): tenant acme is at
// acme.{baseDomain}.
func NewService(d *db.DB, baseDomain string) *Service {
	return &Service{db: d, base: strings.ToLower(baseDomain), cache: newTenantCache()}
}

// BaseDomain returns the domain tenants are served under.
func (s *Service) BaseDomain() string { return s.base }

// Host returns the tenant's own host, {slug}.{base domain}.
func (s *Service) Host(t *Tenant) string { return t.Slug + "." + s.base }

// Create validates slug and name and creates the tenant with default
// settings. Bad input returns an *InputError; a taken slug ErrSlugTaken.
func (s *Service) Create(ctx context.Context, slug, name string) (*Tenant, error) {
	if err := ValidateSlug(slug); err != nil {
		return nil, err
	}
	name, err := text.Line(name, NameMaxLen)
	if err != nil {
		return nil, &InputError{Field: "name", Problem: err.Error()}
	}
	if name == "" {
		return nil, &InputError{Field: "name", Problem: "is empty; give the product's display name, e.g. \"Acme\""}
	}
	doc, err := DefaultSettings().Encode()
	if err != nil {
		return nil, err
	}
	row := &db.Tenant{Slug: slug, Name: name, Settings: doc}
	if err := s.db.Tenants().Create(ctx, row); err != nil {
		if errors.Is(err, db.ErrDuplicate) {
			return nil, fmt.Errorf("%q: %w", slug, ErrSlugTaken)
		}
		return nil, err
	}
	return fromRow(row)
}

// BySlug returns the tenant with slug, or an error wrapping db.ErrNotFound,
// also when slug cannot be one (a URL may carry any bytes; NUL is an
// error to PostgreSQL).
func (s *Service) BySlug(ctx context.Context, slug string) (*Tenant, error) {
	if ValidateSlug(slug) != nil && slug != AdminSlug {
		return nil, fmt.Errorf("tenant %q: %w", slug, db.ErrNotFound)
	}
	row, err := s.db.Tenants().BySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	return fromRow(row)
}

// ByID returns the tenant with id, or an error wrapping db.ErrNotFound.
func (s *Service) ByID(ctx context.Context, id uuid.UUID) (*Tenant, error) {
	row, err := s.db.Tenants().ByID(ctx, id)
	if err != nil {
		return nil, err
	}
	return fromRow(row)
}

// List returns every tenant ordered by slug.
func (s *Service) List(ctx context.Context) ([]*Tenant, error) {
	rows, err := s.db.Tenants().List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*Tenant, 0, len(rows))
	for _, r := range rows {
		t, err := fromRow(r)
		if err != nil {
			return nil, fmt.Errorf("tenant %s: %w", r.Slug, err)
		}
		out = append(out, t)
	}
	return out, nil
}

// Ensure returns the tenant with slug, creating it with name if it does not
// exist yet. created reports which happened.
func (s *Service) Ensure(ctx context.Context, slug, name string) (t *Tenant, created bool, err error) {
	t, err = s.BySlug(ctx, slug)
	if err == nil {
		return t, false, nil
	}
	if !errors.Is(err, db.ErrNotFound) {
		return nil, false, err
	}
	t, err = s.Create(ctx, slug, name)
	if errors.Is(err, ErrSlugTaken) {
		// Another process created it between the two statements.
		t, err = s.BySlug(ctx, slug)
		return t, false, err
	}
	return t, err == nil, err
}

// HostKind says what a request host is.
type HostKind int

// The kinds of host a request can arrive on.
const (
	HostUnknown HostKind = iota // neither the base domain nor a tenant's
	HostBase                    // the base domain itself: the admin console
	HostTenant                  // a tenant's host
)

// Resolve says what host (a request's Host header) is and, for a tenant
// host, returns its tenant. {slug}.{base} names a tenant by slug, any
// other host by a verified custom domain. Answers come from the process's
// tenant cache (cache.go): no statement once a host was resolved and
// nothing changed; one statement to read the tenant otherwise. The
// returned tenant is shared with other requests: do not modify it.
func (s *Service) Resolve(ctx context.Context, host string) (HostKind, *Tenant, error) {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if !strings.Contains(s.base, ":") {
		host = db.NormalizeHostname(host)
	}
	if host == s.base {
		return HostBase, nil, nil
	}
	var key string
	label, bySlug := strings.CutSuffix(host, "."+s.base)
	if bySlug {
		if label == "" || strings.Contains(label, ".") {
			return HostUnknown, nil, ErrUnknownHost
		}
		key = "slug:" + label
	} else {
		host = db.NormalizeHostname(host)
		key = "host:" + host
	}
	v, err := s.db.TenantVersion(ctx)
	if err != nil {
		return HostUnknown, nil, err
	}
	now := time.Now()
	if e, ok := s.cache.get(v, key, now); ok {
		return found(e.tenant)
	}
	var row *db.Tenant
	if bySlug {
		row, err = s.db.Tenants().BySlug(ctx, label)
	} else {
		row, err = s.db.Tenants().ByHostname(ctx, host)
	}
	if errors.Is(err, db.ErrNotFound) {
		s.cache.put(v, key, nil, now)
		return HostUnknown, nil, ErrUnknownHost
	}
	if err != nil {
		return HostUnknown, nil, err
	}
	t, err := fromRow(row)
	if err != nil {
		return HostUnknown, nil, err
	}
	s.cache.put(v, key, t, now)
	return HostTenant, t, nil
}

// found is Resolve's answer for a cached entry: t, or an unknown host.
func found(t *Tenant) (HostKind, *Tenant, error) {
	if t == nil {
		return HostUnknown, nil, ErrUnknownHost
	}
	return HostTenant, t, nil
}
