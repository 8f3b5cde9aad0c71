package provider_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/sesame-id/sesame/flows/apps"
	"github.com/sesame-id/sesame/graph"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
)

func TestBackchannelLogout_DiscoveryAdvertisesIt(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	srv.CreateTenant(t, "acme", "Acme")
	rp := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI}})
	var doc struct {
		Supported        bool `json:"backchannel_logout_supported"`
		SessionSupported bool `json:"backchannel_logout_session_supported"`
	}
	require.NoError(t, rp.provider.Claims(&doc))
	require.True(t, doc.Supported)
	require.True(t, doc.SessionSupported)
}

func TestBackchannelLogout_RPInitiatedLogoutTellsTheApplicationAndRevokesTheSessionsTokens(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, b, testserver.Options{})
			srv.CreateTenant(t, "acme", "Acme")
			srv.CreateTenant(t, "bravo", "Bravo")
			const after = "http://127.0.0.1:9/signed-out"
			shopLogout, bravoLogout := newLogoutReceiver(t, 0), newLogoutReceiver(t, 0)
			shop := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI},
				PostLogoutRedirectURIs: []string{after}, BackchannelLogoutURI: shopLogout.URL, BackchannelLogoutSessionRequired: true,
				IDTokenAlg: apps.AlgES256})
			shop.conf.Scopes = append(shop.conf.Scopes, "offline_access")
			blog := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Blog", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI}})
			blog.conf.Scopes = append(blog.conf.Scopes, "offline_access")
			other := newRelyingParty(t, srv, "bravo", apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI},
				BackchannelLogoutURI: bravoLogout.URL})

			br := newBrowser(t, srv, "acme")
			br.signUp(newDevice(srv, "acme"), "ana@example.com")
			atShop := signInTo(t, shop, br)
			atBlog := signInTo(t, blog, br)
			require.Equal(t, atShop.sid, atBlog.sid, "one session, two applications")
			// The same person at tenant B, whose application must not hear
			// of tenant A's logout.
			bbr := newBrowser(t, srv, "bravo")
			bbr.signUp(newDevice(srv, "bravo"), "ana.b@example.com")
			atOther := signInTo(t, other, bbr)

			// A code answered from the session, not yet exchanged.
			pending, pendingVerifier := blog.authorize(br)
			require.NotEmpty(t, pending.Query().Get("code"))

			q := url.Values{"id_token_hint": {atShop.tok.Extra("id_token").(string)}, "post_logout_redirect_uri": {after}, "state": {"bye"}}
			loc := br.get("/oidc/end_session?"+q.Encode()).location(t, br.origin)
			require.Equal(t, after+"?state=bye", loc.String())

			tokens := shopLogout.waitFor(t, 1)
			verifyLogoutToken(t, shop, tokens[0], atShop)

			// The session's tokens are refused, for every application.
			for _, c := range []struct {
				rp *relyingParty
				in signedIn
			}{{shop, atShop}, {blog, atBlog}} {
				require.True(t, refreshFails(c.rp, c.in.tok), "refresh after logout")
				got := introspect(t, c.rp, c.rp.conf.ClientID, c.rp.conf.ClientSecret, c.in.tok.AccessToken)
				require.Equal(t, false, got["active"], "introspection after logout")
			}

			_, err := blog.conf.Exchange(blog.ctx, pending.Query().Get("code"), oauth2.VerifierOption(pendingVerifier))
			require.Error(t, err, "a code of the ended session brings no tokens")

			// Tenant B's application heard nothing, and its tokens live.
			time.Sleep(500 * time.Millisecond)
			require.Empty(t, bravoLogout.received(), "A's logout never reaches B's applications")
			require.Len(t, shopLogout.received(), 1, "one token per application and session")
			got := introspect(t, other, other.conf.ClientID, other.conf.ClientSecret, atOther.tok.AccessToken)
			require.Equal(t, true, got["active"])
		})
	}
}

func TestBackchannelLogout_AFailingApplicationIsToldAgain(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, b, testserver.Options{})
			srv.CreateTenant(t, "acme", "Acme")
			down := newLogoutReceiver(t, 1)
			rp := newRelyingParty(t, srv, "acme", apps.Spec{Name: "SPA", Type: apps.TypeSPA, RedirectURIs: []string{redirectURI},
				BackchannelLogoutURI: down.URL})
			br := newBrowser(t, srv, "acme")
			br.signUp(newDevice(srv, "acme"), "ana@example.com")
			in := signInTo(t, rp, br)

			// The hosted pages' sign-out.
			r := br.do(http.MethodPost, br.origin+"/sign-out", nil, map[string]string{"Origin": br.origin})
			require.Equal(t, http.StatusSeeOther, r.status, string(r.body))

			tokens := down.waitFor(t, 2)
			require.Len(t, tokens, 2, "the first answer was 500: the job ran again")
			first, second := verifyLogoutToken(t, rp, tokens[0], in), verifyLogoutToken(t, rp, tokens[1], in)
			require.NotEqual(t, first["jti"], second["jti"], "each attempt signs a new token")
			time.Sleep(300 * time.Millisecond)
			require.Len(t, down.received(), 2, "delivered: no more attempts")
		})
	}
}

