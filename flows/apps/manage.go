package apps

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/errcode"
)

// ErrNoSecret refuses to rotate the secret of an application that has
// none (spa, native: public clients prove their requests with PKCE).
var ErrNoSecret = errcode.ErrApplicationHasNoSecret

// Change is what a person changes of an application; a nil field stays as
// it is. The type cannot change: a public client becoming confidential (or
// back) would need its secret made or dropped, so one makes a new
// application instead.
type Change struct {
	Name                   *string
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	Scopes                 []string
	AccessTokenTTL         *time.Duration
	IDTokenTTL             *time.Duration
	IDTokenAlg             *string
	FirstParty             *bool
	// BackchannelLogoutURI "" removes the URI.
	BackchannelLogoutURI             *string
	BackchannelLogoutSessionRequired *bool
}

// SpecOf is what the application's row says, as a Spec.
func SpecOf(a *db.OIDCApp) Spec {
	return Spec{
		Name: a.Name, Type: a.Type,
		RedirectURIs:           append([]string{}, a.RedirectURIs...),
		PostLogoutRedirectURIs: append([]string{}, a.PostLogoutRedirectURIs...),
		Scopes:                 append([]string{}, a.Scopes...),
		AccessTokenTTL:         time.Duration(a.AccessTokenTTLSeconds) * time.Second,
		IDTokenTTL:             time.Duration(a.IDTokenTTLSeconds) * time.Second,
		IDTokenAlg:             a.IDTokenAlg,
		FirstParty:             a.FirstParty,

		BackchannelLogoutURI:             a.BackchannelLogoutURI,
		BackchannelLogoutSessionRequired: a.BackchannelLogoutSessionRequired,
	}
}

// apply returns s with the change made.
func (c Change) apply(s Spec) Spec {
	if c.Name != nil {
		s.Name = *c.Name
	}
	if c.RedirectURIs != nil {
		s.RedirectURIs = c.RedirectURIs
	}
	if c.PostLogoutRedirectURIs != nil {
		s.PostLogoutRedirectURIs = c.PostLogoutRedirectURIs
	}
	if c.Scopes != nil {
		s.Scopes = c.Scopes
	}
	if c.AccessTokenTTL != nil {
		s.AccessTokenTTL = *c.AccessTokenTTL
	}
	if c.IDTokenTTL != nil {
		s.IDTokenTTL = *c.IDTokenTTL
	}
	if c.IDTokenAlg != nil {
		s.IDTokenAlg = *c.IDTokenAlg
	}
	if c.FirstParty != nil {
		s.FirstParty = *c.FirstParty
	}
	if c.BackchannelLogoutURI != nil {
		s.BackchannelLogoutURI = *c.BackchannelLogoutURI
	}
	if c.BackchannelLogoutSessionRequired != nil {
		s.BackchannelLogoutSessionRequired = *c.BackchannelLogoutSessionRequired
	}
	return s
}

// Update makes the change to the tenant's application id under the same
// rules as Create, and returns the application as stored.
func Update(ctx context.Context, scope db.Scope, id uuid.UUID, c Change, now time.Time) (*db.OIDCApp, error) {
	a, err := scope.OIDCApps().ByID(ctx, id)
	if err != nil {
		return nil, err
	}
	spec := c.apply(SpecOf(a))
	if err := spec.Normalize(); err != nil {
		return nil, err
	}
	a.Name = spec.Name
	a.RedirectURIs = db.StringList(spec.RedirectURIs)
	a.PostLogoutRedirectURIs = db.StringList(spec.PostLogoutRedirectURIs)
	a.Scopes = db.StringList(spec.Scopes)
	a.AccessTokenTTLSeconds = int(spec.AccessTokenTTL / time.Second)
	a.IDTokenTTLSeconds = int(spec.IDTokenTTL / time.Second)
	a.IDTokenAlg = spec.IDTokenAlg
	a.FirstParty = spec.FirstParty
	a.BackchannelLogoutURI, a.BackchannelLogoutSessionRequired = spec.BackchannelLogoutURI, spec.BackchannelLogoutSessionRequired
	if err := scope.OIDCApps().Update(ctx, a, now); err != nil {
		return nil, err
	}
	return a, nil
}

// Rotated is an application after a rotation, with its new secret, which
// exists only here and in the hands of whoever asked.
type Rotated struct {
	App    *db.OIDCApp
	Secret string
}

// RotateSecretOf gives the tenant's application id a new secret (see
// RotateSecret); an application of a type without a secret returns
// ErrNoSecret.
func RotateSecretOf(ctx context.Context, scope db.Scope, id uuid.UUID, now time.Time) (*Rotated, error) {
	a, err := scope.OIDCApps().ByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !HasSecret(a.Type) {
		return nil, ErrNoSecret
	}
	secret, err := RotateSecret(ctx, scope, a.ClientID, now)
	if err != nil {
		return nil, err
	}
	if a, err = scope.OIDCApps().ByID(ctx, id); err != nil {
		return nil, err
	}
	return &Rotated{App: a, Secret: secret}, nil
}

// Delete removes the tenant's application id. Its client id stops
// working at once: the provider finds no such client; and the tokens
// issued to it are revoked in the same transaction (introspection answers
// inactive, refresh fails).
func Delete(ctx context.Context, scope db.Scope, id uuid.UUID) error {
	a, err := scope.OIDCApps().ByID(ctx, id)
	if err != nil {
		return err
	}
	return DeleteClient(ctx, scope, a.ClientID)
}

// DeleteClient is Delete by client id (the CLI's door); ErrNotFound when
// the tenant has no such application.
func DeleteClient(ctx context.Context, scope db.Scope, clientID string) error {
	return scope.OIDCApps().DeleteWithTokens(ctx, clientID)
}
