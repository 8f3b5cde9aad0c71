package web_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/tenants"
)

// J12 on the sign-up page: a browser without WebAuthn is offered no
// passkey, so "Create a passkey?" never shows; the password account is
// made and opens the account center without one.
func TestSignUpScreens_WithoutWebAuthnThePasskeyPromptIsSkipped(t *testing.T) {
	t.Parallel()
	acme := newCodeSite(t, "acme", "Acme", func(s *tenants.Settings) {
		s.SignUp.Password = true
		s.SignUp.PasskeyPrompt = true
		s.Passkeys.Autofill = false
	})
	const email = "nowebauthn@example.com"
	tab := browser.New(t).NewTab(t)
	// Remembers, across the tab's pages, whether the prompt ever showed.
	tab.RunBeforePageScripts(t, `delete window.PublicKeyCredential;
document.addEventListener("DOMContentLoaded", () => {
  const p = document.getElementById("passkey-prompt");
  if (!p) return;
  const seen = () => { if (!p.hidden) sessionStorage.setItem("promptShown", "1"); };
  new MutationObserver(seen).observe(p, { attributes: true });
});`)

	tab.Navigate(t, acme.url("/sign-up"))
	onScreen(t, tab, "sign-up-form", "sign-up-continue", false)
	tab.Type(t, "#identifier", email)
	before := flowtest.Sent(acme.outbox, email)
	tab.Click(t, "#sign-up-continue")
	onScreen(t, tab, "verify-form", "verify-submit", true)
	tab.Type(t, "#verify-code", flowtest.CodeTo(t, acme.outbox, email, before))
	tab.Click(t, "#verify-submit")
	onScreen(t, tab, "password-form", "password-submit", true)
	tab.Type(t, "#new-password", "correct horse battery staple")
	tab.Click(t, "#password-submit")

	acme.waitAccount(t, tab)
	var shown string
	tab.Eval(t, `sessionStorage.getItem("promptShown") || ""`, &shown)
	require.Empty(t, shown, "Create a passkey? never showed")
	require.Empty(t, acme.credentials(t, acme.user(t, email).ID))
	require.Empty(t, tab.ConsoleErrors())
}

// Where the site needs a passkey to finish (2-step verification required,
// a passkey its only way), the server refuses to go past "Create a
// passkey?": in a browser without WebAuthn the screen stays, its button
// disabled, saying why.
func TestSignUpScreens_WithoutWebAuthnAPasskeyTheSiteNeedsIsExplained(t *testing.T) {
	t.Parallel()
	acme := newCodeSite(t, "acme", "Acme", func(s *tenants.Settings) {
		s.SignUp.Password = true
		s.Passkeys.Autofill = false
		s.MFA.Policy = tenants.MFAMandatory
		s.MFA.Factors = []string{tenants.FactorWebAuthn}
	})
	const email = "stuck@example.com"
	tab := browser.New(t).NewTab(t)
	tab.RunBeforePageScripts(t, "delete window.PublicKeyCredential;")

	tab.Navigate(t, acme.url("/sign-up"))
	tab.WaitVisible(t, "#identifier")
	tab.Type(t, "#identifier", email)
	before := flowtest.Sent(acme.outbox, email)
	tab.Click(t, "#sign-up-continue")
	tab.WaitVisible(t, "#verify-code")
	tab.Type(t, "#verify-code", flowtest.CodeTo(t, acme.outbox, email, before))
	tab.Click(t, "#verify-submit")
	tab.WaitVisible(t, "#new-password")
	tab.Type(t, "#new-password", "correct horse battery staple")
	tab.Click(t, "#password-submit")

	tab.WaitText(t, "#message", "This site requires 2-step verification, and a passkey is the way to set it up here. Create a passkey to finish.")
	require.True(t, tab.Shows(t, "#passkey-prompt"))
	require.Equal(t, 1, countShown(t, tab, ".screen"))
	var disabled bool
	tab.Eval(t, `document.getElementById("prompt-create").disabled`, &disabled)
	require.True(t, disabled, "this browser cannot create one")
	require.Empty(t, acme.sessions(t, acme.user(t, email).ID), "no account session without the factor")
}
