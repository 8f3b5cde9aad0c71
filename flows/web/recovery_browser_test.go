package web_test

import (
	"crypto/rand"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/recovery"
	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

// recoveryToken is the recovery flow's token the page keeps in the tab.
func recoveryToken(t *testing.T, tab *browser.Tab) string {
	t.Helper()
	var token string
	tab.Eval(t, `JSON.parse(sessionStorage.getItem("sesame.recovery") || "{}").token || ""`, &token)
	require.NotEmpty(t, token)
	return token
}

// TestRecoveryJourney_PasskeyOnlyUserRecoversByEmailCodeThenSignsInWithTheNewPasskey
// walks "Lost your passkey?" screen by screen: a user who signed up with a
// passkey loses the device, proves the address by the code the email
// brings, cannot finish without a new passkey, creates one on a new
// device, removes the old one and signs in with the new one.
func TestRecoveryJourney_PasskeyOnlyUserRecoversByEmailCodeThenSignsInWithTheNewPasskey(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	acme := newHostedSite(t, srv, "acme", "Acme")
	acme.set(t, func(p *tenants.Passkeys) { p.Autofill = false })
	const email = "ann@example.com"
	tab := browser.New(t).NewTab(t)
	phone := &passkeyDevice{}
	phone.plugIn(t, tab)
	acme.signUp(t, tab, email)
	acme.signOut(t, tab)
	user := acme.user(t, email)
	old := acme.credentials(t, user.ID)
	require.Len(t, old, 1)

	// The phone is lost; a new laptop.
	phone.unplug(t)
	laptop := &passkeyDevice{}
	laptop.plugIn(t, tab)

	tab.WaitVisible(t, "#recover-link")
	require.Equal(t, "Lost your passkey?", tab.Text(t, "#recover-link"))
	tab.Click(t, "#recover-link")
	onScreen(t, tab, "screen-identify", "continue", false)
	require.Equal(t, acme.url("/recover"), tab.Location(t))
	tab.Type(t, "#identifier", email)
	tab.Click(t, "#continue")

	// One screen per task, one primary action, focus on its heading; a
	// reload resumes on the same screen.
	onScreen(t, tab, "screen-proof", "send-code", true)
	tab.Screenshot(t, browser.ShotPath(t, "recovery-proof.png"))
	require.Equal(t, "Email me a code", tab.Text(t, "#send-code"))
	require.Equal(t, email, tab.Text(t, "#identity-value"))
	reloadOn(t, tab, "screen-proof", "send-code", email)
	before := flowtest.Sent(acme.outbox(), email)
	tab.Click(t, "#send-code")
	onScreen(t, tab, "screen-code", "code-submit", true)
	require.NotEmpty(t, tab.Attr(t, "#code-resend", "data-cooldown"), "Send a new code waits")
	reloadOn(t, tab, "screen-code", "code-submit", email)
	require.NotEmpty(t, tab.Attr(t, "#code-resend", "data-cooldown"), "the cooldown survives a reload")
	tab.Type(t, "#code", flowtest.CodeTo(t, acme.outbox(), email, before))
	tab.Click(t, "#code-submit")
	onScreen(t, tab, "screen-passkey", "create-passkey", true)
	tab.Screenshot(t, browser.ShotPath(t, "recovery-passkey.png"))
	require.False(t, tab.Shows(t, "#skip-passkey"), "no way on without a new passkey")

	// The flow refuses to end without a new passkey, whatever the page.
	r := tabPostFlow(t, tab, "/api/flows/recovery/finish", recoveryToken(t, tab), map[string]any{})
	require.Equal(t, http.StatusConflict, r.Status, r.Body)
	require.Contains(t, r.Body, `"action_not_allowed"`)
	require.Empty(t, acme.sessions(t, user.ID))

	reloadOn(t, tab, "screen-passkey", "create-passkey", "")
	tab.Click(t, "#create-passkey")
	onScreen(t, tab, "screen-review", "finish", true)
	require.Equal(t, 2, tab.Count(t, "#passkey-list li"))
	require.Equal(t, 1, tab.Count(t, "#passkey-list [data-remove]"), "only the old passkey can be removed")
	tab.Screenshot(t, browser.ShotPath(t, "recovery-review.png"))
	tab.Click(t, "#passkey-list [data-remove]")
	tab.WaitNotPresent(t, "#passkey-list [data-remove]")
	require.Equal(t, 1, tab.Count(t, "#passkey-list li"))
	creds := acme.credentials(t, user.ID)
	require.Len(t, creds, 1)
	require.NotEqual(t, old[0].ID, creds[0].ID)
	storedCredential(t, creds, laptop.only(t).CredentialID)

	tab.Click(t, "#finish")
	acme.waitAccount(t, tab)
	acme.signOut(t, tab)

	// The new passkey signs in.
	tab.Type(t, "#identifier", email)
	tab.Click(t, "#continue")
	acme.waitAccount(t, tab)
	for _, e := range tab.ConsoleErrors() {
		// The one refusal is the test's own finish without a passkey.
		require.Contains(t, e, "/api/flows/recovery/finish", "console error: %s", e)
	}
}

// TestRecoveryJourney_ExpiredFlowStartsAgainKeepingTheAddress: a recovery left
// past its lifetime shows one "Start again", which starts a new flow with
// the address kept.
func TestRecoveryJourney_ExpiredFlowStartsAgainKeepingTheAddress(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(time.Now().UTC())
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{Clock: clk})
	acme := newHostedSite(t, srv, "acme", "Acme")
	const email = "late@example.com"
	tab := browser.New(t).NewTab(t)
	tab.Navigate(t, acme.url("/recover"))
	tab.Type(t, "#identifier", email)
	tab.Click(t, "#continue")
	onScreen(t, tab, "screen-proof", "send-code", true)

	// Found on a reload.
	clk.Advance(recovery.TTL + time.Minute)
	tab.Reload(t)
	onScreen(t, tab, "screen-expired", "start-again", true)
	require.False(t, tab.Shows(t, "#send-code"), "no stale screen")
	tab.Click(t, "#start-again")
	onScreen(t, tab, "screen-proof", "send-code", true)
	require.Equal(t, email, tab.Text(t, "#identity-value"))

	// Found on a step.
	clk.Advance(recovery.TTL + time.Minute)
	tab.Click(t, "#send-code")
	onScreen(t, tab, "screen-expired", "start-again", true)
	require.Equal(t, email, tab.Text(t, "#identity-value"))
}

