package federation_test

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/federation"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
)

var (
	postForm    = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
	hiddenInput = regexp.MustCompile(`<input type="hidden" name="(\w+)" value="([^"]*)"/>`)
)

// formPostPage reads oidc-provider's response_mode=form_post page: where
// it posts and what; nil when r is another page.
func formPostPage(r response) (*url.URL, url.Values) {
	m := postForm.FindSubmatch(r.body)
	if m == nil {
		return nil, nil
	}
	to, err := r.url.Parse(html.UnescapeString(string(m[1])))
	if err != nil || to.Host == r.url.Host {
		return nil, nil
	}
	form := url.Values{}
	for _, in := range hiddenInput.FindAllSubmatch(r.body, -1) {
		form.Set(string(in[1]), html.UnescapeString(string(in[2])))
	}
	return to, form
}

// postForm posts form to target as the provider's page does, without
// following the answer.
func (b *browser) postForm(target string, form url.Values) response {
	b.t.Helper()
	u, err := url.Parse(target)
	require.NoError(b.t, err)
	res, err := b.http.PostForm(target, form)
	require.NoError(b.t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(b.t, err)
	return response{status: res.StatusCode, header: res.Header, body: raw, url: u}
}

// TestFederation_FormPostPresetAndSetting: the apple preset asks for
// response_mode=form_post, a generic connector for query unless told; any
// other mode is refused.
func TestFederation_FormPostPresetAndSetting(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	scope := srv.DB.ForTenant(srv.CreateTenant(t, "acme", "Acme").ID)
	mk := func(name, preset, mode string) (*federation.Connector, error) {
		return federation.Create(t.Context(), scope, federation.Spec{Name: name, Kind: federation.KindSocial, Type: federation.TypeOIDC,
			Preset: preset, Issuer: "https://idp.example.com", ClientID: "c", Secret: "s", ResponseMode: mode}, time.Now())
	}
	apple, err := mk("Apple", "apple", "")
	require.NoError(t, err)
	require.Equal(t, federation.ResponseModeFormPost, apple.Settings.ResponseMode)
	generic, err := mk("Generic", "", "")
	require.NoError(t, err)
	require.Equal(t, federation.ResponseModeQuery, generic.Settings.ResponseMode)
	posted, err := mk("Posted", "", "form_post")
	require.NoError(t, err)
	require.True(t, posted.Settings.FormPost())
	_, err = mk("Fragment", "", "fragment")
	var fe *flows.Error
	require.ErrorAs(t, err, &fe)
	require.Equal(t, "response_mode", fe.Field)
}

// TestFederation_OIDCProviderFormPost: a connector with
// response_mode=form_post signs in through oidc-provider, which answers
// with a page that posts code, state and iss to the callback across
// sites. The post names its flow by the state (the flow's token sealed),
// checks state and iss and writes nothing; a same-site GET, which carries
// the browser's cookie, exchanges the code. The answer posted from
// another browser, with a forged state or another iss, and posted again
// after the sign-in, signs in nobody and writes nothing.
func TestFederation_OIDCProviderFormPost(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, b, testserver.Options{})
			p := newNodeOPMode(t, srv, "", federation.ResponseModeFormPost)
			acme := srv.URL("acme")

			br := newOPBrowser(t)
			_, authorize := br.begin(acme, p.connector.ID, nil)
			require.Equal(t, "form_post", authorize.Query().Get("response_mode"))
			callback, _, form := br.opWalk(authorize, "ana")
			require.Equal(t, federation.CallbackURL(acme, p.connector.ID), callback.String())
			require.NotEmpty(t, form.Get("code"))
			require.Equal(t, authorize.Query().Get("state"), form.Get("state"))
			require.Equal(t, p.connector.Settings.Issuer, form.Get("iss"))

			refused := func(br *browser, f url.Values, code string) {
				t.Helper()
				r := br.postForm(callback.String(), f)
				if r.status == http.StatusSeeOther {
					r = br.do(http.MethodGet, r.location(t).String(), nil, nil)
				}
				require.Equal(t, http.StatusBadRequest, r.status, string(r.body))
				require.Contains(t, string(r.body), `data-code="`+code+`"`)
				require.Equal(t, counts{}, p.counts())
			}
			with := func(k, v string) url.Values {
				f := url.Values{}
				for key, vs := range form {
					f[key] = vs
				}
				f.Set(k, v)
				return f
			}
			// Another flow's state (sealed for it, waiting upstream) with
			// this code: the post finds that flow, the hop this browser's.
			_, third := newOPBrowser(t).begin(acme, p.connector.ID, nil)
			refused(br, with("state", "forged"), "federation_state")
			refused(br, with("state", third.Query().Get("state")), "federation_state")
			refused(br, with("iss", "http://127.0.0.1:1"), "federation_failed")

			// Posted from another browser: the post checks out, but the
			// same-site hop has no cookie for the flow.
			other := newOPBrowser(t)
			r := other.postForm(callback.String(), form)
			require.Equal(t, http.StatusSeeOther, r.status, string(r.body))
			refused(other, form, "federation_state")

			// The browser that began signs in: the refusals used no state.
			r = br.postForm(callback.String(), form)
			require.Equal(t, http.StatusSeeOther, r.status, string(r.body))
			hop := r.location(t)
			require.Equal(t, "/federation/"+p.connector.ID.String()+"/callback", hop.Path)
			r = br.do(http.MethodGet, hop.String(), nil, nil)
			require.Equal(t, http.StatusSeeOther, r.status, string(r.body))
			require.Equal(t, "/account", r.header.Get("Location"))
			require.Equal(t, counts{users: 1, identities: 1, sessions: 1}, p.counts())
			_, err := p.acme.Users().ByIdentifier(t.Context(), db.IdentifierEmail, "ana@example.com")
			require.NoError(t, err)

			// The same post again, from either browser: the flow is done.
			for _, who := range []*browser{br, other} {
				r = who.postForm(callback.String(), form)
				require.Equal(t, http.StatusBadRequest, r.status, string(r.body))
				require.Contains(t, string(r.body), `data-code="federation_state"`)
			}
			r = br.do(http.MethodGet, hop.String(), nil, nil)
			require.Equal(t, http.StatusBadRequest, r.status, string(r.body))
			require.Equal(t, counts{users: 1, identities: 1, sessions: 1}, p.counts())
		})
	}
}

