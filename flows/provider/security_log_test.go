package provider_test

import (
	"bytes"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/sesame-id/sesame/flows/apps"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
)

// logBuffer collects log output from several goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func debugLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// captureDefault points slog's default logger (and with it the log
// package) at a buffer until t ends.
func captureDefault(t *testing.T) *logBuffer {
	prev, prevOut, prevFlags := slog.Default(), log.Writer(), log.Flags()
	buf := &logBuffer{}
	slog.SetDefault(debugLogger(buf))
	t.Cleanup(func() {
		slog.SetDefault(prev)
		log.SetOutput(prevOut)
		log.SetFlags(prevFlags)
	})
	return buf
}

// Not parallel: it replaces slog's default logger, which is the process's,
// while no parallel test runs (they start after the sequential ones).
func TestSecurity_NoSecretReachesALogLine(t *testing.T) {
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			defaults := captureDefault(t)
			sesame := &logBuffer{}
			srv := testserver.Start(t, b, testserver.Options{Logger: debugLogger(sesame)})
			secrets := fullFlow(t, srv)

			all := sesame.String() + defaults.String()
			require.Contains(t, sesame.String(), `"msg":"request"`, "the access log is captured")
			require.Contains(t, sesame.String(), `"msg":"request error"`, "the library's lines reach Sesame's logger")
			require.NotContains(t, defaults.String(), `"msg":"request error"`, "and not slog's default")
			for name, v := range secrets {
				require.NotEmpty(t, v, name)
				for _, form := range []string{v, url.QueryEscape(v), url.PathEscape(v)} {
					require.NotContains(t, all, form, "the %s is in a log line", name)
				}
			}
		})
	}
}

// fullFlow runs every endpoint a person and a client use, failures
// included, and returns the secrets that went over the wire.
func fullFlow(t *testing.T, srv *testserver.Server) map[string]string {
	t.Helper()
	srv.CreateTenant(t, "acme", "Acme")
	const after = "http://127.0.0.1:9/signed-out"
	rp := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI},
		PostLogoutRedirectURIs: []string{after}})
	rp.conf.Scopes = append(rp.conf.Scopes, "offline_access")
	dev := newDevice(srv, "acme")
	newBrowser(t, srv, "acme").signUp(dev, "ana@example.com")
	s := map[string]string{"client secret": rp.conf.ClientSecret}

	// Authorize without a session, sign in on the hosted page, continue.
	br := newBrowser(t, srv, "acme")
	verifier := oauth2.GenerateVerifier()
	at := br.follow(rp.conf.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier), gooidc.Nonce("n")))
	br.signInWithPasskey(dev)
	code := codeAt(t, br.follow(br.origin+"/oidc/login?id="+url.QueryEscape(at.Query().Get("authRequest"))), "st")
	s["code"], s["code verifier"] = code, verifier
	tok, err := rp.conf.Exchange(rp.ctx, code, oauth2.VerifierOption(verifier))
	require.NoError(t, err)
	s["access token"], s["refresh token"], s["id token"] = tok.AccessToken, tok.RefreshToken, tok.Extra("id_token").(string)
	u, _ := url.Parse(br.origin)
	for _, c := range br.http.Jar.Cookies(u) {
		s["cookie "+c.Name] = c.Value
	}

	next, err := rp.conf.TokenSource(rp.ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	require.NoError(t, err)
	s["refreshed access token"], s["rotated refresh token"], s["refreshed id token"] = next.AccessToken, next.RefreshToken, next.Extra("id_token").(string)
	_, err = rp.provider.UserInfo(rp.ctx, oauth2.StaticTokenSource(next))
	require.NoError(t, err)
	status, body := formCall(t, rp, rp.issuer+"/oidc/introspect", url.Values{"token": {next.AccessToken}}, rp.conf.ClientID, rp.conf.ClientSecret)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, true, body["active"])

	// Failures: a wrong verifier, a reused code, a wrong secret, a bad
	// refresh token, a revoked token at userinfo.
	at, v2 := rp.authorize(br)
	wrong := oauth2.GenerateVerifier()
	s["second code"], s["second verifier"], s["wrong verifier"] = codeAt(t, at, ""), v2, wrong
	_, err = rp.conf.Exchange(rp.ctx, s["second code"], oauth2.VerifierOption(wrong))
	require.Error(t, err)
	_, err = rp.conf.Exchange(rp.ctx, code, oauth2.VerifierOption(verifier))
	require.Error(t, err, "a reused code")
	wrongSecret := "sesame_secret_" + oauth2.GenerateVerifier()
	s["wrong secret"] = wrongSecret
	status, _ = tokenCall(t, rp, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {next.RefreshToken}}, rp.conf.ClientID, wrongSecret)
	require.Equal(t, http.StatusUnauthorized, status)
	bogus := "rt_" + oauth2.GenerateVerifier()
	s["bogus refresh token"] = bogus
	status, _ = tokenCall(t, rp, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {bogus}}, rp.conf.ClientID, rp.conf.ClientSecret)
	require.Equal(t, http.StatusBadRequest, status)
	_, err = rp.provider.UserInfo(rp.ctx, oauth2.StaticTokenSource(tok))
	require.Error(t, err, "revoked with the reused code")

	// Logout: a tampered hint, an unregistered address, then the real one.
	tampered := s["refreshed id token"][:len(s["refreshed id token"])-4] + "AAAA"
	s["tampered id token"] = tampered
	br.get("/oidc/end_session?" + url.Values{"id_token_hint": {tampered}, "post_logout_redirect_uri": {after}}.Encode())
	br.get("/oidc/end_session?" + url.Values{"id_token_hint": {s["refreshed id token"]}, "post_logout_redirect_uri": {"https://evil.example/"}}.Encode())
	loc := br.get("/oidc/end_session?"+url.Values{"id_token_hint": {s["refreshed id token"]}, "post_logout_redirect_uri": {after}, "state": {"bye"}}.Encode()).
		location(t, br.origin)
	require.Equal(t, after+"?state=bye", loc.String())
	require.True(t, strings.HasPrefix(s["id token"], "eyJ"))
	return s
}
