// Package federation is sign-in through upstream identity providers: a
// tenant's connectors (kind social, a button on the sign-in and sign-up
// pages, or enterprise, reached by the email domains it lists; type oidc,
// OpenID Connect or OAuth 2.0 with a preset, or saml, which plugs in
// through RegisterType), the upstream round trip on go-oidc and oauth2
// (upstream.go: state, nonce and PKCE, the code exchange and the ID
// token's checks), and what a verified upstream identity signs in to
// (accounts.go: a linked user, a new user provisioned just in time from
// verified claims only, or an existing account the person must first
// prove before the link is made). Every door (the CLI, the management
// API, the sign-in flow) calls it; the rules live here.
package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
)

// Connector kinds and types.
const (
	KindSocial     = "social"
	KindEnterprise = "enterprise"
	TypeOIDC       = "oidc"
	TypeSAML       = "saml"
)

// Response modes of an oidc connector (Settings.ResponseMode).
const (
	ResponseModeQuery    = "query"
	ResponseModeFormPost = "form_post"
)

// FormPost reports whether s asks the provider to post its answer
// (response_mode=form_post).
func (s Settings) FormPost() bool { return s.ResponseMode == ResponseModeFormPost }

// NameMaxLen is the longest connector name, which the button shows.
const NameMaxLen = 64

// Claims names which upstream claims carry what Sesame reads; "" is the
// standard claim (sub, email, email_verified, name).
type Claims struct {
	Subject       string `json:"subject,omitempty"`
	Email         string `json:"email,omitempty"`
	EmailVerified string `json:"email_verified,omitempty"`
	Name          string `json:"name,omitempty"`
}

// Settings is a connector's settings document (db.Connector.Settings).
// The client secret is not in it: it is the row's write-only column.
type Settings struct {
	// Preset is google, microsoft, apple or github, or "" for generic.
	Preset string `json:"preset,omitempty"`
	// Issuer is the OpenID Provider's issuer, discovered at
	// {issuer}/.well-known/openid-configuration.
	Issuer   string   `json:"issuer,omitempty"`
	ClientID string   `json:"client_id,omitempty"`
	Scopes   []string `json:"scopes,omitempty"`
	// AuthURL, TokenURL and UserURL are the endpoints of an OAuth 2.0
	// provider without discovery or ID token (GitHub): the user comes
	// from UserURL.
	AuthURL  string `json:"auth_url,omitempty"`
	TokenURL string `json:"token_url,omitempty"`
	UserURL  string `json:"user_url,omitempty"`
	// PKCE sends an S256 code challenge (on unless a provider refuses it).
	PKCE bool `json:"pkce"`
	// ResponseMode is how the provider sends the browser back: "query"
	// ("" in older settings), a GET of the callback, or "form_post"
	// (Apple's, when the email scope is asked for), a cross-site POST of
	// the callback that the server turns into a same-site GET (see
	// FormPost).
	ResponseMode string `json:"response_mode,omitempty"`
	// TrustEmailVerified takes the upstream's email_verified as proof
	// of the address; off, the address is never used to provision or
	// link.
	TrustEmailVerified bool `json:"trust_email_verified"`
	// TrustUpstreamAMR skips the tenant's second factor when the
	// upstream's amr says it already asked for one (mfa, or two methods).
	TrustUpstreamAMR bool   `json:"trust_upstream_amr"`
	Claims           Claims `json:"claims"`
	// SAML holds the saml type's own settings, read by its package.
	SAML json.RawMessage `json:"saml,omitempty"`
}

// Connector is a connector as the rules see it: the row with its settings
// parsed. Secret is never given back by any API.
type Connector struct {
	ID       uuid.UUID
	Name     string
	Kind     string
	Type     string
	Domains  []string
	Settings Settings
	Secret   string
}

// Parse reads a stored connector.
func Parse(row *db.Connector) (*Connector, error) {
	c := &Connector{ID: row.ID, Name: row.Name, Kind: row.Kind, Type: row.Type, Domains: []string(row.Domains), Secret: row.ClientSecret}
	if err := json.Unmarshal([]byte(row.Settings), &c.Settings); err != nil {
		return nil, fmt.Errorf("connector %s settings: %w", row.ID, err)
	}
	if c.Domains == nil {
		c.Domains = []string{}
	}
	return c, nil
}

