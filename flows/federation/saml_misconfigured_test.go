package federation_test

import (
	"bytes"
	"crypto/rand"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/flows/federation"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/jobs"
)

// lockedBuffer collects the server's logs across its goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestFederation_SAMLKeySealedElsewhereIsConnectorMisconfigured: a saml
// connector whose SP key was sealed under another key-encryption key (as
// a CLI run with another key does) answers its metadata route and its
// sign-in with 503 connector_misconfigured, which tells the administrator
// to create it again with the server's key, never a 500; the cause is
// logged; nothing is written.
func TestFederation_SAMLKeySealedElsewhereIsConnectorMisconfigured(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			logs := &lockedBuffer{}
			srv := testserver.Start(t, b, testserver.Options{Logger: slog.New(slog.NewTextHandler(logs, nil))})
			idp := newSAMLIdP(t, srv)
			tenant := srv.CreateTenant(t, "acme", "Acme")
			p := &pair{t: t, srv: srv, acme: srv.DB.ForTenant(tenant.ID)}
			acme := srv.URL("acme")
			other := make([]byte, 32)
			_, _ = rand.Read(other)
			c, err := federation.CreateSAML(t.Context(), p.acme, federation.Spec{Name: "Corp SSO", Kind: federation.KindEnterprise, Domains: []string{"corp.example"}, DomainsVerified: true},
				federation.SAMLSpec{MetadataURL: idp.metadataURL(), HTTPClient: jobs.NewBackchannelHTTPClient(true), KeyEncryptionKey: other}, time.Now())
			require.NoError(t, err)
			before := p.counts()

			br := newBrowser(t, srv)
			meta := br.do(http.MethodGet, federation.SAMLMetadataURL(acme, c.ID), nil, nil)
			require.Equal(t, http.StatusServiceUnavailable, meta.status, string(meta.body))
			require.Contains(t, string(meta.body), `"connector_misconfigured"`)
			require.Contains(t, string(meta.body), "create the connection again")

			r := br.do(http.MethodPost, acme+"/api/flows/sign-in", map[string]any{"action": "federation.begin", "input": map[string]any{"connector": c.ID.String()}}, nil)
			require.Equal(t, http.StatusServiceUnavailable, r.status, string(r.body))
			require.Contains(t, string(r.body), `"connector_misconfigured"`)
			require.Equal(t, before, p.counts())

			require.Contains(t, logs.String(), "does not open with this key-encryption key")
			require.Contains(t, logs.String(), c.ID.String())
		})
	}
}
