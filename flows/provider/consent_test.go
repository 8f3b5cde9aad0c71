package provider_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/sesame-id/sesame/console"
	"github.com/sesame-id/sesame/flows/apps"
	"github.com/sesame-id/sesame/flows/provider"
	"github.com/sesame-id/sesame/flows/web"
	"github.com/sesame-id/sesame/graph"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
)

// until GETs target and the redirects that stay on the tenant (except to
// the sign-in page); it stops at a page (200), returned, or at a redirect
// elsewhere, whose URL it returns.
func (b *browser) until(target string) (*response, *url.URL) {
	b.t.Helper()
	for range 10 {
		r := b.get(target)
		if r.status == http.StatusOK {
			return &r, nil
		}
		require.Contains(b.t, []int{http.StatusFound, http.StatusSeeOther}, r.status, "%s: %s", target, r.body)
		loc := r.location(b.t, target)
		if loc.String() == b.origin+loc.RequestURI() && loc.Path != "/" {
			target = loc.String()
			continue
		}
		return nil, loc
	}
	b.t.Fatal("too many redirects")
	return nil, nil
}

// consentPage authorizes with rp and requires the consent page.
func (rp *relyingParty) consentPage(b *browser, state string, extra ...oauth2.AuthCodeOption) (page *response, verifier string) {
	b.t.Helper()
	verifier = oauth2.GenerateVerifier()
	opts := append([]oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}, extra...)
	page, at := b.until(rp.conf.AuthCodeURL(state, opts...))
	require.NotNil(b.t, page, "want the consent page, got a redirect to %v", at)
	require.Contains(b.t, string(page.body), `id="consent"`)
	require.Equal(b.t, "text/html; charset=utf-8", page.header.Get("Content-Type"))
	return page, verifier
}

var (
	consentID    = regexp.MustCompile(`name="id" value="([^"]+)"`)
	consentToken = regexp.MustCompile(`name="token" value="([^"]+)"`)
)

// consentForm is the consent page's form fields.
func consentForm(t *testing.T, page *response) url.Values {
	t.Helper()
	id, tok := consentID.FindSubmatch(page.body), consentToken.FindSubmatch(page.body)
	require.NotNil(t, id, string(page.body))
	require.NotNil(t, tok, string(page.body))
	return url.Values{"id": {string(id[1])}, "token": {string(tok[1])}}
}

// answer posts the consent form with action (allow or cancel).
func (b *browser) answer(form url.Values, action string) response {
	b.t.Helper()
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	f.Set("action", action)
	return b.do(http.MethodPost, b.origin+provider.ConsentPath, strings.NewReader(f.Encode()),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": b.origin})
}

// allow answers the consent page with Allow and returns the code.
func (b *browser) allow(page *response, state string) string {
	b.t.Helper()
	r := b.answer(consentForm(b.t, page), "allow")
	require.Contains(b.t, []int{http.StatusFound, http.StatusSeeOther}, r.status, string(r.body))
	return codeAt(b.t, r.location(b.t, b.origin), state)
}

// consentEnv is a tenant with a signed-in user and a third-party web
// application.
type consentEnv struct {
	srv   *testserver.Server
	br    *browser
	third *relyingParty
}

func newConsentEnv(t *testing.T, b testdb.Backend) *consentEnv {
	t.Helper()
	srv := testserver.Start(t, b, testserver.Options{})
	srv.CreateTenant(t, "acme", "Acme")
	third := newRelyingPartyOf(t, srv, "acme", apps.Spec{Name: "Photo Printer", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI}})
	third.conf.Scopes = []string{"openid", "email"}
	br := newBrowser(t, srv, "acme")
	br.signUp(newDevice(srv, "acme"), "ana@example.com")
	return &consentEnv{srv: srv, br: br, third: third}
}

