package provider_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/sesame-id/sesame/jobs"
)

// logoutReceiver is an application's back-channel logout endpoint on
// 127.0.0.1: it keeps every logout token posted to it and answers 500 to
// the first failures posts.
type logoutReceiver struct {
	URL string

	mu       sync.Mutex
	failures int
	posts    int
	tokens   []string
}

func newLogoutReceiver(t *testing.T, failures int) *logoutReceiver {
	t.Helper()
	lr := &logoutReceiver{failures: failures}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lr.mu.Lock()
		defer lr.mu.Unlock()
		lr.posts++
		ct := r.Header.Get("Content-Type")
		if r.Method != http.MethodPost || !strings.HasPrefix(ct, "application/x-www-form-urlencoded") || r.ParseForm() != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		lr.tokens = append(lr.tokens, r.PostForm.Get("logout_token"))
		if lr.posts <= lr.failures {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	lr.URL = srv.URL + "/backchannel"
	return lr
}

// received returns the logout tokens posted so far.
func (lr *logoutReceiver) received() []string {
	lr.mu.Lock()
	defer lr.mu.Unlock()
	return append([]string(nil), lr.tokens...)
}

// waitFor waits until n logout tokens have arrived and returns them.
func (lr *logoutReceiver) waitFor(t *testing.T, n int) []string {
	t.Helper()
	require.Eventually(t, func() bool { return len(lr.received()) >= n }, 30*time.Second, 20*time.Millisecond,
		"want %d logout tokens", n)
	return lr.received()
}

// signedIn is what an application holds after a sign-in: its tokens and
// the ID token's subject and session.
type signedIn struct {
	tok *oauth2.Token
	sub string
	sid string
}

// signInTo runs the code flow for rp in the browser (already signed in to
// the tenant) and verifies the ID token.
func signInTo(t *testing.T, rp *relyingParty, br *browser) signedIn {
	t.Helper()
	at, verifier := rp.authorize(br)
	require.Empty(t, at.Query().Get("error"), at.String())
	tok, err := rp.conf.Exchange(rp.ctx, at.Query().Get("code"), oauth2.VerifierOption(verifier))
	require.NoError(t, err)
	idt, err := rp.verifier.Verify(rp.ctx, tok.Extra("id_token").(string))
	require.NoError(t, err)
	var c idClaims
	require.NoError(t, idt.Claims(&c))
	require.NotEmpty(t, c.SID)
	return signedIn{tok: tok, sub: idt.Subject, sid: c.SID}
}

// verifyLogoutToken checks a logout token as a relying party must
// (Back-Channel Logout 1.0 §2.6): signed by a key of the issuer's JWKS,
// typed logout+jwt, iss, aud, iat and exp, a jti, the logout event, sub
// and sid of the session, and no nonce. It returns the claims.
func verifyLogoutToken(t *testing.T, rp *relyingParty, raw string, want signedIn) map[string]any {
	t.Helper()
	keys := gooidc.NewRemoteKeySet(rp.ctx, rp.issuer+"/oidc/keys")
	payload, err := keys.VerifySignature(rp.ctx, raw)
	require.NoError(t, err, "signed with the tenant's key")
	jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
	require.NoError(t, err)
	require.Equal(t, rp.created.App.IDTokenAlg, string(jws.Signatures[0].Header.Algorithm), "the client's ID token algorithm")
	require.Equal(t, "logout+jwt", jws.Signatures[0].Header.ExtraHeaders[jose.HeaderType])
	var c map[string]any
	require.NoError(t, json.Unmarshal(payload, &c))
	require.Equal(t, rp.issuer, c["iss"])
	require.Equal(t, []any{rp.conf.ClientID}, c["aud"])
	require.Equal(t, want.sub, c["sub"])
	require.Equal(t, want.sid, c["sid"])
	require.NotEmpty(t, c["jti"])
	require.NotContains(t, c, "nonce", "a logout token never carries a nonce")
	events, _ := c["events"].(map[string]any)
	require.Contains(t, events, jobs.BackchannelLogoutEvent)
	now := float64(time.Now().Unix())
	iat, exp := c["iat"].(float64), c["exp"].(float64)
	require.LessOrEqual(t, iat, now+1)
	require.Greater(t, exp, now, "not expired")
	require.LessOrEqual(t, exp-iat, jobs.LogoutTokenTTL.Seconds(), "short-lived")
	return c
}

// refreshFails reports whether a refresh with tok's refresh token is
// refused.
func refreshFails(rp *relyingParty, tok *oauth2.Token) bool {
	_, err := rp.conf.TokenSource(rp.ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	return err != nil
}
