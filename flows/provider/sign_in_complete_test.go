package provider_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/apps"
	"github.com/sesame-id/sesame/flows/password"
	"github.com/sesame-id/sesame/flows/provider"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
)

// redirectOf is the client redirect a sign-in step answered with, nil
// when it answered none.
func redirectOf(t *testing.T, out map[string]any) *url.URL {
	t.Helper()
	to, _ := out["redirect"].(string)
	if to == "" {
		return nil
	}
	u, err := url.Parse(to)
	require.NoError(t, err)
	return u
}

// requestRow is the stored authorization request id (unexpired, its
// code not exchanged).
func requestRow(t *testing.T, srv *testserver.Server, id string) *db.OIDCAuthRequest {
	t.Helper()
	tn, err := srv.Tenants.BySlug(t.Context(), "acme")
	require.NoError(t, err)
	rid, err := uuid.Parse(id)
	require.NoError(t, err)
	row, err := srv.DB.ForTenant(tn.ID).OIDCAuthRequests().Get(t.Context(), rid, time.Now())
	require.NoError(t, err)
	return row
}

// signInWithPassword identifies and signs in with pw on the page opened
// for the request id, returning the password step's answer.
func (b *browser) signInWithPassword(email, pw, id string) map[string]any {
	t := b.t
	t.Helper()
	h := map[string]string{"X-Sesame-Auth-Request": id}
	r := b.post("/api/flows/sign-in", map[string]any{"action": "identify", "input": map[string]any{"identifier": email}}, h)
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	h["X-Sesame-Flow"] = flowToken(t, r)
	r = b.post("/api/flows/sign-in/password", map[string]any{"password": pw}, h)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	out := r.json(t)
	flow, _ := out["flow"].(map[string]any)
	require.Equal(t, "done", flow["state"], string(r.body))
	return out
}

// setPassword gives ana a password, besides her passkey.
func setPassword(t *testing.T, srv *testserver.Server, email, pw string) {
	t.Helper()
	tn, err := srv.Tenants.BySlug(t.Context(), "acme")
	require.NoError(t, err)
	scope := srv.DB.ForTenant(tn.ID)
	u, err := scope.Users().ByIdentifier(t.Context(), db.IdentifierEmail, email)
	require.NoError(t, err)
	hash, err := password.Hash(pw)
	require.NoError(t, err)
	require.NoError(t, scope.Users().SetPassword(t.Context(), u.ID, hash))
}

// TestSignInForARequest_TheFinishAnswersTheClient: on the sign-in page
// opened for an application's request, the passkey finish answers the
// client itself (code, state, iss), without /oidc/login; the code gives an
// ID token for the passkey sign-in (acr phr, amr, sid, auth_time, nonce).
// The request is answered once: a second sign-in carrying it answers
// nothing, and /oidc/login then calls it expired.
func TestSignInForARequest_TheFinishAnswersTheClient(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, b, testserver.Options{})
			srv.CreateTenant(t, "acme", "Acme")
			rp := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI}})
			dev := newDevice(srv, "acme")
			newBrowser(t, srv, "acme").signUp(dev, "ana@example.com")

			br := newBrowser(t, srv, "acme")
			verifier := oauth2.GenerateVerifier()
			at := br.follow(rp.conf.AuthCodeURL("state-1", oauth2.S256ChallengeOption(verifier), gooidc.Nonce("nonce-1")))
			require.Equal(t, "/", at.Path, "the hosted sign-in page")
			id := at.Query().Get("authRequest")
			out := br.signInForRequest(dev, id)
			require.NotNil(t, out["session"], "signed in as well")
			to := redirectOf(t, out)
			require.NotNil(t, to, "the finish answers the client: %v", out)
			code := codeAt(t, to, "state-1")
			require.Equal(t, []string{"code", "iss", "state"}, sortedKeys(to.Query()), "the library's answer with iss, nothing else")
			sid := requestRow(t, srv, id).SessionID.String()

			tok, err := rp.conf.Exchange(rp.ctx, code, oauth2.VerifierOption(verifier))
			require.NoError(t, err)
			idt, err := rp.verifier.Verify(rp.ctx, tok.Extra("id_token").(string))
			require.NoError(t, err)
			var claims idClaims
			require.NoError(t, idt.Claims(&claims))
			require.Equal(t, "nonce-1", claims.Nonce)
			require.Equal(t, "phr", claims.ACR)
			require.Equal(t, []string{"swk", "user"}, claims.AMR)
			require.Equal(t, sid, claims.SID, "sid is the new session")
			require.NotZero(t, claims.AuthTime)

			// Answered once: another sign-in carrying it answers nothing,
			// and the page's fallback says the request is over.
			again := br.signInForRequest(dev, id)
			require.Nil(t, redirectOf(t, again))
			r := br.get("/oidc/login?id=" + url.QueryEscape(id))
			require.Contains(t, string(r.body), `data-reason="expired"`)
		})
	}
}

