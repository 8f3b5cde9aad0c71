package web_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
)

func TestExplore(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	srv.CreateTenant(t, "acme", "Acme")
	tab := browser.New(t).NewTab(t)
	auth := tab.AddVirtualAuthenticator(t, browser.AuthenticatorOptions{})
	tab.Navigate(t, srv.URL("acme")+"/sign-up")
	var w any
	tab.Eval(t, `[window.innerWidth, window.innerHeight, navigator.userAgent]`, &w)
	t.Log(w)
	tab.SetValue(t, "#identifier", "ada@example.com")
	tab.Click(t, "#create-passkey")
	tab.WaitVisible(t, "li.passkey")
	t.Log(tab.Location(t), tab.Text(t, "main"))
	tab.Screenshot(t, "/tmp/explore/account.png")
	tab.Click(t, "#sign-out")
	tab.WaitVisible(t, "#identifier")
	start := time.Now()
	for time.Since(start) < 3*time.Second {
		time.Sleep(200 * time.Millisecond)
	}
	t.Log(tab.Location(t))
	var cm any
	tab.Eval(t, `PublicKeyCredential.isConditionalMediationAvailable()`, &cm)
	t.Log("conditional", cm)
	tab.Click(t, "#identifier")
	time.Sleep(2 * time.Second)
	t.Log(tab.Location(t), tab.Text(t, "main"))
	t.Log(tab.ConsoleErrors())
	t.Log(tab.Requests())
	t.Log(len(auth.Credentials(t)))
	require.True(t, true)
}
