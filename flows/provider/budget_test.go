package provider_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/sesame-id/sesame/flows/apps"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
)

// Statement budgets of an application's passkey sign-in, per request, once
// the process has the tenant's signing keys and the application in memory
// (DESIGN.md §9). Each includes the one statement every request on a
// tenant host runs to find its tenant (tenants.Router).
const (
	// authorizeBudget: the tenant, storing the request.
	authorizeBudget = 2
	// /oidc/login, signed in, answers the client with a code (the tenant,
	// the request, the session, the code). A browser without a session
	// goes from authorize straight to the sign-in page, without it.
	loginWithCodeBudget = 4
	// exchangeBudget is the code exchange's one transaction; the token
	// request runs the tenant lookup besides.
	exchangeBudget = 3
)

// statements is the log of one request without transaction control.
func statements(log []string) []string {
	var out []string
	for _, q := range log {
		if !isTxControl(q) {
			out = append(out, q)
		}
	}
	return out
}

func isTxControl(q string) bool {
	q = strings.ToUpper(strings.TrimSpace(q))
	return strings.HasPrefix(q, "BEGIN") || strings.HasPrefix(q, "COMMIT") || strings.HasPrefix(q, "ROLLBACK")
}

// TestProvider_AppSignInStaysWithinItsStatementBudget holds each request
// of an application's passkey sign-in to its statement budget, on both
// databases: authorize (straight to the sign-in page), /oidc/login (back
// with a code), and the code exchange, whose statements run in one
// transaction.
func TestProvider_AppSignInStaysWithinItsStatementBudget(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(string(backend), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, backend, testserver.Options{})
			tn := srv.CreateTenant(t, "acme", "Acme")
			dev := newDevice(srv, "acme")
			newBrowser(t, srv, "acme").signUp(dev, "ana@example.com")
			c, err := apps.Create(t.Context(), srv.DB.ForTenant(tn.ID), apps.Spec{Name: "Shop", Type: apps.TypeWeb,
				RedirectURIs: []string{redirectURI}, IDTokenAlg: apps.AlgES256}, time.Now())
			require.NoError(t, err)
			sc := countSteps(t, srv)
			rpClient := sc.browser(t, srv).http
			rpClient.Jar, rpClient.CheckRedirect = nil, nil
			conf := oauth2.Config{ClientID: c.App.ClientID, ClientSecret: c.Secret, RedirectURL: redirectURI, Scopes: []string{"openid"},
				Endpoint: oauth2.Endpoint{AuthURL: srv.URL("acme") + "/oidc/authorize", TokenURL: srv.URL("acme") + "/oidc/token", AuthStyle: oauth2.AuthStyleInHeader}}

			// Twice: the first sign-in may fill per-process caches (signing
			// keys, applications); the second is the steady state.
			for i := range 2 {
				sc.reset()
				br := sc.browser(t, srv)
				br.t = t
				verifier := oauth2.GenerateVerifier()
				at := br.follow(conf.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier)))
				authorize, toSignIn := sc.last("GET /oidc/authorize"), sc.last("GET /oidc/login")
				br.signInWithPasskey(dev)
				back := br.follow(br.origin + "/oidc/login?id=" + url.QueryEscape(at.Query().Get("authRequest")))
				withCode := sc.last("GET /oidc/login")
				tok, err := conf.Exchange(context.WithValue(t.Context(), oauth2.HTTPClient, rpClient), back.Query().Get("code"), oauth2.VerifierOption(verifier))
				require.NoError(t, err)
				require.NotNil(t, tok.Extra("id_token"))
				exchange := sc.last("POST /oidc/token")
				if i == 0 {
					continue
				}

				t.Logf("authorize %d, login %d, token %d", len(statements(authorize)), len(statements(withCode)), len(statements(exchange)))
				require.Equal(t, "/", at.Path)
				require.Nil(t, toSignIn, "without a session, authorize sends the browser straight to the sign-in page")
				require.LessOrEqual(t, len(statements(authorize)), authorizeBudget, "authorize:\n%s", strings.Join(authorize, "\n"))
				require.LessOrEqual(t, len(statements(withCode)), loginWithCodeBudget, "login:\n%s", strings.Join(withCode, "\n"))
				inTx := exchangeTx(exchange)
				require.NotNil(t, inTx, "the code exchange runs in one transaction:\n%s", strings.Join(exchange, "\n"))
				require.LessOrEqual(t, len(inTx), exchangeBudget, "code exchange:\n%s", strings.Join(exchange, "\n"))
				require.Len(t, statements(exchange), len(inTx)+1, "besides the transaction, only the tenant lookup:\n%s", strings.Join(exchange, "\n"))
			}
		})
	}
}

// exchangeTx returns the statements of the one transaction in log, or nil
// when log has no transaction or more than one.
func exchangeTx(log []string) []string {
	var (
		out    []string
		begins int
		in     bool
	)
	for _, q := range log {
		switch up := strings.ToUpper(strings.TrimSpace(q)); {
		case strings.HasPrefix(up, "BEGIN"):
			begins++
			in = true
		case strings.HasPrefix(up, "COMMIT"), strings.HasPrefix(up, "ROLLBACK"):
			in = false
		case in:
			out = append(out, q)
		}
	}
	if begins != 1 || len(out) == 0 {
		return nil
	}
	return out
}