func TestConsent_ThirdPartyAppAsksOnceAndAsksAgainForMoreScopes(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newConsentEnv(t, b)
			br, rp := e.br, e.third

			// The consent page names the app and the scopes in words, and
			// shows no code; showing it again records nothing.
			page, _ := rp.consentPage(br, "s1")
			body := string(page.body)
			require.Contains(t, body, "Allow Photo Printer to use your account?")
			require.Contains(t, body, "See your email address")
			require.Contains(t, body, `data-scope="openid"`)
			require.NotContains(t, body, "See your phone number", "only the scopes asked")
			require.NotContains(t, page.header.Get("Location"), "code=")
			require.Contains(t, page.header.Get("Content-Security-Policy"), "form-action 'self' http://127.0.0.1:9",
				"the answer may redirect to the client after the form posts")
			page, verifier := rp.consentPage(br, "s1")

			code := br.allow(page, "s1")
			tok, err := rp.conf.Exchange(rp.ctx, code, oauth2.VerifierOption(verifier))
			require.NoError(t, err)
			require.NotEmpty(t, tok.Extra("id_token"))

			// The same or fewer scopes: no page.
			at, _ := rp.authorize(br)
			codeAt(t, at, "")
			fewer := *rp
			fewer.conf.Scopes = []string{"openid"}
			at, _ = fewer.authorize(br)
			codeAt(t, at, "")
			at, _ = rp.authorize(br, oauth2.SetAuthURLParam("prompt", "none"))
			codeAt(t, at, "")

			// More scopes ask again, for all of them; prompt=none answers
			// consent_required.
			more := *rp
			more.conf.Scopes = []string{"openid", "email", "phone"}
			at, _ = more.authorize(br, oauth2.SetAuthURLParam("prompt", "none"))
			require.Equal(t, redirectURI, at.Scheme+"://"+at.Host+at.Path)
			require.Equal(t, "consent_required", at.Query().Get("error"))
			require.Equal(t, rp.issuer, at.Query().Get("iss"))
			require.Empty(t, at.Query().Get("code"))
			page, _ = more.consentPage(br, "s2")
			require.Contains(t, string(page.body), "See your phone number")
			br.allow(page, "s2")
			at, _ = more.authorize(br)
			codeAt(t, at, "")

			// prompt=consent always asks.
			page, _ = rp.consentPage(br, "s3", oauth2.SetAuthURLParam("prompt", "consent"))
			br.allow(page, "s3")
		})
	}
}

func TestConsent_CancelAnswersAccessDeniedOnce(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newConsentEnv(t, b)
			page, _ := e.third.consentPage(e.br, "s-cancel")
			form := consentForm(t, page)
			r := e.br.answer(form, "cancel")
			at := r.location(t, e.br.origin)
			require.Equal(t, redirectURI, at.Scheme+"://"+at.Host+at.Path)
			require.Equal(t, "access_denied", at.Query().Get("error"))
			require.Equal(t, "s-cancel", at.Query().Get("state"))
			require.Equal(t, e.third.issuer, at.Query().Get("iss"))
			require.Empty(t, at.Query().Get("code"))

			for _, action := range []string{"cancel", "allow"} {
				again := e.br.answer(form, action)
				require.Equal(t, http.StatusBadRequest, again.status, "the request was answered")
				require.Empty(t, again.header.Get("Location"))
				require.Contains(t, string(again.body), `data-reason="expired"`)
			}
			// Nothing was recorded: the next request asks.
			e.third.consentPage(e.br, "s-next")
		})
	}
}

func TestConsent_FirstPartyAppNeverAsks(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newConsentEnv(t, b)
			first := newRelyingParty(t, e.srv, "acme", apps.Spec{Name: "Acme Web", Type: apps.TypeWeb, RedirectURIs: []string{redirectURI}})
			for _, prompt := range []string{"", "consent", "none"} {
				var opts []oauth2.AuthCodeOption
				if prompt != "" {
					opts = append(opts, oauth2.SetAuthURLParam("prompt", prompt))
				}
				at, _ := first.authorize(e.br, opts...)
				codeAt(t, at, "")
			}
		})
	}
}

func TestConsent_AnswerWithoutTheBrowserBindingOrTheTokenIsRefused(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			e := newConsentEnv(t, b)
			page, _ := e.third.consentPage(e.br, "s-bind")
			form := consentForm(t, page)

			// Another browser (a forged cross-site post carries no
			// cookie of the tenant: the binding cookie is SameSite=Lax),
			// even with the user's session.
			other := newBrowser(t, e.srv, "acme")
			u, _ := url.Parse(e.br.origin)
			other.http.Jar.SetCookies(u, []*http.Cookie{sessionCookie(t, e.br)})
			r := other.answer(form, "allow")
			require.Equal(t, http.StatusBadRequest, r.status)
			require.Empty(t, r.header.Get("Location"))
			require.Contains(t, string(r.body), `data-reason="other_browser"`)

			// The right browser with a token of another request or none.
			for _, token := range []string{"", "forged", strings.Repeat("A", 43)} {
				forged := url.Values{"id": form["id"], "token": {token}}
				r = e.br.answer(forged, "allow")
				require.Equal(t, http.StatusBadRequest, r.status, token)
				require.Empty(t, r.header.Get("Location"))
			}
			r = e.br.do(http.MethodGet, e.br.origin+provider.ConsentPath+"?"+form.Encode()+"&action=allow", nil, nil)
			require.Equal(t, http.StatusMethodNotAllowed, r.status)

			// The refused answers changed nothing: the real one works, once.
			e.br.allow(page, "s-bind")
			require.Equal(t, http.StatusBadRequest, e.br.answer(form, "allow").status)
		})
	}
}

