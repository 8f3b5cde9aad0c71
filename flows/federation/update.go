package federation

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
)

// Change is what a person edits on an existing connector; a nil or empty
// field leaves the setting as it is. Kind, type, preset, issuer and client
// id are not edited: a connector to another provider is a new connector.
type Change struct {
	Name *string
	// Scopes, Claims and ResponseMode are an oidc connector's.
	Scopes       []string
	Claims       *Claims
	ResponseMode *string
	// TrustEmailVerified and TrustUpstreamAMR are the trust settings.
	TrustEmailVerified, TrustUpstreamAMR *bool
	// Secret replaces the oidc connector's client secret (write-only: no
	// door reads it back); "" keeps it.
	Secret string
	// AddDomains start pending, as at creation, until their TXT records
	// are found (VerifyDomain); RemoveDomains stop routing at once.
	AddDomains, RemoveDomains []string
}

// Update applies ch to the tenant's connector id with the rules of
// Create: the name is checked and unique, an oidc connector's scopes keep
// "openid" (unless it has no ID token), an enterprise connector keeps at
// least one domain and never takes one verified for another connector.
func Update(ctx context.Context, scope db.Scope, id uuid.UUID, ch Change, now time.Time) (*Connector, error) {
	c, err := Get(ctx, scope, id)
	if err != nil {
		return nil, err
	}
	if ch.Name != nil {
		if c.Name, err = checkName(*ch.Name); err != nil {
			return nil, err
		}
	}
	if err := applySettings(c, ch); err != nil {
		return nil, err
	}
	added, removed, err := changeDomains(ctx, scope, c, ch)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(c.Settings)
	if err != nil {
		return nil, err
	}
	row := &db.Connector{ID: c.ID, Name: c.Name, Domains: db.StringList(c.Domains), Settings: string(raw), ClientSecret: c.Secret}
	if err := scope.Connectors().Update(ctx, row, now); errors.Is(err, db.ErrDuplicate) {
		return nil, flows.ErrInvalidInput.WithField("name", "Another connector has this name. Choose another name.")
	} else if err != nil {
		return nil, err
	}
	for _, d := range removed {
		if err := scope.ConnectorDomains().Remove(ctx, c.ID, d); err != nil {
			return nil, err
		}
	}
	if len(added) > 0 {
		if err := addDomains(ctx, scope, &Connector{ID: c.ID, Domains: added}, now); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// applySettings applies ch's settings to c: those of oidc only to an
// oidc connector.
func applySettings(c *Connector, ch Change) error {
	s := &c.Settings
	if ch.TrustEmailVerified != nil {
		s.TrustEmailVerified = *ch.TrustEmailVerified
	}
	if ch.TrustUpstreamAMR != nil {
		s.TrustUpstreamAMR = *ch.TrustUpstreamAMR
	}
	oidcOnly := map[string]bool{"scopes": ch.Scopes != nil, "claims": ch.Claims != nil, "response_mode": ch.ResponseMode != nil, "client_secret": ch.Secret != ""}
	if c.Type != TypeOIDC {
		for _, f := range []string{"scopes", "claims", "response_mode", "client_secret"} {
			if oidcOnly[f] {
				return flows.ErrInvalidInput.WithField(f, "Only an OpenID Connect connector has this setting.")
			}
		}
		return nil
	}
	if ch.Scopes != nil {
		scopes := []string{}
		for _, sc := range ch.Scopes {
			if sc = strings.TrimSpace(sc); sc != "" && !slices.Contains(scopes, sc) {
				scopes = append(scopes, sc)
			}
		}
		if s.UserURL == "" && !slices.Contains(scopes, "openid") {
			return flows.ErrInvalidInput.WithField("scopes", `The scopes must include "openid".`)
		}
		s.Scopes = scopes
	}
	if ch.Claims != nil {
		claims, err := cleanClaims(*ch.Claims)
		if err != nil {
			return err
		}
		s.Claims = claims
	}
	if ch.ResponseMode != nil {
		if m := *ch.ResponseMode; m != ResponseModeQuery && m != ResponseModeFormPost {
			return flows.ErrInvalidInput.WithField("response_mode", `Use "query" or "form_post".`)
		}
		s.ResponseMode = *ch.ResponseMode
	}
	if ch.Secret != "" {
		c.Secret = strings.TrimSpace(ch.Secret)
	}
	return flows.CheckStrings(*s)
}

// changeDomains applies ch's domains to c.Domains and returns those added
// and those removed.
func changeDomains(ctx context.Context, scope db.Scope, c *Connector, ch Change) (added, removed []string, err error) {
	if len(ch.AddDomains) == 0 && len(ch.RemoveDomains) == 0 {
		return nil, nil, nil
	}
	if c.Kind != KindEnterprise {
		return nil, nil, flows.ErrInvalidInput.WithField("domains", "A social connector is a button for everyone; only an enterprise connector takes email domains.")
	}
	drop := []string{}
	for _, d := range ch.RemoveDomains {
		drop = append(drop, strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), "."))
	}
	next := []string{}
	for _, d := range c.Domains {
		if slices.Contains(drop, d) {
			removed = append(removed, d)
			continue
		}
		next = append(next, d)
	}
	add, err := checkDomains(KindEnterprise, ch.AddDomains)
	if len(ch.AddDomains) > 0 && err != nil {
		return nil, nil, err
	}
	for _, d := range add {
		if !slices.Contains(next, d) {
			added = append(added, d)
			next = append(next, d)
		}
	}
	if len(next) == 0 {
		return nil, nil, flows.ErrInvalidInput.WithField("domains", "An enterprise connector needs at least one email domain: its users are sent to it by their address.")
	}
	for _, d := range added {
		if err := verifiedElsewhere(ctx, scope, d, c.ID, "domains"); err != nil {
			return nil, nil, err
		}
	}
	c.Domains = next
	return added, removed, nil
}