func sortedKeys(q url.Values) []string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	for i := range keys {
		for j := i + 1; j < len(keys); j++ {
			if keys[j] < keys[i] {
				keys[i], keys[j] = keys[j], keys[i]
			}
		}
	}
	return keys
}

// TestSignInForARequest_APasswordAnswersOnlyWhatItSatisfies: a password
// sign-in answers a request that asks for nothing in particular (the hook
// is the engine's, for every method), but not one whose acr_values ask for
// a passkey: that request stays unanswered, /oidc/login sends the browser
// back to the sign-in page, and the passkey then answers it.
func TestSignInForARequest_APasswordAnswersOnlyWhatItSatisfies(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	srv.CreateTenant(t, "acme", "Acme")
	rp := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI}})
	dev := newDevice(srv, "acme")
	newBrowser(t, srv, "acme").signUp(dev, "ana@example.com")
	const pw = "correct horse battery staple"
	setPassword(t, srv, "ana@example.com", pw)

	br := newBrowser(t, srv, "acme")
	at, verifier := rp.authorize(br)
	to := redirectOf(t, br.signInWithPassword("ana@example.com", pw, at.Query().Get("authRequest")))
	require.NotNil(t, to, "a password answers a request that asks for no passkey")
	tok, err := rp.conf.Exchange(rp.ctx, codeAt(t, to, ""), oauth2.VerifierOption(verifier))
	require.NoError(t, err)
	idt, err := rp.verifier.Verify(rp.ctx, tok.Extra("id_token").(string))
	require.NoError(t, err)
	var claims idClaims
	require.NoError(t, idt.Claims(&claims))
	require.Equal(t, []string{"pwd"}, claims.AMR)
	require.Empty(t, claims.ACR)

	br = newBrowser(t, srv, "acme")
	at, _ = rp.authorize(br, oauth2.SetAuthURLParam("acr_values", "phr"))
	id := at.Query().Get("authRequest")
	out := br.signInWithPassword("ana@example.com", pw, id)
	require.NotNil(t, out["session"], "the password signs in")
	require.Nil(t, redirectOf(t, out), "but does not answer a request asking for a passkey")
	row := requestRow(t, srv, id)
	require.Nil(t, row.UserID)
	require.Nil(t, row.CodeHash)
	back := br.follow(br.origin + "/oidc/login?id=" + url.QueryEscape(id))
	require.Equal(t, "/", back.Path, "back to the sign-in page for the passkey")
	to = redirectOf(t, br.signInForRequest(dev, id))
	require.NotNil(t, to, "the passkey answers it")
	codeAt(t, to, "")
}

// TestSignInForARequest_AnotherBrowsersRequestIsNotAnswered: a sign-in
// carrying the id of a request another browser made answers nothing (the
// binding cookie differs) and leaves the request for its own browser.
func TestSignInForARequest_AnotherBrowsersRequestIsNotAnswered(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	srv.CreateTenant(t, "acme", "Acme")
	rp := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI}})
	dev := newDevice(srv, "acme")
	newBrowser(t, srv, "acme").signUp(dev, "ana@example.com")

	victim := newBrowser(t, srv, "acme")
	at, _ := rp.authorize(victim)
	id := at.Query().Get("authRequest")

	other := newBrowser(t, srv, "acme")
	rp.authorize(other) // a binding cookie of its own
	out := other.signInForRequest(dev, id)
	require.Nil(t, redirectOf(t, out), "no answer for a request made in another browser: %v", out)
	require.Nil(t, requestRow(t, srv, id).CodeHash)
	fresh := newBrowser(t, srv, "acme")
	out = fresh.signInForRequest(dev, id)
	require.Nil(t, redirectOf(t, out), "nor for a browser without a binding")
	require.Contains(t, string(other.get("/oidc/login?id="+url.QueryEscape(id)).body), `data-reason="other_browser"`)

	to := redirectOf(t, victim.signInForRequest(dev, id))
	require.NotNil(t, to, "its own browser still gets the answer")
	codeAt(t, to, "")
}

// TestSignInForARequest_ConsentFirstForAThirdPartyApplication: the
// sign-in for a third-party application the user has not consented to
// sends the browser to the consent page, not to the client, and stores no
// code.
func TestSignInForARequest_ConsentFirstForAThirdPartyApplication(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	srv.CreateTenant(t, "acme", "Acme")
	third := newRelyingPartyOf(t, srv, "acme", apps.Spec{Name: "Photo Printer", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI}})
	dev := newDevice(srv, "acme")
	newBrowser(t, srv, "acme").signUp(dev, "ana@example.com")

	br := newBrowser(t, srv, "acme")
	at, _ := third.authorize(br)
	id := at.Query().Get("authRequest")
	to := redirectOf(t, br.signInForRequest(dev, id))
	require.NotNil(t, to)
	require.Empty(t, to.Query().Get("code"))
	require.Nil(t, requestRow(t, srv, id).CodeHash)
	page := br.get(to.String())
	require.Equal(t, http.StatusOK, page.status)
	require.Contains(t, string(page.body), `id="consent"`)
	require.Contains(t, string(page.body), "Photo Printer")
}

