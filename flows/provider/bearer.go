package provider

import (
	"net/http"
)

// userinfo serves the userinfo endpoint through the library and answers
// its refusals as RFC 6750 §3 asks, which the library does not: a request
// without a token gets 401 with a bare Bearer challenge; an unknown,
// expired, revoked, foreign or not a user's openid token 401 with
// error="invalid_token".
func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request) {
	st := &reqState{}
	p.serveOP(&bearerWriter{ResponseWriter: w, state: st, sentToken: sentToken(r)}, r, st)
}

// sentToken reports whether r carries an access token (RFC 6750 §2.1 and
// §2.2; the library reads the same two places).
func sentToken(r *http.Request) bool {
	if r.Header.Get("Authorization") != "" {
		return true
	}
	if r.Method == http.MethodPost {
		_ = r.ParseForm()
		return r.PostForm.Get("access_token") != ""
	}
	return false
}

// bearerWriter rewrites the library's userinfo refusals (401 with a text
// body, 403 with an empty JSON object) into RFC 6750 answers.
type bearerWriter struct {
	http.ResponseWriter
	state     *reqState
	sentToken bool
	// replaced is set once the answer is written here; the library's own
	// body is then dropped.
	replaced bool
}

func (w *bearerWriter) WriteHeader(code int) {
	if code != http.StatusUnauthorized && code != http.StatusForbidden {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	switch {
	case code == http.StatusUnauthorized && !w.sentToken:
		// No error code when no token was sent (RFC 6750 §3.1).
		w.answer(http.StatusUnauthorized, `Bearer`, `{"error_description":"an access token is required"}`)
	case code == http.StatusUnauthorized || w.state.tokenRefused:
		w.answer(http.StatusUnauthorized, `Bearer error="invalid_token"`, `{"error":"invalid_token"}`)
	default:
		// Not a refused token: the store failed.
		w.answer(http.StatusInternalServerError, "", `{"error":"server_error"}`)
	}
}

func (w *bearerWriter) answer(status int, challenge, body string) {
	h := w.Header()
	if challenge != "" {
		h.Set("WWW-Authenticate", challenge)
	}
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.ResponseWriter.WriteHeader(status)
	_, _ = w.ResponseWriter.Write([]byte(body))
	w.replaced = true
}

func (w *bearerWriter) Write(b []byte) (int, error) {
	if w.replaced {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// noStore forbids caches to keep an answer that carries tokens or what a
// token grants (RFC 6749 §5.1, RFC 7662 §4); the library sets no
// Cache-Control on them.
func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
}
