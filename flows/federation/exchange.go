package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/errcode"
)

// ErrFailed refuses an upstream answer that does not check out: an error
// from the provider, a code it would not exchange, an ID token that is not
// for this connector, expired, unsigned or without the flow's nonce.
var ErrFailed = errcode.ErrFederationFailed

// ErrState refuses a callback whose state is not the flow's (forged,
// replayed or from another browser).
var ErrState = errcode.ErrFederationState

// ErrLinked refuses to link an upstream identity linked already.
var ErrLinked = errcode.ErrFederationLinked

// Identity is who the upstream says signed in, from its signed answer.
type Identity struct {
	Subject string
	Email   string
	// EmailVerified is the upstream's email_verified (or GitHub's
	// verified primary address); whether it counts is the connector's
	// TrustEmailVerified.
	EmailVerified bool
	Name          string
	// AMR is the upstream's amr claim.
	AMR []string
}

// Exchange trades the callback's code for the upstream's answer and
// checks it: for an OpenID Provider the authorization response's iss
// (RFC 9207), then the ID token's signature, issuer, audience (the
// connector's client id), expiry and the flow's nonce; for an OAuth 2.0
// provider its user API's answer. response is the authorization
// response's parameters (code, iss). The state must already have been
// compared (Pending.StateMatches).
func (u *Upstream) Exchange(ctx context.Context, c *Connector, e *Endpoints, response url.Values, p *Pending) (*Identity, error) {
	code := response.Get("code")
	if code == "" {
		return nil, ErrFailed.WithField("code", "The provider sent no code back.")
	}
	if err := e.checkResponseIssuer(response); err != nil {
		return nil, err
	}
	ctx = context.WithValue(oidc.ClientContext(ctx, u.client), oauth2.HTTPClient, u.client)
	opts := []oauth2.AuthCodeOption{}
	if p.Verifier != "" {
		opts = append(opts, oauth2.VerifierOption(p.Verifier))
	}
	tok, err := config(c, e).Exchange(ctx, code, opts...)
	if err != nil {
		return nil, fmt.Errorf("%w: code exchange: %v", ErrFailed, err)
	}
	if e.provider == nil {
		return u.oauthUser(ctx, c, tok)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, claims, err := u.checkIDToken(ctx, c, e, raw, p)
	if err != nil {
		return nil, err
	}
	if _, has := claims[claimName(c.Settings.Claims.Email, "email")]; !has && e.provider.UserInfoEndpoint() != "" {
		if err := u.userinfo(ctx, e.provider, tok, idt.Subject, claims); err != nil {
			return nil, err
		}
	}
	return identityFrom(c.Settings.Claims, claims, idt.Subject)
}

// checkResponseIssuer is the mix-up defence of RFC 9207: an OpenID
// Provider's authorization response that carries iss must carry the
// discovered issuer, and one whose discovery says it sends iss must carry
// it. The code is never sent to a token endpoint otherwise.
func (e *Endpoints) checkResponseIssuer(response url.Values) error {
	if e.provider == nil {
		return nil
	}
	iss, has := response["iss"]
	switch {
	case !has && e.issParam:
		return fmt.Errorf("%w: the authorization response has no iss", ErrFailed)
	case has && (len(iss) != 1 || iss[0] != e.issuer):
		return fmt.Errorf("%w: the authorization response's iss %q is not %s", ErrFailed, iss, e.issuer)
	}
	return nil
}

// checkIDToken checks an ID token for c: signed by the provider's keys,
// its issuer, its audience (c's client id), its expiry, and the flow's
// nonce; it returns the token and its claims.
func (u *Upstream) checkIDToken(ctx context.Context, c *Connector, e *Endpoints, raw string, p *Pending) (*oidc.IDToken, map[string]any, error) {
	if raw == "" {
		return nil, nil, fmt.Errorf("%w: no ID token", ErrFailed)
	}
	idt, err := e.provider.Verifier(&oidc.Config{ClientID: c.Settings.ClientID, Now: u.now}).Verify(ctx, raw)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: ID token: %v", ErrFailed, err)
	}
	if p.Nonce == "" || idt.Nonce != p.Nonce {
		return nil, nil, fmt.Errorf("%w: ID token nonce", ErrFailed)
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		return nil, nil, fmt.Errorf("%w: ID token claims: %v", ErrFailed, err)
	}
	return idt, claims, nil
}