// TestSignInForARequest_ConcurrentFinishesAnswerItOnce: 100 passkey
// finishes at once, on PostgreSQL, each carrying the same request from its
// browser: all sign in, one answers the client with a code.
func TestSignInForARequest_ConcurrentFinishesAnswerItOnce(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.Postgres, testserver.Options{})
	srv.CreateTenant(t, "acme", "Acme")
	rp := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI}})
	dev := newDevice(srv, "acme")
	newBrowser(t, srv, "acme").signUp(dev, "ana@example.com")
	br := newBrowser(t, srv, "acme")
	at, _ := rp.authorize(br)
	id := at.Query().Get("authRequest")

	const n = 100
	type finish struct{ token, credential json.RawMessage }
	finishes := make([]finish, n)
	for i := range finishes {
		r := br.post("/api/flows/sign-in", map[string]any{"action": "passkey.begin"}, map[string]string{"X-Sesame-Auth-Request": id})
		require.Equal(t, http.StatusCreated, r.status, string(r.body))
		tok, _ := json.Marshal(flowToken(t, r))
		finishes[i] = finish{token: tok, credential: dev.get(t, publicKeyOf(t, r))}
	}
	results := make(chan response, n)
	var wg sync.WaitGroup
	for _, f := range finishes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var token string
			_ = json.Unmarshal(f.token, &token)
			results <- br.post("/api/flows/sign-in/passkey.finish", map[string]any{"credential": f.credential},
				map[string]string{"X-Sesame-Auth-Request": id, "X-Sesame-Flow": token})
		}()
	}
	wg.Wait()
	close(results)
	answered, signedIn := 0, 0
	for r := range results {
		require.Equal(t, http.StatusOK, r.status, string(r.body))
		out := r.json(t)
		if out["session"] != nil {
			signedIn++
		}
		if to := redirectOf(t, out); to != nil && to.Query().Get("code") != "" {
			answered++
		}
	}
	require.Equal(t, n, signedIn)
	require.Equal(t, 1, answered, "one code reaches the client")
}

// TestSignIns_ConcurrentCompletionsGiveOneCode holds the completion's own
// guard, on PostgreSQL, without the credential's row lock that orders
// passkey finishes of one passkey: 100 transactions, each with a new
// session, complete the same request at once; one gets a code.
func TestSignIns_ConcurrentCompletionsGiveOneCode(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.Postgres, testserver.Options{})
	tn := srv.CreateTenant(t, "acme", "Acme")
	rp := newRelyingParty(t, srv, "acme", apps.Spec{Name: "Shop", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI}})
	newBrowser(t, srv, "acme").signUp(newDevice(srv, "acme"), "ana@example.com")
	ana, err := srv.DB.ForTenant(tn.ID).Users().ByIdentifier(t.Context(), db.IdentifierEmail, "ana@example.com")
	require.NoError(t, err)
	signIns := provider.NewSignIns(make([]byte, 32))
	// Three requests, a hundred completions each: the window between
	// reading a request and storing its code is short.
	for range 3 {
		br := newBrowser(t, srv, "acme")
		at, _ := rp.authorize(br)
		origin, _ := url.Parse(br.origin)
		ref := flows.AuthRequestRef{ID: at.Query().Get("authRequest"), Issuer: rp.issuer}
		for _, c := range br.http.Jar.Cookies(origin) {
			if c.Name == "sesame_oidc" {
				ref.Binding = c.Value
			}
		}
		require.NotEmpty(t, ref.Binding)
		complete := func(ctx context.Context, tx *db.Tx) (string, error) {
			scope := tx.ForTenant(tn.ID)
			is, err := flows.IssueSession(ctx, scope, ana.ID, []string{flows.AMRWebAuthn}, flows.RequestInfo{}, time.Now())
			if err != nil {
				return "", err
			}
			return signIns.CompleteAuthRequest(ctx, scope, tn, is.Session, ref, time.Now())
		}
		require.Equal(t, 1, concurrentCodes(t, srv, complete), "one code for one request")
	}
}

// concurrentCodes runs complete in 100 transactions at once and counts
// the answers that carry a code.
func concurrentCodes(t *testing.T, srv *testserver.Server, complete func(context.Context, *db.Tx) (string, error)) int {
	t.Helper()
	const n = 100
	start := make(chan struct{})
	answers := make(chan string, n)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs <- srv.DB.InTx(t.Context(), func(ctx context.Context, tx *db.Tx) error {
				to, err := complete(ctx, tx)
				answers <- to
				return err
			})
		}()
	}
	close(start)
	wg.Wait()
	close(answers)
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	codes := 0
	for to := range answers {
		if u, err := url.Parse(to); err == nil && u.Query().Get("code") != "" {
			codes++
		}
	}
	return codes
}
