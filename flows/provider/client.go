package provider

import (
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/apps"
)

// loginPath is where the provider sends an authorization request to be
// signed in (LoginURL): it completes the request from the browser's session
// or sends the person to the hosted sign-in page.
const loginPath = "/oidc/login"

// client is an application as the op library sees it.
type client struct{ app *db.OIDCApp }

var _ op.Client = client{}

func (c client) GetID() string                    { return c.app.ClientID }
func (c client) RedirectURIs() []string           { return c.app.RedirectURIs }
func (c client) PostLogoutRedirectURIs() []string { return c.app.PostLogoutRedirectURIs }
func (c client) LoginURL(id string) string        { return loginPath + "?id=" + url.QueryEscape(id) }
func (c client) AccessTokenType() op.AccessTokenType {
	return op.AccessTokenTypeBearer
}
func (c client) IDTokenLifetime() time.Duration {
	return time.Duration(c.app.IDTokenTTLSeconds) * time.Second
}
func (c client) IsScopeAllowed(scope string) bool {
	return slices.Contains(c.app.Scopes, scope)
}
func (c client) RestrictAdditionalIdTokenScopes() func([]string) []string     { return same }
func (c client) RestrictAdditionalAccessTokenScopes() func([]string) []string { return same }

// IDTokenUserinfoClaimsAssertion puts the claims the scopes grant (email,
// name, phone) in the ID token as well as at userinfo.
func (c client) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c client) ClockSkew() time.Duration             { return 0 }

// DevMode lifts only the library's own redirect URI scheme checks, which
// refuse loopback http for browser applications. flows/apps already
// allowed plain http on loopback hosts only, and the URI must still match
// a registered one exactly.
func (c client) DevMode() bool { return true }

func (c client) ApplicationType() op.ApplicationType {
	switch c.app.Type {
	case apps.TypeSPA:
		return op.ApplicationTypeUserAgent
	case apps.TypeNative:
		return op.ApplicationTypeNative
	default:
		return op.ApplicationTypeWeb
	}
}

// AuthMethod is none for public clients (they prove the request with PKCE)
// and client_secret_basic for the others (client_secret_post is accepted
// too).
func (c client) AuthMethod() oidc.AuthMethod {
	if apps.Public(c.app.Type) {
		return oidc.AuthMethodNone
	}
	return oidc.AuthMethodBasic
}

func (c client) ResponseTypes() []oidc.ResponseType {
	if c.app.Type == apps.TypeM2M {
		return nil
	}
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}

func (c client) GrantTypes() []oidc.GrantType {
	if c.app.Type == apps.TypeM2M {
		return []oidc.GrantType{oidc.GrantTypeClientCredentials}
	}
	return []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken}
}

func same(scopes []string) []string { return scopes }

// registeredRedirect reports whether uri is one of the application's
// redirect URIs, exactly; a native application's loopback URI may differ
// in its port only (RFC 8252 §7.3: the port is picked at run time).
func registeredRedirect(a *db.OIDCApp, uri string) bool {
	if slices.Contains(a.RedirectURIs, uri) {
		return true
	}
	if a.Type != apps.TypeNative {
		return false
	}
	u, err := url.Parse(uri)
	// Only the port may differ: no user information and no fragment
	// (RFC 6749 §3.1.2), which url.Parse sets apart from the path.
	if err != nil || u.Scheme != "http" || !apps.Loopback(u.Hostname()) || u.User != nil || strings.Contains(uri, "#") {
		return false
	}
	for _, r := range a.RedirectURIs {
		ru, err := url.Parse(r)
		if err == nil && ru.Scheme == "http" && ru.Hostname() == u.Hostname() && ru.Path == u.Path && ru.RawQuery == u.RawQuery {
			return true
		}
	}
	return false
}
