package web_test

import (
	"crypto/rand"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

// These tests walk the hosted pages of a tenant in Chromium, with virtual
// WebAuthn authenticators standing in for passkeys, and check both what the
// person sees and what the database holds afterwards.
//
// Chromium's virtual authenticators answer a conditional (autofill) request
// as soon as the page makes it, without a focus or a choice, whenever they
// hold a passkey for the page's RP ID, and reject it at once when they hold
// none. A sign-in page with autofill on therefore signs in by itself on
// load; tests that exercise another path turn autofill off first.

const adaEmail = "ada@example.com"

func TestPasskeyJourney_SignUpAddPasskeyThenSignInByEachPath(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(string(backend), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, backend, testserver.Options{})
			acme := newHostedSite(t, srv, "acme", "Acme")
			tab := browser.New(t).NewTab(t)
			phone := &passkeyDevice{}
			phone.plugIn(t, tab)

			// J1: from the sign-in page to "Create account", then a passkey.
			tab.Navigate(t, acme.url("/"))
			tab.Click(t, "#sign-up-link")
			tab.WaitVisible(t, "#create-passkey")
			require.Equal(t, acme.url("/sign-up"), tab.Location(t))
			tab.Screenshot(t, browser.ShotPath(t, "sign-up.png"))
			tab.Type(t, "#identifier", adaEmail)
			acme.createPasskeyFirst(t, tab, adaEmail)
			acme.skipTwoStep(t, tab)
			acme.waitAccount(t, tab)
			tab.Screenshot(t, browser.ShotPath(t, "account.png"))

			require.Equal(t, adaEmail, tab.Text(t, "#user-name"))
			require.Equal(t, 1, tab.Count(t, "li.passkey"))
			user := acme.user(t, adaEmail)
			require.Equal(t, adaEmail, user.DisplayName)
			creds := acme.credentials(t, user.ID)
			require.Len(t, creds, 1)
			first := storedCredential(t, creds, phone.only(t).CredentialID)
			require.Equal(t, "acme.localhost", first.RPID)
			require.True(t, first.UserVerified)
			require.False(t, first.BackupEligible, "the phone makes device-bound passkeys")
			require.Nil(t, first.LastUsedAt)
			require.NotEmpty(t, first.Name)
			require.Equal(t, []string{first.Name}, tab.Texts(t, ".passkey-name"))
			requireWebAuthnSession(t, acme, user.ID)
			requireSessionCookieHidden(t, tab)

			// A second passkey, named, from a laptop whose passkeys sync.
			// Only the laptop is plugged in: the phone would refuse the
			// ceremony, which excludes its passkey.
			phone.unplug(t)
			laptop := &passkeyDevice{opts: browser.AuthenticatorOptions{BackupEligible: true, BackedUp: true}}
			laptop.plugIn(t, tab)
			tab.Type(t, "#passkey-name", "Work laptop")
			tab.Click(t, "#add-passkey")
			tab.WaitVisible(t, "li.passkey + li.passkey")
			require.Equal(t, []string{first.Name, "Work laptop"}, tab.Texts(t, ".passkey-name"))
			require.Equal(t, []string{"This device only", "Synced"}, tab.Texts(t, ".passkey-sync"))
			creds = acme.credentials(t, user.ID)
			require.Len(t, creds, 2)
			second := storedCredential(t, creds, laptop.only(t).CredentialID)
			require.Equal(t, "Work laptop", second.Name)
			require.True(t, second.BackupEligible)
			require.True(t, second.BackupState)

			// Autofill off, so that the button is what signs in.
			acme.set(t, func(p *tenants.Passkeys) { p.Autofill = false })
			acme.signOut(t, tab)
			require.Empty(t, acme.sessions(t, user.ID), "signing out ends the session")
			require.True(t, tab.Shows(t, "#passkey-button"))
			tab.Screenshot(t, browser.ShotPath(t, "sign-in.png"))

			// (a) "Continue with passkey", with the laptop's passkey: no typing.
			tab.Click(t, "#passkey-button")
			acme.waitAccount(t, tab)
			second = requireUsed(t, acme, user.ID, laptop, second)
			require.Nil(t, storedCredential(t, acme.credentials(t, user.ID), first.CredentialID).LastUsedAt,
				"the phone's passkey was not used")
			requireWebAuthnSession(t, acme, user.ID)
			requireSessionCookieHidden(t, tab)

			// (b) Identifier first, with the phone's passkey: the button is
			// gone, and submitting the email starts the passkey at once.
			laptop.unplug(t)
			phone.plugIn(t, tab)
			acme.set(t, func(p *tenants.Passkeys) { p.ShowButton = false })
			mark := len(tab.Requests())
			acme.signOut(t, tab)
			require.False(t, tab.Has(t, "#passkey-button"))
			tab.Settle(t)
			require.Equal(t, []string(nil), flowAPICalls(tab.Requests()[mark:]), "with autofill off the page starts no passkey request")
			tab.Type(t, "#identifier", adaEmail)
			tab.Click(t, "#continue")
			acme.waitAccount(t, tab)
			first = requireUsed(t, acme, user.ID, phone, first)
			requireWebAuthnSession(t, acme, user.ID)
			requireSessionCookieHidden(t, tab)

			// (c) Autofill: on a page without the button and with nothing
			// typed, only the conditional request can sign in. Chromium's
			// virtual authenticator answers it as soon as the page makes it,
			// so there is no focus and no choice to make first.
			acme.signOut(t, tab)
			acme.set(t, func(p *tenants.Passkeys) { p.Autofill = true })
			mark = len(tab.Requests())
			tab.Navigate(t, acme.url("/"))
			acme.waitAccount(t, tab)
			require.Equal(t, []string{"/api/flows/sign-in", "/api/flows/sign-in/passkey.finish"}, flowAPICalls(tab.Requests()[mark:]))
			requireUsed(t, acme, user.ID, phone, first)
			requireWebAuthnSession(t, acme, user.ID)
			requireSessionCookieHidden(t, tab)

			require.Empty(t, tab.ConsoleErrors())
			requireOnlyOwnHost(t, acme.origin, tab.Requests())
		})
	}
}

