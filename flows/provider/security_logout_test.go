package provider_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/apps"
	"github.com/sesame-id/sesame/internal/testdb"
)

// unsignedToken is a JWT with alg "none" and the given claims.
func unsignedToken(t *testing.T, claims map[string]any) string {
	t.Helper()
	body, err := json.Marshal(claims)
	require.NoError(t, err)
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc.EncodeToString(body) + "."
}

func TestSecurity_LogoutWithAForgedOrForeignHintEndsNoSession(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, b)
			tn := srv.CreateTenant(t, "acme", "Acme")
			srv.CreateTenant(t, "bravo", "Bravo")
			const after = "http://127.0.0.1:9/signed-out"
			spec := apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI}, PostLogoutRedirectURIs: []string{after}}
			rp := newRelyingParty(t, srv, "acme", spec)
			bravo := newRelyingParty(t, srv, "bravo", spec)
			br := newBrowser(t, srv, "acme")
			br.signUp(newDevice(srv, "acme"), "ana@example.com")
			ana, err := srv.DB.ForTenant(tn.ID).Users().ByIdentifier(t.Context(), db.IdentifierEmail, "ana@example.com")
			require.NoError(t, err)
			bb := newBrowser(t, srv, "bravo")
			bb.signUp(newDevice(srv, "bravo"), "bob@example.com")
			at, verifier := bravo.authorize(bb)
			foreign, err := bravo.conf.Exchange(bravo.ctx, at.Query().Get("code"), oauth2.VerifierOption(verifier))
			require.NoError(t, err)

			now := time.Now().Unix()
			forged := unsignedToken(t, map[string]any{"iss": rp.issuer, "sub": ana.ID.String(), "aud": rp.conf.ClientID,
				"iat": now, "exp": now + 600})
			for name, hint := range map[string]string{
				"alg none":           forged,
				"another tenant's":   foreign.Extra("id_token").(string),
				"garbage":            "not.a.token",
				"signature stripped": foreign.Extra("id_token").(string)[:len(foreign.Extra("id_token").(string))-10],
			} {
				q := url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {after}, "client_id": {rp.conf.ClientID}}
				r := br.get("/oidc/end_session?" + q.Encode())
				require.NotEqual(t, http.StatusInternalServerError, r.status, name)
				require.Equal(t, http.StatusOK, br.get("/account").status, "%s hint: the session stays", name)
			}

			// The same request with the real hint ends it.
			at, verifier = rp.authorize(br)
			own, err := rp.conf.Exchange(rp.ctx, codeAt(t, at, ""), oauth2.VerifierOption(verifier))
			require.NoError(t, err)
			br.get("/oidc/end_session?" + url.Values{"id_token_hint": {own.Extra("id_token").(string)}, "post_logout_redirect_uri": {after}}.Encode())
			require.Equal(t, http.StatusSeeOther, br.get("/account").status, "the real hint ends the session")

			// Another tenant's authorization request id at this tenant's
			// login step: Sesame's error page.
			at = bb.follow(bravo.conf.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oauth2.SetAuthURLParam("prompt", "login")))
			id := at.Query().Get("authRequest")
			require.NotEmpty(t, id)
			r := br.get("/oidc/login?id=" + url.QueryEscape(id))
			require.Equal(t, http.StatusBadRequest, r.status)
			require.Empty(t, r.header.Get("Location"))
		})
	}
}