// CallbackURL is where the upstream sends the browser back for c, under
// the tenant's origin: the redirect URI to register upstream.
func CallbackURL(origin string, id uuid.UUID) string {
	return strings.TrimSuffix(origin, "/") + "/federation/" + id.String() + "/callback"
}

// Spec is what a person gives to create a connector.
type Spec struct {
	// ID, when set, is the new connector's id (a saml connector's key is
	// sealed to it before it is stored).
	ID                       uuid.UUID
	Name, Kind, Type, Preset string
	Issuer, ClientID, Secret string
	Scopes, Domains          []string
	// TrustEmailVerified and TrustUpstreamAMR override the preset's
	// default when set.
	TrustEmailVerified, TrustUpstreamAMR *bool
	// Claims, when set, maps the oidc connector's claims ("" in a field:
	// the standard claim).
	Claims *Claims
	// ResponseMode, when set, overrides the preset's: query or form_post.
	ResponseMode string
	// SAML is the saml type's settings (its package reads them).
	SAML json.RawMessage
	// DomainsVerified marks the domains verified at once, without their
	// TXT records: only for the operator's CLI on the server, as `sesame
	// domain add` does for custom hostnames. Every other door leaves them
	// pending until VerifyDomain finds their records.
	DomainsVerified bool
}

// TypeChecker checks and completes the settings of a connector type other
// than oidc (saml registers one).
type TypeChecker func(ctx context.Context, s *Settings, spec Spec) error

var types = map[string]TypeChecker{}

// RegisterType makes connectors of type typ possible, checked by check.
func RegisterType(typ string, check TypeChecker) { types[typ] = check }

// Create checks spec and stores the connector for scope's tenant.
func Create(ctx context.Context, scope db.Scope, spec Spec, now time.Time) (*Connector, error) {
	c, err := check(ctx, spec)
	if err != nil {
		return nil, err
	}
	if err := domainsFree(ctx, scope, c.Domains); err != nil {
		return nil, err
	}
	raw, err := json.Marshal(c.Settings)
	if err != nil {
		return nil, err
	}
	row := &db.Connector{ID: spec.ID, Name: c.Name, Kind: c.Kind, Type: c.Type, Domains: db.StringList(c.Domains), Settings: string(raw), ClientSecret: c.Secret}
	if err := scope.Connectors().Create(ctx, row, now); errors.Is(err, db.ErrDuplicate) {
		return nil, flows.ErrInvalidInput.WithField("name", "Another connector has this name. Choose another name.")
	} else if err != nil {
		return nil, err
	}
	c.ID = row.ID
	if err := storeDomains(ctx, scope, c, spec.DomainsVerified, now); err != nil {
		if derr := scope.Connectors().Delete(ctx, c.ID); derr != nil {
			return nil, errors.Join(err, derr)
		}
		return nil, err
	}
	return c, nil
}

// storeDomains records the new connector c's domains: pending, or
// verified at once when verified is set.
func storeDomains(ctx context.Context, scope db.Scope, c *Connector, verified bool, now time.Time) error {
	if err := addDomains(ctx, scope, c, now); err != nil {
		return err
	}
	if verified {
		return markAllVerified(ctx, scope, c, now)
	}
	return nil
}