// TestFederation_FormPostOf100SignsInExactlyOnce: the provider's posted
// answer sent 100 times at once on PostgreSQL, each post followed by its
// same-site hop with the browser's cookie, signs in exactly once (one
// account, one link, one session) and every other post or hop is a 4xx:
// one callback claims the flow's state before the exchange, so
// oidc-provider sees its code redeemed once (a second redemption would
// revoke what it issued, RFC 6749 §4.1.2, and sign in nobody).
func TestFederation_FormPostOf100SignsInExactlyOnce(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.Postgres, testserver.Options{})
	p := newNodeOPMode(t, srv, "", federation.ResponseModeFormPost)
	br := newOPBrowser(t)
	_, authorize := br.begin(srv.URL("acme"), p.connector.ID, nil)
	callback, _, form := br.opWalk(authorize, "ana")
	require.NotEmpty(t, form.Get("code"))
	require.Equal(t, 0, p.op.TokenRequests(t))

	var wg sync.WaitGroup
	statuses := make([]int, 100)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := br.http.PostForm(callback.String(), form)
			if err != nil {
				return
			}
			res.Body.Close()
			if res.StatusCode != http.StatusSeeOther {
				statuses[i] = res.StatusCode
				return
			}
			hop, err := callback.Parse(res.Header.Get("Location"))
			if err != nil {
				return
			}
			if res, err = br.http.Get(hop.String()); err != nil {
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
		require.Equal(t, http.StatusBadRequest, s)
	}
	require.Equal(t, 1, signedIn)
	require.Equal(t, counts{users: 1, identities: 1, sessions: 1}, p.counts())
	require.Equal(t, 1, p.op.TokenRequests(t))
}