// requireUsed checks that the device's passkey signed in just now: its
// stored sign count is the authenticator's, grown since before, and its
// last use is later. It returns the stored credential.
func requireUsed(t *testing.T, p *hostedSite, userID uuid.UUID, d *passkeyDevice, before *db.Credential) *db.Credential {
	t.Helper()
	cred := d.only(t)
	after := storedCredential(t, p.credentials(t, userID), cred.CredentialID)
	require.Greater(t, after.SignCount, before.SignCount, "the sign count grows with each sign-in")
	require.Equal(t, int64(cred.SignCount), after.SignCount, "the stored sign count is the authenticator's")
	require.NotNil(t, after.LastUsedAt)
	if before.LastUsedAt != nil {
		require.False(t, after.LastUsedAt.Before(*before.LastUsedAt))
	}
	return after
}

// requireWebAuthnSession checks that the user has exactly one session, from
// a passkey.
func requireWebAuthnSession(t *testing.T, p *hostedSite, userID uuid.UUID) {
	t.Helper()
	s := p.sessions(t, userID)
	require.Len(t, s, 1)
	require.Equal(t, flows.AMRWebAuthn, s[0].AMR)
}

// requireSessionCookieHidden checks that the page's scripts cannot read the
// session cookie (it is HttpOnly). Callers check on the account page, which
// shows that the browser does send it.
func requireSessionCookieHidden(t *testing.T, tab *browser.Tab) {
	t.Helper()
	var cookies string
	tab.Eval(t, `document.cookie`, &cookies)
	require.NotContains(t, cookies, "sesame_session")
}

