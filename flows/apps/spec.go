// Package apps holds the rules for a tenant's applications (OAuth 2.0 /
// OpenID Connect clients): what types exist and what each may do, which
// redirect URIs are acceptable, the defaults, and how secrets are made,
// stored, checked and rotated. The CLI and the management API (and
// through it the console) call it; the provider (flows/provider) reads
// the rows it writes.
package apps

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/text"
)

// Application types.
const (
	// TypeWeb is a server-side web application: confidential (it keeps a
	// secret, client_secret_basic or client_secret_post).
	TypeWeb = "web"
	// TypeSPA is a browser application: public, PKCE required.
	TypeSPA = "spa"
	// TypeNative is a desktop or mobile application: public, PKCE
	// required, loopback and custom-scheme redirect URIs (RFC 8252).
	TypeNative = "native"
	// TypeM2M is a machine: confidential, client credentials only, no
	// redirect URIs.
	TypeM2M = "m2m"
)

// ID token signing algorithms.
const (
	// AlgRS256 is the default: OpenID Connect Core §15.1 requires every
	// client to accept it.
	AlgRS256 = "RS256"
	// AlgES256 is smaller and much cheaper to sign.
	AlgES256 = "ES256"
)

// Defaults and bounds of token lifetimes.
const (
	DefaultAccessTokenTTL = 10 * time.Minute
	DefaultIDTokenTTL     = 10 * time.Minute
	MinTokenTTL           = time.Minute
	MaxTokenTTL           = 24 * time.Hour
)

// DefaultScopes are what an application may ask for unless told otherwise
// (offline_access: refresh tokens, which rotate).
var DefaultScopes = []string{"openid", "profile", "email", "phone", "offline_access"}

// Types lists the application types.
var Types = []string{TypeWeb, TypeSPA, TypeNative, TypeM2M}

// Spec is what a person says about a new application.
type Spec struct {
	Name string
	// Type is one of Types.
	Type string
	// RedirectURIs are compared exactly (no wildcards); none for m2m.
	RedirectURIs []string
	// PostLogoutRedirectURIs follow the same rules.
	PostLogoutRedirectURIs []string
	// Scopes the application may ask for. Default DefaultScopes (m2m: none).
	Scopes []string
	// AccessTokenTTL and IDTokenTTL default to 10 minutes.
	AccessTokenTTL time.Duration
	IDTokenTTL     time.Duration
	// IDTokenAlg is AlgRS256 (default) or AlgES256.
	IDTokenAlg string
	// FirstParty applications skip consent.
	FirstParty bool
	// BackchannelLogoutURI, when set, receives a logout token whenever a
	// session the application took part in ends (OpenID Connect
	// Back-Channel Logout 1.0): exact, https or http on a loopback host.
	// Default "": none.
	BackchannelLogoutURI string
	// BackchannelLogoutSessionRequired records that the application needs
	// sid in its logout tokens; Sesame always sends it.
	BackchannelLogoutSessionRequired bool
}

// Public reports whether an application of type typ cannot keep a secret
// (it must use PKCE).
func Public(typ string) bool { return typ == TypeSPA || typ == TypeNative }

// HasSecret reports whether an application of type typ gets a secret.
func HasSecret(typ string) bool { return typ == TypeWeb || typ == TypeM2M }

var scopeName = regexp.MustCompile(`^[A-Za-z0-9_.:/-]{1,64}$`)

