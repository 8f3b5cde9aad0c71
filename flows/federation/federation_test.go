package federation_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	pqtotp "github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/federation"
	"github.com/sesame-id/sesame/flows/totp"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
)

// TestFederation_SesameToSesame: acme's users sign in through up, another
// tenant of the same server acting as the OpenID Provider. The first
// sign-in provisions an account from up's verified claims and links it;
// the next signs in to the same account. A forged state, a replayed
// callback and a code of another client are refused with a 4xx page and
// write nothing.
func TestFederation_SesameToSesame(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, b, testserver.Options{})
			p := newPair(t, srv, federation.KindSocial)
			p.upstreamUser("ana@example.com")
			acme := srv.URL("acme")

			br := newBrowser(t, srv)
			_, authorize := br.begin(acme, p.connector.ID, nil)
			require.Equal(t, srv.URL("upstream")+"/oidc/authorize", authorize.Scheme+"://"+authorize.Host+authorize.Path)
			q := authorize.Query()
			require.Equal(t, "S256", q.Get("code_challenge_method"), "PKCE")
			require.NotEmpty(t, q.Get("nonce"))
			require.NotEmpty(t, q.Get("state"))
			callback := br.upstreamSignIn(authorize, "ana@example.com")
			require.Equal(t, federation.CallbackURL(acme, p.connector.ID), callback.Scheme+"://"+callback.Host+callback.Path)

			// A forged state: refused before any exchange, nothing written.
			before := p.counts()
			forged := *callback
			fq := forged.Query()
			fq.Set("state", "forged")
			forged.RawQuery = fq.Encode()
			r := br.do(http.MethodGet, forged.String(), nil, nil)
			require.Equal(t, http.StatusBadRequest, r.status)
			require.Contains(t, string(r.body), `data-code="federation_state"`)
			require.Equal(t, before, p.counts())

			// The real answer signs in: a new account, linked, with the
			// verified address.
			r = br.do(http.MethodGet, callback.String(), nil, nil)
			require.Equal(t, http.StatusSeeOther, r.status, string(r.body))
			require.Equal(t, "/account", r.header.Get("Location"))
			after := p.counts()
			require.Equal(t, counts{users: before.users + 1, identities: before.identities + 1, sessions: before.sessions + 1}, after)
			u, err := p.acme.Users().ByIdentifier(t.Context(), db.IdentifierEmail, "ana@example.com")
			require.NoError(t, err)
			require.False(t, u.SSO, "a social connector's users are not SSO users")
			held, err := p.acme.Users().Identifier(t.Context(), db.IdentifierEmail, "ana@example.com")
			require.NoError(t, err)
			require.NotNil(t, held.VerifiedAt)
			me := br.do(http.MethodPost, acme+"/graphql", map[string]any{"query": "{ me { id } }"}, map[string]string{"X-Sesame-Request": "1"})
			require.Contains(t, string(me.body), u.ID.String(), "the browser is signed in to acme")

			// The same answer again: the flow is gone, nothing written.
			r = br.do(http.MethodGet, callback.String(), nil, nil)
			require.Equal(t, http.StatusBadRequest, r.status)
			require.Contains(t, string(r.body), `data-code="federation_state"`)
			br.http.Jar.SetCookies(&url.URL{Scheme: "http", Host: callback.Host, Path: "/federation/"}, []*http.Cookie{{Name: "sesame_federation", Value: "replayed", Path: "/federation/"}})
			r = br.do(http.MethodGet, callback.String(), nil, nil)
			require.Equal(t, http.StatusBadRequest, r.status)
			require.Equal(t, after, p.counts())

			// A second sign-in goes to the same account.
			br2 := newBrowser(t, srv)
			_, authorize = br2.begin(acme, p.connector.ID, nil)
			r = br2.do(http.MethodGet, br2.upstreamSignIn(authorize, "ana@example.com").String(), nil, nil)
			require.Equal(t, http.StatusSeeOther, r.status, string(r.body))
			require.Equal(t, after.users, p.counts().users)
			ids, err := p.acme.FederatedIdentities().ByUser(t.Context(), u.ID)
			require.NoError(t, err)
			require.Len(t, ids, 1)
		})
	}
}

