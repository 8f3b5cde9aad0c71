package provider

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
)

const (
	// RefreshTokenTTL is how long a refresh token can be used; each use
	// makes a new one with a new lifetime.
	RefreshTokenTTL = 30 * 24 * time.Hour
	// RefreshGrace is how long after its use a refresh token still works,
	// for a client's concurrent refreshes (RFC 9700 §4.14.2 allows a short
	// one); after it, a reuse revokes the family.
	RefreshGrace = 2 * time.Second
	// refreshIDPrefix marks the token id GetRefreshTokenInfo hands to
	// RevokeToken.
	refreshIDPrefix = "rt:"
)

// refreshRequest is a refresh token grant as the library sees it.
type refreshRequest struct {
	row    *db.OIDCRefreshToken
	scopes []string
}

var _ op.RefreshTokenRequest = (*refreshRequest)(nil)

func (r *refreshRequest) GetAMR() []string            { return AMR(r.row.AMR) }
func (r *refreshRequest) GetAudience() []string       { return []string{r.row.ClientID} }
func (r *refreshRequest) GetClientID() string         { return r.row.ClientID }
func (r *refreshRequest) GetScopes() []string         { return r.scopes }
func (r *refreshRequest) GetSubject() string          { return r.row.UserID.String() }
func (r *refreshRequest) SetCurrentScopes(s []string) { r.scopes = s }
func (r *refreshRequest) GetAuthTime() (t time.Time) {
	if r.row.AuthTime != nil {
		t = *r.row.AuthTime
	}
	return t
}

// TokenRequestByRefreshToken implements op.AuthStorage. It uses the token
// up (rotation): of the authenticated client's tokens only, so that another
// client cannot burn it. A token used before the grace period revokes its
// whole family, access tokens included.
func (s *storage) TokenRequestByRefreshToken(ctx context.Context, token string) (op.RefreshTokenRequest, error) {
	a := stateOf(ctx).app
	if a == nil {
		return nil, op.ErrInvalidRefreshToken
	}
	scope, err := s.scope(ctx)
	if err != nil {
		return nil, err
	}
	row, err := scope.OIDCRefreshTokens().Use(ctx, a.ClientID, flows.HashToken(token), s.clock.Now(), RefreshGrace)
	if errors.Is(err, db.ErrRefreshReused) {
		if rerr := revokeFamily(ctx, scope, row.FamilyID); rerr != nil {
			return nil, rerr
		}
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	return &refreshRequest{row: row, scopes: row.Scopes}, nil
}

// CreateAccessAndRefreshTokens implements op.AuthStorage: an access token
// and the next refresh token of the family (a code exchange with
// offline_access begins one).
func (s *storage) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, _ string) (string, string, time.Time, error) {
	var next db.OIDCRefreshToken
	switch r := req.(type) {
	case *authRequest:
		if r.row.UserID == nil {
			return "", "", time.Time{}, errors.New("refresh token for a request nobody signed in to")
		}
		next = db.OIDCRefreshToken{FamilyID: r.row.ID, ClientID: r.row.ClientID, UserID: *r.row.UserID, SessionID: r.row.SessionID,
			Scopes: db.StringList(r.doc.Scopes), AMR: r.row.AMR, AuthTime: r.row.AuthTime}
	case *refreshRequest:
		next = *r.row
		next.ID, next.UsedAt = uuid.Nil, nil
	default:
		return "", "", time.Time{}, errors.New("refresh tokens come from a code or a refresh token")
	}
	accessID, exp, err := s.CreateAccessToken(ctx, req)
	if err != nil {
		return "", "", time.Time{}, err
	}
	scope, err := s.scope(ctx)
	if err != nil {
		return "", "", time.Time{}, err
	}
	token, hash := flows.NewToken()
	now := s.clock.Now()
	next.TokenHash, next.CreatedAt, next.ExpiresAt = hash, now.UTC(), now.Add(RefreshTokenTTL).UTC()
	if err := scope.OIDCRefreshTokens().Create(ctx, &next); err != nil {
		return "", "", time.Time{}, err
	}
	return accessID, token, exp, nil
}

// GetRefreshTokenInfo implements op.AuthStorage for revocation: the
// client's own refresh token only.
func (s *storage) GetRefreshTokenInfo(ctx context.Context, clientID, token string) (string, string, error) {
	scope, err := s.scope(ctx)
	if err != nil {
		return "", "", err
	}
	row, err := scope.OIDCRefreshTokens().ByHash(ctx, clientID, flows.HashToken(token))
	if errors.Is(err, db.ErrNotFound) {
		return "", "", op.ErrInvalidRefreshToken
	}
	if err != nil {
		return "", "", err
	}
	stateOf(ctx).refresh = row
	return row.UserID.String(), refreshIDPrefix + row.ID.String(), nil
}

// revokeFamily revokes a grant: every refresh token of the family and
// every access token issued from it.
func revokeFamily(ctx context.Context, scope db.Scope, family uuid.UUID) error {
	if err := scope.OIDCRefreshTokens().RevokeFamily(ctx, family); err != nil {
		return err
	}
	return scope.OIDCTokens().RevokeByAuthRequest(ctx, family)
}