func TestPasskeyOfOneTenantDoesNotSignInToAnother(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	acme := newHostedSite(t, srv, "acme", "Acme")
	bravo := newHostedSite(t, srv, "bravo", "Bravo")
	tab := browser.New(t).NewTab(t)
	phone := &passkeyDevice{}
	phone.plugIn(t, tab)

	acme.signUp(t, tab, adaEmail)
	acme.set(t, func(p *tenants.Passkeys) { p.Autofill = false })
	acme.signOut(t, tab)
	user := acme.user(t, adaEmail)
	before := acme.credentials(t, user.ID)[0]

	// Bravo keeps autofill on: the phone has nothing for bravo.localhost,
	// which is no reason to greet the person with an error.
	mark := len(tab.Requests())
	tab.Navigate(t, bravo.url("/"))
	tab.WaitRequest(t, mark, bravo.url("/api/flows/sign-in"))
	tab.Settle(t)
	require.Equal(t, "", tab.Text(t, "#message"), "an autofill request that finds no passkey says nothing")

	tab.Click(t, "#passkey-button")
	tab.WaitText(t, "#message", textCancelled)
	require.Equal(t, bravo.url("/"), tab.Location(t))
	bravo.requireNoUser(t, adaEmail)
	tab.Navigate(t, bravo.url("/account"))
	tab.WaitVisible(t, "#identifier")
	require.Equal(t, bravo.url("/"), tab.Location(t), "bravo has no session for the person")

	// The same passkey still signs in where it was made.
	tab.Navigate(t, acme.url("/"))
	tab.Click(t, "#passkey-button")
	acme.waitAccount(t, tab)
	requireUsed(t, acme, user.ID, phone, before)
}

func TestIdentifierFirst_UnknownEmailLooksLikeKnownUserWithoutPasskey(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	acme := newHostedSite(t, srv, "acme", "Acme")
	acme.set(t, func(p *tenants.Passkeys) { p.ShowButton = false })
	const known, unknown = "bob@example.com", "nobody@example.com"
	handle := make([]byte, 32)
	_, _ = rand.Read(handle)
	require.NoError(t, acme.scope().Users().Create(t.Context(),
		&db.User{WebAuthnHandle: handle, DisplayName: known},
		&db.Identifier{Kind: db.IdentifierEmail, Value: known}))
	tab := browser.New(t).NewTab(t)

	// What the person sees after submitting each email.
	type screen struct {
		Location, Methods, Message   string
		Verify, MethodsShown, Repeat bool
		Items                        []string
	}
	seen := map[string]screen{}
	for _, address := range []string{unknown, known} {
		tab.Navigate(t, acme.url("/"))
		tab.Type(t, "#identifier", address)
		tab.Click(t, "#continue")
		tab.WaitVisible(t, "#methods")
		seen[address] = screen{
			Location:     tab.Location(t),
			Methods:      tab.Text(t, "#methods-title"),
			Repeat:       tab.Shows(t, "#methods-text"),
			Message:      tab.Text(t, "#message"),
			Verify:       tab.Shows(t, "#verify-passkey"),
			MethodsShown: tab.Shows(t, "#methods"),
			Items:        tab.Texts(t, "#method-list li"),
		}
	}
	require.Equal(t, screen{Location: acme.url("/"), Methods: textChooseHow, MethodsShown: true, Items: []string{"Password", "Email verification code"}}, seen[unknown])
	require.Equal(t, seen[unknown], seen[known], "an unknown email must look like a known one without a passkey")

	// What the server answers, byte for byte once the tokens are set aside:
	// the first identify, and an identify on an existing flow.
	answers := map[string][2]string{}
	for _, address := range []string{unknown, known} {
		start := tabPostFlow(t, tab, "/api/flows/sign-in", "", map[string]any{"action": "identify", "input": map[string]string{"identifier": address}})
		require.Equal(t, 201, start.Status, start.Body)
		token := start.token(t)
		require.NotEmpty(t, token)
		again := tabPostFlow(t, tab, "/api/flows/sign-in/identify", token, map[string]string{"identifier": address})
		require.Equal(t, 200, again.Status, again.Body)
		answers[address] = [2]string{strings.ReplaceAll(start.Body, token, "TOKEN"), again.Body}
	}
	require.Contains(t, answers[unknown][0], `"state":"choose_method"`)
	require.Equal(t, answers[unknown], answers[known])
	acme.requireNoUser(t, unknown)
}

