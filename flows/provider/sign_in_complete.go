package provider

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"github.com/zitadel/schema"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/grants"
	"github.com/sesame-id/sesame/tenants"
)

// SignIns answers an application's authorization request in the
// transaction of the hosted sign-in's step that signed the person in
// (flows.AuthRequestCompleter, which the flow engine calls for every step
// that ends a flow with a session: a passkey, a password or code without
// a second factor, each second factor). The browser then goes from the
// sign-in straight to the client's redirect URI, without the return to
// /oidc/login, which stays for a browser that already has a session.
//
// It applies the rules /oidc/login applies, through the same code: the
// request must be unexpired and not answered yet, bound to this browser
// (its binding's hash), and satisfied by the new session (authRequest.satisfiedBy:
// acr_values asking for a passkey is not met by a password); an
// application that must ask for consent (grants.Needed) sends the browser
// to /oidc/login, which shows the consent page. The code is made as the
// library makes it (op.BuildAuthRequestCode under the provider's key) and
// the answer is the library's (op.AuthResponseURL, response mode query)
// with iss (RFC 9207). It costs one statement in the step's transaction
// (read the request and store its user and code hash, CompleteAuthRequest),
// a second for an application with a back-channel logout URI
// (recordSessionClient), and a second when the answer is taken back.
type SignIns struct {
	crypto  op.Crypto
	encoder *schema.Encoder
}

var _ flows.AuthRequestCompleter = (*SignIns)(nil)

// NewSignIns returns the completer for a provider whose key-encryption
// key is kek (the provider's Deps.KeyEncryptionKey).
func NewSignIns(kek []byte) *SignIns {
	return &SignIns{crypto: codeCrypto(kek), encoder: schema.NewEncoder()}
}

// codeCrypto encrypts authorization codes and opaque access tokens under
// a key derived from the key-encryption key, with AES-256-GCM only (no
// unauthenticated CFB fallback).
func codeCrypto(kek []byte) op.Crypto {
	key := sha256.Sum256(append([]byte("sesame oidc access tokens\x00"), kek...))
	return op.NewAES256GCMCrypto(key, "1")
}

// CompleteAuthRequest implements flows.AuthRequestCompleter. The request
// is read and answered in one statement (db.OIDCAuthRequestStore.Answer),
// whose conditions are the checks that need no more than the row: the
// tenant's, unexpired, not answered, not used, bound to this browser (its
// binding cookie's hash equals the one stored, compared by the database:
// the hash of a random cookie leaks nothing through timing). The code is
// the library's (op.BuildAuthRequestCode encrypts the request's id, known
// before the row). What needs the request's document or the application
// (satisfiedBy, queryAnswer, the application still exists, no consent to
// ask) is checked on the row the statement returns; when it fails, the
// answer is taken back in the same transaction (unanswer) and the browser
// goes to /oidc/login as before.
func (c *SignIns) CompleteAuthRequest(ctx context.Context, scope db.Scope, _ *tenants.Tenant, s *db.Session, ref flows.AuthRequestRef, now time.Time) (string, error) {
	rid, err := uuid.Parse(ref.ID)
	if err != nil || ref.Binding == "" {
		return "", nil
	}
	pending := &authRequest{row: &db.OIDCAuthRequest{ID: rid}}
	code, err := op.BuildAuthRequestCode(pending, c.crypto)
	if err != nil {
		return "", err
	}
	pending.signIn(s)
	row, err := scope.OIDCAuthRequests().Answer(ctx, rid, flows.HashToken(ref.Binding), pending.completion(code, now), now)
	if errors.Is(err, db.ErrNotFound) {
		return "", nil // gone, answered, or another browser's: /oidc/login says so
	}
	if err != nil {
		return "", err
	}
	ar, err := newAuthRequest(row)
	if err != nil || !ar.satisfiedBy(s, now) || !queryAnswer(ar) {
		return "", unanswer(ctx, scope, row)
	}
	a, err := scope.OIDCApps().Lookup(ctx, row.ClientID)
	if errors.Is(err, db.ErrNotFound) {
		return "", unanswer(ctx, scope, row) // deleted since the request: /oidc/login says so
	}
	if err != nil {
		return "", err
	}
	need, err := grants.Needed(ctx, scope, grantRequest(a, ar, s))
	if err != nil {
		return "", err
	}
	if need {
		return (client{}).LoginURL(ar.GetID()), unanswer(ctx, scope, row)
	}
	if err := recordSessionClient(ctx, scope, a, ar, ref.Issuer, now); err != nil {
		return "", err
	}
	return c.answer(ar, code, ref.Issuer)
}

// unanswer takes back the answer the sign-in stored on row: the request
// is unanswered again, with the expiry the authorization endpoint gave it
// (storage.CreateAuthRequest: authRequestTTL from its creation).
func unanswer(ctx context.Context, scope db.Scope, row *db.OIDCAuthRequest) error {
	return scope.OIDCAuthRequests().Unanswer(ctx, row, row.CreatedAt.Add(authRequestTTL))
}

// answer is the library's successful authorization response for code,
// with the issuer.
func (c *SignIns) answer(ar *authRequest, code, issuer string) (string, error) {
	to, err := op.AuthResponseURL(ar.doc.RedirectURI, ar.doc.ResponseType, ar.doc.ResponseMode,
		&op.CodeResponseType{Code: code, State: ar.doc.State}, c.encoder)
	if err != nil {
		return "", err
	}
	u, err := url.Parse(to)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("iss", issuer)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// queryAnswer reports whether ar is answered in the redirect URI's query:
// the code flow in response mode query, the only one the authorization
// endpoint accepts (refuseResponseMode).
func queryAnswer(ar *authRequest) bool {
	return ar.doc.ResponseType == oidc.ResponseTypeCode &&
		(ar.doc.ResponseMode == "" || ar.doc.ResponseMode == oidc.ResponseModeQuery)
}

// boundTo reports whether ar was made by the browser whose binding
// cookie holds binding.
func boundTo(ar *authRequest, binding string) bool {
	return binding != "" && subtle.ConstantTimeCompare(flows.HashToken(binding), ar.row.BindingHash) == 1
}

// SignInRequest is the authorization request a hosted page's flow step
// carries (id, as the page received it), with the browser's binding and
// the issuer the step came to; nil when id is "". scheme is the tenants'
// (tenants.Service.Scheme).
func SignInRequest(r *http.Request, scheme, id string) *flows.AuthRequestRef {
	if id == "" {
		return nil
	}
	ref := &flows.AuthRequestRef{ID: id, Issuer: issuerOf(scheme, r)}
	if c, err := r.Cookie(bindingCookieName(scheme == "https")); err == nil {
		ref.Binding = c.Value
	}
	return ref
}

// issuerOf is the origin r came to: the tenant's host or one of its
// custom domains, which tenants.Router has already resolved.
func issuerOf(scheme string, r *http.Request) string {
	return scheme + "://" + strings.TrimSuffix(strings.ToLower(r.Host), ".")
}

// bindingCookieName is the browser binding cookie's name.
func bindingCookieName(secure bool) string {
	if secure {
		return "__Host-sesame_oidc"
	}
	return "sesame_oidc"
}
