package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/internal/webhook"
)

func TestConsole_WebhookIsAddedItsSecretShownOnceATestEventDeliveredAndRotated(t *testing.T) {
	t.Parallel()
	var (
		mu     sync.Mutex
		bodies []string
		sigs   []string
	)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		bodies, sigs = append(bodies, string(b)), append(sigs, r.Header.Get(webhook.SignatureHeader))
	}))
	t.Cleanup(recv.Close)
	c := newConsoleSiteWith(t, testserver.Options{WebhookBackoff: 20 * time.Millisecond}, "shop")
	tab := browser.New(t).NewTab(t)
	tab.AddVirtualAuthenticator(t, browser.AuthenticatorOptions{})
	c.setUp(t, tab)

	tab.Navigate(t, c.url("/console/tenants/shop/webhooks"))
	tab.WaitVisible(t, "#webhooks-empty")
	tab.Click(t, "#create-webhook")
	tab.WaitVisible(t, "#webhook-url[aria-invalid=true]")
	tab.Type(t, "#webhook-url", recv.URL+"/hook")
	tab.Click(t, "#create-webhook")
	tab.WaitVisible(t, "#new-webhook-secret-value")
	secret := tab.Text(t, "#new-webhook-secret-value")
	require.Regexp(t, `^whsec_`, secret)
	require.Equal(t, []string{recv.URL + "/hook"}, tab.Texts(t, "#webhooks .webhook-url"))
	shop := c.tenant(t, "shop")
	eps, err := c.srv.DB.ForTenant(shop.ID).Webhooks().Endpoints(context.Background())
	require.NoError(t, err)
	require.Len(t, eps, 1)
	require.Equal(t, secret, eps[0].Secret)

	tab.Click(t, "#webhooks .webhook-test")
	tab.WaitVisible(t, ".webhook-delivery")
	require.False(t, tab.Has(t, "#new-webhook-secret"), "the secret is shown once")
	deadline := time.Now().Add(browser.DefaultTimeout)
	for time.Now().Before(deadline) {
		tab.Navigate(t, c.url("/console/tenants/shop/webhooks"))
		tab.WaitVisible(t, ".webhook-delivery")
		if tab.Attr(t, ".webhook-delivery", "data-status") == "SUCCEEDED" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	require.Equal(t, "SUCCEEDED", tab.Attr(t, ".webhook-delivery", "data-status"))
	mu.Lock()
	require.Len(t, bodies, 1)
	require.Contains(t, bodies[0], `"type":"webhook.test"`)
	require.NoError(t, webhook.Verify(secret, sigs[0], []byte(bodies[0]), time.Now()))
	mu.Unlock()

	tab.Click(t, "#webhooks .webhook-rotate")
	tab.Click(t, ".confirm button.danger")
	tab.WaitVisible(t, "#new-webhook-secret-value")
	rotated := tab.Text(t, "#new-webhook-secret-value")
	require.NotEqual(t, secret, rotated)
	tab.Screenshot(t, browser.ShotPath(t, "webhooks.png"))

	tab.Click(t, "#webhooks .webhook-delete")
	tab.Click(t, ".confirm button.danger")
	tab.WaitVisible(t, "#webhooks-empty")
	require.Empty(t, tab.ConsoleErrors())
}
