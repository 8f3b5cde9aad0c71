package samlsp_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
)

func TestSP_SignsInThroughARealIdPOnceAndRefusesTheReplay(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		sp := h.addSP("/main", h.spSrv.URL+"/main/metadata")

		meta, err := sp.Metadata()
		require.NoError(t, err)
		require.Contains(t, string(meta), `entityID="`+h.spSrv.URL+`/main/metadata"`)
		require.Contains(t, string(meta), `Location="`+h.spSrv.URL+`/main/acs"`)
		require.Contains(t, string(meta), "X509Certificate", "the signing certificate is published")

		f := h.signIn(sp, "flow-1", nil)
		require.Equal(t, h.spSrv.URL+"/main/acs", f.Action, "the IdP posts to our ACS")
		got := h.post(f, "")
		require.Equal(t, http.StatusOK, got.Status, "%s", got)
		a := got.Assertion
		require.Equal(t, "alice@corp.example", a.Email)
		require.False(t, a.EmailVerified, "SAML has no verified flag; the connector decides")
		require.Equal(t, "alice-7f3a", a.Subject)
		require.Equal(t, "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent", a.SubjectFormat)
		require.Equal(t, "Alice Liddell", a.Name)
		require.Equal(t, "index-1", a.SessionIndex)
		require.NotEmpty(t, a.AuthnContext)
		require.Equal(t, []string{"alice@corp.example"}, a.Attributes["mail"])
		require.Equal(t, []string{"alice@corp.example"}, a.Attributes["urn:oid:0.9.2342.19200300.100.1.3"])
		require.True(t, encrypted(t, f), "the IdP encrypted the assertion to the SP metadata's key")
		require.Equal(t, sp.IdPEntityID(), a.Issuer)

		again := h.post(f, "")
		require.Equal(t, http.StatusUnauthorized, again.Status)
		require.Equal(t, "saml_assertion_replayed", again.Code)
		fresh, err := h.store.Remember(context.Background(), a.ID, time.Now().Add(time.Hour))
		require.NoError(t, err)
		require.False(t, fresh, "the accepted assertion stays remembered")

		second := h.post(h.signIn(sp, "flow-2", nil), "")
		require.Equal(t, http.StatusOK, second.Status, "a new sign-in is a new assertion: %s", second)
	})
}

func TestSP_RefusesEachBrokenAnswerAndRemembersNothing(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		h.plain = true
		sp := h.addSP("/main", h.spSrv.URL+"/main/metadata")
		refused := func(t *testing.T, f form, action, code string) {
			t.Helper()
			got := h.post(f, action)
			require.Equal(t, http.StatusUnauthorized, got.Status, "%s", got)
			require.Equal(t, code, got.Code)
			h.requireNotRemembered(f)
		}

		t.Run("control: an untouched answer is accepted", func(t *testing.T) {
			f := h.signIn(sp, "control", nil)
			require.False(t, encrypted(t, f), "the IdP leaves this SP's assertions in the clear")
			got := h.post(f, "")
			require.Equal(t, http.StatusOK, got.Status, "%s", got)
			require.Equal(t, assertionID(t, f), got.Assertion.ID)
		})
		t.Run("unsigned", func(t *testing.T) {
			f := edit(t, h.signIn(sp, "unsigned", nil), func(doc *etree.Document) {
				for _, sig := range doc.FindElements("//Signature") {
					sig.Parent().RemoveChild(sig)
				}
			})
			refused(t, f, "", "saml_signature_invalid")
		})
		t.Run("signed but changed", func(t *testing.T) {
			f := edit(t, h.signIn(sp, "changed", nil), func(doc *etree.Document) {
				for _, v := range doc.FindElements("//AttributeValue") {
					v.SetText(strings.ReplaceAll(v.Text(), "alice@", "mallory@"))
				}
			})
			refused(t, f, "", "saml_signature_invalid")
		})
		t.Run("for another SP", func(t *testing.T) {
			other := h.addSPAt("/other", h.spSrv.URL+"/other/metadata", h.spSrv.URL+"/main/acs")
			f := h.signIn(other, "other", nil)
			refused(t, f, h.spSrv.URL+"/main/acs", "saml_audience_mismatch")
		})
		t.Run("to another recipient", func(t *testing.T) {
			// The IdP has a second ACS of ours on file; an SP with our entity
			// ID asks for it, and the answer is posted to our ACS instead.
			old := h.spSrv.URL + "/main/acs-old"
			h.mu.Lock()
			h.extraACS[sp.EntityID()] = old
			h.mu.Unlock()
			stale := h.addSPAt("/stale", sp.EntityID(), old)
			f := h.signIn(stale, "recipient", nil)
			require.Equal(t, old, f.Action)
			refused(t, f, h.spSrv.URL+"/main/acs", "saml_recipient_mismatch")
		})
		t.Run("expired", func(t *testing.T) {
			f := h.signIn(sp, "expired", nil)
			h.offset.Store(int64(time.Hour))
			defer h.offset.Store(0)
			refused(t, f, "", "saml_assertion_expired")
		})
		t.Run("unknown InResponseTo", func(t *testing.T) {
			refused(t, h.signIn(sp, "unknown", []string{"id-of-another-flow"}), "", "saml_request_mismatch")
		})
		t.Run("no request of the flow", func(t *testing.T) {
			refused(t, h.signIn(sp, "none", []string{}), "", "saml_request_mismatch")
		})
	})
}

// TestSP_HundredParallelPostsOfOneAnswerSignInOnce is the replay check
// under a race on PostgreSQL: the same answer posted 100 times at once is
// accepted exactly once.
func TestSP_HundredParallelPostsOfOneAnswerSignInOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testdb.New(t, testdb.Postgres))
	sp := h.addSP("/main", h.spSrv.URL+"/main/metadata")
	f := h.signIn(sp, "race", nil)
	var mu sync.Mutex
	codes := map[string]int{}
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			got := h.post(f, "")
			mu.Lock()
			codes[got.Code]++
			mu.Unlock()
		})
	}
	wg.Wait()
	require.Equal(t, map[string]int{"": 1, "saml_assertion_replayed": 99}, codes)
}
