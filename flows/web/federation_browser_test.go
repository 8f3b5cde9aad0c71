package web_test

import (
	"strings"
	"testing"
	"time"

	pqtotp "github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/apps"
	"github.com/sesame-id/sesame/flows/federation"
	"github.com/sesame-id/sesame/flows/totp"
	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

const upstreamPW = "upstream horse battery 42"

// connectTo makes a connector of acme to up (another tenant of the same
// server, an OpenID Provider as every tenant is): a first-party web
// application of up whose redirect URI is the connector's callback URL.
func connectTo(t *testing.T, up, acme *hostedSite, name, kind string, domains ...string) *federation.Connector {
	t.Helper()
	ctx := t.Context()
	created, err := apps.Create(ctx, up.scope(), apps.Spec{Name: "Acme", Type: apps.TypeWeb, FirstParty: true, RedirectURIs: []string{"http://127.0.0.1/placeholder"}}, time.Now())
	require.NoError(t, err)
	trust := true
	c, err := federation.Create(ctx, acme.scope(), federation.Spec{Name: name, Kind: kind, Type: federation.TypeOIDC, Issuer: up.origin,
		ClientID: created.App.ClientID, Secret: created.Secret, Domains: domains, DomainsVerified: true, TrustEmailVerified: &trust}, time.Now())
	require.NoError(t, err)
	_, err = apps.Update(ctx, up.scope(), created.App.ID, apps.Change{RedirectURIs: []string{federation.CallbackURL(acme.origin, c.ID)}}, time.Now())
	require.NoError(t, err)
	return c
}

// signInUpstream signs in on up's hosted page, where the tab was sent,
// with the address and upstreamPW.
func signInUpstream(t *testing.T, tab *browser.Tab, up *hostedSite, email string) {
	t.Helper()
	untilAt(t, tab, up.origin+"/?authRequest=")
	tab.WaitVisible(t, "#identifier")
	tab.Type(t, "#identifier", email)
	tab.Click(t, "#continue")
	tab.WaitVisible(t, `#method-list button[data-method="password"]`)
	tab.Click(t, `#method-list button[data-method="password"]`)
	tab.WaitVisible(t, "#password")
	tab.Type(t, "#password", upstreamPW)
	tab.Click(t, "#password-submit")
}

// untilAt waits until the tab's address starts with prefix (a redirect
// under way still shows the page it leaves).
func untilAt(t *testing.T, tab *browser.Tab, prefix string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !strings.HasPrefix(tab.Location(t), prefix) {
		require.True(t, time.Now().Before(deadline), "the tab is at %s, not at %s", tab.Location(t), prefix)
		time.Sleep(50 * time.Millisecond)
	}
}

// signOutUpstream ends the tab's session at up, so that the next sign-in
// there asks again.
func signOutUpstream(t *testing.T, tab *browser.Tab, up *hostedSite) {
	t.Helper()
	tab.Navigate(t, up.url("/account"))
	up.waitAccount(t, tab)
	up.signOut(t, tab)
}

func linked(t *testing.T, site *hostedSite, u *db.User) []*db.FederatedIdentity {
	t.Helper()
	ids, err := site.scope().FederatedIdentities().ByUser(t.Context(), u.ID)
	require.NoError(t, err)
	return ids
}

// TestFederation_SocialButtonSignsInThroughAnotherTenant: "Continue with
// Upstream" on acme's sign-in page → up's sign-in → back on acme's account
// page, signed in to an account made from up's verified address. A person
// whose address an acme account already holds is signed in to nothing by
// the provider alone: the link is made once they sign in to that account
// with its passkey.
func TestFederation_SocialButtonSignsInThroughAnotherTenant(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, b, testserver.Options{})
			up := newHostedSite(t, srv, "upstream", "Upstream")
			acme := newHostedSite(t, srv, "acme", "Acme")
			c := connectTo(t, up, acme, "Upstream", federation.KindSocial)
			// No autofill: the tab's passkey would answer it at once.
			acme.set(t, func(p *tenants.Passkeys) { p.Autofill = false })
			up.newEmailUser(t, "ana@example.com", upstreamPW)
			up.newEmailUser(t, "ada@example.com", upstreamPW)
			tab := browser.New(t).NewTab(t)
			t.Cleanup(func() {
				if t.Failed() {
					tab.Screenshot(t, "/tmp/fed-"+string(b)+".png")
					t.Log(tab.ConsoleErrors(), tab.Location(t))
				}
			})

			// Just in time: a new account.
			tab.Navigate(t, acme.url("/"))
			require.Equal(t, "Continue with Upstream", tab.Text(t, `button[data-connector="`+c.ID.String()+`"]`))
			tab.Navigate(t, acme.url("/sign-up"))
			require.Equal(t, "Continue with Upstream", tab.Text(t, `#sign-up-connectors button[data-connector]`))
			tab.Click(t, `#sign-up-connectors button[data-connector]`)
			signInUpstream(t, tab, up, "ana@example.com")
			acme.waitAccount(t, tab)
			ana := acme.user(t, "ana@example.com")
			require.Len(t, linked(t, acme, ana), 1)
			acme.signOut(t, tab)
			signOutUpstream(t, tab, up)

			// An account holding the address: proved first, then linked.
			phone := &passkeyDevice{}
			phone.plugIn(t, tab)
			acme.signUp(t, tab, "ada@example.com")
			ada := acme.user(t, "ada@example.com")
			acme.signOut(t, tab)
			tab.Click(t, `button[data-connector]`)
			signInUpstream(t, tab, up, "ada@example.com")
			untilAt(t, tab, acme.url("/"))
			tab.WaitVisible(t, "#verify-passkey-button")
			tab.WaitText(t, "#message", "An account here already uses ada@example.com. Sign in to it once to link Upstream: after that, Upstream signs you in to it.")
			require.Equal(t, acme.url("/"), tab.Location(t))
			require.Empty(t, linked(t, acme, ada), "nothing linked before the account is proved")
			require.Empty(t, acme.sessions(t, ada.ID))
			tab.WaitVisible(t, "#verify-passkey-button")
			tab.Click(t, "#verify-passkey-button")
			acme.waitAccount(t, tab)
			require.Len(t, linked(t, acme, ada), 1)
			acme.signOut(t, tab)
			signOutUpstream(t, tab, up)

			// From now on the provider alone signs ada in.
			tab.Navigate(t, acme.url("/"))
			tab.Click(t, `button[data-connector]`)
			signInUpstream(t, tab, up, "ada@example.com")
			acme.waitAccount(t, tab)

			// The account center lists the link; ada, who has a passkey,
			// unlinks it.
			tab.WaitVisible(t, "#linked-list .linked-unlink")
			require.Equal(t, []string{"Upstream"}, tab.Texts(t, "#linked-list .linked-name"))
			tab.Click(t, "#linked-list .linked-unlink")
			tab.WaitText(t, "#status", "Upstream no longer signs you in.")
			require.Empty(t, linked(t, acme, ada))
			require.False(t, tab.Has(t, "#linked"))
		})
	}
}

