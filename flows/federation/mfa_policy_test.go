package federation_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	pqtotp "github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/federation"
	"github.com/sesame-id/sesame/flows/totp"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

// upstreamTOTP gives up's user an authenticator app and turns 2-step on:
// up then signs them in with amr pwd, otp, mfa.
func (p *pair) upstreamTOTP(user string) string {
	p.t.Helper()
	ctx := p.t.Context()
	u, err := p.up.Users().ByIdentifier(ctx, db.IdentifierEmail, user)
	require.NoError(p.t, err)
	key, err := totp.Generate("Upstream", user)
	require.NoError(p.t, err)
	require.NoError(p.t, p.up.TOTP().Start(ctx, u.ID, key.Secret, time.Now()))
	require.NoError(p.t, p.up.TOTP().Accept(ctx, u.ID, 1, time.Now()))
	require.NoError(p.t, p.up.Users().SetMFA(ctx, u.ID, true))
	return key.Secret
}

// upstreamSignInMFA is upstreamSignIn for a user of up with 2-step on:
// the password, then the authenticator app's code.
func (b *browser) upstreamSignInMFA(authorize *url.URL, email, secret string) *url.URL {
	b.t.Helper()
	r := b.do(http.MethodGet, authorize.String(), nil, nil)
	require.Equal(b.t, http.StatusFound, r.status, string(r.body))
	page := r.location(b.t)
	origin := page.Scheme + "://" + page.Host
	h := map[string]string{"X-Sesame-Auth-Request": page.Query().Get("authRequest"), "Origin": origin}
	r = b.do(http.MethodPost, origin+"/api/flows/sign-in", map[string]any{"action": "identify", "input": map[string]any{"identifier": email}}, h)
	require.Equal(b.t, http.StatusCreated, r.status, string(r.body))
	h["X-Sesame-Flow"] = r.json(b.t)["flow"].(map[string]any)["token"].(string)
	r = b.do(http.MethodPost, origin+"/api/flows/sign-in/password", map[string]any{"password": upstreamPassword}, h)
	require.Equal(b.t, http.StatusOK, r.status, string(r.body))
	require.Equal(b.t, "mfa", r.json(b.t)["flow"].(map[string]any)["state"])
	code, err := pqtotp.GenerateCode(secret, time.Now())
	require.NoError(b.t, err)
	r = b.do(http.MethodPost, origin+"/api/flows/sign-in/mfa.totp", map[string]any{"code": code}, h)
	require.Equal(b.t, http.StatusOK, r.status, string(r.body))
	to, err := url.Parse(r.json(b.t)["redirect"].(string))
	require.NoError(b.t, err)
	return to
}

// TestFederation_MandatoryMFAAfterAnUpstreamSignIn: acme requires a
// second factor of everyone, and the users its connector provisions just
// in time have none. The rule is the one password and code sign-in
// follow (signin's firstFactorPassed): no session, and the sign-in page
// resumes the flow at the setting up of a factor (mfa_enroll); unless the
// connector trusts up's amr and up's amr shows a second factor (pwd, otp,
// mfa), which signs in with amr fed, mfa. A trusting connector whose user
// up signed in with a password alone, and a connector that does not trust
// up's amr, sign in nobody.
func TestFederation_MandatoryMFAAfterAnUpstreamSignIn(t *testing.T) {
	t.Parallel()
	mandatory := func(st *tenants.Settings) {
		st.MFA.Policy, st.MFA.Factors = tenants.MFAMandatory, []string{tenants.FactorTOTP, tenants.FactorBackupCodes}
	}
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			enrolling := func(t *testing.T, p *pair, r response, email string) {
				t.Helper()
				require.Equal(t, http.StatusSeeOther, r.status, string(r.body))
				to, err := url.Parse(r.header.Get("Location"))
				require.NoError(t, err)
				require.Equal(t, "/", to.Path)
				answer, err := url.QueryUnescape(strings.TrimPrefix(to.Fragment, "federation="))
				require.NoError(t, err)
				require.Contains(t, answer, `"state":"mfa_enroll"`)
				u, err := p.acme.Users().ByIdentifier(t.Context(), db.IdentifierEmail, email)
				require.NoError(t, err)
				ss, err := p.acme.Sessions().ByUser(t.Context(), u.ID, time.Now())
				require.NoError(t, err)
				require.Empty(t, ss, "no session without a second factor")
			}

			srv := testserver.Start(t, b, testserver.Options{})
			p := newPairAMR(t, srv, federation.KindSocial, true)
			srv.SetSettings(t, "acme", mandatory)
			acme := srv.URL("acme")
			p.upstreamUser("ana@example.com")
			p.upstreamUser("bo@example.com")
			boSecret := p.upstreamTOTP("bo@example.com")

			br := newBrowser(t, srv)
			_, authorize := br.begin(acme, p.connector.ID, nil)
			r := br.do(http.MethodGet, br.upstreamSignInMFA(authorize, "bo@example.com", boSecret).String(), nil, nil)
			require.Equal(t, http.StatusSeeOther, r.status, string(r.body))
			require.Equal(t, "/account", r.header.Get("Location"))
			bo, err := p.acme.Users().ByIdentifier(t.Context(), db.IdentifierEmail, "bo@example.com")
			require.NoError(t, err)
			ss, err := p.acme.Sessions().ByUser(t.Context(), bo.ID, time.Now())
			require.NoError(t, err)
			require.Len(t, ss, 1)
			require.Equal(t, "fed,mfa", ss[0].AMR)

			br = newBrowser(t, srv)
			_, authorize = br.begin(acme, p.connector.ID, nil)
			r = br.do(http.MethodGet, br.upstreamSignIn(authorize, "ana@example.com").String(), nil, nil)
			enrolling(t, p, r, "ana@example.com")

			// A connector that does not trust up's amr: up's second
			// factor does not stand in for acme's.
			srv2 := testserver.Start(t, b, testserver.Options{})
			p2 := newPair(t, srv2, federation.KindSocial)
			srv2.SetSettings(t, "acme", mandatory)
			p2.upstreamUser("bo@example.com")
			boSecret = p2.upstreamTOTP("bo@example.com")
			br = newBrowser(t, srv2)
			_, authorize = br.begin(srv2.URL("acme"), p2.connector.ID, nil)
			r = br.do(http.MethodGet, br.upstreamSignInMFA(authorize, "bo@example.com", boSecret).String(), nil, nil)
			enrolling(t, p2, r, "bo@example.com")
		})
	}
}
