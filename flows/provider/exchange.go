package provider

import (
	"bytes"
	"context"
	"fmt"
	"net/http"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/tenants"
)

// exchange serves a code exchange (grant_type=authorization_code) in one
// transaction: the code is used up, the tokens stored and the user read
// together (DESIGN.md §9), and the client gets its tokens only once they
// are committed. The transaction commits whatever the library answers: a
// code presented with a wrong verifier or secret stays used, and a reused
// code's revocation stands, as without the transaction. It commits as
// soon as the last statement has run (commitExchange, from
// SetUserinfoFromRequest), before the ID token is signed, so that no
// connection (on SQLite, the only one) waits on a signature.
//
// The tenant's signing keys are loaded (and made, on first need) before
// the transaction begins, so that nothing in it reads outside it.
func (p *Provider) exchange(w http.ResponseWriter, r *http.Request) {
	t, ok := tenants.FromContext(r.Context())
	if !ok {
		p.serveOP(w, r, &reqState{})
		return
	}
	keys, err := p.Keys.ready(r.Context(), t.ID)
	if err != nil {
		p.tokenError(w, r, err)
		return
	}
	tx, err := p.DB.Begin(r.Context())
	if err != nil {
		p.tokenError(w, r, err)
		return
	}
	st := &reqState{tx: tx, keys: keys}
	defer func() {
		if st.tx != nil { // a panic in the library
			_ = st.tx.Rollback()
		}
	}()
	buf := &bufferedResponse{header: http.Header{}}
	p.serveOP(buf, r, st)
	if err := st.commitExchange(); err != nil {
		p.tokenError(w, r, err)
		return
	}
	buf.flush(w)
}

// commitExchange commits the code exchange's transaction, if the request
// has one still open; later statements of the request run outside it.
func (st *reqState) commitExchange() error {
	if st.tx == nil {
		return nil
	}
	tx := st.tx
	st.tx = nil
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit code exchange: %w", err)
	}
	return nil
}

// tokenError answers a token request that failed on Sesame's side.
func (p *Provider) tokenError(w http.ResponseWriter, r *http.Request, err error) {
	p.Logger.ErrorContext(r.Context(), "code exchange failed", "err", err)
	op.RequestError(w, r, oidc.ErrServerError(), p.Logger)
}

// isCodeExchange reports whether r asks the token endpoint for a code
// exchange. It reads the form, as the library would.
func isCodeExchange(r *http.Request) bool {
	return r.Method == http.MethodPost && r.ParseForm() == nil && r.PostForm.Get("grant_type") == string(oidc.GrantTypeCode)
}

// bufferedResponse holds a response until the transaction it reports on
// has committed.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

func (b *bufferedResponse) flush(w http.ResponseWriter) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	if b.status == 0 {
		b.status = http.StatusOK
	}
	w.WriteHeader(b.status)
	_, _ = w.Write(b.body.Bytes())
}

// ready returns the tenant's current keys, making them on first need,
// for a request that must not read them later (exchange).
func (kr *KeyRing) ready(ctx context.Context, tenant uuid.UUID) (*tenantKeys, error) {
	for _, alg := range algorithms {
		if _, err := kr.Signing(ctx, tenant, alg); err != nil {
			return nil, err
		}
	}
	return kr.load(ctx, tenant, false)
}

// currentKey is the current key of alg, nil when tk is.
func (tk *tenantKeys) currentKey(alg jose.SignatureAlgorithm) *signingKey {
	if tk == nil {
		return nil
	}
	return tk.current[alg]
}