func TestPasskeySignInDisabled_PageOffersNoPasskey(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	acme := newHostedSite(t, srv, "acme", "Acme")
	tab := browser.New(t).NewTab(t)
	phone := &passkeyDevice{}
	phone.plugIn(t, tab)
	acme.signUp(t, tab, adaEmail)
	user := acme.user(t, adaEmail)
	before := acme.credentials(t, user.ID)[0]

	acme.set(t, func(p *tenants.Passkeys) { p.SignIn = false })
	mark := len(tab.Requests())
	acme.signOut(t, tab)
	require.False(t, tab.Has(t, "#passkey-button"))
	var autocomplete string
	tab.Eval(t, `document.getElementById("identifier").getAttribute("autocomplete")`, &autocomplete)
	require.Equal(t, "username", autocomplete)
	tab.Settle(t)
	require.Equal(t, []string(nil), flowAPICalls(tab.Requests()[mark:]), "no autofill request")

	// Identifier first, for a user who has a passkey: none is offered.
	tab.Type(t, "#identifier", adaEmail)
	tab.Click(t, "#continue")
	tab.WaitVisible(t, "#methods")
	requireChooseHow(t, tab)
	require.Equal(t, []string{"Password", "Email verification code"}, tab.Texts(t, "#method-list li"))
	require.False(t, tab.Shows(t, "#verify-passkey"))
	require.Equal(t, acme.url("/"), tab.Location(t))

	var identified struct {
		Flow struct {
			State string `json:"state"`
		} `json:"flow"`
		Result map[string]json.RawMessage `json:"result"`
	}
	res := tabPostFlow(t, tab, "/api/flows/sign-in", "", map[string]any{"action": "identify", "input": map[string]string{"identifier": adaEmail}})
	require.Equal(t, 201, res.Status, res.Body)
	require.NoError(t, json.Unmarshal([]byte(res.Body), &identified))
	require.Equal(t, "choose_method", identified.Flow.State)
	require.NotContains(t, identified.Result, "passkey")
	require.JSONEq(t, `["password","email_code"]`, string(identified.Result["methods"]))

	// Nor does the server start a discoverable ceremony for a button.
	res = tabPostFlow(t, tab, "/api/flows/sign-in", "", map[string]any{"action": "passkey.begin"})
	require.Equal(t, 403, res.Status, res.Body)
	require.Contains(t, res.Body, `"passkey_sign_in_disabled"`)

	require.Empty(t, acme.sessions(t, user.ID))
	after := acme.credentials(t, user.ID)[0]
	require.Equal(t, before.SignCount, after.SignCount)
	require.Nil(t, after.LastUsedAt)
}

