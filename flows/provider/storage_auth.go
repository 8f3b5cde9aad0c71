package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/apps"
)

const (
	// authRequestTTL bounds the whole sign-in (or sign-up) a request waits
	// for, codes and all.
	authRequestTTL = 30 * time.Minute
	// codeTTL is how long an authorization code can be exchanged
	// (RFC 9700 §4.2.1 wants it short).
	codeTTL = time.Minute
)

// CreateAuthRequest implements op.AuthStorage. It enforces what the
// library leaves to its storage: PKCE with S256 only (plain refused), PKCE
// for every public client, only the scopes the application may have, and
// the request's binding to the browser that made it.
func (s *storage) CreateAuthRequest(ctx context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	a, err := s.app(ctx, req.ClientID)
	if err != nil {
		return nil, err
	}
	if req.CodeChallenge != "" && req.CodeChallengeMethod != oidc.CodeChallengeMethodS256 {
		return nil, oidc.ErrInvalidRequest().WithDescription("code_challenge_method must be S256")
	}
	if req.CodeChallenge == "" && apps.Public(a.Type) {
		return nil, oidc.ErrInvalidRequest().WithDescription("PKCE (code_challenge with S256) is required")
	}
	st := stateOf(ctx)
	if st.binding == "" {
		return nil, oidc.ErrServerError().WithParent(errors.New("authorization request without browser binding"))
	}
	doc := requestDoc{
		Scopes: allowedScopes(a, req.Scopes), ResponseType: req.ResponseType, ResponseMode: req.ResponseMode,
		RedirectURI: req.RedirectURI, State: req.State, Nonce: req.Nonce, Prompt: req.Prompt, MaxAge: req.MaxAge,
		LoginHint: req.LoginHint, CodeChallenge: req.CodeChallenge, CodeChallengeMethod: req.CodeChallengeMethod,
	}
	doc.ACRValues = req.ACRValues
	for _, tag := range req.UILocales {
		doc.UILocales = append(doc.UILocales, tag.String())
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	scope, err := s.scope(ctx)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	row := &db.OIDCAuthRequest{ClientID: a.ClientID, Request: string(b), BindingHash: flows.HashToken(st.binding),
		CreatedAt: now.UTC(), ExpiresAt: now.Add(authRequestTTL).UTC()}
	if err := scope.OIDCAuthRequests().Create(ctx, row); err != nil {
		return nil, err
	}
	ar := &authRequest{row: row, doc: doc}
	st.created = ar
	return ar, nil
}

// AuthRequestByID implements op.AuthStorage.
func (s *storage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	return s.authRequest(ctx, id)
}

func (s *storage) authRequest(ctx context.Context, id string) (*authRequest, error) {
	rid, err := uuid.Parse(id)
	if err != nil {
		return nil, fmt.Errorf("authorization request %q: %w", id, db.ErrNotFound)
	}
	scope, err := s.scope(ctx)
	if err != nil {
		return nil, err
	}
	row, err := scope.OIDCAuthRequests().Get(ctx, rid, s.clock.Now())
	if err != nil {
		return nil, err
	}
	return newAuthRequest(row)
}

// AuthRequestByCode implements op.AuthStorage. It uses the code up in the
// same statement that finds it, so a code is exchanged once even under
// concurrency; a code presented again revokes the tokens its first
// exchange issued (RFC 6749 §4.1.2).
func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	scope, err := s.scope(ctx)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	row, err := scope.OIDCAuthRequests().UseCode(ctx, flows.HashToken(code), now, now.Add(apps.MaxTokenTTL))
	if errors.Is(err, db.ErrCodeReused) {
		if rerr := revokeFamily(ctx, scope, row.ID); rerr != nil {
			return nil, rerr
		}
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	return newAuthRequest(row)
}

// SaveAuthCode implements op.AuthStorage: the request /oidc/login is
// completing gets its user and the code's hash (only the hash is kept) in
// one statement; an application with a back-channel logout URI is
// recorded in the session (recordSessionClient).
func (s *storage) SaveAuthCode(ctx context.Context, id, code string) error {
	ar := stateOf(ctx).completing
	if ar == nil || ar.GetID() != id || ar.row.UserID == nil {
		return errors.New("a code for a request nobody signed in to")
	}
	scope, err := s.scope(ctx)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	if err := scope.OIDCAuthRequests().Complete(ctx, ar.row.ID, ar.completion(code, now), now); err != nil {
		return err
	}
	a, err := s.app(ctx, ar.row.ClientID)
	if err != nil {
		return err
	}
	return recordSessionClient(ctx, scope, a, ar, op.IssuerFromContext(ctx), now)
}

// DeleteAuthRequest implements op.AuthStorage. The library calls it after
// a code exchange; the row stays (its code marked used) so that a second
// use is recognised and revokes what the first issued. Expired rows are
// removed by cleanup.
func (s *storage) DeleteAuthRequest(context.Context, string) error { return nil }

// allowedScopes keeps the requested scopes the application may have.
func allowedScopes(a *db.OIDCApp, requested []string) []string {
	out := make([]string, 0, len(requested))
	for _, sc := range requested {
		if slices.Contains(a.Scopes, sc) && !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return out
}