// TestRecoveryJourney_AdminLinkOpensTheNewPasskeyStepOnce: an administrator makes
// a recovery link on the user's console page; the link opens the tenant's
// recovery page on "Create a new passkey", the user ends signed in with
// it, and the same link then opens nothing.
func TestRecoveryJourney_AdminLinkOpensTheNewPasskeyStepOnce(t *testing.T) {
	t.Parallel()
	c := newConsoleSite(t, "acme")
	acme := &hostedSite{srv: c.srv, tenant: c.tenant(t, "acme"), origin: c.srv.URL("acme"), mail: c.srv.Outbox}
	acme.set(t, func(p *tenants.Passkeys) { p.Autofill = false })
	b := browser.New(t)
	admin := b.NewTab(t)
	admin.AddVirtualAuthenticator(t, browser.AuthenticatorOptions{})
	c.setUp(t, admin)
	user := acme.newEmailUser(t, "bo@example.com", "")
	lost := &db.Credential{UserID: user.ID, RPID: "acme.localhost", CredentialID: randomBytes(t, 32), PublicKey: randomBytes(t, 64), Name: "Lost phone", CreatedAt: time.Now()}
	require.NoError(t, acme.scope().Credentials().Create(t.Context(), lost))

	admin.Navigate(t, c.url("/console/tenants/acme/users/"+user.ID.String()))
	admin.WaitVisible(t, "#user-recovery")
	admin.Click(t, "#user-recovery")
	admin.WaitVisible(t, "#recovery-link-url")
	var link string
	admin.Eval(t, `document.getElementById("recovery-link-url").value`, &link)
	require.Regexp(t, `^`+acme.url("/recover")+`#link=[A-Za-z0-9_-]{20,}$`, link)

	tab := b.NewTab(t)
	tab.AddVirtualAuthenticator(t, browser.AuthenticatorOptions{})
	tab.Navigate(t, link)
	tab.WaitVisible(t, "#create-passkey")
	require.Equal(t, acme.url("/recover"), tab.Location(t), "the token leaves the address bar")
	tab.Click(t, "#create-passkey")
	tab.WaitVisible(t, "#finish")
	tab.Click(t, "#passkey-list [data-remove]")
	tab.WaitNotPresent(t, "#passkey-list [data-remove]")
	tab.Click(t, "#finish")
	acme.waitAccount(t, tab)
	creds := acme.credentials(t, user.ID)
	require.Len(t, creds, 1)
	require.NotEqual(t, lost.ID, creds[0].ID)

	// Used once.
	other := b.NewTab(t)
	other.Navigate(t, link)
	other.WaitText(t, "#message", "This recovery link was already used or has expired. Ask your administrator for a new one.")
	require.True(t, other.Shows(t, "#screen-identify"))

	// "Email it to the user": the page names the address, never the
	// link; the email brings one that opens the same step.
	admin.Click(t, "#user-recovery-email")
	admin.WaitText(t, "#recovery-link-sent", "A one-time recovery link was emailed to bo@example.com. It works once, for 24 hours.")
	require.False(t, admin.Has(t, "#recovery-link-url"))
	mail := flowtest.MessagesTo(t, c.srv.Outbox, "bo@example.com", "recovery link", 1)
	emailed := regexp.MustCompile(regexp.QuoteMeta(acme.url("/recover")) + `#link=[A-Za-z0-9_-]{20,}`).FindString(mail[0].Body)
	require.NotEmpty(t, emailed, mail[0].Body)
	fresh := b.NewTab(t)
	fresh.Navigate(t, emailed)
	fresh.WaitVisible(t, "#create-passkey")
}

