package graph

import (
	"context"
	"encoding/json"
	"net"
	"strings"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/federation"
	"github.com/sesame-id/sesame/graph/model"
	"github.com/sesame-id/sesame/jobs"
	"github.com/sesame-id/sesame/tenants"
)

// connectorModel is a connector as the API shows it, without its secret.
func (r *Resolver) connectorModel(t *tenants.Tenant, c *federation.Connector) *model.Connector {
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	origin := r.Tenants.Origin(t)
	m := &model.Connector{
		ID: c.ID, Name: c.Name, Kind: model.ConnectorKind(strings.ToUpper(c.Kind)), Type: model.ConnectorType(strings.ToUpper(c.Type)),
		Preset: opt(c.Settings.Preset), Issuer: opt(c.Settings.Issuer), ClientID: opt(c.Settings.ClientID),
		Scopes: append([]string{}, c.Settings.Scopes...), Domains: c.Domains,
		TrustEmailVerified: c.Settings.TrustEmailVerified, TrustUpstreamAmr: c.Settings.TrustUpstreamAMR,
		CallbackURL: federation.CallbackURL(origin, c.ID),
		Claims: &model.ConnectorClaims{Subject: opt(c.Settings.Claims.Subject), Email: opt(c.Settings.Claims.Email),
			EmailVerified: opt(c.Settings.Claims.EmailVerified), Name: opt(c.Settings.Claims.Name)},
	}
	if c.Type == federation.TypeOIDC {
		mode := c.Settings.ResponseMode
		if mode == "" {
			mode = federation.ResponseModeQuery
		}
		m.ResponseMode = &mode
	}
	if c.Type == federation.TypeSAML {
		acs, meta := federation.SAMLACSURL(origin, c.ID), federation.SAMLMetadataURL(origin, c.ID)
		m.CallbackURL, m.AcsURL, m.MetadataURL, m.EntityID = acs, &acs, &meta, &meta
		var ss federation.SAMLSettings
		if json.Unmarshal(c.Settings.SAML, &ss) == nil {
			m.IdpEntityID = opt(ss.IdPEntityID)
		}
	}
	return m
}

// connectorModels are list as the API shows them, with their domains'
// states.
func (r *Resolver) connectorModels(ctx context.Context, c *caller, list []*federation.Connector) ([]*model.Connector, error) {
	states, err := federation.DomainStates(ctx, c.scope, list, r.Clock.Now())
	if err != nil {
		return nil, err
	}
	out := make([]*model.Connector, 0, len(list))
	for _, k := range list {
		m := r.connectorModel(c.tenant, k)
		m.DomainStates = make([]*model.ConnectorDomain, 0, len(states[k.ID]))
		for _, st := range states[k.ID] {
			m.DomainStates = append(m.DomainStates, domainModel(st))
		}
		out = append(out, m)
	}
	return out, nil
}

// domainModel is a connector domain's state as the API shows it.
func domainModel(st federation.DomainState) *model.ConnectorDomain {
	return &model.ConnectorDomain{Domain: st.Domain, Verified: st.VerifiedAt != nil, VerifiedAt: st.VerifiedAt,
		RecordName: st.RecordName(), RecordValue: st.RecordValue()}
}

// resolver is the DNS resolver domain checks use.
func (r *Resolver) resolver() *net.Resolver {
	if r.DNSResolver != nil {
		return r.DNSResolver
	}
	return net.DefaultResolver
}

// createConnector creates the connector of in: a saml one through
// federation.CreateSAML (the IdP's metadata read over the back channel,
// the SP's key sealed under the server's key-encryption key).
func (r *Resolver) createConnector(ctx context.Context, c *caller, in model.CreateConnectorInput) (*federation.Connector, error) {
	spec := connectorSpec(in)
	if in.Type != model.ConnectorTypeSaml {
		return federation.Create(ctx, c.scope, spec, r.Clock.Now())
	}
	ss := federation.SAMLSpec{KeyEncryptionKey: r.KeyEncryptionKey, HTTPClient: jobs.NewBackchannelHTTPClient(r.Development)}
	if in.MetadataURL != nil {
		ss.MetadataURL = strings.TrimSpace(*in.MetadataURL)
	}
	if in.MetadataXML != nil {
		ss.MetadataXML = []byte(strings.TrimSpace(*in.MetadataXML))
	}
	if ss.MetadataURL != "" && len(ss.MetadataXML) > 0 {
		return nil, flows.ErrInvalidInput.WithField("metadata_url", "Give the IdP's metadata URL or its metadata XML, not both.")
	}
	return federation.CreateSAML(ctx, c.scope, spec, ss, r.Clock.Now())
}

// connectorSpec is the federation.Spec of a createConnector input.
func connectorSpec(in model.CreateConnectorInput) federation.Spec {
	val := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	var claims *federation.Claims
	if in.Claims != nil {
		claims = &federation.Claims{Subject: val(in.Claims.Subject), Email: val(in.Claims.Email),
			EmailVerified: val(in.Claims.EmailVerified), Name: val(in.Claims.Name)}
	}
	return federation.Spec{
		Name: in.Name, Claims: claims, Kind: strings.ToLower(string(in.Kind)), Type: strings.ToLower(string(in.Type)),
		Preset: val(in.Preset), Issuer: val(in.Issuer), ClientID: val(in.ClientID), Secret: val(in.ClientSecret),
		Scopes: in.Scopes, Domains: in.Domains, TrustEmailVerified: in.TrustEmailVerified, TrustUpstreamAMR: in.TrustUpstreamAmr,
		ResponseMode: val(in.ResponseMode),
	}
}

// connectorChange is the federation.Change of an updateConnector input.
func connectorChange(in model.UpdateConnectorInput) federation.Change {
	ch := federation.Change{Name: in.Name, Scopes: in.Scopes, ResponseMode: in.ResponseMode,
		TrustEmailVerified: in.TrustEmailVerified, TrustUpstreamAMR: in.TrustUpstreamAmr,
		AddDomains: in.AddDomains, RemoveDomains: in.RemoveDomains}
	if in.ClientSecret != nil {
		ch.Secret = *in.ClientSecret
	}
	if in.Claims != nil {
		val := func(p *string) string {
			if p == nil {
				return ""
			}
			return *p
		}
		ch.Claims = &federation.Claims{Subject: val(in.Claims.Subject), Email: val(in.Claims.Email),
			EmailVerified: val(in.Claims.EmailVerified), Name: val(in.Claims.Name)}
	}
	return ch
}

// linkedModels are linked identities as the API shows them.
func linkedModels(list []*db.FederatedIdentity) []*model.LinkedIdentity {
	out := make([]*model.LinkedIdentity, 0, len(list))
	for _, fi := range list {
		m := &model.LinkedIdentity{ID: fi.ID, ConnectorID: fi.ConnectorID, Email: fi.Email, CreatedAt: fi.CreatedAt, LastUsedAt: fi.LastUsedAt}
		if fi.Connector != nil {
			m.Connector = fi.Connector.Name
		}
		out = append(out, m)
	}
	return out
}
