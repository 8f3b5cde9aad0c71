package graph

import (
	"errors"
	"strings"
	"time"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/apps"
	"github.com/sesame-id/sesame/graph/model"
	"github.com/sesame-id/sesame/internal/errcode"
	"github.com/sesame-id/sesame/tenants"
)

// This file translates between the applications' GraphQL types and
// flows/apps, which holds their rules.

// discoveryPath is where an OpenID Provider publishes its metadata
// (OpenID Connect Discovery 1.0 §4).
const discoveryPath = "/.well-known/openid-configuration"

// oidcProvider is where the tenant's applications find it: the issuer is
// the tenant's origin, as the provider (flows/provider) says on that host.
func (r *Resolver) oidcProvider(t *tenants.Tenant) *model.OIDCProvider {
	issuer := r.Tenants.Origin(t)
	return &model.OIDCProvider{Issuer: issuer, DiscoveryURL: issuer + discoveryPath}
}

// specOf is the apps.Spec of a createApplication input.
func specOf(in model.CreateApplicationInput) apps.Spec {
	s := apps.Spec{
		Name: in.Name, Type: strings.ToLower(string(in.Type)),
		RedirectURIs: in.RedirectUris, PostLogoutRedirectURIs: in.PostLogoutRedirectUris,
		Scopes: in.Scopes, FirstParty: in.FirstParty != nil && *in.FirstParty,
		BackchannelLogoutSessionRequired: in.BackchannelLogoutSessionRequired != nil && *in.BackchannelLogoutSessionRequired,
	}
	if in.BackchannelLogoutURI != nil {
		s.BackchannelLogoutURI = *in.BackchannelLogoutURI
	}
	if in.IDTokenAlg != nil {
		s.IDTokenAlg = string(*in.IDTokenAlg)
	}
	if in.Lifetimes != nil {
		s.AccessTokenTTL = seconds(in.Lifetimes.AccessTokenSeconds)
		s.IDTokenTTL = seconds(in.Lifetimes.IDTokenSeconds)
	}
	return s
}

// changeOf is the apps.Change of an updateApplication input.
func changeOf(in model.UpdateApplicationInput) apps.Change {
	c := apps.Change{
		Name: in.Name, RedirectURIs: in.RedirectUris, PostLogoutRedirectURIs: in.PostLogoutRedirectUris,
		Scopes: in.Scopes, FirstParty: in.FirstParty,
		BackchannelLogoutURI: in.BackchannelLogoutURI, BackchannelLogoutSessionRequired: in.BackchannelLogoutSessionRequired,
	}
	if in.IDTokenAlg != nil {
		alg := string(*in.IDTokenAlg)
		c.IDTokenAlg = &alg
	}
	if in.Lifetimes != nil {
		if in.Lifetimes.AccessTokenSeconds != nil {
			d := seconds(in.Lifetimes.AccessTokenSeconds)
			c.AccessTokenTTL = &d
		}
		if in.Lifetimes.IDTokenSeconds != nil {
			d := seconds(in.Lifetimes.IDTokenSeconds)
			c.IDTokenTTL = &d
		}
	}
	return c
}

// seconds is n seconds; 0 (the default) when n is nil. A value below one
// second, zero included, stays out of range so that apps refuses it rather
// than taking the default.
func seconds(n *int) time.Duration {
	if n == nil {
		return 0
	}
	if *n <= 0 {
		return -1
	}
	return time.Duration(*n) * time.Second
}

// appFields names the input field of each of flows/apps' field names.
var appFields = map[string]string{
	"redirect_uris":             "redirectUris",
	"post_logout_redirect_uris": "postLogoutRedirectUris",
	"access_token_ttl":          "lifetimes.accessTokenSeconds",
	"id_token_ttl":              "lifetimes.idTokenSeconds",
	"id_token_alg":              "idTokenAlg",

	"backchannel_logout_uri":              "backchannelLogoutUri",
	"backchannel_logout_session_required": "backchannelLogoutSessionRequired",
}

// appError names an input error's field as the client wrote it
// ("redirectUris", not "redirect_uris").
func appError(err error) error {
	var pe *errcode.Error
	if errors.As(err, &pe) && pe.Field != "" {
		if name, ok := appFields[pe.Field]; ok {
			return pe.WithField(name, "")
		}
	}
	return err
}

// previousSecretExpiry is when the secret replaced by the last rotation
// stops working, while it still works.
func previousSecretExpiry(a *db.OIDCApp, now time.Time) *time.Time {
	if len(a.PreviousSecretHash) == 0 || a.PreviousSecretExpiresAt == nil || !now.Before(*a.PreviousSecretExpiresAt) {
		return nil
	}
	at := a.PreviousSecretExpiresAt.UTC()
	return &at
}
