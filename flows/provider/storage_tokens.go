package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/apps"
)

// Access tokens are opaque: the client gets the token row's id and subject
// encrypted (AES-256-GCM) under a key derived from the key-encryption key,
// and the row says what the token grants. Opaque rather than JWT because a
// token must die the moment it is revoked (a reused code, a revocation
// request, a disabled user), because it carries no personal data a JWT
// would expose to every API it passes through, and because Sesame itself
// serves userinfo and introspection, so the lookup is one indexed SELECT;
// resource servers ask the introspection endpoint.

// CreateAccessToken implements op.AuthStorage.
func (s *storage) CreateAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	scope, err := s.scope(ctx)
	if err != nil {
		return "", time.Time{}, err
	}
	now := s.clock.Now()
	t := &db.OIDCToken{Subject: req.GetSubject(), Scopes: db.StringList(req.GetScopes()), CreatedAt: now.UTC()}
	switch r := req.(type) {
	case *authRequest:
		t.ClientID = r.row.ClientID
		t.UserID = r.row.UserID
		t.AuthRequestID = &r.row.ID
		t.SessionID = r.row.SessionID
		t.AMR = r.row.AMR
		t.AuthTime = r.row.AuthTime
	case *refreshRequest:
		t.ClientID = r.row.ClientID
		t.UserID = &r.row.UserID
		t.AuthRequestID = &r.row.FamilyID
		t.SessionID = r.row.SessionID
		t.AMR = r.row.AMR
		t.AuthTime = r.row.AuthTime
	case *ccRequest:
		t.ClientID = r.clientID
	default:
		return "", time.Time{}, fmt.Errorf("token request %T is not supported", req)
	}
	a, err := s.app(ctx, t.ClientID)
	if err != nil {
		return "", time.Time{}, err
	}
	t.ExpiresAt = now.Add(time.Duration(a.AccessTokenTTLSeconds) * time.Second).UTC()
	if err := scope.OIDCTokens().Create(ctx, t); err != nil {
		return "", time.Time{}, err
	}
	return t.ID.String(), t.ExpiresAt, nil
}

// RevokeToken implements op.AuthStorage (RFC 7009): the token is deleted
// if the client revoking it is the one it was issued to.
func (s *storage) RevokeToken(ctx context.Context, tokenID, _, clientID string) *oidc.Error {
	if rt := stateOf(ctx).refresh; rt != nil && tokenID == refreshIDPrefix+rt.ID.String() {
		// A refresh token (found for this client by GetRefreshTokenInfo)
		// revokes its whole grant (RFC 7009 §2.1).
		scope, err := s.scope(ctx)
		if err == nil {
			err = revokeFamily(ctx, scope, rt.FamilyID)
		}
		if err != nil {
			return oidc.ErrServerError().WithParent(err)
		}
		return nil
	}
	id, err := uuid.Parse(tokenID)
	if err != nil {
		return nil // an unknown token is not an error (RFC 7009 §2.2)
	}
	scope, err := s.scope(ctx)
	if err == nil {
		err = scope.OIDCTokens().Revoke(ctx, id, clientID)
	}
	if err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	return nil
}

// TerminateSession implements op.AuthStorage (RP-initiated logout): it
// ends the browser's Sesame session when it is the user's named by the
// id_token_hint.
func (s *storage) TerminateSession(ctx context.Context, userID, _ string) error {
	st := stateOf(ctx)
	if st.endSession == nil {
		return nil
	}
	return st.endSession(ctx, userID)
}

// token loads the tenant's unexpired token id.
func (s *storage) token(ctx context.Context, tokenID string) (*db.OIDCToken, error) {
	id, err := uuid.Parse(tokenID)
	if err != nil {
		return nil, fmt.Errorf("access token: %w", db.ErrNotFound)
	}
	scope, err := s.scope(ctx)
	if err != nil {
		return nil, err
	}
	return scope.OIDCTokens().Get(ctx, id, s.clock.Now())
}

