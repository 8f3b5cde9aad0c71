package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/console"
	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/tenants"
)

// The tenant host's branding routes: the logo (tenants.LogoPath) and the
// stylesheet. Both are served with their own content type and nosniff,
// and cached for a year when the URL's version is the current one (the
// pages link them so), else revalidated.
const stylePath = "/branding/style.css"

// brandView is the tenant's branding on a hosted page in lang.
func (h *Handler) brandView(ctx context.Context, t *tenants.Tenant, lang string) console.BrandView {
	b := t.Settings.Branding
	texts := b.TextsFor(lang)
	v := console.BrandView{
		SignInHeading: texts.SignInHeading, SignUpHeading: texts.SignUpHeading,
		TermsURL: texts.TermsURL, PrivacyURL: texts.PrivacyURL,
	}
	if css := brandStyle(b); css != "" {
		v.StyleURL = stylePath + "?v=" + version(css)
	}
	l, err := h.DB.ForTenant(t.ID).Logos().Meta(ctx)
	switch {
	case err == nil:
		v.LogoURL = tenants.LogoPath + "?v=" + l.Version
	case !errors.Is(err, db.ErrNotFound):
		// A page without its logo is better than no page.
		h.Logger.ErrorContext(ctx, "read logo", "err", err)
	}
	return v
}

// themes are the page colours a tenant's theme forces; they repeat
// sesame.css's light and dark palettes, which "auto" picks by the
// browser's preference.
var themes = map[string]string{
	tenants.ThemeLight: ":root { color-scheme: light; --fg: #1d2230; --bg: #f4f5f8; --card: #ffffff; --muted: #5b6275; --accent: #3a4fd6; }\n",
	tenants.ThemeDark:  ":root { color-scheme: dark; --fg: #e7e9f0; --bg: #12141a; --card: #1b1e27; --muted: #a2a8b8; --accent: #8d9bff; }\n",
}

// brandStyle is the tenant's stylesheet: its theme, its colour as the
// pages' --accent, then its custom CSS; empty for Sesame's own look.
func brandStyle(b tenants.Branding) string {
	var s strings.Builder
	s.WriteString(themes[b.Theme])
	if b.PrimaryColor != "" {
		s.WriteString(":root { --accent: " + b.PrimaryColor + "; }\n")
	}
	if b.CustomCSS != "" {
		s.WriteString("/* custom CSS */\n" + b.CustomCSS + "\n")
	}
	return s.String()
}

func version(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

// cacheFor sets the caching of a versioned resource: for good when the
// request asks for the current version, else revalidated every time.
func cacheFor(w http.ResponseWriter, r *http.Request, current string) {
	hd := w.Header()
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; sandbox")
	hd.Set("ETag", `"`+current+`"`)
	if r.URL.Query().Get("v") == current {
		hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hd.Set("Cache-Control", "no-cache")
	}
}

// brandLogo serves the tenant's logo with the content type found when it
// was uploaded (internal/upload.CheckImage).
func (h *Handler) brandLogo(w http.ResponseWriter, r *http.Request, t *tenants.Tenant) {
	l, err := h.DB.ForTenant(t.ID).Logos().Get(r.Context())
	if errors.Is(err, db.ErrNotFound) {
		h.notFound(w, r)
		return
	}
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	servePicture(w, r, &l.Picture)
}

// avatar serves a user's avatar (account.AvatarURL) like the logo, but
// only at its current version: the URL, which names the user and the
// picture's hash, is what the pages that show it hand out, and no one can
// list avatars by user alone.
func (h *Handler) avatar(w http.ResponseWriter, r *http.Request, t *tenants.Tenant) {
	id, err := uuid.Parse(r.PathValue("user"))
	if err != nil {
		h.notFound(w, r)
		return
	}
	a, err := h.DB.ForTenant(t.ID).Avatars().Get(r.Context(), id)
	if errors.Is(err, db.ErrNotFound) || (err == nil && r.URL.Query().Get("v") != a.Version) {
		h.notFound(w, r)
		return
	}
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	servePicture(w, r, &a.Picture)
}

// servePicture answers with an uploaded picture (a logo, an avatar) under
// the content type found when it was uploaded, nosniff and the sandbox
// policy of cacheFor.
func servePicture(w http.ResponseWriter, r *http.Request, p *db.Picture) {
	cacheFor(w, r, p.Version)
	w.Header().Set("Content-Type", p.ContentType)
	if r.Header.Get("If-None-Match") == `"`+p.Version+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(p.Data)
}

// brandStyleSheet serves the tenant's stylesheet (brandStyle).
func (h *Handler) brandStyleSheet(w http.ResponseWriter, r *http.Request, t *tenants.Tenant) {
	css := brandStyle(t.Settings.Branding)
	v := version(css)
	cacheFor(w, r, v)
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	if r.Header.Get("If-None-Match") == `"`+v+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write([]byte(css))
}
