package samlsp_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	crewjamsp "github.com/crewjam/saml/samlsp"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/errcode"
	"github.com/sesame-id/sesame/internal/samlsp"
	"github.com/sesame-id/sesame/internal/testdb"
)

// harness is a real SAML exchange on 127.0.0.1: crewjam/saml's
// IdentityProvider on one server (its metadata and SSO endpoints), the
// service providers under test on another (their metadata, read by the
// IdP over HTTP, and the ACS, which calls SP.Finish), a browser-like
// client with a cookie jar between them, and the replay store on a real
// database.
type harness struct {
	t      *testing.T
	idp    *saml.IdentityProvider
	idpSrv *httptest.Server
	spSrv  *httptest.Server
	client *http.Client
	store  db.SAMLReplayStore
	// offset moves the SPs' clock (not the IdP's).
	offset atomic.Int64
	// sps are the SPs by path prefix ("/main" → /main/metadata, /main/acs);
	// pending are a flow's request IDs by relay state, as a flow keeps them.
	mu      sync.Mutex
	sps     map[string]*samlsp.SP
	pending map[string][]string
	// extraACS adds an ACS location to an SP's metadata as the IdP has it.
	extraACS map[string]string
	// plain makes the IdP leave assertions unencrypted, as an IdP that
	// ignores the SP metadata's encryption key does.
	plain bool
	pairs map[string]samlsp.KeyPair
	// allowIDPInitiated is the next SP's setting.
	allowIDPInitiated bool
}

// answer is what the test ACS answered.
type answer struct {
	Status    int
	Code      string           `json:"code"`
	Assertion samlsp.Assertion `json:"assertion"`
}

func newHarness(t *testing.T, d *db.DB) *harness {
	t.Helper()
	h := &harness{t: t, sps: map[string]*samlsp.SP{}, pending: map[string][]string{}, extraACS: map[string]string{}, pairs: map[string]samlsp.KeyPair{}}
	h.store = d.ForTenant(testdb.Tenant(t, d, "saml").ID).SAMLReplay(h.now)
	h.spSrv = httptest.NewServer(http.HandlerFunc(h.serveSP))
	t.Cleanup(h.spSrv.Close)
	var idpHandler http.Handler
	h.idpSrv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/initiate" { // a sign-in started at the IdP
			h.idp.ServeIDPInitiated(w, r, r.URL.Query().Get("sp"), r.URL.Query().Get("relay"))
			return
		}
		idpHandler.ServeHTTP(w, r)
	}))
	t.Cleanup(h.idpSrv.Close)
	pair, err := samlsp.GenerateKeyPair("idp", time.Now())
	require.NoError(t, err)
	key, cert, err := pair.Parse()
	require.NoError(t, err)
	metadataURL, _ := url.Parse(h.idpSrv.URL + "/metadata")
	ssoURL, _ := url.Parse(h.idpSrv.URL + "/sso")
	h.idp = &saml.IdentityProvider{
		Key: key, Signer: key, Certificate: cert,
		MetadataURL: *metadataURL, SSOURL: *ssoURL,
		ServiceProviderProvider: h, SessionProvider: h,
		WantAuthnRequestsSigned: true,
		OnError: func(w http.ResponseWriter, _ *http.Request, status int, err error) {
			http.Error(w, "idp: "+err.Error(), status)
		},
	}
	idpHandler = h.idp.Handler()
	jar, _ := cookiejar.New(nil)
	// A minute: 100 parallel posts under -race on a shared machine.
	h.client = &http.Client{Jar: jar, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return h
}

func (h *harness) now() time.Time { return time.Now().Add(time.Duration(h.offset.Load())) }

// addSP builds an SP served under prefix with its own key pair, its IdP
// metadata fetched from the IdP's metadata URL.
func (h *harness) addSP(prefix, entityID string) *samlsp.SP {
	h.t.Helper()
	return h.addSPAt(prefix, entityID, h.spSrv.URL+prefix+"/acs")
}