// Normalize fills the defaults and checks every rule, returning a
// flows.ErrInvalidInput naming the field at fault.
func (s *Spec) Normalize() error {
	name, err := text.Line(s.Name, 100)
	if err != nil || name == "" {
		return invalid("name", "Give the application a name of at most 100 characters on one line.")
	}
	s.Name = name
	if !slices.Contains(Types, s.Type) {
		return invalid("type", fmt.Sprintf("The type must be one of %s.", strings.Join(Types, ", ")))
	}
	if err := s.checkURIs(); err != nil {
		return err
	}
	if err := s.checkBackchannel(); err != nil {
		return err
	}
	if s.Scopes == nil && s.Type != TypeM2M {
		s.Scopes = slices.Clone(DefaultScopes)
	}
	for _, sc := range s.Scopes {
		if !scopeName.MatchString(sc) {
			return invalid("scopes", fmt.Sprintf("%q is not a scope name.", sc))
		}
	}
	if s.AccessTokenTTL, err = ttl("access_token_ttl", s.AccessTokenTTL, DefaultAccessTokenTTL); err != nil {
		return err
	}
	if s.IDTokenTTL, err = ttl("id_token_ttl", s.IDTokenTTL, DefaultIDTokenTTL); err != nil {
		return err
	}
	if s.IDTokenAlg == "" {
		s.IDTokenAlg = AlgRS256
	}
	if s.IDTokenAlg != AlgRS256 && s.IDTokenAlg != AlgES256 {
		return invalid("id_token_alg", "The ID token algorithm must be RS256 or ES256.")
	}
	return nil
}

func (s *Spec) checkURIs() error {
	if s.Type == TypeM2M {
		if len(s.RedirectURIs) > 0 || len(s.PostLogoutRedirectURIs) > 0 {
			return invalid("redirect_uris", "A machine-to-machine application has no redirect URIs.")
		}
		return nil
	}
	if len(s.RedirectURIs) == 0 {
		return invalid("redirect_uris", "Give at least one redirect URI.")
	}
	for _, u := range s.RedirectURIs {
		if err := CheckRedirectURI(s.Type, u); err != nil {
			return invalid("redirect_uris", err.Error())
		}
	}
	for _, u := range s.PostLogoutRedirectURIs {
		if err := CheckRedirectURI(s.Type, u); err != nil {
			return invalid("post_logout_redirect_uris", err.Error())
		}
	}
	return nil
}

// CheckRedirectURI says why uri cannot be a redirect URI of an application
// of type typ: it must be absolute, without fragment, user info or
// wildcard; https, or http on a loopback host; a native application may
// also use a private-use scheme named after a domain it owns
// (com.example.app:/callback, RFC 8252 §7.1).
func CheckRedirectURI(typ, uri string) error {
	if len(uri) > 2000 || strings.ContainsAny(uri, "* \t\r\n") {
		return fmt.Errorf("%q is not an exact URI (no wildcards or spaces)", uri)
	}
	u, err := url.Parse(uri)
	if err != nil || u.Scheme == "" {
		return fmt.Errorf("%q is not an absolute URI", uri)
	}
	if u.Fragment != "" || strings.Contains(uri, "#") {
		return fmt.Errorf("%q has a fragment, which a redirect URI may not have", uri)
	}
	if u.User != nil {
		return fmt.Errorf("%q has user information, which a redirect URI may not have", uri)
	}
	switch u.Scheme {
	case "https":
		if u.Host == "" {
			return fmt.Errorf("%q has no host", uri)
		}
		return nil
	case "http":
		if !Loopback(u.Hostname()) {
			return fmt.Errorf("%q uses http; use https (http is allowed only on a loopback host)", uri)
		}
		return nil
	}
	if typ == TypeNative && strings.Contains(u.Scheme, ".") {
		return nil
	}
	if typ == TypeNative {
		return fmt.Errorf("%q: a custom scheme must be a reverse domain name, such as com.example.app:/callback", uri)
	}
	return fmt.Errorf("%q must use https", uri)
}

// Loopback reports whether host is localhost, a name under .localhost
// (which resolves to the loopback address, RFC 6761 §6.3: how a tenant is
// reached during development, and how one tenant's federation callback is
// registered with another's) or a loopback address.
func Loopback(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func ttl(field string, d, def time.Duration) (time.Duration, error) {
	if d == 0 {
		return def, nil
	}
	if d < MinTokenTTL || d > MaxTokenTTL {
		return 0, invalid(field, fmt.Sprintf("A token lifetime is between %s and %s.", MinTokenTTL, MaxTokenTTL))
	}
	return d, nil
}

func invalid(field, message string) error { return flows.ErrInvalidInput.WithField(field, message) }