func TestSSOUser_CannotSignInWithPasskey(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	acme := newHostedSite(t, srv, "acme", "Acme")
	tab := browser.New(t).NewTab(t)
	phone := &passkeyDevice{}
	phone.plugIn(t, tab)
	acme.signUp(t, tab, adaEmail)
	user := acme.user(t, adaEmail)
	before := acme.credentials(t, user.ID)[0]
	require.NoError(t, acme.scope().Users().SetSSO(t.Context(), user.ID, true))
	acme.set(t, func(p *tenants.Passkeys) { p.Autofill = false })
	acme.signOut(t, tab)

	// Identifier first: the page points to single sign-on.
	tab.Type(t, "#identifier", adaEmail)
	tab.Click(t, "#continue")
	tab.WaitVisible(t, "#methods")
	require.Equal(t, textSSOMethods, tab.Text(t, "#methods-text"))
	require.False(t, tab.Shows(t, "#verify-passkey"))

	// The button, with the user's own passkey: refused, with the reason.
	tab.Navigate(t, acme.url("/"))
	tab.Click(t, "#passkey-button")
	tab.WaitText(t, "#message", textSSORefused)
	require.Equal(t, acme.url("/"), tab.Location(t))

	// Autofill: refused the same way.
	acme.set(t, func(p *tenants.Passkeys) { p.Autofill = true })
	tab.Navigate(t, acme.url("/"))
	tab.WaitText(t, "#message", textSSORefused)
	require.Equal(t, acme.url("/"), tab.Location(t))

	require.Empty(t, acme.sessions(t, user.ID))
	after := acme.credentials(t, user.ID)[0]
	require.Equal(t, before.SignCount, after.SignCount, "a refused sign-in records no use")
	require.Nil(t, after.LastUsedAt)
}

func TestBrowserWithoutWebAuthn_SeesNoPasskeyOptions(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	acme := newHostedSite(t, srv, "acme", "Acme")
	// A user whose passkey lives on another device.
	handle := make([]byte, 32)
	_, _ = rand.Read(handle)
	user := &db.User{WebAuthnHandle: handle, DisplayName: adaEmail}
	require.NoError(t, acme.scope().Users().Create(t.Context(), user, &db.Identifier{Kind: db.IdentifierEmail, Value: adaEmail}))
	credID := make([]byte, 16)
	_, _ = rand.Read(credID)
	require.NoError(t, acme.scope().Credentials().Create(t.Context(), &db.Credential{
		UserID: user.ID, RPID: "acme.localhost", CredentialID: credID, PublicKey: []byte{0xa5}, Algorithm: -7,
		AttestationType: "none", AttestationFormat: "none", Transports: "internal", Attachment: "platform",
		UserPresent: true, UserVerified: true, Name: "Phone",
	}))

	// A browser without WebAuthn: no PublicKeyCredential at all.
	tab := browser.New(t).NewTab(t)
	tab.RunBeforePageScripts(t, "delete window.PublicKeyCredential;")
	tab.Navigate(t, acme.url("/"))
	tab.WaitVisible(t, "#identifier")
	var kind string
	tab.Eval(t, `typeof PublicKeyCredential`, &kind)
	require.Equal(t, "undefined", kind)
	require.False(t, tab.Shows(t, "#passkey-button"))
	require.False(t, tab.Shows(t, ".divider"), `the "or" above the passkey button goes with it`)
	require.True(t, tab.Shows(t, "#continue"))
	tab.Eval(t, `new Promise((resolve) => setTimeout(() => resolve(""), 500))`, &kind)
	require.Equal(t, []string(nil), flowAPICalls(tab.Requests()), "no autofill request")

	// Identifier first for a user with a passkey falls back to the methods.
	tab.Type(t, "#identifier", adaEmail)
	tab.Click(t, "#continue")
	tab.WaitVisible(t, "#methods")
	requireChooseHow(t, tab)
	var items []string
	tab.Eval(t, `Array.from(document.querySelectorAll("#method-list li"), (li) => li.textContent)`, &items)
	require.Equal(t, []string{"Password", "Email verification code"}, items)
	require.False(t, tab.Shows(t, "#verify-passkey"))
	require.Equal(t, "", tab.Text(t, "#message"))

	// Sign-up works without passkeys: the passkey option is simply not
	// offered and nothing alarming shows on load.
	tab.Navigate(t, acme.url("/sign-up"))
	tab.WaitVisible(t, "#identifier")
	tab.Settle(t)
	require.Equal(t, "", tab.Text(t, "#message"))
	require.False(t, tab.Shows(t, "#create-passkey"))
	require.False(t, tab.Shows(t, "#sign-up-form .divider"))
	require.True(t, tab.Shows(t, "#sign-up-continue"))
	var disabled bool
	tab.Eval(t, `document.getElementById("create-passkey").disabled`, &disabled)
	require.True(t, disabled)
}