// SetUserinfoFromScopes implements op.OPStorage (deprecated by the
// library in favour of SetUserinfoFromRequest).
func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest implements op.CanSetUserinfoFromRequest: the ID
// token's claims by scope, and sid, the Sesame session it came from.
func (s *storage) SetUserinfoFromRequest(ctx context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	var (
		userID, sessionID *uuid.UUID
		known             *db.User
	)
	switch r := req.(type) {
	case *authRequest:
		userID, sessionID, known = r.row.UserID, r.row.SessionID, r.row.User
	case *refreshRequest:
		userID, sessionID = &r.row.UserID, r.row.SessionID
	}
	if userID == nil {
		return nil
	}
	if sessionID != nil {
		info.AppendClaims("sid", sessionID.String())
	}
	err := s.userClaims(ctx, info, *userID, known, scopes)
	// A code exchange has run its last statement: commit before signing.
	if cerr := stateOf(ctx).commitExchange(); cerr != nil {
		return cerr
	}
	return err
}

// SetUserinfoFromToken implements op.OPStorage (the userinfo endpoint):
// only tokens of a user, with the openid scope.
func (s *storage) SetUserinfoFromToken(ctx context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	t, err := s.token(ctx, tokenID)
	if errors.Is(err, db.ErrNotFound) {
		stateOf(ctx).tokenRefused = true
	}
	if err != nil {
		return err
	}
	if t.UserID == nil || t.Subject != subject || !slices.Contains(t.Scopes, oidc.ScopeOpenID) {
		stateOf(ctx).tokenRefused = true
		return errors.New("the token is not a user's token with the openid scope")
	}
	return s.userClaims(ctx, info, *t.UserID, nil, t.Scopes)
}

// SetIntrospectionFromToken implements op.OPStorage (RFC 7662). The
// caller, an authenticated client of the tenant, learns about a token if
// it is an m2m application (a resource server) or the token's own client.
func (s *storage) SetIntrospectionFromToken(ctx context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	t, err := s.token(ctx, tokenID)
	if err != nil {
		return err
	}
	caller, err := s.app(ctx, clientID)
	if err != nil {
		return err
	}
	if t.Subject != subject || (caller.Type != apps.TypeM2M && caller.ClientID != t.ClientID) {
		return errors.New("the caller may not introspect this token")
	}
	resp.Scope = oidc.SpaceDelimitedArray(t.Scopes)
	resp.ClientID = t.ClientID
	resp.TokenType = oidc.BearerToken
	resp.Expiration = oidc.FromTime(t.ExpiresAt)
	resp.IssuedAt = oidc.FromTime(t.CreatedAt)
	resp.Subject = t.Subject
	resp.Audience = oidc.Audience{t.ClientID}
	resp.Issuer = op.IssuerFromContext(ctx)
	if t.AuthTime != nil {
		resp.AuthTime = oidc.FromTime(*t.AuthTime)
	}
	if t.AMR != "" {
		resp.AuthenticationMethodsReferences = AMR(t.AMR)
	}
	return nil
}

// userClaims fills sub and, by scope, name (profile), email and
// email_verified (email), phone_number and phone_number_verified (phone).
// sub is the user's id: stable within the tenant, no personal data.
// known is the user when the caller has read it already (the code
// exchange on PostgreSQL reads it with the code, db.OIDCAuthRequest.User),
// else nil.
func (s *storage) userClaims(ctx context.Context, info *oidc.UserInfo, userID uuid.UUID, known *db.User, scopes []string) error {
	scope, err := s.scope(ctx)
	if err != nil {
		return err
	}
	u := known
	if u == nil || u.ID != userID {
		if u, err = scope.Users().ByID(ctx, userID); err != nil {
			return err
		}
	}
	if u.DisabledAt != nil {
		return errors.New("the user is disabled")
	}
	info.Subject = u.ID.String()
	has := func(s string) bool { return slices.Contains(scopes, s) }
	if has(oidc.ScopeProfile) && strings.TrimSpace(u.DisplayName) != "" {
		info.Name = u.DisplayName
	}
	if !has(oidc.ScopeEmail) && !has(oidc.ScopePhone) {
		return nil
	}
	ids, err := scope.Users().Identifiers(ctx, userID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		switch {
		case id.Kind == db.IdentifierEmail && has(oidc.ScopeEmail):
			info.Email = id.Value
			info.EmailVerified = oidc.Bool(id.VerifiedAt != nil)
		case id.Kind == db.IdentifierPhone && has(oidc.ScopePhone):
			info.PhoneNumber = id.Value
			info.PhoneNumberVerified = id.VerifiedAt != nil
		}
	}
	return nil
}
