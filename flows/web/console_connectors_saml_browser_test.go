package web_test

import (
	"context"
	"encoding/xml"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/crewjam/saml"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/console"
	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/samlsp"
)

// TestConsole_SAMLConnectorFromPastedMetadataInSpanishAndChinese: on the
// connectors page in Spanish and in Chinese (no English sentence of the
// page left), an administrator pastes the metadata of crewjam/saml's IdP
// and is shown the ACS and SP metadata URLs the server answers on.
func TestConsole_SAMLConnectorFromPastedMetadataInSpanishAndChinese(t *testing.T) {
	t.Parallel()
	catalog, err := console.LoadCatalog()
	require.NoError(t, err)
	pair, err := samlsp.GenerateKeyPair("idp", time.Now())
	require.NoError(t, err)
	key, cert, err := pair.Parse()
	require.NoError(t, err)
	meta, _ := url.Parse("https://idp.corp.example/metadata")
	sso, _ := url.Parse("https://idp.corp.example/sso")
	raw, err := xml.Marshal((&saml.IdentityProvider{Key: key, Signer: key, Certificate: cert, MetadataURL: *meta, SSOURL: *sso}).Metadata())
	require.NoError(t, err)
	for _, lang := range []string{"es", "zh-CN"} {
		t.Run(lang, func(t *testing.T) {
			en, loc := catalog.Locale("en", "console"), catalog.Locale(lang, "console")
			c := newConsoleSite(t, "shop")
			tab := browser.New(t).NewTab(t)
			tab.AddVirtualAuthenticator(t, browser.AuthenticatorOptions{})
			tab.SetAcceptLanguage(t, lang+";q=1, en;q=0.5")
			c.setUp(t, tab)

			tab.Navigate(t, c.url("/console/tenants/shop/connectors"))
			tab.WaitVisible(t, "#connectors-empty")
			require.Equal(t, loc.T("connectors.console.title"), tab.Text(t, "#console h2"))
			tab.Type(t, "#connector-name", "Corp SAML")
			tab.SetValue(t, "#connector-type", "SAML")
			tab.Eval(t, `document.getElementById("connector-type").dispatchEvent(new Event("change"))`, nil)
			tab.WaitVisible(t, "#connector-metadata-xml")
			tab.SetValue(t, "#connector-metadata-xml", string(raw))
			tab.Click(t, "#create-connector")
			tab.WaitVisible(t, "#connectors .connector-acs-url")

			var texts []string
			tab.Eval(t, consoleTextsScript, &texts)
			page := strings.Join(texts, "\n")
			for _, k := range catalog.Keys("en") {
				if strings.HasPrefix(k, "connectors.") && en.T(k) != loc.T(k) && !strings.Contains(en.T(k), "{") {
					require.NotContains(t, texts, en.T(k), "the page shows the English of %s", k)
				}
			}
			require.Contains(t, page, loc.T("connectors.console.acs_url"))

			shop := c.tenant(t, "shop")
			conns, err := c.srv.DB.ForTenant(shop.ID).Connectors().List(context.Background())
			require.NoError(t, err)
			require.Len(t, conns, 1)
			require.Equal(t, "saml", conns[0].Type)
			base := c.srv.URL("shop") + "/federation/" + conns[0].ID.String()
			require.Equal(t, base+"/saml/acs", tab.Text(t, "#connectors .connector-acs-url"))
			require.Equal(t, base+"/saml/metadata", tab.Text(t, "#connectors .connector-metadata-url"))
			require.Empty(t, tab.ConsoleErrors())
		})
	}
}
