package provider_test

import (
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/sesame-id/sesame/flows/apps"
	chromium "github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

// TestConsentBrowser_SpanishConsentPageAllowsAndTheAccountCenterRemovesAccess
// drives Chromium: a third-party application's request in Spanish
// (ui_locales=es) leads through sign-up with a passkey to the consent page
// in Spanish; "Permitir" returns to the application with a code. The
// account center then lists the application under connected apps, and
// removing its access empties the list.
func TestConsentBrowser_SpanishConsentPageAllowsAndTheAccountCenterRemovesAccess(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	srv.CreateTenant(t, "acme", "Acme")
	srv.SetPasskeys(t, "acme", func(p *tenants.Passkeys) { p.Autofill = false })
	redirect, codes := appServer(t)
	tn, err := srv.Tenants.BySlug(t.Context(), "acme")
	require.NoError(t, err)
	c, err := apps.Create(t.Context(), srv.DB.ForTenant(tn.ID), apps.Spec{Name: "Photo Printer", Type: apps.TypeWeb, RedirectURIs: []string{redirect}}, time.Now())
	require.NoError(t, err)
	ctx := rpContext(t, srv)
	op, err := gooidc.NewProvider(ctx, srv.URL("acme"))
	require.NoError(t, err)
	conf := oauth2.Config{ClientID: c.App.ClientID, ClientSecret: c.Secret, Endpoint: op.Endpoint(), RedirectURL: redirect, Scopes: []string{"openid", "email"}}

	tab := chromium.New(t).NewTab(t)
	tab.AddVirtualAuthenticator(t, chromium.AuthenticatorOptions{})
	verifier := oauth2.GenerateVerifier()
	tab.Navigate(t, conf.AuthCodeURL("s1", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("ui_locales", "es")))
	tab.WaitVisible(t, "#identifier")
	tab.Click(t, "#sign-up-link")
	tab.WaitVisible(t, "#identifier")
	tab.Type(t, "#identifier", "ana@example.com")
	tab.Click(t, "#create-passkey")
	tab.WaitVisible(t, "#verify-code")
	var code string
	require.Eventually(t, func() bool {
		for _, m := range srv.Outbox.Messages() {
			if found := sixDigits.FindStringSubmatch(m.Body); m.To == "ana@example.com" && found != nil {
				code = found[1]
				return true
			}
		}
		return false
	}, 15*time.Second, 20*time.Millisecond)
	tab.Type(t, "#verify-code", code)
	tab.Click(t, "#verify-submit")
	tab.WaitVisible(t, "#two-step-skip")
	tab.Click(t, "#two-step-skip")

	tab.WaitVisible(t, "#consent-allow")
	var lang string
	tab.Eval(t, `document.documentElement.lang`, &lang)
	require.Equal(t, "es", lang)
	require.Equal(t, "¿Permites que Photo Printer use tu cuenta?", tab.Text(t, "#consent-title"))
	require.Equal(t, []string{"Iniciar tu sesión con tu cuenta", "Ver tu dirección de correo electrónico"}, tab.Texts(t, "#consent-scopes li"))
	require.Equal(t, "Permitir", tab.Text(t, "#consent-allow"))
	require.Equal(t, "Cancelar", tab.Text(t, "#consent-cancel"))
	select {
	case <-codes:
		t.Fatal("a code reached the application before consent")
	default:
	}
	tab.Click(t, "#consent-allow")
	tab.WaitVisible(t, "#back")
	select {
	case code = <-codes:
	case <-time.After(10 * time.Second):
		t.Fatal("no code reached the application")
	}
	_, err = conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	require.NoError(t, err)

	tab.Navigate(t, srv.URL("acme")+"/account?lang=es")
	tab.WaitVisible(t, "#app-list .app-revoke")
	require.Equal(t, []string{"Photo Printer"}, tab.Texts(t, "#app-list .app-name"))
	tab.Click(t, "#app-list .app-revoke")
	tab.WaitVisible(t, "#apps-none")
	require.Empty(t, tab.ConsoleErrors())
}
