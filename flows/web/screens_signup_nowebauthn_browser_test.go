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
