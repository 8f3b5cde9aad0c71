package web_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/console"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/flows/totp"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
)

var limitsBlock = regexp.MustCompile(`<script type="application/json" id="sesame-limits">([^<]*)</script>`)

// The hosted pages read the numbers they show or check (how long a code
// works, its digits, the re-verification window, a passkey name's length)
// from the flows, so a change on the server reaches every page.
func TestSignInSignUpAccount_PagesCarryTheFlowsLimits(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testdb.SQLite, testserver.Options{})
	srv.CreateTenant(t, "acme", "Acme")
	c := newAPIClient(t, srv, "acme")
	want := console.Limits{
		CodeMinutes:     int(flows.CodeTTL / time.Minute),
		CodeDigits:      totp.Digits,
		ReverifyMinutes: int(flows.RecentVerification / time.Minute),
		PasskeyNameMax:  passkey.NameMaxLen,
		TOTPSeconds:     totp.Period,
		ResendSeconds:   int(flows.CodeResendWait / time.Second),
	}
	for _, path := range []string{"/", "/sign-up"} {
		r := c.do(http.MethodGet, path, nil, nil)
		require.Equal(t, http.StatusOK, r.status)
		m := limitsBlock.FindSubmatch(r.body)
		require.NotNil(t, m, "%s carries the limits", path)
		var got console.Limits
		require.NoError(t, json.Unmarshal(m[1], &got))
		require.Equal(t, want, got, path)
	}
}
