package web_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/password"
	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/delivery"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

// What the hosted pages say, as a person reads it.
const (
	textCancelled = "The passkey request was cancelled or timed out. Try again, or use another way to sign in."
	// textChooseHow is the methods screen's heading, which says it alone:
	// no paragraph repeats it (#methods-text hidden).
	textChooseHow  = "Choose how to sign in"
	textSSOMethods = "This account signs in with your organization's single sign-on. Use your organization's sign-in page."
	textSSORefused = "This account signs in with your organization's single sign-on, not with a passkey."
)

// hostedSite is one tenant's hosted pages on a running server, with the
// database stores a test checks them against.
type hostedSite struct {
	srv    *testserver.Server
	tenant *tenants.Tenant
	origin string
	// mail is the outbox the tenant's codes reach: the server's, unless
	// the test gave the server its own senders.
	mail *delivery.Outbox
}

// newHostedSite creates the tenant slug (with default settings) on srv.
func newHostedSite(t *testing.T, srv *testserver.Server, slug, name string) *hostedSite {
	t.Helper()
	tn := srv.CreateTenant(t, slug, name)
	return &hostedSite{srv: srv, tenant: tn, origin: srv.URL(slug), mail: srv.Outbox}
}

// url returns the absolute URL of path on the tenant's host.
func (p *hostedSite) url(path string) string { return p.origin + path }

// set changes the tenant's passkey settings.
func (p *hostedSite) set(t *testing.T, change func(*tenants.Passkeys)) {
	t.Helper()
	p.tenant = p.srv.SetPasskeys(t, p.tenant.Slug, change)
}

// scope is the tenant's part of the database.
func (p *hostedSite) scope() db.Scope { return p.srv.DB.ForTenant(p.tenant.ID) }

// user returns the tenant's user with the email address, failing the test
// when there is none.
func (p *hostedSite) user(t *testing.T, email string) *db.User {
	t.Helper()
	u, err := p.scope().Users().ByIdentifier(t.Context(), db.IdentifierEmail, email)
	require.NoError(t, err, "no user %s in tenant %s", email, p.tenant.Slug)
	return u
}

// newEmailUser creates a user of the tenant with the email address, and
// with the password when it is not "".
func (p *hostedSite) newEmailUser(t *testing.T, email, pw string) *db.User {
	t.Helper()
	u := &db.User{WebAuthnHandle: []byte(email), DisplayName: email}
	// The user proved the address: a code to an address never proved
	// signs in to nothing.
	proved := time.Now()
	require.NoError(t, p.scope().Users().Create(t.Context(), u, &db.Identifier{Kind: db.IdentifierEmail, Value: email, VerifiedAt: &proved}))
	if pw != "" {
		hash, err := password.Hash(pw)
		require.NoError(t, err)
		require.NoError(t, p.scope().Users().SetPassword(t.Context(), u.ID, hash))
	}
	return u
}

// requireNoUser fails the test when the tenant has a user with the email
// address.
func (p *hostedSite) requireNoUser(t *testing.T, email string) {
	t.Helper()
	_, err := p.scope().Users().ByIdentifier(t.Context(), db.IdentifierEmail, email)
	require.ErrorIs(t, err, db.ErrNotFound, "tenant %s has a user %s", p.tenant.Slug, email)
}

// credentials returns the user's stored passkeys, oldest first.
func (p *hostedSite) credentials(t *testing.T, userID uuid.UUID) []*db.Credential {
	t.Helper()
	creds, err := p.scope().Credentials().ByUser(t.Context(), userID, "")
	require.NoError(t, err)
	return creds
}

// sessions returns the user's live sessions.
func (p *hostedSite) sessions(t *testing.T, userID uuid.UUID) []*db.Session {
	t.Helper()
	s, err := p.scope().Sessions().ByUser(t.Context(), userID, time.Now())
	require.NoError(t, err)
	return s
}

// signUp creates an account with a passkey on the sign-up page, as a person
// does (the address proved by the code its email brings), skips "Turn on
// 2-step verification" and waits for the account page.
func (p *hostedSite) signUp(t *testing.T, tab *browser.Tab, email string) {
	t.Helper()
	tab.Navigate(t, p.url("/sign-up"))
	tab.Type(t, "#identifier", email)
	p.createPasskeyFirst(t, tab, email)
	p.skipTwoStep(t, tab)
	p.waitAccount(t, tab)
}

// createPasskeyFirst presses "Create a passkey" with email typed and, when
// the tenant verifies identifiers, types the code its email brings: the
// passkey that creates the account follows.
func (p *hostedSite) createPasskeyFirst(t *testing.T, tab *browser.Tab, email string) {
	t.Helper()
	before := flowtest.Sent(p.outbox(), email)
	tab.Click(t, "#create-passkey")
	if !p.tenant.Settings.SignUp.VerifyIdentifiers {
		return
	}
	tab.WaitVisible(t, "#verify-code")
	tab.Type(t, "#verify-code", flowtest.CodeTo(t, p.outbox(), email, before))
	tab.Click(t, "#verify-submit")
}

// outbox is where the tenant's codes arrive.
func (p *hostedSite) outbox() *delivery.Outbox {
	if p.mail != nil {
		return p.mail
	}
	return p.srv.Outbox
}

