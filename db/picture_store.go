package db

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Picture is an uploaded picture that internal/upload.CheckImage accepted,
// with the content type it found: a tenant's logo (Logo) or a user's
// avatar (Avatar), one store rule for both. Version is the SHA-256 of Data
// in hex: it changes with the picture, so a URL carrying it can be cached
// for good.
type Picture struct {
	ContentType string    `bun:"content_type,notnull"`
	Data        []byte    `bun:"data,notnull"`
	Version     string    `bun:"version,notnull"`
	Width       int       `bun:"width,notnull"`
	Height      int       `bun:"height,notnull"`
	UpdatedAt   time.Time `bun:"updated_at,notnull"`
}

// pictureColumns are the columns a new picture replaces.
var pictureColumns = []string{"content_type", "data", "version", "width", "height", "updated_at"}

// putPicture inserts model (a row holding p), or replaces the picture of
// the row with the same key columns.
func putPicture(ctx context.Context, idb bun.IDB, model any, p *Picture, key string) error {
	if p.UpdatedAt.IsZero() {
		p.UpdatedAt = time.Now().UTC()
	}
	q := idb.NewInsert().Model(model).On("CONFLICT (" + key + ") DO UPDATE")
	for _, c := range pictureColumns {
		q = q.Set(c + " = EXCLUDED." + c)
	}
	if _, err := q.Exec(ctx); err != nil {
		return fmt.Errorf("store picture: %w", err)
	}
	return nil
}

// getPicture runs q, a select of one picture row, with the picture's bytes
// or without them (what a page needs to link it).
func getPicture(ctx context.Context, q *bun.SelectQuery, withData bool, what string) error {
	if !withData {
		q = q.ExcludeColumn("data")
	}
	if err := q.Limit(1).Scan(ctx); err != nil {
		return notFound(err, "%s", what)
	}
	return nil
}

// deletePicture runs q, a delete of one picture row; it reports whether
// there was one.
func deletePicture(ctx context.Context, q *bun.DeleteQuery, what string) (bool, error) {
	res, err := q.Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("delete %s: %w", what, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// Avatar is a user's picture in the account center and the console.
type Avatar struct {
	bun.BaseModel `bun:"table:user_avatars,alias:av"`

	TenantID uuid.UUID `bun:"tenant_id,pk,type:uuid"`
	UserID   uuid.UUID `bun:"user_id,pk,type:uuid"`
	Picture
}

// AvatarStore keeps a tenant's users' avatars, one per user.
type AvatarStore struct{ s Scope }

// Avatars returns the scope's avatar store.
func (s Scope) Avatars() AvatarStore { return AvatarStore{s: s} }

// Put stores a as its user's avatar, replacing any other.
func (as AvatarStore) Put(ctx context.Context, userID uuid.UUID, a *Avatar) error {
	if err := as.s.check(); err != nil {
		return err
	}
	a.TenantID, a.UserID = as.s.tenant, userID
	return putPicture(ctx, as.s.idb, a, &a.Picture, "tenant_id, user_id")
}

// Get returns the user's avatar with its picture, or ErrNotFound.
func (as AvatarStore) Get(ctx context.Context, userID uuid.UUID) (*Avatar, error) {
	return as.get(ctx, userID, true)
}

// Meta returns the user's avatar without its picture, or ErrNotFound.
func (as AvatarStore) Meta(ctx context.Context, userID uuid.UUID) (*Avatar, error) {
	return as.get(ctx, userID, false)
}

func (as AvatarStore) get(ctx context.Context, userID uuid.UUID, withData bool) (*Avatar, error) {
	if err := as.s.check(); err != nil {
		return nil, err
	}
	a := new(Avatar)
	q := as.s.idb.NewSelect().Model(a).Where("av.tenant_id = ?", as.s.tenant).Where("av.user_id = ?", userID)
	if err := getPicture(ctx, q, withData, "avatar"); err != nil {
		return nil, err
	}
	return a, nil
}

// Delete removes the user's avatar; it reports whether there was one.
func (as AvatarStore) Delete(ctx context.Context, userID uuid.UUID) (bool, error) {
	if err := as.s.check(); err != nil {
		return false, err
	}
	q := as.s.idb.NewDelete().Model((*Avatar)(nil)).Where("tenant_id = ?", as.s.tenant).Where("user_id = ?", userID)
	return deletePicture(ctx, q, "avatar")
}
