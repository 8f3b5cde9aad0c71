package main

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"sync"
	"time"
)

// sessionCookie names the cookie that holds a browser's session id; the
// session itself stays in memory, so the browser holds nothing but the id.
// The demo app serves plain HTTP on a loopback address (a secure context
// for the browser), so the cookie is HttpOnly and SameSite=Lax, not Secure.
const sessionCookie = "demo_app_session"

// Bounds of the in-memory sessions.
const (
	sessionTTL  = 8 * time.Hour
	maxSessions = 10000
)

// session is one browser's state in the demo app.
type session struct {
	expires time.Time
	// pending is the sign-in under way, until the callback uses it.
	pending *pendingSignIn
	// user is who signed in, after the callback.
	user *signedIn
	// logoutState is the state sent with a sign-out, checked when Sesame
	// returns.
	logoutState string
}

// pendingSignIn holds the secrets of an authorization request, which never
// leave the server except as the state and the nonce and PKCE challenge
// Sesame is sent.
type pendingSignIn struct {
	state, nonce, verifier string
}

// sessions keeps the sessions in memory, keyed by the cookie's random id.
type sessions struct {
	mu sync.Mutex
	m  map[string]*session
}

func newSessions() *sessions { return &sessions{m: make(map[string]*session)} }

// get returns the browser's session id and a copy of its session (change
// it with update), or "" and nil.
func (ss *sessions) get(r *http.Request) (string, *session) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return "", nil
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, ok := ss.m[c.Value]
	if !ok || time.Now().After(s.expires) {
		delete(ss.m, c.Value)
		return "", nil
	}
	copied := *s
	return c.Value, &copied
}

// start replaces the browser's session (old, if any) with s under a new
// id: a sign-in never keeps an id the browser had before.
func (ss *sessions) start(w http.ResponseWriter, old string, s *session) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	id := base64.RawURLEncoding.EncodeToString(b[:])
	s.expires = time.Now().Add(sessionTTL)
	ss.mu.Lock()
	delete(ss.m, old)
	ss.prune()
	ss.m[id] = s
	ss.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode})
}

// update runs change on the session with id under the lock.
func (ss *sessions) update(id string, change func(s *session)) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if s, ok := ss.m[id]; ok {
		change(s)
	}
}

// end forgets the session and clears the cookie.
func (ss *sessions) end(w http.ResponseWriter, id string) {
	ss.mu.Lock()
	delete(ss.m, id)
	ss.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode})
}

// prune drops expired sessions and, past maxSessions, the oldest ones,
// so that memory stays bounded. The caller holds the lock.
func (ss *sessions) prune() {
	now := time.Now()
	for id, s := range ss.m {
		if now.After(s.expires) {
			delete(ss.m, id)
		}
	}
	for len(ss.m) >= maxSessions {
		var oldest string
		for id, s := range ss.m {
			if oldest == "" || s.expires.Before(ss.m[oldest].expires) {
				oldest = id
			}
		}
		delete(ss.m, oldest)
	}
}

// randomValue is 256 random bits for a state, nonce or PKCE verifier.
func randomValue() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
