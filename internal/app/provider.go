package app

import (
	"crypto/rand"
	"net/http"

	"github.com/sesame-id/sesame/console"
	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/provider"
	"github.com/sesame-id/sesame/flows/web"
	"github.com/sesame-id/sesame/tenants"
)

// newProvider builds the tenants' OpenID Provider in front of their pages.
func newProvider(d *db.DB, cfg Config, ts *tenants.Service, pages *console.Pages, next http.Handler) (*provider.Provider, error) {
	kek := cfg.KeyEncryptionKey
	if kek == nil {
		kek = make([]byte, 32)
		_, _ = rand.Read(kek)
	}
	return provider.New(provider.Deps{
		DB: d, Tenants: ts, Pages: pages, Clock: cfg.Clock, Logger: cfg.Logger, KeyEncryptionKey: kek,
		SessionCookie: web.SessionCookieName(ts.Scheme() == "https"), Next: next,
	})
}