func sessionCookie(t *testing.T, b *browser) *http.Cookie {
	t.Helper()
	u, err := url.Parse(b.origin)
	require.NoError(t, err)
	for _, c := range b.http.Jar.Cookies(u) {
		if c.Name == web.SessionCookieName(false) {
			return &http.Cookie{Name: c.Name, Value: c.Value}
		}
	}
	t.Fatal("the browser has no session")
	return nil
}

// gql posts a GraphQL query to slug's host with a Bearer token and returns
// data and the first error's code.
func gql(t *testing.T, srv *testserver.Server, slug, bearer, query string, vars map[string]any) (map[string]any, string) {
	t.Helper()
	raw, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, srv.URL(slug)+"/graphql", bytes.NewReader(raw))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+bearer)
	c := loopback(t, srv)
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out struct {
		Data   map[string]any `json:"data"`
		Errors []struct {
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	code := ""
	if len(out.Errors) > 0 {
		code, _ = out.Errors[0].Extensions["code"].(string)
	}
	return out.Data, code
}

func adminKey(t *testing.T, srv *testserver.Server, slug string) string {
	t.Helper()
	tn, err := srv.Tenants.BySlug(t.Context(), slug)
	require.NoError(t, err)
	_, key, err := graph.CreateAPIKey(t.Context(), srv.DB.ForTenant(tn.ID), "tests", time.Now())
	require.NoError(t, err)
	return key
}

// The consent page and the account center name every scope an
// application may ask for in words, in every language.
func TestConsent_EveryScopeHasWordsInEveryLanguage(t *testing.T) {
	t.Parallel()
	c, err := console.LoadCatalog()
	require.NoError(t, err)
	for _, l := range console.Languages {
		for _, s := range apps.DefaultScopes {
			require.True(t, c.Has(l.Tag, "app.consent.scope."+s), "%s: app.consent.scope.%s", l.Tag, s)
			require.True(t, c.Has(l.Tag, "account.appScope."+s), "%s: account.appScope.%s", l.Tag, s)
		}
	}
}

// Concurrent answers to one consent page, on PostgreSQL: one code reaches
// the client, whatever the mix of Allow and Cancel.
func TestConsent_ConcurrentAnswersYieldOneAnswer(t *testing.T) {
	t.Parallel()
	e := newConsentEnv(t, testdb.Postgres)
	page, _ := e.third.consentPage(e.br, "s-race")
	form := consentForm(t, page)
	const n = 8
	results := make(chan response, n)
	var wg sync.WaitGroup
	for i := range n {
		action := "allow"
		if i%2 == 1 {
			action = "cancel"
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			results <- e.br.answer(form, action)
		}()
	}
	wg.Wait()
	close(results)
	answered := 0
	for r := range results {
		loc, _ := url.Parse(r.header.Get("Location"))
		if loc != nil && (loc.Query().Get("code") != "" || loc.Query().Get("error") == "access_denied") {
			answered++
		}
	}
	require.Equal(t, 1, answered, "one answer reaches the client")
}

// An application deleted while its consent page is open gets no answer:
// the person sees Sesame's error page.
func TestConsent_AppDeletedWhileAskingShowsTheErrorPage(t *testing.T) {
	t.Parallel()
	e := newConsentEnv(t, testdb.SQLite)
	page, _ := e.third.consentPage(e.br, "s-gone")
	tn, err := e.srv.Tenants.BySlug(t.Context(), "acme")
	require.NoError(t, err)
	require.NoError(t, apps.Delete(t.Context(), e.srv.DB.ForTenant(tn.ID), e.third.created.App.ID))
	r := e.br.answer(consentForm(t, page), "allow")
	require.Equal(t, http.StatusBadRequest, r.status, string(r.body))
	require.Empty(t, r.header.Get("Location"))
	require.Contains(t, string(r.body), `data-reason="unknown_client"`)
}
