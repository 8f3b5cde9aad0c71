// Package provider makes each tenant an OpenID Provider, on
// github.com/zitadel/oidc/v3's op package: the protocol (parsing,
// validation, discovery, token and error responses, ID token signing with
// go-jose) is the library's; storage, applications, sessions and the
// sign-in are Sesame's (storage.go implements op.Storage over the tenant's
// db.Scope).
//
// The issuer is the origin the request came to (a tenant's host or one of
// its custom domains, both resolved by tenants.Router); every endpoint is
// under /oidc on that host:
//
//	/.well-known/openid-configuration  discovery
//	/oidc/keys                         JWKS (the tenant's keys, KeyRing)
//	/oidc/authorize                    authorization (code flow, PKCE S256)
//	/oidc/login                        continues an authorization request
//	/oidc/consent                      the consent page's answer
//	/oidc/token                        code and client credentials grants
//	/oidc/userinfo                     userinfo
//	/oidc/revoke                       revocation (RFC 7009)
//	/oidc/introspect                   introspection (RFC 7662)
//	/oidc/end_session                  RP-initiated logout
//
// Applications may register a back-channel logout URI: when a session
// they took part in ends, by any door, they are sent a logout token by a
// River job (backchannel.go, jobs.BackchannelLogoutWorker).
//
// An authorization request with an unknown client or a redirect URI not
// registered exactly is answered on Sesame's own error page, never by a
// redirect. A valid one is stored, bound to the browser by a cookie, and
// continued at /oidc/login: a session that satisfies it (prompt, max_age)
// completes it at once (single sign-on); prompt=none without one answers
// login_required to the client; otherwise the person signs in on the
// tenant's hosted page (/?authRequest=ID), which returns to /oidc/login.
package provider

import (
	"log/slog"
	"net/http"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"

	"github.com/sesame-id/sesame/console"
	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/tenants"
)

// Endpoint paths on a tenant host.
const (
	DiscoveryPath     = oidc.DiscoveryEndpoint
	AuthorizePath     = "/oidc/authorize"
	TokenPath         = "/oidc/token"
	UserinfoPath      = "/oidc/userinfo"
	RevokePath        = "/oidc/revoke"
	IntrospectPath    = "/oidc/introspect"
	EndSessionPath    = "/oidc/end_session"
	KeysPath          = "/oidc/keys"
	LoginPath         = loginPath
	authorizeCallback = AuthorizePath + "/callback"
)

// Deps are the provider's dependencies.
type Deps struct {
	DB      *db.DB
	Tenants *tenants.Service
	Pages   *console.Pages
	Clock   clock.Clock
	Logger  *slog.Logger
	// KeyEncryptionKey (32 bytes) seals the tenants' private signing keys
	// and, through a derived key, encrypts opaque access tokens.
	KeyEncryptionKey []byte
	// SessionCookie is the name of the hosted pages' session cookie.
	SessionCookie string
	// Next serves every path the provider does not (the tenant's pages).
	Next http.Handler
	// Keys, when set, are the tenants' signing keys, shared with the
	// back-channel logout jobs. Default: a KeyRing of its own.
	Keys *KeyRing
	// Jobs enqueues the back-channel logout jobs of an RP-initiated logout
	// (flows.Deps.EndSession).
	Jobs flows.JobInserter
}

// Provider serves the OpenID Provider endpoints of every tenant host and
// hands anything else to Deps.Next.
type Provider struct {
	Deps
	op      *op.Provider
	storage *storage
	// Keys are the tenants' signing keys (rotation is Keys.Rotate).
	Keys *KeyRing
}

// New builds the provider.
func New(d Deps) (*Provider, error) {
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	installLogRouter()
	keys, err := d.Keys, error(nil)
	if keys == nil {
		if keys, err = NewKeyRing(d.DB, d.KeyEncryptionKey, d.Clock); err != nil {
			return nil, err
		}
	}
	p := &Provider{Deps: d, Keys: keys, storage: &storage{db: d.DB, keys: keys, clock: d.Clock}}
	cfg := &op.Config{
		CodeMethodS256:        true,
		GrantTypeRefreshToken: true,
		// After RP-initiated logout without a registered
		// post_logout_redirect_uri, the person lands on the sign-in page.
		DefaultLogoutRedirectURI: "/",
		AuthMethodPost:           true,
		SupportedUILocales:       []language.Tag{language.English, language.Spanish, language.MustParse("zh-CN")},
		SupportedScopes:          []string{oidc.ScopeOpenID, oidc.ScopeProfile, oidc.ScopeEmail, oidc.ScopePhone, oidc.ScopeOfflineAccess},
		SupportedClaims: []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "sid", "at_hash", "c_hash",
			"name", "email", "email_verified", "phone_number", "phone_number_verified"},
	}
	advertiseBackchannelLogout(cfg)
	opts := []op.Option{
		op.WithCrypto(codeCrypto(d.KeyEncryptionKey)),
		op.WithCustomEndpoints(op.NewEndpoint(AuthorizePath), op.NewEndpoint(TokenPath), op.NewEndpoint(UserinfoPath),
			op.NewEndpoint(RevokePath), op.NewEndpoint(EndSessionPath), op.NewEndpoint(KeysPath)),
		op.WithCustomIntrospectionEndpoint(op.NewEndpoint(IntrospectPath)),
	}
	if d.Tenants.Scheme() == "http" {
		opts = append(opts, op.WithAllowInsecure())
	}
	p.op, err = op.NewProvider(cfg, p.storage, func(bool) (op.IssuerFromRequest, error) { return p.issuer, nil }, opts...)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// issuer is the origin the request came to: the tenant's host or one of
// its custom domains, which tenants.Router has already resolved to the
// tenant in the request's context.
func (p *Provider) issuer(r *http.Request) string { return issuerOf(p.Tenants.Scheme(), r) }

// ServeHTTP implements http.Handler.
func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r = r.WithContext(withLogger(r.Context(), p.Logger))
	path := r.URL.Path
	switch {
	case path == LoginPath:
		p.login(w, r)
	case path == ConsentPath:
		p.consent(w, r)
	case path == AuthorizePath:
		p.authorize(w, r)
	case path == EndSessionPath:
		p.endSession(w, r)
	case path == DiscoveryPath:
		p.discovery(w, r)
	case path == KeysPath:
		w.Header().Set("Cache-Control", "public, max-age=300")
		p.serveOP(w, r, &reqState{})
	case path == TokenPath && isCodeExchange(r):
		noStore(w)
		p.exchange(w, r)
	case path == UserinfoPath:
		noStore(w)
		p.userinfo(w, r)
	case path == TokenPath || path == RevokePath || path == IntrospectPath:
		noStore(w)
		p.serveOP(w, r, &reqState{})
	default:
		// The library's own callback (/oidc/authorize/callback) is not
		// served: /oidc/login checks the browser binding, it does not.
		p.Next.ServeHTTP(w, r)
	}
}

// serveOP hands the request to the library with its per-request state.
func (p *Provider) serveOP(w http.ResponseWriter, r *http.Request, st *reqState) {
	if _, ok := tenants.FromContext(r.Context()); !ok {
		p.Logger.ErrorContext(r.Context(), "provider: request without tenant", "err", errNoTenant)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	p.op.ServeHTTP(w, r.WithContext(withState(r.Context(), st)))
}
