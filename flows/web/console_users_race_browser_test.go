package web_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/browser"
	"github.com/sesame-id/sesame/internal/testserver"
)

// slowFirstUsersList delays the answer to the users page's first list (the
// query without a search) by a second, so that a search sent meanwhile is
// answered first.
const slowFirstUsersList = `(() => {
  const fetch0 = window.fetch;
  let delayed = false;
  window.fetch = async (input, init) => {
    const res = await fetch0(input, init);
    const body = init && typeof init.body === "string" ? init.body : "";
    if (!delayed && body.includes("users(first") && body.includes('"search":null')) {
      delayed = true;
      await new Promise((r) => setTimeout(r, 1000));
    }
    return res;
  };
})();`

// The users page draws only the newest list: a search sent while the
// first list is still on its way is not overwritten when that first list
// arrives late.
func TestConsole_UserSearchIsNotOverwrittenByALateFirstList(t *testing.T) {
	t.Parallel()
	c := newConsoleSiteWith(t, testserver.Options{}, "shop")
	tn, err := c.srv.Tenants.BySlug(t.Context(), "shop")
	require.NoError(t, err)
	shop := &hostedSite{srv: c.srv, tenant: tn, origin: c.srv.URL("shop")}
	shop.newEmailUser(t, "grace@example.com", "")
	shop.newEmailUser(t, "heidi@example.com", "")
	tab := browser.New(t).NewTab(t)
	tab.AddVirtualAuthenticator(t, browser.AuthenticatorOptions{})
	c.setUp(t, tab)

	tab.RunBeforePageScripts(t, slowFirstUsersList)
	tab.Navigate(t, c.url("/console/tenants/shop/users"))
	tab.WaitVisible(t, "#user-search")
	tab.Type(t, "#user-search", "grace")
	tab.Click(t, "#user-search-button")
	tab.WaitVisible(t, `#user-results[aria-busy="false"][data-query="grace"] #users li a`)
	tab.Eval(t, `new Promise((r) => setTimeout(r, 1500))`, nil)
	require.Equal(t, []string{"grace@example.com"}, tab.Texts(t, "#users .item-title"), "the late first list did not replace the search's answer")
	var query string
	tab.Eval(t, `document.getElementById("user-results").dataset.query`, &query)
	require.Equal(t, "grace", query)
}
