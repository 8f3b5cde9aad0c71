package provider

import (
	"net/http"
	"slices"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/oidc"
)

// signInWriter sends a browser that has no session straight from the
// authorization endpoint to the hosted sign-in page: /oidc/login, where
// the library would send it, could only send it on there. One redirect,
// and the statements of one request, fewer for every first sign-in. The
// sign-in page still returns to /oidc/login, which checks the browser
// binding and the session.
type signInWriter struct {
	http.ResponseWriter
	st *reqState
}

func (w *signInWriter) WriteHeader(code int) {
	if ar := w.st.created; ar != nil && (code == http.StatusFound || code == http.StatusSeeOther) &&
		w.Header().Get("Location") == (client{}).LoginURL(ar.GetID()) {
		w.Header().Set("Location", "/?"+signInQuery(ar).Encode())
	}
	w.ResponseWriter.WriteHeader(code)
}

// straightToSignIn reports whether an authorization request r can skip
// /oidc/login: the browser has no session to answer it with, and the
// client did not ask for prompt=none (which /oidc/login answers with
// login_required).
func (p *Provider) straightToSignIn(r *http.Request) bool {
	if c, err := r.Cookie(p.SessionCookie); err == nil && c.Value != "" {
		return false
	}
	return !slices.Contains(strings.Fields(r.Form.Get("prompt")), oidc.PromptNone)
}
