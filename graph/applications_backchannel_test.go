package graph_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/testdb"
)

func TestApplications_BackchannelLogoutURIIsSetCheckedAndRemoved(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t, testdb.SQLite, false)
	p := e.acme
	const q = `id backchannelLogoutUri backchannelLogoutSessionRequired`
	in := map[string]any{"name": "Shop", "type": "WEB", "redirectUris": []string{"https://shop.example.com/cb"}}

	d := e.ok(t, p, admin, `mutation($in: CreateApplicationInput!) { createApplication(input: $in) { application { `+q+` } } }`, map[string]any{"in": in})
	require.Nil(t, path(d, "createApplication", "application", "backchannelLogoutUri"), "none by default")
	require.Equal(t, false, path(d, "createApplication", "application", "backchannelLogoutSessionRequired"))

	for uri, field := range map[string]string{"http://shop.example.com/bc": "backchannelLogoutUri", "": "backchannelLogoutSessionRequired"} {
		bad := map[string]any{"name": "Shop", "type": "WEB", "redirectUris": []string{"https://shop.example.com/cb"},
			"backchannelLogoutUri": uri, "backchannelLogoutSessionRequired": true}
		a := e.post(t, p.host, admin, p, createApplication, map[string]any{"in": bad})
		require.Equal(t, "invalid_input", a.code(), "%+v", a.errors)
		require.Equal(t, field, a.errors[0].Extensions["field"])
	}

	in["backchannelLogoutUri"], in["backchannelLogoutSessionRequired"] = "https://shop.example.com/bc", true
	d = e.ok(t, p, admin, `mutation($in: CreateApplicationInput!) { createApplication(input: $in) { application { `+q+` } } }`, map[string]any{"in": in})
	app := path(d, "createApplication", "application")
	require.Equal(t, "https://shop.example.com/bc", path(app, "backchannelLogoutUri"))
	require.Equal(t, true, path(app, "backchannelLogoutSessionRequired"))

	d = e.ok(t, p, admin, `mutation($id: ID!) { updateApplication(id: $id, input: {backchannelLogoutUri: "", backchannelLogoutSessionRequired: false}) { `+q+` } }`,
		map[string]any{"id": path(app, "id")})
	require.Nil(t, path(d, "updateApplication", "backchannelLogoutUri"), "an empty string removes it")
	require.Equal(t, false, path(d, "updateApplication", "backchannelLogoutSessionRequired"))
}
