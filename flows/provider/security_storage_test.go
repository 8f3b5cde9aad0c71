package provider_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/sesame-id/sesame/flows/apps"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
)

func TestSecurity_CodesTokensAndSecretsAreStoredHashed(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := startRawServer(t, b, testserver.Options{})
			tn := srv.CreateTenant(t, "acme", "Acme")
			rp := newRelyingParty(t, srv.Server, "acme", apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI}})
			m2m := newRelyingParty(t, srv.Server, "acme", apps.Spec{Name: "Jobs", Type: apps.TypeM2M})
			rp.conf.Scopes = append(rp.conf.Scopes, "offline_access")
			br := newBrowser(t, srv.Server, "acme")
			br.signUp(newDevice(srv.Server, "acme"), "ana@example.com")

			at, verifier := rp.authorize(br)
			code := codeAt(t, at, "")
			tok, err := rp.conf.Exchange(rp.ctx, code, oauth2.VerifierOption(verifier))
			require.NoError(t, err)
			refreshed, err := rp.conf.TokenSource(rp.ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
			require.NoError(t, err)
			rotated, err := apps.RotateSecret(t.Context(), srv.DB.ForTenant(tn.ID), rp.conf.ClientID, time.Now())
			require.NoError(t, err)

			secrets := map[string]string{
				"code": code, "code_verifier": verifier,
				"access token": tok.AccessToken, "refresh token": tok.RefreshToken,
				"refreshed access token": refreshed.AccessToken, "rotated refresh token": refreshed.RefreshToken,
				"client secret": rp.conf.ClientSecret, "rotated client secret": rotated, "m2m client secret": m2m.conf.ClientSecret,
				"id token": tok.Extra("id_token").(string),
			}
			for _, table := range []string{"oidc_apps", "oidc_auth_requests", "oidc_tokens", "oidc_refresh_tokens"} {
				rows := srv.dump(t, table)
				require.Contains(t, rows, rp.conf.ClientID, "the dump holds %s's values", table)
				for name, v := range secrets {
					require.NotEmpty(t, v, name)
					require.NotContains(t, rows, v, "the raw %s is stored in %s", name, table)
				}
			}
		})
	}
}

func TestSecurity_ACodeExpiresWithinAMinute(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			clk := clock.NewFake(time.Now())
			srv := testserver.Start(t, b, testserver.Options{Clock: clk})
			srv.CreateTenant(t, "acme", "Acme")
			rp := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI}})
			br := newBrowser(t, srv, "acme")
			br.signUp(newDevice(srv, "acme"), "ana@example.com")

			at, verifier := rp.authorize(br)
			clk.Advance(55 * time.Second)
			_, err := rp.conf.Exchange(rp.ctx, codeAt(t, at, ""), oauth2.VerifierOption(verifier))
			require.NoError(t, err, "within the minute")

			at, verifier = rp.authorize(br)
			clk.Advance(61 * time.Second)
			_, err = rp.conf.Exchange(rp.ctx, codeAt(t, at, ""), oauth2.VerifierOption(verifier))
			require.ErrorContains(t, err, "invalid_grant", "a code older than a minute")
		})
	}
}

// TestSecurity_ConcurrentExchangesOfOneCodeGiveTokensOnce: 100 exchanges of
// one code at once, on both databases, give tokens once.
func TestSecurity_ConcurrentExchangesOfOneCodeGiveTokensOnce(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, b)
			srv.CreateTenant(t, "acme", "Acme")
			rp := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI}})
			br := newBrowser(t, srv, "acme")
			br.signUp(newDevice(srv, "acme"), "ana@example.com")
			at, verifier := rp.authorize(br)
			code := codeAt(t, at, "")

			const n = 100 // the house rule for a check that guards a secret
			var wg sync.WaitGroup
			var mu sync.Mutex
			won := 0
			start := make(chan struct{})
			for range n {
				wg.Go(func() {
					<-start
					status, body := tokenCall(t, rp, codeGrant(code, redirectURI, verifier), rp.conf.ClientID, rp.conf.ClientSecret)
					if status == http.StatusOK && body["access_token"] != nil {
						mu.Lock()
						won++
						mu.Unlock()
					}
				})
			}
			close(start)
			wg.Wait()
			require.Equal(t, 1, won, "one exchange of %d gets tokens", n)
		})
	}
}

func TestSecurity_AReusedCodeRevokesEveryTokenItIssued(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, b)
			srv.CreateTenant(t, "acme", "Acme")
			rp := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI}})
			rp.conf.Scopes = append(rp.conf.Scopes, "offline_access")
			br := newBrowser(t, srv, "acme")
			br.signUp(newDevice(srv, "acme"), "ana@example.com")
			at, verifier := rp.authorize(br)
			code := codeAt(t, at, "")
			first, err := rp.conf.Exchange(rp.ctx, code, oauth2.VerifierOption(verifier))
			require.NoError(t, err)
			next, err := rp.conf.TokenSource(rp.ctx, &oauth2.Token{RefreshToken: first.RefreshToken}).Token()
			require.NoError(t, err)

			_, err = rp.conf.Exchange(rp.ctx, code, oauth2.VerifierOption(verifier))
			require.ErrorContains(t, err, "invalid_grant")
			for name, tok := range map[string]*oauth2.Token{"first": first, "refreshed": next} {
				_, err = rp.provider.UserInfo(rp.ctx, oauth2.StaticTokenSource(tok))
				require.Error(t, err, "%s access token", name)
				_, err = rp.conf.TokenSource(rp.ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
				require.Error(t, err, "%s refresh token", name)
			}
		})
	}
}