// TestFederation_AnApplicationsRequestIsAnsweredWithAMRFed: an application
// of acme asks for a sign-in; the person signs in through up, and the
// callback answers the application at once, its ID token saying how
// (amr fed).
func TestFederation_AnApplicationsRequestIsAnsweredWithAMRFed(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, b, testserver.Options{})
			p := newPair(t, srv, federation.KindSocial)
			p.upstreamUser("ana@example.com")
			acme := srv.URL("acme")
			rp := newRelyingParty(t, srv, p.acme, acme)

			br := newBrowser(t, srv)
			verifier := oauth2.GenerateVerifier()
			r := br.do(http.MethodGet, rp.conf.AuthCodeURL("rp-state", oauth2.S256ChallengeOption(verifier), gooidc.Nonce("rp-nonce")), nil, nil)
			require.Equal(t, http.StatusFound, r.status, string(r.body))
			page := r.location(t)
			require.Equal(t, "/", page.Path)
			id := page.Query().Get("authRequest")
			_, authorize := br.begin(acme, p.connector.ID, map[string]string{"X-Sesame-Auth-Request": id})
			r = br.do(http.MethodGet, br.upstreamSignIn(authorize, "ana@example.com").String(), nil, nil)
			require.Equal(t, http.StatusSeeOther, r.status, string(r.body))
			to := r.location(t)
			require.Equal(t, rpRedirect, to.Scheme+"://"+to.Host+to.Path, "straight back to the application")
			require.Equal(t, "rp-state", to.Query().Get("state"))

			tok, err := rp.conf.Exchange(rp.ctx, to.Query().Get("code"), oauth2.VerifierOption(verifier))
			require.NoError(t, err)
			idt, err := rp.verifier.Verify(rp.ctx, tok.Extra("id_token").(string))
			require.NoError(t, err)
			var claims struct {
				AMR   []string `json:"amr"`
				Nonce string   `json:"nonce"`
			}
			require.NoError(t, idt.Claims(&claims))
			require.Equal(t, "rp-nonce", claims.Nonce)
			require.Equal(t, []string{"fed"}, claims.AMR)
		})
	}
}

// TestFederation_AnIDTokenForAnotherAudienceIsRefused: a real ID token of
// up, issued to another of its clients (Shop) with the flow's nonce, does
// not pass acme's connector's checks; the connector's own token does.
func TestFederation_AnIDTokenForAnotherAudienceIsRefused(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, b, testserver.Options{})
			p := newPair(t, srv, federation.KindSocial)
			p.upstreamUser("ana@example.com")
			shop := newRelyingParty(t, srv, p.up, srv.URL("upstream"))
			br := newBrowser(t, srv)
			authorize, err := url.Parse(shop.conf.AuthCodeURL("s", gooidc.Nonce("flow-nonce")))
			require.NoError(t, err)
			back := br.upstreamSignIn(authorize, "ana@example.com")
			tok, err := shop.conf.Exchange(shop.ctx, back.Query().Get("code"))
			require.NoError(t, err)
			raw := tok.Extra("id_token").(string)
			_, err = shop.verifier.Verify(shop.ctx, raw)
			require.NoError(t, err, "a good token, for Shop")

			client := newBrowser(t, srv).http
			client.Jar, client.CheckRedirect = nil, nil
			up := federation.NewUpstream(client)
			e, err := up.Prepare(t.Context(), p.connector, federation.CallbackURL(srv.URL("acme"), p.connector.ID))
			require.NoError(t, err)
			before := p.counts()
			err = up.CheckIDToken(t.Context(), p.connector, e, raw, "flow-nonce")
			require.ErrorIs(t, err, federation.ErrFailed)
			require.Contains(t, err.Error(), "audience")
			require.Equal(t, before, p.counts())
		})
	}
}

