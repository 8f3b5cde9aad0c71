package web_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/tenants"
)

func TestRecoveryAPI_TheAdminHostHasNoRecoveryPageOrLink(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	srv.CreateTenant(t, "acme", "Acme")
	acme := newAPIClient(t, srv, "acme")
	admin := newAPIClient(t, srv, tenants.AdminSlug)
	require.Contains(t, string(acme.do(http.MethodGet, "/", nil, nil).body), `id="recover-link"`)
	require.Equal(t, http.StatusOK, acme.do(http.MethodGet, "/recover", nil, nil).status)
	require.NotContains(t, string(admin.do(http.MethodGet, "/", nil, nil).body), `id="recover-link"`)
	require.Equal(t, http.StatusNotFound, admin.do(http.MethodGet, "/recover", nil, nil).status)
	r := admin.post("/api/flows/recovery", map[string]any{"action": "identify", "input": map[string]any{"identifier": "root@example.com"}}, nil)
	require.Equal(t, http.StatusNotFound, r.status, string(r.body))
}

func TestRecoveryAPI_CaptchaGuardsTheCodesNeverThePasskey(t *testing.T) {
	t.Parallel()
	s := newCaptchaSite(t, tenants.CaptchaTurnstile)
	c := newAPIClient(t, s.srv, "acme")
	body := string(c.do(http.MethodGet, "/recover", nil, nil).body)
	require.Contains(t, body, `data-actions="code.send code.verify backup_code"`)
	r := c.post("/api/flows/recovery", map[string]any{"action": "identify", "input": map[string]any{"identifier": "ann@example.com"}}, nil)
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	token := apiFlowToken(t, r)
	r = c.post("/api/flows/recovery/code.send", map[string]any{}, withCaptcha(token, ""))
	require.Equal(t, "captcha_required", r.errorCode(t))
	r = c.post("/api/flows/recovery/backup_code", map[string]any{"code": "abcd"}, withCaptcha(token, ""))
	require.Equal(t, "captcha_required", r.errorCode(t))
	// A passkey step is never asked for a CAPTCHA: refused here for the
	// flow's state, not for a token.
	r = c.post("/api/flows/recovery/passkey.begin", map[string]any{}, withCaptcha(token, ""))
	require.Equal(t, "action_not_allowed", r.errorCode(t))
}