// TestFederation_EnterpriseDomainRoutesAndSSOUsersAreRefusedPasskeys: an
// address of corp.example goes to Corp SSO instead of passkey, password
// or codes; the account made there is an SSO user's; an SSO user's
// passkey is refused with the button to their organization's sign-in.
func TestFederation_EnterpriseDomainRoutesAndSSOUsersAreRefusedPasskeys(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	up := newHostedSite(t, srv, "upstream", "Upstream")
	acme := newHostedSite(t, srv, "acme", "Acme")
	c := connectTo(t, up, acme, "Corp SSO", federation.KindEnterprise, "corp.example")
	acme.set(t, func(p *tenants.Passkeys) { p.Autofill = false })
	up.newEmailUser(t, "bo@corp.example", upstreamPW)
	tab := browser.New(t).NewTab(t)

	tab.Navigate(t, acme.url("/"))
	require.False(t, tab.Has(t, "button[data-connector]"), "an enterprise connector is no button for everyone")
	tab.Type(t, "#identifier", "bo@corp.example")
	tab.Click(t, "#continue")
	tab.WaitVisible(t, "#methods")
	require.Equal(t, "Your organization signs you in. Continue with Corp SSO.", tab.Text(t, "#methods-text"))
	require.Equal(t, []string{"Continue with Corp SSO"}, tab.Texts(t, "#method-list button"))
	tab.Click(t, "#method-list button[data-connector]")
	signInUpstream(t, tab, up, "bo@corp.example")
	acme.waitAccount(t, tab)
	bo := acme.user(t, "bo@corp.example")
	require.True(t, bo.SSO, "an enterprise connector's users are SSO users")
	acme.signOut(t, tab)
	signOutUpstream(t, tab, up)

	// cy's account has a passkey; made an SSO user of Corp SSO, the
	// passkey no longer signs in, and the refusal offers Corp SSO.
	phone := &passkeyDevice{}
	phone.plugIn(t, tab)
	acme.signUp(t, tab, "cy@example.com")
	cy := acme.user(t, "cy@example.com")
	require.NoError(t, acme.scope().Users().SetSSO(t.Context(), cy.ID, true))
	require.NoError(t, federation.Link(t.Context(), acme.scope(), cy.ID, c.ID, "cy-subject", "", time.Now()))
	acme.signOut(t, tab)
	tab.Click(t, "#passkey-button")
	tab.WaitText(t, "#message", textSSORefused+" Continue with Corp SSO")
	require.Empty(t, acme.sessions(t, cy.ID))
	tab.Click(t, "#message button[data-connector]")
	untilAt(t, tab, up.origin+"/?authRequest=")
}