// TestFederation_TheTenantsSecondFactorFollowsTheUpstream: a user with
// 2-step verification on signs in through up: no session after the
// callback, which sends the browser back to the sign-in page on the mfa
// screen (the step's answer in the fragment); the authenticator app's code
// then signs in with amr fed, otp, mfa.
func TestFederation_TheTenantsSecondFactorFollowsTheUpstream(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, b, testserver.Options{})
			p := newPair(t, srv, federation.KindSocial)
			p.upstreamUser("ana@example.com")
			acme := srv.URL("acme")
			ctx := t.Context()

			// ana's acme account, linked, with an authenticator app.
			ana := makeUser(t, p.acme, "ana@example.com", upstreamPassword)
			require.NoError(t, federation.Link(ctx, p.acme, ana, p.connector.ID, upstreamSubject(t, p, "ana@example.com"), "ana@example.com", time.Now()))
			key, err := totp.Generate("Acme", "ana")
			require.NoError(t, err)
			require.NoError(t, p.acme.TOTP().Start(ctx, ana, key.Secret, time.Now()))
			require.NoError(t, p.acme.TOTP().Accept(ctx, ana, 1, time.Now()))
			require.NoError(t, p.acme.Users().SetMFA(ctx, ana, true))

			br := newBrowser(t, srv)
			token, authorize := br.begin(acme, p.connector.ID, nil)
			r := br.do(http.MethodGet, br.upstreamSignIn(authorize, "ana@example.com").String(), nil, nil)
			require.Equal(t, http.StatusSeeOther, r.status, string(r.body))
			to := r.location(t)
			require.Equal(t, "/", to.Path)
			frag, err := url.QueryUnescape(strings.TrimPrefix(to.Fragment, "federation="))
			require.NoError(t, err)
			require.JSONEq(t, `{"flow": {"state": "mfa", "actions": ["mfa.passkey.begin", "mfa.passkey.finish", "mfa.totp", "mfa.sms.send", "mfa.sms.verify", "mfa.backup_code"]}, "result": {"factors": ["totp"]}}`, frag)
			require.Zero(t, p.counts().sessions, "no session before the second factor")

			code, err := pqtotp.GenerateCode(key.Secret, time.Now())
			require.NoError(t, err)
			r = br.do(http.MethodPost, acme+"/api/flows/sign-in/mfa.totp", map[string]any{"code": code}, map[string]string{"X-Sesame-Flow": token})
			require.Equal(t, http.StatusOK, r.status, string(r.body))
			ss, err := p.acme.Sessions().ByUser(ctx, ana, time.Now())
			require.NoError(t, err)
			require.Len(t, ss, 1)
			require.Equal(t, "fed,otp,mfa", ss[0].AMR)
		})
	}
}

// upstreamSubject is the subject up gives its user with the address.
func upstreamSubject(t *testing.T, p *pair, email string) string {
	t.Helper()
	u, err := p.up.Users().ByIdentifier(t.Context(), db.IdentifierEmail, email)
	require.NoError(t, err)
	return u.ID.String()
}

// TestFederation_OneCallbackOf100SignsIn: the same callback (state, code,
// the browser's cookie) sent 100 times at once on PostgreSQL signs in
// once: one account, one link, one session; every other answer is a 4xx.
func TestFederation_OneCallbackOf100SignsIn(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.Postgres, testserver.Options{})
	p := newPair(t, srv, federation.KindSocial)
	p.upstreamUser("ana@example.com")
	br := newBrowser(t, srv)
	_, authorize := br.begin(srv.URL("acme"), p.connector.ID, nil)
	callback := br.upstreamSignIn(authorize, "ana@example.com")

	var wg sync.WaitGroup
	statuses := make([]int, 100)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, err := http.NewRequest(http.MethodGet, callback.String(), nil)
			if err != nil {
				return
			}
			res, err := br.http.Do(req)
			if err != nil {
				return
			}
			res.Body.Close()
			statuses[i] = res.StatusCode
		}()
	}
	wg.Wait()
	signedIn := 0
	for _, s := range statuses {
		if s == http.StatusSeeOther {
			signedIn++
			continue
		}
		require.True(t, s >= 400 && s < 500, "status %d", s)
	}
	require.Equal(t, 1, signedIn)
	require.Equal(t, counts{users: 1, identities: 1, sessions: 1}, p.counts())
}
