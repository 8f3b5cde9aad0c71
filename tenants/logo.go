package tenants

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/audit"
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
	err = s.db.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		scope := tx.ForTenant(t.ID)
		if err := scope.Logos().Put(ctx, l); err != nil {
			return err
		}
		return s.recordLogo(ctx, scope, t, map[string]any{"version": l.Version, "content_type": ct, "width": w, "height": h})
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// RemoveLogo removes tenant t's logo; it reports whether there was one.
func (s *Service) RemoveLogo(ctx context.Context, t *Tenant) (bool, error) {
	var had bool
	err := s.db.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		scope := tx.ForTenant(t.ID)
		var err error
		if had, err = scope.Logos().Delete(ctx); err != nil || !had {
			return err
		}
		return s.recordLogo(ctx, scope, t, map[string]any{"removed": true})
	})
	return had, err
}

// recordLogo records a logo change (the new picture's version and size, or
// its removal) in the change's transaction.
func (s *Service) recordLogo(ctx context.Context, scope db.Scope, t *Tenant, after map[string]any) error {
	return audit.Record(ctx, scope, t.AuditPolicy(s.Jobs), time.Now(), audit.Event{Type: audit.LogoChanged, After: after})
}

// logoError names the field of an upload refusal.
func logoError(err error) error {
	var pe *errcode.Error
	if errors.As(err, &pe) {
		return pe.WithField("logo", "")
	}
	return err
}
