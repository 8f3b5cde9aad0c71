package federation

import (
	"net/url"

	"github.com/google/uuid"
)

// formPostPurpose separates form_post states from saml relay states
// sealed under the same key.
const formPostPurpose = "sesame oidc form_post state"

// SealFormPostState is the state a form_post connector's authorization
// request carries for the flow whose token is token: the token sealed as
// SealRelayState seals it (fresh nonce, tenant and connector bound), so
// the provider's cross-site post, which carries no cookie, names its
// flow. It is also what the flow keeps the hash of and compares, as any
// state.
func SealFormPostState(kek []byte, tenant, connector uuid.UUID, token string) (string, error) {
	return sealToken(kek, formPostPurpose, tenant, connector, token)
}

// OpenFormPostState returns the flow token a form_post state names.
func OpenFormPostState(kek []byte, tenant, connector uuid.UUID, state string) (string, error) {
	return openToken(kek, formPostPurpose, tenant, connector, state)
}

// CheckIssuer is the authorization response's iss check (RFC 9207),
// which the form_post door runs on the post before it sends the browser
// on; Exchange runs it again.
func (e *Endpoints) CheckIssuer(response url.Values) error { return e.checkResponseIssuer(response) }

// FormPostHop is where the form_post door sends the browser with the
// provider's answer: the callback, by a same-site GET that carries the
// cookie binding the flow to its browser, and the answer's parameters
// (code, state, iss) as response_mode=query would have sent them.
func FormPostHop(connector uuid.UUID, response url.Values) string {
	q := url.Values{}
	for _, k := range []string{"code", "state", "iss"} {
		if v, ok := response[k]; ok && len(v) == 1 {
			q.Set(k, v[0])
		}
	}
	return "/federation/" + connector.String() + "/callback?" + q.Encode()
}
