package web_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/flows/federation"
	"github.com/sesame-id/sesame/internal/browser"
	fakedns "github.com/sesame-id/sesame/internal/fake/dns"
	"github.com/sesame-id/sesame/internal/testserver"
)

// TestConsole_ConnectorPresetClaimsAndDomainCheckedByDNS: an administrator
// adds an enterprise connector with a preset, scopes, a response mode
// (the preset's by default: form_post for Apple), a claim mapping and the
// upstream amr trusted, all stored as given; its domain is pending,
// the page shows the TXT record to publish, "Check now" is refused while
// the record is missing and verifies the domain once the record is
// published, after which the domain routes to the connector.
func TestConsole_ConnectorPresetClaimsAndDomainCheckedByDNS(t *testing.T) {
	t.Parallel()
	dns := fakedns.Start(t)
	c := newConsoleSiteWith(t, testserver.Options{DNSServer: dns.Addr}, "shop")
	tab := browser.New(t).NewTab(t)
	tab.AddVirtualAuthenticator(t, browser.AuthenticatorOptions{})
	c.setUp(t, tab)

	tab.Navigate(t, c.url("/console/tenants/shop/connectors"))
	tab.WaitVisible(t, "#connectors-empty")
	mode := func() string {
		var v string
		tab.Eval(t, `document.querySelector("#connector-response-mode").value`, &v)
		return v
	}
	choose := func(preset string) bool {
		var checked bool
		tab.Eval(t, `(() => { const s = document.querySelector("#connector-preset"); s.value = "`+preset+`";
			s.dispatchEvent(new Event("change")); return document.querySelector("#connector-trust-email").checked; })()`, &checked)
		return checked
	}
	require.True(t, choose("google"), "the google preset trusts verified addresses by default")
	require.Equal(t, "query", mode())
	require.True(t, choose("apple"))
	require.Equal(t, "form_post", mode(), "Apple posts its answer")
	require.False(t, choose("microsoft"), "Entra ID's email is never trusted by default")
	require.Equal(t, "query", mode())
	tab.SetValue(t, "#connector-response-mode", "form_post")
	tab.Type(t, "#connector-name", "Corp SSO")
	tab.SetValue(t, "#connector-kind", "ENTERPRISE")
	tab.Type(t, "#connector-issuer", "https://login.microsoftonline.com/dir-1/v2.0")
	tab.Type(t, "#connector-client-id", "sesame")
	tab.Type(t, "#connector-client-secret", "s3cret-value")
	tab.Type(t, "#connector-scopes", "openid email profile offline_access")
	tab.Type(t, "#connector-claim-subject", "oid")
	tab.Type(t, "#connector-claim-email", "upn")
	tab.Click(t, "#connector-trust-amr")
	tab.Type(t, "#connector-domains", "corp.example")
	tab.Click(t, "#create-connector")
	tab.WaitVisible(t, "#connectors .connector-domain.pending")

	shop := c.tenant(t, "shop")
	scope := c.srv.DB.ForTenant(shop.ID)
	list, err := federation.List(context.Background(), scope)
	require.NoError(t, err)
	require.Len(t, list, 1)
	s := list[0].Settings
	require.Equal(t, "microsoft", s.Preset)
	require.Equal(t, []string{"openid", "email", "profile", "offline_access"}, s.Scopes)
	require.Equal(t, federation.Claims{Subject: "oid", Email: "upn"}, s.Claims)
	require.True(t, s.TrustUpstreamAMR)
	require.False(t, s.TrustEmailVerified)
	require.Equal(t, federation.ResponseModeFormPost, s.ResponseMode)
	raw, _ := json.Marshal(s)
	require.NotContains(t, string(raw), "s3cret-value")

	states, err := federation.DomainStates(context.Background(), scope, list, time.Now())
	require.NoError(t, err)
	st := states[list[0].ID][0]
	require.Equal(t, st.RecordName(), tab.Text(t, "#connectors .domain-record-name"))
	require.Equal(t, st.RecordValue(), tab.Text(t, "#connectors .domain-record-value"))

	tab.Click(t, "#connectors .domain-check")
	tab.WaitText(t, "#connector-problem", "Sesame found no TXT record for this domain at the name shown. Publish the record with your DNS provider, wait for it to appear, then check again.")
	routed, err := federation.ForEmail(context.Background(), scope, "ana@corp.example")
	require.NoError(t, err)
	require.Nil(t, routed, "a pending domain routes nobody")

	dns.SetTXT(st.RecordName(), st.RecordValue())
	tab.Click(t, "#connectors .domain-check")
	tab.WaitVisible(t, "#connectors .connector-domain.verified")
	require.Equal(t, "corp.example is verified: its users now sign in through Corp SSO.", tab.Text(t, "#connector-status"))
	routed, err = federation.ForEmail(context.Background(), scope, "ana@corp.example")
	require.NoError(t, err)
	require.Equal(t, list[0].ID, routed.ID)
}
