package provider

import (
	"net/http"
	"net/url"
)

// issuerWriter adds the issuer to an authorization response (RFC 9207:
// iss beside code or error), so that a client talking to several issuers
// can tell which one answered (mix-up attacks). The library does not, so
// the redirect it writes to the client's redirect URI is amended here.
type issuerWriter struct {
	http.ResponseWriter
	redirectURI string
	issuer      string
}

func (w *issuerWriter) WriteHeader(code int) {
	if code == http.StatusFound || code == http.StatusSeeOther {
		if loc, err := url.Parse(w.Header().Get("Location")); err == nil && w.redirectURI != "" && sameEndpoint(loc, w.redirectURI) {
			q := loc.Query()
			if q.Get("code") != "" || q.Get("error") != "" {
				q.Set("iss", w.issuer)
				loc.RawQuery = q.Encode()
				w.Header().Set("Location", loc.String())
			}
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

// sameEndpoint reports whether loc is redirectURI with a query added.
func sameEndpoint(loc *url.URL, redirectURI string) bool {
	r, err := url.Parse(redirectURI)
	if err != nil {
		return false
	}
	return loc.Scheme == r.Scheme && loc.Host == r.Host && loc.Path == r.Path
}
