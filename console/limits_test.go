package console_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/console"
)

// A hosted page carries the limits its handler gives it, for the template
// (the code fields' maxlength) and for the scripts (the JSON block
// limits.js reads): no page keeps its own copy.
func TestSignIn_CarriesTheLimitsItIsGiven(t *testing.T) {
	t.Parallel()
	p, err := console.New(slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	limits := console.Limits{CodeMinutes: 7, CodeDigits: 8, ReverifyMinutes: 3, PasskeyNameMax: 50, TOTPSeconds: 20, ResendSeconds: 45}

	rec := httptest.NewRecorder()
	p.SignIn(rec, httptest.NewRequest(http.MethodGet, "/", nil), console.SignInView{TenantName: "Acme", Limits: limits})
	body := rec.Body.String()
	require.Contains(t, body, `<script type="application/json" id="sesame-limits">{"code_minutes":7,"code_digits":8,"reverify_minutes":3,"passkey_name_max":50,"totp_seconds":20,"resend_seconds":45}</script>`)
	require.Contains(t, body, `id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="8"`)
	require.Contains(t, body, `id="totp-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="9"`, "room for one space")

	rec = httptest.NewRecorder()
	p.SignUp(rec, httptest.NewRequest(http.MethodGet, "/", nil), console.SignUpView{TenantName: "Acme", Limits: limits})
	require.Contains(t, rec.Body.String(), `"code_minutes":7`)
	require.Contains(t, rec.Body.String(), `id="verify-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="8"`)

	rec = httptest.NewRecorder()
	p.Account(rec, httptest.NewRequest(http.MethodGet, "/", nil), console.AccountView{TenantName: "Acme", Limits: limits})
	require.Contains(t, rec.Body.String(), `"reverify_minutes":3`)
}
