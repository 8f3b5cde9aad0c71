package provider

import (
	"net/http"
	"net/url"
)

// refuseResponseMode answers, in the query of the checked redirect URI and
// with iss, a request asking for a response mode other than query, the
// only one discovery lists; it reports whether it did. The library would
// otherwise honour fragment or form_post, whose answers carry no iss
// (RFC 9207), which issuerWriter adds to query answers only.
func (p *Provider) refuseResponseMode(w http.ResponseWriter, r *http.Request, redirectURI string) bool {
	modes := r.Form["response_mode"]
	if len(modes) == 0 || len(modes) == 1 && modes[0] == "query" {
		return false
	}
	u, err := url.Parse(redirectURI)
	if err != nil {
		return false
	}
	q := u.Query()
	q.Set("error", "invalid_request")
	q.Set("error_description", "response_mode must be query")
	if state := r.Form.Get("state"); state != "" {
		q.Set("state", state)
	}
	q.Set("iss", p.issuer(r))
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
	return true
}
