package tenants

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/errcode"
	"github.com/sesame-id/sesame/internal/upload"
)

// LogoPath is where a tenant host serves its logo (flows/web); the
// version in the query string makes each picture's URL cacheable for good.
const LogoPath = "/branding/logo"

// LogoMaxBytes is the largest logo accepted: a logo is shown small.
const LogoMaxBytes = 256 << 10

// SetLogo makes data tenant t's logo, once upload.CheckImage accepts it
// (PNG, JPEG or WebP by content, at most LogoMaxBytes and
// upload.MaxDimension pixels a side); a refusal is its *errcode.Error,
// naming the field "logo". Every door (the management API, the console
// through it) calls this.
func (s *Service) SetLogo(ctx context.Context, t *Tenant, data []byte) (*db.Logo, error) {
	ct, err := upload.CheckImage(data, LogoMaxBytes)
	if err != nil {
		return nil, logoError(err)
	}
	w, h, err := upload.Dimensions(data)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	l := &db.Logo{ContentType: ct, Data: data, Version: hex.EncodeToString(sum[:16]), Width: w, Height: h}
	if err := s.db.ForTenant(t.ID).Logos().Put(ctx, l); err != nil {
		return nil, err
	}
	return l, nil
}

// RemoveLogo removes tenant t's logo; it reports whether there was one.
func (s *Service) RemoveLogo(ctx context.Context, t *Tenant) (bool, error) {
	return s.db.ForTenant(t.ID).Logos().Delete(ctx)
}

// logoError names the field of an upload refusal.
func logoError(err error) error {
	var pe *errcode.Error
	if errors.As(err, &pe) {
		return pe.WithField("logo", "")
	}
	return err
}