// TestFederation_SecondFactorAfterTheProviderInTheBrowser: back from the
// provider, a user with 2-step verification on lands on the sign-in
// page's second factor, and their authenticator app's code signs them in.
func TestFederation_SecondFactorAfterTheProviderInTheBrowser(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	up := newHostedSite(t, srv, "upstream", "Upstream")
	acme := newHostedSite(t, srv, "acme", "Acme")
	c := connectTo(t, up, acme, "Upstream", federation.KindSocial)
	upUser := up.newEmailUser(t, "ana@example.com", upstreamPW)
	ana := acme.newEmailUser(t, "ana@example.com", "")
	ctx := t.Context()
	require.NoError(t, federation.Link(ctx, acme.scope(), ana.ID, c.ID, upUser.ID.String(), "ana@example.com", time.Now()))
	key, err := totp.Generate("Acme", "ana")
	require.NoError(t, err)
	require.NoError(t, acme.scope().TOTP().Start(ctx, ana.ID, key.Secret, time.Now()))
	require.NoError(t, acme.scope().TOTP().Accept(ctx, ana.ID, 1, time.Now()))
	require.NoError(t, acme.scope().Users().SetMFA(ctx, ana.ID, true))
	tab := browser.New(t).NewTab(t)

	tab.Navigate(t, acme.url("/"))
	tab.Click(t, `button[data-connector]`)
	signInUpstream(t, tab, up, "ana@example.com")
	untilAt(t, tab, acme.url("/"))
	tab.WaitVisible(t, "#mfa-totp input")
	require.Equal(t, acme.url("/"), tab.Location(t), "the answer in the fragment is read once and removed")
	require.Empty(t, acme.sessions(t, ana.ID))
	code, err := pqtotp.GenerateCode(key.Secret, time.Now())
	require.NoError(t, err)
	tab.Type(t, "#mfa-totp input", code)
	tab.Click(t, "#mfa-totp button[type=submit]")
	acme.waitAccount(t, tab)
	ss := acme.sessions(t, ana.ID)
	require.Len(t, ss, 1)
	require.Equal(t, "fed,otp,mfa", ss[0].AMR)
}