// skipTwoStep waits for "Turn on 2-step verification" and presses "Skip".
func (p *hostedSite) skipTwoStep(t *testing.T, tab *browser.Tab) {
	t.Helper()
	tab.WaitVisible(t, "#two-step-skip")
	tab.Click(t, "#two-step-skip")
}

// waitAccount waits until the tab shows the tenant's account page, built
// by account.js: until then the page's layout still moves, and a click
// could land on another element than the one it aimed at.
func (p *hostedSite) waitAccount(t *testing.T, tab *browser.Tab) {
	t.Helper()
	tab.WaitVisible(t, `#account[aria-busy="false"]`)
	tab.WaitVisible(t, "#user-name")
	require.Equal(t, p.url("/account"), tab.Location(t))
}

// signOut presses "Sign out" and waits for the sign-in page.
func (p *hostedSite) signOut(t *testing.T, tab *browser.Tab) {
	t.Helper()
	tab.Click(t, "#sign-out")
	tab.WaitVisible(t, "#identifier")
	require.Equal(t, p.url("/"), tab.Location(t))
}

// jsString returns s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// requireOnlyOwnHost fails unless every URL is on the host of origin.
func requireOnlyOwnHost(t *testing.T, origin string, urls []string) {
	t.Helper()
	want, err := url.Parse(origin)
	require.NoError(t, err)
	require.NotEmpty(t, urls)
	for _, u := range urls {
		got, err := url.Parse(u)
		require.NoError(t, err, u)
		require.Equal(t, want.Host, got.Host, "the page requested another host: %s", u)
	}
}

// flowAPICalls returns the flow API calls among the URLs, as paths.
func flowAPICalls(urls []string) []string {
	var out []string
	for _, raw := range urls {
		if u, err := url.Parse(raw); err == nil && strings.HasPrefix(u.Path, "/api/flows/") {
			out = append(out, u.Path)
		}
	}
	return out
}

// fetched is what the flow API answered a fetch made by the page.
type fetched struct {
	Status int    `json:"status"`
	Body   string `json:"body"`
}

// token returns the flow token of a flow API response, "" when it has none.
func (r fetched) token(t *testing.T) string {
	t.Helper()
	var v struct {
		Flow struct {
			Token string `json:"token"`
		} `json:"flow"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.Body), &v), r.Body)
	return v.Flow.Token
}

// tabPostFlow makes the page POST body (JSON) to the flow API path, with the
// flow token when one is given, as the page's own scripts do.
func tabPostFlow(t *testing.T, tab *browser.Tab, path, token string, body any) fetched {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	headers := map[string]string{"Content-Type": "application/json"}
	if token != "" {
		headers["X-Sesame-Flow"] = token
	}
	h, err := json.Marshal(headers)
	require.NoError(t, err)
	var res fetched
	tab.Eval(t, fmt.Sprintf(`fetch(%s, {method: "POST", headers: %s, body: %s, credentials: "same-origin"})
  .then(async (r) => ({status: r.status, body: await r.text()}))`, jsString(path), h, jsString(string(b))), &res)
	return res
}

// passkeyDevice is a passkey device plugged into a tab: a virtual
// authenticator that the test can unplug, keeping its passkeys, and plug in
// again later.
// Chromium sends a ceremony to every authenticator of the tab and takes the
// first answer, so a test that needs one particular passkey to answer keeps
// only the device that holds it plugged in.
type passkeyDevice struct {
	opts browser.AuthenticatorOptions
	auth *browser.Authenticator
	// creds are the passkeys the device held when it was unplugged.
	creds []*webauthn.Credential
}

// plugIn attaches the device to the tab with the passkeys it held.
func (d *passkeyDevice) plugIn(t *testing.T, tab *browser.Tab) {
	t.Helper()
	require.Nil(t, d.auth, "the device is already plugged in")
	d.auth = tab.AddVirtualAuthenticator(t, d.opts)
	for _, c := range d.creds {
		d.auth.AddCredential(t, c)
	}
}

// unplug detaches the device and keeps its passkeys, sign counters
// included, for the next plugIn.
func (d *passkeyDevice) unplug(t *testing.T) {
	t.Helper()
	d.creds = d.auth.Credentials(t)
	d.auth.Remove(t)
	d.auth = nil
}

// only returns the device's single passkey.
func (d *passkeyDevice) only(t *testing.T) *webauthn.Credential {
	t.Helper()
	creds := d.creds
	if d.auth != nil {
		creds = d.auth.Credentials(t)
	}
	require.Len(t, creds, 1)
	return creds[0]
}

// storedCredential returns the stored credential with the authenticator's
// credential ID.
func storedCredential(t *testing.T, creds []*db.Credential, id []byte) *db.Credential {
	t.Helper()
	for _, c := range creds {
		if string(c.CredentialID) == string(id) {
			return c
		}
	}
	require.FailNow(t, "credential not stored", "no stored credential has the ID %x", id)
	return nil
}

// requireChooseHow checks the methods screen's heading, with no paragraph
// under it that only repeats it.
func requireChooseHow(t *testing.T, tab *browser.Tab) {
	t.Helper()
	require.Equal(t, textChooseHow, tab.Text(t, "#methods-title"))
	require.False(t, tab.Shows(t, "#methods-text"), "no paragraph repeats the heading")
}
