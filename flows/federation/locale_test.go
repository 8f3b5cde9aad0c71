package federation_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/federation"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
)

// An account a social sign-in makes keeps the language the browser asked
// for on the way back, as a sign-up on the page does.
func TestFederation_AnAccountMadeBySocialSignInKeepsTheBrowsersLanguage(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, b, testserver.Options{})
			p := newPair(t, srv, federation.KindSocial)
			p.upstreamUser("ana@example.com")
			br := newBrowser(t, srv)
			_, authorize := br.begin(srv.URL("acme"), p.connector.ID, nil)
			r := br.do(http.MethodGet, br.upstreamSignIn(authorize, "ana@example.com").String(), nil, map[string]string{"Accept-Language": "es-MX,es;q=0.9"})
			require.Equal(t, http.StatusSeeOther, r.status, string(r.body))
			ana, err := p.acme.Users().ByIdentifier(t.Context(), db.IdentifierEmail, "ana@example.com")
			require.NoError(t, err)
			require.Equal(t, "es", ana.Locale)
		})
	}
}
