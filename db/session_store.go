package db

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Session is a signed-in user's session. Only the SHA-256 of its token is
// stored.
type Session struct {
	bun.BaseModel `bun:"table:sessions,alias:s"`

	ID        uuid.UUID `bun:"id,pk,type:uuid"`
	TenantID  uuid.UUID `bun:"tenant_id,notnull,type:uuid"`
	UserID    uuid.UUID `bun:"user_id,notnull,type:uuid"`
	TokenHash []byte    `bun:"token_hash,notnull"`
	// AMR lists the authentication methods used, comma-separated
	// (RFC 8176 values such as "webauthn", "pwd", "otp").
	AMR       string    `bun:"amr,notnull"`
	UserAgent string    `bun:"user_agent,notnull"`
	IP        string    `bun:"ip,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
	// VerifiedAt is when the user last proved a factor in this session,
	// for re-verification before sensitive changes.
	VerifiedAt time.Time `bun:"verified_at,notnull"`
	ExpiresAt  time.Time `bun:"expires_at,notnull"`

	// User is loaded by ByToken.
	User *User `bun:"rel:belongs-to,join:user_id=id"`
}

// SessionStore keeps one tenant's sessions.
type SessionStore struct{ s Scope }

// Sessions returns the scope's session store.
func (s Scope) Sessions() SessionStore { return SessionStore{s: s} }

// Create inserts s for the scope's tenant. s.ExpiresAt must be set (from
// the caller's clock); CreatedAt and VerifiedAt default to now. The user
// must be the tenant's (the database refuses another tenant's user), and a
// token hash already in use returns ErrDuplicate.
func (ss SessionStore) Create(ctx context.Context, s *Session) error {
	if err := ss.stamp(s); err != nil {
		return err
	}
	var err error
	if hot := ss.s.hot; hot != nil {
		_, err = ss.s.hotExec(ctx, hot.createSession, sessionArgs(s)...)
	} else if lite := ss.s.lite(); lite != nil {
		_, err = ss.s.liteExec(ctx, &lite.createSession, sessionArgs(s)...)
	} else {
		_, err = ss.s.idb.NewInsert().Model(s).Exec(ctx)
	}
	if err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("session token: %w", ErrDuplicate)
		}
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// stamp checks s and fills in its id, times and tenant (see Create).
func (ss SessionStore) stamp(s *Session) error {
	if err := ss.s.check(); err != nil {
		return err
	}
	if s.ExpiresAt.IsZero() {
		return fmt.Errorf("create session: no expiry set")
	}
	if s.ID == uuid.Nil {
		s.ID = uuid.Must(uuid.NewV7())
	}
	now := time.Now().UTC()
	if s.CreatedAt.IsZero() {
		s.CreatedAt = now
	}
	if s.VerifiedAt.IsZero() {
		s.VerifiedAt = s.CreatedAt
	}
	s.TenantID = ss.s.tenant
	return nil
}

// ByToken returns the unexpired session whose token hashes to tokenHash,
// with its user, or ErrNotFound.
func (ss SessionStore) ByToken(ctx context.Context, tokenHash []byte, now time.Time) (*Session, error) {
	if err := ss.s.check(); err != nil {
		return nil, err
	}
	s := new(Session)
	err := ss.s.idb.NewSelect().Model(s).
		Relation("User").
		Where("s.tenant_id = ?", ss.s.tenant).
		Where("s.token_hash = ?", tokenHash).
		Where("s.expires_at > ?", now.UTC()).
		Scan(ctx)
	if err != nil {
		return nil, notFound(err, "session")
	}
	return s, nil
}

// ByUser returns the user's unexpired sessions, newest first.
func (ss SessionStore) ByUser(ctx context.Context, userID uuid.UUID, now time.Time) ([]*Session, error) {
	if err := ss.s.check(); err != nil {
		return nil, err
	}
	var out []*Session
	err := ss.s.idb.NewSelect().Model(&out).
		Where("s.tenant_id = ?", ss.s.tenant).
		Where("s.user_id = ?", userID).
		Where("s.expires_at > ?", now.UTC()).
		Order("s.created_at DESC").
		Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list sessions of user %s: %w", userID, err)
	}
	return out, nil
}

// Delete ends the user's session id.
func (ss SessionStore) Delete(ctx context.Context, userID, id uuid.UUID) error {
	if err := ss.s.check(); err != nil {
		return err
	}
	res, err := ss.s.idb.NewDelete().Model((*Session)(nil)).
		Where("tenant_id = ?", ss.s.tenant).
		Where("user_id = ?", userID).
		Where("id = ?", id).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("delete session %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("session %s: %w", id, ErrNotFound)
	}
	return nil
}

// DeleteByToken ends the session whose token hashes to tokenHash (sign
// out). A missing session is not an error.
func (ss SessionStore) DeleteByToken(ctx context.Context, tokenHash []byte) error {
	if err := ss.s.check(); err != nil {
		return err
	}
	_, err := ss.s.idb.NewDelete().Model((*Session)(nil)).
		Where("tenant_id = ?", ss.s.tenant).
		Where("token_hash = ?", tokenHash).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// Get returns the user's unexpired session id, or ErrNotFound.
func (ss SessionStore) Get(ctx context.Context, userID, id uuid.UUID, now time.Time) (*Session, error) {
	if err := ss.s.check(); err != nil {
		return nil, err
	}
	s := new(Session)
	err := ss.s.idb.NewSelect().Model(s).
		Where("s.tenant_id = ?", ss.s.tenant).
		Where("s.user_id = ?", userID).
		Where("s.id = ?", id).
		Where("s.expires_at > ?", now.UTC()).
		Scan(ctx)
	if err != nil {
		return nil, notFound(err, "session")
	}
	return s, nil
}

// Reverified records that the user's unexpired session id proved a factor
// again at now: its verified time becomes now and its amr becomes amr. The
// session keeps its token, its creation time and its expiry. A session
// that is gone (revoked, expired) returns ErrNotFound.
func (ss SessionStore) Reverified(ctx context.Context, userID, id uuid.UUID, amr string, now time.Time) error {
	if err := ss.s.check(); err != nil {
		return err
	}
	res, err := ss.s.idb.NewUpdate().Model((*Session)(nil)).
		Set("verified_at = ?", now.UTC()).
		Set("amr = ?", amr).
		Where("tenant_id = ?", ss.s.tenant).
		Where("user_id = ?", userID).
		Where("id = ?", id).
		Where("expires_at > ?", now.UTC()).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("record verification of session %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("session %s: %w", id, ErrNotFound)
	}
	return nil
}
