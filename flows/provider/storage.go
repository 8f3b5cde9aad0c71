package provider

import (
	"context"
	"errors"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/apps"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/tenants"
)

// storage implements op.Storage over Sesame's database. Every method works
// in the tenant of the request (tenants.FromContext), through its db.Scope:
// one tenant's provider cannot see another's clients, codes or tokens.
type storage struct {
	db    *db.DB
	keys  *KeyRing
	clock clock.Clock
}

var (
	_ op.Storage                   = (*storage)(nil)
	_ op.ClientCredentialsStorage  = (*storage)(nil)
	_ op.CanSetUserinfoFromRequest = (*storage)(nil)
)

// errNoTenant means the provider was reached without a tenant: a wiring
// bug, answered as a server error.
var errNoTenant = errors.New("provider: request without tenant")

// reqState is what one request's storage calls share: the application it
// concerns (whose ID token algorithm SigningKey needs, and which
// GetClientByClientID loaded already) and the browser binding the
// authorization endpoint set.
type reqState struct {
	app     *db.OIDCApp
	binding string
	// created is the authorization request the authorization endpoint
	// stored (sign_in_redirect.go).
	created *authRequest
	// completing is the authorization request /oidc/login is answering,
	// its user set, whose code SaveAuthCode stores.
	completing *authRequest
	// refresh is the refresh token GetRefreshTokenInfo found for the
	// revoking client.
	refresh *db.OIDCRefreshToken
	// endSession ends the browser's session if it is userID's
	// (RP-initiated logout).
	endSession func(ctx context.Context, userID string) error
	// tokenRefused is set when userinfo refuses the token itself (unknown,
	// expired, revoked, not a user's), not for a failure of the store.
	tokenRefused bool
	// tx is the code exchange's transaction (exchange.go), which every
	// store call of the request runs on; keys are the tenant's signing
	// keys, loaded before it began.
	tx   *db.Tx
	keys *tenantKeys
}

type stateKey struct{}

func withState(ctx context.Context, st *reqState) context.Context {
	return context.WithValue(ctx, stateKey{}, st)
}

func stateOf(ctx context.Context) *reqState {
	if st, ok := ctx.Value(stateKey{}).(*reqState); ok {
		return st
	}
	return &reqState{}
}

func (s *storage) scope(ctx context.Context) (db.Scope, error) {
	t, ok := tenants.FromContext(ctx)
	if !ok {
		return db.Scope{}, errNoTenant
	}
	if tx := stateOf(ctx).tx; tx != nil {
		return tx.ForTenant(t.ID), nil
	}
	return s.db.ForTenant(t.ID), nil
}

// app loads the tenant's application and remembers it for the request.
func (s *storage) app(ctx context.Context, clientID string) (*db.OIDCApp, error) {
	st := stateOf(ctx)
	if st.app != nil && st.app.ClientID == clientID {
		return st.app, nil
	}
	scope, err := s.scope(ctx)
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	a, err := scope.OIDCApps().Lookup(ctx, clientID)
	if errors.Is(err, db.ErrNotFound) {
		return nil, fmt.Errorf("unknown client: %w", err)
	}
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	st.app = a
	return a, nil
}

// GetClientByClientID implements op.OPStorage.
func (s *storage) GetClientByClientID(ctx context.Context, clientID string) (op.Client, error) {
	a, err := s.app(ctx, clientID)
	if err != nil {
		return nil, err
	}
	return client{app: a}, nil
}

// AuthorizeClientIDSecret implements op.OPStorage.
func (s *storage) AuthorizeClientIDSecret(ctx context.Context, clientID, secret string) error {
	a, err := s.app(ctx, clientID)
	if err != nil {
		return err
	}
	_, err = s.checkSecret(ctx, a, secret)
	return err
}

// checkSecret checks the client's secret; one that does not match the
// process's cached application is checked again against the stored one,
// so that a secret rotated by another process (the CLI) works at once.
func (s *storage) checkSecret(ctx context.Context, a *db.OIDCApp, secret string) (*db.OIDCApp, error) {
	err := apps.CheckSecret(a, secret, s.clock.Now())
	if err == nil {
		return a, nil
	}
	scope, serr := s.scope(ctx)
	if serr != nil {
		return nil, err
	}
	fresh, rerr := scope.OIDCApps().Reload(ctx, a.ClientID)
	if rerr != nil {
		return nil, err
	}
	if st := stateOf(ctx); st.app != nil && st.app.ClientID == fresh.ClientID {
		st.app = fresh
	}
	if err := apps.CheckSecret(fresh, secret, s.clock.Now()); err != nil {
		return nil, err
	}
	return fresh, nil
}

// ClientCredentials implements op.ClientCredentialsStorage: only m2m
// applications use the grant.
func (s *storage) ClientCredentials(ctx context.Context, clientID, secret string) (op.Client, error) {
	a, err := s.app(ctx, clientID)
	if err != nil {
		return nil, err
	}
	a, err = s.checkSecret(ctx, a, secret)
	if err != nil {
		return nil, err
	}
	if a.Type != apps.TypeM2M {
		return nil, errors.New("client credentials are for m2m applications")
	}
	return client{app: a}, nil
}

// ccRequest is a client credentials token request.
type ccRequest struct {
	clientID string
	scopes   []string
}

func (r *ccRequest) GetSubject() string    { return r.clientID }
func (r *ccRequest) GetAudience() []string { return []string{r.clientID} }
func (r *ccRequest) GetScopes() []string   { return r.scopes }

// ClientCredentialsTokenRequest implements op.ClientCredentialsStorage; it
// keeps the scopes the application may have.
func (s *storage) ClientCredentialsTokenRequest(ctx context.Context, clientID string, scopes []string) (op.TokenRequest, error) {
	a, err := s.app(ctx, clientID)
	if err != nil {
		return nil, err
	}
	return &ccRequest{clientID: clientID, scopes: allowedScopes(a, scopes)}, nil
}

// SigningKey implements op.AuthStorage: the tenant's key of the algorithm
// the request's application signs ID tokens with.
func (s *storage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	t, ok := tenants.FromContext(ctx)
	if !ok {
		return nil, errNoTenant
	}
	alg := jose.RS256
	st := stateOf(ctx)
	if a := st.app; a != nil && a.IDTokenAlg == apps.AlgES256 {
		alg = jose.ES256
	}
	if k := st.keys.currentKey(alg); k != nil {
		return k, nil
	}
	return s.keys.Signing(ctx, t.ID, alg)
}

// SignatureAlgorithms implements op.AuthStorage.
func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return algorithms, nil
}

// KeySet implements op.AuthStorage: the tenant's published keys.
func (s *storage) KeySet(ctx context.Context) ([]op.Key, error) {
	t, ok := tenants.FromContext(ctx)
	if !ok {
		return nil, errNoTenant
	}
	return s.keys.Published(ctx, t.ID)
}

// Health implements op.Storage.
func (s *storage) Health(context.Context) error { return nil }

// GetKeyByIDAndClientID implements op.OPStorage; Sesame takes no JWT
// client assertions.
func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("client assertions are not supported")
}

// ValidateJWTProfileScopes implements op.OPStorage; Sesame takes no JWT
// profile grants.
func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("the JWT profile grant is not supported")
}

// GetPrivateClaimsFromScopes implements op.OPStorage: no private claims.
func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}
