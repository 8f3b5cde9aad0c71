package provider

import (
	"context"
	"fmt"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/jobs"
)

// Back-channel logout (OpenID Connect Back-Channel Logout 1.0): an
// application may register a URI (flows/apps). When an authorization
// request of such an application is answered from a session, the
// application is recorded as taking part in it, under the issuer it was
// answered on (recordSessionClient). When the session ends, by any door,
// flows.Deps.EndSession revokes its tokens and enqueues a
// jobs.BackchannelLogoutArgs per recorded application; the job signs the
// logout token with the tenant's key (KeyRing.SignLogoutToken) and posts
// it.
//
// Only applications with a URI at the time of the sign-in are recorded, so
// that the others' sign-ins cost no statement; an application that
// registers a URI later is told of the sessions that begin afterwards.

var _ jobs.LogoutSigner = (*KeyRing)(nil)

// logoutTokenType is the typ header of a logout token (Back-Channel Logout
// 1.0 §2.4 recommends it, so that it cannot pass for an ID token).
const logoutTokenType = "logout+jwt"

// advertiseBackchannelLogout says in discovery that applications may
// register a back-channel logout URI and that logout tokens carry sid.
func advertiseBackchannelLogout(cfg *op.Config) {
	cfg.BackChannelLogoutSupported = true
	cfg.BackChannelLogoutSessionSupported = true
}

// SignLogoutToken implements jobs.LogoutSigner: claims signed with the
// tenant's current key for alg (RS256 or ES256), as a compact JWS of type
// logout+jwt with the key's id.
func (kr *KeyRing) SignLogoutToken(ctx context.Context, tenantID uuid.UUID, alg string, claims []byte) (string, error) {
	sa := jose.SignatureAlgorithm(alg)
	if !slices.Contains(algorithms, sa) {
		return "", fmt.Errorf("sign logout token: algorithm %q is not one Sesame signs with", alg)
	}
	key, err := kr.Signing(ctx, tenantID, sa)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: sa, Key: jose.JSONWebKey{Key: key.private, KeyID: key.id}},
		(&jose.SignerOptions{}).WithType(logoutTokenType))
	if err != nil {
		return "", fmt.Errorf("sign logout token: %w", err)
	}
	jws, err := signer.Sign(claims)
	if err != nil {
		return "", fmt.Errorf("sign logout token: %w", err)
	}
	return jws.CompactSerialize()
}

// recordSessionClient records that the application of ar, if it has a
// back-channel logout URI, takes part in the session that answers ar,
// under issuer, the one answering. The record lasts no longer than a
// session can.
func recordSessionClient(ctx context.Context, scope db.Scope, a *db.OIDCApp, ar *authRequest, issuer string, now time.Time) error {
	if a.BackchannelLogoutURI == "" {
		return nil
	}
	return scope.OIDCSessionClients().Record(ctx, &db.OIDCSessionClient{
		SessionID: *ar.row.SessionID, ClientID: a.ClientID, UserID: *ar.row.UserID, Issuer: issuer,
		CreatedAt: now.UTC(), ExpiresAt: now.Add(flows.SessionTTL).UTC(),
	})
}

// endSessionDeps are the dependencies of flows.Deps.EndSession, for
// RP-initiated logout.
func (p *Provider) endSessionDeps() flows.Deps {
	return flows.Deps{DB: p.DB, Jobs: p.Jobs, Clock: p.Clock, Logger: p.Logger}
}
