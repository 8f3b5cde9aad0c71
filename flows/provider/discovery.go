package provider

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/zitadel/oidc/v3/pkg/oidc"
)

// discovery serves the library's discovery document, corrected to say
// what Sesame does: only the code flow (no implicit, no JWT bearer grant,
// no device flow) and iss in authorization responses (RFC 9207). It may be
// cached for five minutes.
func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	rec := &recorder{header: http.Header{}}
	p.serveOP(rec, r, &reqState{})
	if rec.status != http.StatusOK && rec.status != 0 {
		w.WriteHeader(rec.status)
		_, _ = w.Write(rec.body.Bytes())
		return
	}
	var doc map[string]any
	if err := json.Unmarshal(rec.body.Bytes(), &doc); err != nil {
		p.fail(w, r, err)
		return
	}
	doc["response_types_supported"] = []oidc.ResponseType{oidc.ResponseTypeCode}
	doc["response_modes_supported"] = []string{"query"}
	doc["grant_types_supported"] = []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken, oidc.GrantTypeClientCredentials}
	doc["authorization_response_iss_parameter_supported"] = true
	delete(doc, "device_authorization_endpoint")
	b, err := json.Marshal(doc)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
}

// recorder keeps a response in memory.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(status int)      { r.status = status }