// serveSP serves each SP's metadata and ACS. The ACS answers what Finish
// returned: the assertion, or the catalogue error's status and code.
func (h *harness) serveSP(w http.ResponseWriter, r *http.Request) {
	prefix, endpoint, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	h.mu.Lock()
	sp := h.sps["/"+prefix]
	h.mu.Unlock()
	if sp == nil {
		http.NotFound(w, r)
		return
	}
	switch endpoint {
	case "metadata":
		b, err := sp.Metadata()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/samlmetadata+xml")
		_, _ = w.Write(b)
	case "acs", "acs-old":
		relay, err := samlsp.RelayState(r)
		if err != nil {
			pub, _ := errcode.Public(err)
			w.WriteHeader(pub.Status)
			_ = json.NewEncoder(w).Encode(map[string]string{"code": pub.Code})
			return
		}
		h.mu.Lock()
		ids := h.pending[relay]
		h.mu.Unlock()
		a, err := sp.Finish(r, ids)
		if err != nil {
			pub, _ := errcode.Public(err)
			w.WriteHeader(pub.Status)
			_ = json.NewEncoder(w).Encode(map[string]string{"code": pub.Code, "cause": err.Error()})
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"assertion": a})
	default:
		http.NotFound(w, r)
	}
}

// GetServiceProvider reads an SP's metadata over HTTP, as an IdP that
// was given the metadata URL does.
func (h *harness) GetServiceProvider(r *http.Request, entityID string) (*saml.EntityDescriptor, error) {
	u, err := url.Parse(entityID)
	if err != nil || !strings.HasPrefix(entityID, h.spSrv.URL) {
		return nil, os.ErrNotExist
	}
	ed, err := crewjamsp.FetchMetadata(r.Context(), h.spSrv.Client(), *u)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	extra, plain := h.extraACS[entityID], h.plain
	h.mu.Unlock()
	sd := &ed.SPSSODescriptors[0]
	if plain {
		var keys []saml.KeyDescriptor
		for _, k := range sd.KeyDescriptors {
			if k.Use != "encryption" {
				keys = append(keys, k)
			}
		}
		sd.KeyDescriptors = keys
	}
	if extra != "" {
		sd.AssertionConsumerServices = append(sd.AssertionConsumerServices,
			saml.IndexedEndpoint{Binding: saml.HTTPPostBinding, Location: extra, Index: 9})
	}
	return ed, nil
}

// GetSession is the person signed in at the IdP.
func (h *harness) GetSession(http.ResponseWriter, *http.Request, *saml.IdpAuthnRequest) *saml.Session {
	now := time.Now()
	return &saml.Session{
		ID: "session-1", CreateTime: now, ExpireTime: now.Add(time.Hour), Index: "index-1",
		NameID: "alice-7f3a", NameIDFormat: string(saml.PersistentNameIDFormat),
		UserName: "alice", UserEmail: "alice@corp.example", UserCommonName: "Alice Liddell",
		UserGivenName: "Alice", UserSurname: "Liddell",
	}
}

// form is the IdP's auto-posting answer form.
type form struct {
	Action       string
	SAMLResponse string
	RelayState   string
}

var formField = regexp.MustCompile(`(action|name="(SAMLResponse|RelayState)" value)="([^"]*)"`)

// signIn starts a sign-in at sp: the AuthnRequest's redirect followed to
// the IdP (HTTP-Redirect binding), the flow keeping ids (the request's own
// ID when ids is nil) under relay; it returns the IdP's POST form.
func (h *harness) signIn(sp *samlsp.SP, relay string, ids []string) form {
	h.t.Helper()
	redirect, requestID, err := sp.AuthnRequest(relay)
	require.NoError(h.t, err)
	require.NotEmpty(h.t, requestID)
	if ids == nil {
		ids = []string{requestID}
	}
	h.mu.Lock()
	h.pending[relay] = ids
	h.mu.Unlock()
	f := h.readForm(redirect)
	require.Equal(h.t, relay, f.RelayState)
	return f
}

