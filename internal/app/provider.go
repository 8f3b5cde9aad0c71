package app

import (
	"crypto/rand"
	"net/http"

	"github.com/sesame-id/sesame/console"
	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/provider"
	"github.com/sesame-id/sesame/flows/web"
)

// newKeyRing makes the tenants' signing keys, sealed under the configured
// key-encryption key (a random one for this process when none is given):
// the provider signs ID tokens with them and the back-channel logout jobs
// logout tokens.
func newKeyRing(cfg Config) (*provider.KeyRing, []byte, error) {
	kek := cfg.KeyEncryptionKey
	if kek == nil {
		kek = make([]byte, 32)
		_, _ = rand.Read(kek)
	}
	keys, err := provider.NewKeyRing(cfg.DB, kek, cfg.Clock)
	return keys, kek, err
}

// newProvider builds the tenants' OpenID Provider in front of their pages.
func newProvider(d *db.DB, cfg Config, a *App, pages *console.Pages, next http.Handler) (*provider.Provider, error) {
	return provider.New(provider.Deps{
		DB: d, Tenants: a.Tenants, Pages: pages, Clock: cfg.Clock, Logger: cfg.Logger, KeyEncryptionKey: a.kek,
		SessionCookie: web.SessionCookieName(a.Tenants.Scheme() == "https"), Next: next, Keys: a.keys, Jobs: a.Jobs,
	})
}
