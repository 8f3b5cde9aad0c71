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

// SetLogo makes data tenant t's logo, once CheckPicture accepts it; a
// refusal is its *errcode.Error, naming the field "logo". Every door (the
// management API, the console through it) calls this.
func (s *Service) SetLogo(ctx context.Context, t *Tenant, data []byte) (*db.Logo, error) {
	p, err := CheckPicture(data, LogoMaxBytes, "logo")
	if err != nil {
		return nil, err
	}
	l := &db.Logo{Picture: p}
	err = s.db.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		scope := tx.ForTenant(t.ID)
		if err := scope.Logos().Put(ctx, l); err != nil {
			return err
		}
		return s.recordLogo(ctx, scope, t, map[string]any{"version": l.Version, "content_type": l.ContentType, "width": l.Width, "height": l.Height})
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

// CheckPicture is the one rule for a picture a person uploads (a logo, an
// avatar): upload.CheckImage accepts it (PNG, JPEG, WebP or GIF by its
// content, never SVG; at most maxBytes and upload.MaxDimension pixels a
// side), and it becomes a db.Picture with the content type found and its
// version. A refusal is its *errcode.Error naming field.
func CheckPicture(data []byte, maxBytes int, field string) (db.Picture, error) {
	ct, err := upload.CheckImage(data, maxBytes)
	if err != nil {
		var pe *errcode.Error
		if errors.As(err, &pe) {
			return db.Picture{}, pe.WithField(field, "")
		}
		return db.Picture{}, err
	}
	w, h, err := upload.Dimensions(data)
	if err != nil {
		return db.Picture{}, err
	}
	sum := sha256.Sum256(data)
	return db.Picture{ContentType: ct, Data: data, Version: hex.EncodeToString(sum[:16]), Width: w, Height: h}, nil
}