// readForm follows url to the IdP and reads the answer form it returns.
func (h *harness) readForm(url string) form {
	h.t.Helper()
	resp, err := h.client.Get(url)
	require.NoError(h.t, err)
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	require.Equal(h.t, http.StatusOK, resp.StatusCode, "the IdP answers the request: %s", body)
	var f form
	for _, m := range formField.FindAllStringSubmatch(string(body), -1) {
		v := html.UnescapeString(m[3])
		switch {
		case m[1] == "action":
			f.Action = v
		case m[2] == "SAMLResponse":
			f.SAMLResponse = v
		case m[2] == "RelayState":
			f.RelayState = v
		}
	}
	require.NotEmpty(h.t, f.SAMLResponse, "the IdP's form: %s", body)
	return f
}

// post submits the form (to action, or to f.Action) as the browser does.
func (h *harness) post(f form, action string) answer {
	h.t.Helper()
	if action == "" {
		action = f.Action
	}
	resp, err := h.client.PostForm(action, url.Values{"SAMLResponse": {f.SAMLResponse}, "RelayState": {f.RelayState}})
	require.NoError(h.t, err)
	defer func() { _ = resp.Body.Close() }()
	var a answer
	require.NoError(h.t, json.NewDecoder(resp.Body).Decode(&a))
	a.Status = resp.StatusCode
	return a
}

// edit returns f with its Response XML changed by fn.
func edit(t *testing.T, f form, fn func(doc *etree.Document)) form {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(f.SAMLResponse)
	require.NoError(t, err)
	doc := etree.NewDocument()
	require.NoError(t, doc.ReadFromBytes(raw))
	fn(doc)
	out, err := doc.WriteToBytes()
	require.NoError(t, err)
	f.SAMLResponse = base64.StdEncoding.EncodeToString(out)
	return f
}

// assertionID reads the ID of the form's assertion.
func assertionID(t *testing.T, f form) string {
	t.Helper()
	var id string
	edit(t, f, func(doc *etree.Document) {
		el := doc.FindElement("//Assertion")
		require.NotNil(t, el, "the Response carries an assertion")
		id = el.SelectAttrValue("ID", "")
	})
	require.NotEmpty(t, id)
	return id
}

// requireNotRemembered proves a refused assertion left no record: its ID
// is still fresh for the store (which this call then fills).
func (h *harness) requireNotRemembered(f form) {
	h.t.Helper()
	fresh, err := h.store.Remember(context.Background(), assertionID(h.t, f), h.now().Add(time.Hour))
	require.NoError(h.t, err)
	require.True(h.t, fresh, "a refused assertion is not remembered")
}

func (a answer) String() string { return fmt.Sprintf("%d %s", a.Status, a.Code) }

// addSPAt is addSP with an ACS URL of its own. SPs of one entity ID share
// its key pair, as the IdP knows one.
func (h *harness) addSPAt(prefix, entityID, acs string) *samlsp.SP {
	h.t.Helper()
	h.mu.Lock()
	pair, ok := h.pairs[entityID]
	h.mu.Unlock()
	if !ok {
		var err error
		pair, err = samlsp.GenerateKeyPair(entityID, time.Now())
		require.NoError(h.t, err)
	}
	key, cert, err := pair.Parse()
	require.NoError(h.t, err)
	sp, err := samlsp.New(samlsp.Config{
		EntityID: entityID, ACSURL: acs, MetadataURL: h.spSrv.URL + prefix + "/metadata",
		IdPMetadataURL: h.idp.MetadataURL.String(), HTTPClient: h.idpSrv.Client(),
		Key: key, Certificate: cert, AllowIDPInitiated: h.allowIDPInitiated,
	}, h.store, h.now)
	require.NoError(h.t, err)
	h.mu.Lock()
	h.sps[prefix] = sp
	h.pairs[entityID] = pair
	h.mu.Unlock()
	return sp
}

// encrypted reports whether the form's Response carries its assertion
// encrypted.
func encrypted(t *testing.T, f form) bool {
	t.Helper()
	var yes bool
	edit(t, f, func(doc *etree.Document) { yes = doc.FindElement("//EncryptedAssertion") != nil })
	return yes
}