func check(ctx context.Context, spec Spec) (*Connector, error) {
	name, err := checkName(spec.Name)
	if err != nil {
		return nil, err
	}
	if spec.Kind != KindSocial && spec.Kind != KindEnterprise {
		return nil, flows.ErrInvalidInput.WithField("kind", `Use "social" (a button on the sign-in page) or "enterprise" (reached by email domain).`)
	}
	domains, err := checkDomains(spec.Kind, spec.Domains)
	if err != nil {
		return nil, err
	}
	c := &Connector{Name: name, Kind: spec.Kind, Type: spec.Type, Domains: domains, Secret: spec.Secret}
	switch spec.Type {
	case TypeOIDC:
		c.Settings, err = oidcSettings(spec)
	default:
		checker, ok := types[spec.Type]
		if !ok {
			return nil, flows.ErrInvalidInput.WithField("type", `Use "oidc" (OpenID Connect or OAuth 2.0) or "saml" (SAML 2.0).`)
		}
		c.Settings.SAML = spec.SAML
		err = checker(ctx, &c.Settings, spec)
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// checkName cleans a connector's name, which must not be empty.
func checkName(in string) (string, error) {
	name, err := flows.CleanText("name", in, NameMaxLen)
	if err != nil {
		return "", err
	}
	if name == "" {
		return "", flows.ErrInvalidInput.WithField("name", "Give the connector a name: the button says \"Continue with\" it.")
	}
	return name, nil
}

// oidcSettings makes an oidc connector's settings from its preset and
// what spec says.
func oidcSettings(spec Spec) (Settings, error) {
	s, ok := Presets[spec.Preset]
	if !ok {
		return Settings{}, flows.ErrInvalidInput.WithField("preset", "Use google, microsoft, apple or github, or leave it out for any OpenID Provider.")
	}
	s.Preset = spec.Preset
	s.Scopes = slices.Clone(s.Scopes)
	if spec.Issuer != "" {
		s.Issuer = strings.TrimSpace(spec.Issuer)
	}
	if len(spec.Scopes) > 0 {
		s.Scopes = spec.Scopes
	}
	if spec.TrustEmailVerified != nil {
		s.TrustEmailVerified = *spec.TrustEmailVerified
	}
	if spec.TrustUpstreamAMR != nil {
		s.TrustUpstreamAMR = *spec.TrustUpstreamAMR
	}
	switch spec.ResponseMode {
	case "":
	case ResponseModeQuery, ResponseModeFormPost:
		s.ResponseMode = spec.ResponseMode
	default:
		return s, flows.ErrInvalidInput.WithField("response_mode", `Use "query" or "form_post".`)
	}
	if s.ResponseMode == "" {
		s.ResponseMode = ResponseModeQuery
	}
	if spec.Claims != nil {
		var err error
		if s.Claims, err = cleanClaims(*spec.Claims); err != nil {
			return s, err
		}
	}
	s.ClientID = strings.TrimSpace(spec.ClientID)
	switch {
	case s.UserURL == "" && s.Issuer == "":
		return s, flows.ErrInvalidInput.WithField("issuer", "Give the OpenID Provider's issuer URL, e.g. https://idp.example.com.")
	case s.UserURL == "" && !upstreamURL(s.Issuer):
		return s, flows.ErrInvalidInput.WithField("issuer", "The issuer must be an https URL (http only on localhost).")
	case s.ClientID == "":
		return s, flows.ErrInvalidInput.WithField("client_id", "Give the client id the provider gave you.")
	case spec.Secret == "":
		return s, flows.ErrInvalidInput.WithField("client_secret", "Give the client secret the provider gave you.")
	case s.UserURL == "" && !slices.Contains(s.Scopes, "openid"):
		return s, flows.ErrInvalidInput.WithField("scopes", `The scopes must include "openid".`)
	}
	if err := flows.CheckStrings(s); err != nil {
		return s, err
	}
	return s, nil
}

// upstreamURL reports whether raw is an https URL, or http on a loopback
// name (a local provider during development and tests).
func upstreamURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return false
	}
	switch u.Scheme {
	case "https":
		return true
	case "http":
		return isLoopback(u.Hostname())
	}
	return false
}

// claimMaxLen is the longest claim name a mapping takes.
const claimMaxLen = 64

// ClaimFields are the names of Claims' fields, as the APIs spell them.
var ClaimFields = []string{"subject", "email", "email_verified", "name"}

// Set maps field (one of ClaimFields) to the upstream claim named claim.
func (c *Claims) Set(field, claim string) error {
	to := map[string]*string{"subject": &c.Subject, "email": &c.Email, "email_verified": &c.EmailVerified, "name": &c.Name}[field]
	if to == nil {
		return flows.ErrInvalidInput.WithField("claims", fmt.Sprintf("There is no claim field %q: use subject, email, email_verified or name.", field))
	}
	*to = claim
	return nil
}

// cleanClaims trims a claim mapping and refuses names that are too long
// or hold control characters.
func cleanClaims(in Claims) (Claims, error) {
	var out Claims
	for _, f := range []struct {
		field string
		from  string
		to    *string
	}{{"claims.subject", in.Subject, &out.Subject}, {"claims.email", in.Email, &out.Email},
		{"claims.email_verified", in.EmailVerified, &out.EmailVerified}, {"claims.name", in.Name, &out.Name}} {
		v, err := flows.CleanText(f.field, f.from, claimMaxLen)
		if err != nil {
			return Claims{}, err
		}
		*f.to = v
	}
	return out, nil
}
