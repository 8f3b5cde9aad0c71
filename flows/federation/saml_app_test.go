package federation_test

import (
	"net/http"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/federation"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/jobs"
)

// TestFederation_SAMLLinksAfterProofAndAnswersTheApplication: the IdP's
// trusted address is held by an existing account, so the ACS signs no one
// in and links nothing until the person signs in to that account in the
// same flow; an application's request is then answered at once, its ID
// token saying amr fed.
func TestFederation_SAMLLinksAfterProofAndAnswersTheApplication(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, b, testserver.Options{})
			idp := newSAMLIdP(t, srv)
			tenant := srv.CreateTenant(t, "acme", "Acme")
			p := &pair{t: t, srv: srv, acme: srv.DB.ForTenant(tenant.ID)}
			acme := srv.URL("acme")
			trust := true
			c, err := federation.CreateSAML(t.Context(), p.acme, federation.Spec{Name: "Corp", Kind: federation.KindSocial, TrustEmailVerified: &trust},
				federation.SAMLSpec{MetadataURL: idp.metadataURL(), HTTPClient: jobs.NewBackchannelHTTPClient(true), KeyEncryptionKey: srv.KeyEncryptionKey}, time.Now())
			require.NoError(t, err)
			owner := makeUser(t, p.acme, "alice@corp.example", upstreamPassword)
			rp := newRelyingParty(t, srv, p.acme, acme)

			br := newBrowser(t, srv)
			verifier := oauth2.GenerateVerifier()
			r := br.do(http.MethodGet, rp.conf.AuthCodeURL("rp-state", oauth2.S256ChallengeOption(verifier), gooidc.Nonce("rp-nonce")), nil, nil)
			require.Equal(t, http.StatusFound, r.status, string(r.body))
			id := r.location(t).Query().Get("authRequest")
			ar := map[string]string{"X-Sesame-Auth-Request": id}
			token, redirect := br.begin(acme, c.ID, ar)

			// The ACS: the account must be proved first; nothing linked.
			before := p.counts()
			r = br.postResume(idp.answer(redirect), "")
			require.Equal(t, http.StatusSeeOther, r.status, string(r.body))
			to := r.location(t)
			require.Equal(t, "/", to.Path, "back to the sign-in page to prove the account")
			require.Equal(t, id, to.Query().Get("authRequest"))
			require.Contains(t, to.Fragment, "federation=")
			require.Equal(t, before, p.counts())

			// The person signs in to the account: linked, and the
			// application answered.
			ar["X-Sesame-Flow"], ar["Origin"] = token, acme
			r = br.do(http.MethodPost, acme+"/api/flows/sign-in/password", map[string]any{"password": upstreamPassword}, ar)
			require.Equal(t, http.StatusOK, r.status, string(r.body))
			fi, err := p.acme.FederatedIdentities().BySubject(t.Context(), c.ID, "alice-7f3a")
			require.NoError(t, err)
			require.Equal(t, owner, fi.UserID)
			require.Equal(t, before.users, p.counts().users)

			// The next sign-in through the IdP answers the application at
			// once, with amr fed.
			br2 := newBrowser(t, srv)
			r = br2.do(http.MethodGet, rp.conf.AuthCodeURL("rp-state-2", oauth2.S256ChallengeOption(verifier), gooidc.Nonce("rp-nonce-2")), nil, nil)
			require.Equal(t, http.StatusFound, r.status, string(r.body))
			_, redirect = br2.begin(acme, c.ID, map[string]string{"X-Sesame-Auth-Request": r.location(t).Query().Get("authRequest")})
			r = br2.postResume(idp.answer(redirect), "")
			require.Equal(t, http.StatusSeeOther, r.status, string(r.body))
			to = r.location(t)
			require.Equal(t, rpRedirect, to.Scheme+"://"+to.Host+to.Path, "straight back to the application")
			require.Equal(t, "rp-state-2", to.Query().Get("state"))
			tok, err := rp.conf.Exchange(rp.ctx, to.Query().Get("code"), oauth2.VerifierOption(verifier))
			require.NoError(t, err)
			idt, err := rp.verifier.Verify(rp.ctx, tok.Extra("id_token").(string))
			require.NoError(t, err)
			var claims struct {
				Sub   string   `json:"sub"`
				AMR   []string `json:"amr"`
				Nonce string   `json:"nonce"`
			}
			require.NoError(t, idt.Claims(&claims))
			require.Equal(t, "rp-nonce-2", claims.Nonce)
			require.Equal(t, []string{"fed"}, claims.AMR)
			require.Equal(t, owner.String(), claims.Sub)
			u, err := p.acme.Users().ByIdentifier(t.Context(), db.IdentifierEmail, "alice@corp.example")
			require.NoError(t, err)
			require.Equal(t, owner, u.ID)
		})
	}
}