func TestBackchannelLogout_AccountAndAdministratorRevocationsTellTheApplication(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	tn := srv.CreateTenant(t, "acme", "Acme")
	receiver := newLogoutReceiver(t, 0)
	rp := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI},
		BackchannelLogoutURI: receiver.URL})
	rp.conf.Scopes = append(rp.conf.Scopes, "offline_access")
	dev := newDevice(srv, "acme")
	laptop := newBrowser(t, srv, "acme")
	laptop.signUp(dev, "ana@example.com")
	phone := newBrowser(t, srv, "acme")
	phone.signInWithPasskey(dev)
	onLaptop, onPhone := signInTo(t, rp, laptop), signInTo(t, rp, phone)
	require.NotEqual(t, onLaptop.sid, onPhone.sid)

	// The account center (account API): the phone's session, from the
	// laptop.
	gql := func(b *browser, headers map[string]string, query string, vars map[string]any) map[string]any {
		t.Helper()
		r := b.post("/graphql", map[string]any{"query": query, "variables": vars}, headers)
		require.Equal(t, http.StatusOK, r.status, string(r.body))
		out := r.json(t)
		require.Nil(t, out["errors"], string(r.body))
		return out
	}
	gql(laptop, map[string]string{graph.CSRFHeader: "1"}, `mutation($id: ID!) { revokeSession(id: $id) }`, map[string]any{"id": onPhone.sid})
	verifyLogoutToken(t, rp, receiver.waitFor(t, 1)[0], onPhone)
	require.True(t, refreshFails(rp, onPhone.tok))
	require.Equal(t, false, introspect(t, rp, rp.conf.ClientID, rp.conf.ClientSecret, onPhone.tok.AccessToken)["active"])
	require.Equal(t, true, introspect(t, rp, rp.conf.ClientID, rp.conf.ClientSecret, onLaptop.tok.AccessToken)["active"],
		"the other session's tokens live")

	// An administrator (management API key): the laptop's session.
	_, key, err := graph.CreateAPIKey(t.Context(), srv.DB.ForTenant(tn.ID), "ops", time.Now())
	require.NoError(t, err)
	gql(newBrowser(t, srv, "acme"), map[string]string{"Authorization": "Bearer " + key},
		`mutation($u: ID!, $s: ID!) { revokeUserSession(userId: $u, sessionId: $s) }`, map[string]any{"u": onLaptop.sub, "s": onLaptop.sid})
	tokens := receiver.waitFor(t, 2)
	verifyLogoutToken(t, rp, tokens[1], onLaptop)
	require.Equal(t, false, introspect(t, rp, rp.conf.ClientID, rp.conf.ClientSecret, onLaptop.tok.AccessToken)["active"])
}

func TestBackchannelLogout_DeletingAnApplicationRevokesItsTokens(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, b, testserver.Options{})
			tn := srv.CreateTenant(t, "acme", "Acme")
			api := newRelyingParty(t, srv, "acme", apps.Spec{Name: "API", Type: apps.TypeM2M})
			shop := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI}})
			blog := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Blog", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI}})
			br := newBrowser(t, srv, "acme")
			br.signUp(newDevice(srv, "acme"), "ana@example.com")
			atShop, atBlog := signInTo(t, shop, br), signInTo(t, blog, br)
			require.Equal(t, true, introspect(t, api, api.conf.ClientID, api.conf.ClientSecret, atShop.tok.AccessToken)["active"])

			require.NoError(t, apps.Delete(t.Context(), srv.DB.ForTenant(tn.ID), shop.created.App.ID))

			require.Equal(t, false, introspect(t, api, api.conf.ClientID, api.conf.ClientSecret, atShop.tok.AccessToken)["active"],
				"the deleted application's access token is inactive")
			_, err := shop.provider.UserInfo(shop.ctx, oauth2.StaticTokenSource(atShop.tok))
			require.Error(t, err)
			require.Equal(t, true, introspect(t, api, api.conf.ClientID, api.conf.ClientSecret, atBlog.tok.AccessToken)["active"],
				"another application's tokens live")
		})
	}
}

// TestBackchannelLogout_OtherTenantsSessionIsNotEnded checks that a
// session id of tenant A given to tenant B's account API ends nothing.
func TestBackchannelLogout_OtherTenantsSessionIsNotEnded(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	srv.CreateTenant(t, "acme", "Acme")
	srv.CreateTenant(t, "bravo", "Bravo")
	receiver := newLogoutReceiver(t, 0)
	rp := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI},
		BackchannelLogoutURI: receiver.URL})
	br := newBrowser(t, srv, "acme")
	br.signUp(newDevice(srv, "acme"), "ana@example.com")
	in := signInTo(t, rp, br)
	other := newBrowser(t, srv, "bravo")
	other.signUp(newDevice(srv, "bravo"), "bo@example.com")
	r := other.post("/graphql", map[string]any{"query": `mutation($id: ID!) { revokeSession(id: $id) }`,
		"variables": map[string]any{"id": in.sid}}, map[string]string{graph.CSRFHeader: "1"})
	require.Equal(t, http.StatusOK, r.status)
	require.NotNil(t, r.json(t)["errors"], "not found at B")
	time.Sleep(300 * time.Millisecond)
	require.Empty(t, receiver.received())
	require.Equal(t, true, introspect(t, rp, rp.conf.ClientID, rp.conf.ClientSecret, in.tok.AccessToken)["active"])
}