// userinfo adds the userinfo endpoint's claims the ID token lacks; its
// subject must be the ID token's.
func (u *Upstream) userinfo(ctx context.Context, p *oidc.Provider, tok *oauth2.Token, sub string, claims map[string]any) error {
	ui, err := p.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		return fmt.Errorf("%w: userinfo: %v", ErrFailed, err)
	}
	if ui.Subject != sub {
		return fmt.Errorf("%w: userinfo subject is not the ID token's", ErrFailed)
	}
	extra := map[string]any{}
	if err := ui.Claims(&extra); err != nil {
		return fmt.Errorf("%w: userinfo claims: %v", ErrFailed, err)
	}
	for k, v := range extra {
		if _, has := claims[k]; !has {
			claims[k] = v
		}
	}
	return nil
}

func claimName(mapped, std string) string {
	if mapped != "" {
		return mapped
	}
	return std
}

// identityFrom reads the mapped claims; the subject is the ID token's
// unless the connector maps another claim.
func identityFrom(m Claims, claims map[string]any, sub string) (*Identity, error) {
	id := &Identity{Subject: sub}
	if m.Subject != "" {
		id.Subject = claimString(claims[m.Subject])
	}
	if id.Subject == "" {
		return nil, fmt.Errorf("%w: no subject", ErrFailed)
	}
	id.Email = strings.ToLower(strings.TrimSpace(claimString(claims[claimName(m.Email, "email")])))
	switch v := claims[claimName(m.EmailVerified, "email_verified")].(type) {
	case bool:
		id.EmailVerified = v
	case string:
		id.EmailVerified, _ = strconv.ParseBool(v)
	}
	id.Name = claimString(claims[claimName(m.Name, "name")])
	if list, ok := claims["amr"].([]any); ok {
		for _, v := range list {
			if s, ok := v.(string); ok {
				id.AMR = append(id.AMR, s)
			}
		}
	}
	return id, flows.CheckStrings(id)
}

func claimString(v any) string {
	switch s := v.(type) {
	case string:
		return s
	case float64:
		return strconv.FormatFloat(s, 'f', -1, 64)
	}
	return ""
}

// oauthUser reads an OAuth 2.0 provider's user API (GitHub's: /user and
// /user/emails, the verified primary address).
func (u *Upstream) oauthUser(ctx context.Context, c *Connector, tok *oauth2.Token) (*Identity, error) {
	var user struct {
		ID    json.Number `json:"id"`
		Login string      `json:"login"`
		Name  string      `json:"name"`
	}
	if err := u.getJSON(ctx, c.Settings.UserURL, tok, &user); err != nil {
		return nil, err
	}
	id := &Identity{Subject: user.ID.String(), Name: user.Name}
	if id.Name == "" {
		id.Name = user.Login
	}
	var emails []struct {
		Email    string `json:"email"`
		Primary  bool   `json:"primary"`
		Verified bool   `json:"verified"`
	}
	if err := u.getJSON(ctx, c.Settings.UserURL+"/emails", tok, &emails); err != nil {
		return nil, err
	}
	if i := slices.IndexFunc(emails, func(e struct {
		Email    string `json:"email"`
		Primary  bool   `json:"primary"`
		Verified bool   `json:"verified"`
	}) bool {
		return e.Primary
	}); i >= 0 {
		id.Email, id.EmailVerified = strings.ToLower(emails[i].Email), emails[i].Verified
	}
	if id.Subject == "" {
		return nil, fmt.Errorf("%w: no user id", ErrFailed)
	}
	return id, flows.CheckStrings(id)
}

func (u *Upstream) getJSON(ctx context.Context, url string, tok *oauth2.Token, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	tok.SetAuthHeader(req)
	res, err := u.client.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrFailed, url, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrFailed, url, err)
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%w: %s answered %s", ErrFailed, url, res.Status)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrFailed, url, err)
	}
	return nil
}

// IsRefusal reports whether err is one of this package's public refusals.
func IsRefusal(err error) bool {
	return errors.Is(err, ErrFailed) || errors.Is(err, ErrState)
}