func TestCancelledPasskeyPrompt_ShowsMessageAndStaysSignedOut(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	acme := newHostedSite(t, srv, "acme", "Acme")
	tab := browser.New(t).NewTab(t)
	phone := &passkeyDevice{}
	phone.plugIn(t, tab)
	acme.signUp(t, tab, adaEmail)
	user := acme.user(t, adaEmail)
	before := acme.credentials(t, user.ID)[0]
	acme.set(t, func(p *tenants.Passkeys) { p.Autofill = false })
	acme.signOut(t, tab)

	// The biometric check fails.
	phone.auth.SetUserVerified(t, false)
	tab.Click(t, "#passkey-button")
	tab.WaitText(t, "#message", textCancelled)
	require.Equal(t, acme.url("/"), tab.Location(t))
	var disabled bool
	tab.Eval(t, `document.getElementById("passkey-button").disabled`, &disabled)
	require.False(t, disabled, "the person can try again")

	// The device holds no passkey any more.
	phone.auth.SetUserVerified(t, true)
	phone.auth.RemoveAll(t)
	tab.Navigate(t, acme.url("/"))
	tab.Click(t, "#passkey-button")
	tab.WaitText(t, "#message", textCancelled)
	require.Equal(t, acme.url("/"), tab.Location(t))

	require.Empty(t, acme.sessions(t, user.ID))
	after := acme.credentials(t, user.ID)[0]
	require.Equal(t, before.SignCount, after.SignCount)
	require.Nil(t, after.LastUsedAt)
}

func TestHostedPages_FitPhoneAndDesktopWidths(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	acme := newHostedSite(t, srv, "acme", "Acme")
	tab := browser.New(t).NewTab(t)
	tab.AddVirtualAuthenticator(t, browser.AuthenticatorOptions{})

	widths := []struct {
		name          string
		width, height int64
		mobile        bool
	}{
		{"phone", 390, 844, true},
		{"desktop", 1280, 800, false},
	}
	// fits is true when nothing sticks out of the viewport sideways.
	const fits = `document.documentElement.scrollWidth <= innerWidth &&
  [...document.querySelectorAll("main *")].every((el) => el.getBoundingClientRect().right <= innerWidth + 0.5)`
	look := func(t *testing.T, path, ready, name string) {
		t.Helper()
		for _, w := range widths {
			tab.SetViewport(t, w.width, w.height, w.mobile)
			tab.Navigate(t, acme.url(path))
			tab.WaitVisible(t, ready)
			var ok bool
			tab.Eval(t, fits, &ok)
			require.True(t, ok, "%s is wider than a %s screen", path, w.name)
			tab.Screenshot(t, browser.ShotPath(t, name+"-"+w.name+".png"))
		}
	}
	look(t, "/", "#identifier", "sign-in")
	look(t, "/sign-up", "#create-passkey", "sign-up")
	before := flowtest.Sent(acme.outbox(), adaEmail)
	// Signing up, proving the address, skipping 2-step verification.
	tab.Type(t, "#identifier", adaEmail)
	tab.Click(t, "#create-passkey")
	tab.WaitVisible(t, "#verify-code")
	tab.Type(t, "#verify-code", flowtest.CodeTo(t, acme.outbox(), adaEmail, before))
	tab.Click(t, "#verify-submit")
	tab.WaitVisible(t, "#two-step-skip")
	tab.Click(t, "#two-step-skip")
	tab.WaitVisible(t, "#user-name")
	look(t, "/account", "#user-name", "account")
}