// TestRecoveryJourney_PagesSpeakEveryLanguage: the recovery page and the sign-in
// page's link in Spanish and Chinese.
func TestRecoveryJourney_PagesSpeakEveryLanguage(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	acme := newHostedSite(t, srv, "acme", "Acme")
	tab := browser.New(t).NewTab(t)
	for lang, want := range map[string][2]string{
		"es":    {"¿Perdiste tu llave de acceso?", "Recupera tu cuenta"},
		"zh-CN": {"丢失了通行密钥？", "恢复您的账号"},
	} {
		tab.Navigate(t, acme.url("/?lang="+lang))
		tab.WaitVisible(t, "#recover-link")
		require.Equal(t, want[0], tab.Text(t, "#recover-link"))
		tab.Click(t, "#recover-link")
		tab.WaitVisible(t, "#screen-identify #identifier")
		require.Equal(t, want[1], tab.Text(t, "#page-title"))
		tab.Click(t, "#continue")
		var strings map[string]string
		tab.Eval(t, `JSON.parse(document.getElementById("sesame-strings").textContent)`, &strings)
		require.Equal(t, strings["recovery.identify.missing"], tab.Text(t, "#identifier-error"))
		require.NotEmpty(t, tab.Text(t, "#identifier-error"))
		tab.Screenshot(t, browser.ShotPath(t, "recovery-"+lang+".png"))
	}
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return b
}

// TestRecoveryJourney_AUserWithAnAuthenticatorAppPassesItAfterTheEmailCode: the
// MFA rule on the page: "One more step" asks for the app's code before the
// new passkey.
func TestRecoveryJourney_AUserWithAnAuthenticatorAppPassesItAfterTheEmailCode(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	acme := newHostedSite(t, srv, "acme", "Acme")
	const email, secret = "cy@example.com", "JBSWY3DPEHPK3PXPJBSWY3DP"
	user := acme.newEmailUser(t, email, "")
	lost := &db.Credential{UserID: user.ID, RPID: "acme.localhost", CredentialID: randomBytes(t, 32), PublicKey: randomBytes(t, 64), Name: "Lost phone", CreatedAt: time.Now()}
	require.NoError(t, acme.scope().Credentials().Create(t.Context(), lost))
	require.NoError(t, acme.scope().TOTP().Start(t.Context(), user.ID, secret, time.Now()))
	require.NoError(t, flows.VerifyTOTP(t.Context(), acme.scope(), user.ID, flowtest.TOTPCodeAt(t, secret, time.Now().Add(-30*time.Second)), time.Now(), flows.TOTPPending))
	require.NoError(t, acme.scope().Users().SetMFA(t.Context(), user.ID, true))

	tab := browser.New(t).NewTab(t)
	tab.AddVirtualAuthenticator(t, browser.AuthenticatorOptions{})
	tab.Navigate(t, acme.url("/recover"))
	tab.Type(t, "#identifier", email)
	tab.Click(t, "#continue")
	onScreen(t, tab, "screen-proof", "send-code", true)
	before := flowtest.Sent(acme.outbox(), email)
	tab.Click(t, "#send-code")
	onScreen(t, tab, "screen-code", "code-submit", true)
	tab.Type(t, "#code", flowtest.CodeTo(t, acme.outbox(), email, before))
	tab.Click(t, "#code-submit")
	onScreen(t, tab, "screen-mfa", "mfa-submit", true)
	tab.Screenshot(t, browser.ShotPath(t, "recovery-mfa.png"))
	require.Equal(t, "Code from your authenticator app", tab.Text(t, "#mfa-label"))
	reloadOn(t, tab, "screen-mfa", "mfa-submit", "")
	tab.Type(t, "#mfa-code", flowtest.TOTPCodeAt(t, secret, time.Now()))
	tab.Click(t, "#mfa-submit")
	onScreen(t, tab, "screen-passkey", "create-passkey", true)
	tab.Click(t, "#create-passkey")
	onScreen(t, tab, "screen-review", "finish", true)
	tab.Click(t, "#finish")
	acme.waitAccount(t, tab)
	s := acme.sessions(t, user.ID)
	require.Len(t, s, 1)
	require.Equal(t, "otp,otp,mfa,recovery", s[0].AMR)
}
