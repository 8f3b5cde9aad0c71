package db

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// User is an end user of one tenant.
type User struct {
	bun.BaseModel `bun:"table:users,alias:u"`

	ID       uuid.UUID `bun:"id,pk,type:uuid"`
	TenantID uuid.UUID `bun:"tenant_id,notnull,type:uuid"`
	// WebAuthnHandle is the user handle given to authenticators: random
	// bytes, no personal data, stable for the account's life.
	WebAuthnHandle []byte `bun:"webauthn_handle,notnull"`
	DisplayName    string `bun:"display_name,notnull"`
	SSO            bool   `bun:"sso,notnull"`
	// PasswordHash is the argon2id hash in PHC form; empty when the user
	// has no password.
	PasswordHash string `bun:"password_hash,notnull"`
	// MFAEnabled is the user's "2-step verification" switch.
	MFAEnabled bool       `bun:"mfa_enabled,notnull"`
	DisabledAt *time.Time `bun:"disabled_at"`
	// DeleteAfter marks an account pending deletion: the account-deletion
	// job removes it from then on. Nil: not pending.
	DeleteAfter *time.Time `bun:"delete_after"`
	// Locale is the user's preferred language (en, es, zh-CN), "" for
	// none: the language of messages sent when no page asked for one.
	Locale    string    `bun:"locale,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
	UpdatedAt time.Time `bun:"updated_at,notnull"`

	// Unreachable is true when the statement that loaded the user also
	// found that they have no verified email address or phone number, so
	// no message can reach them (CredentialStore.ForSignIn reads it in its
	// one statement). False when unknown. Never stored.
	Unreachable bool `bun:"unreachable,scanonly"`
}

// Identifier kinds.
const (
	IdentifierEmail    = "email"
	IdentifierPhone    = "phone"
	IdentifierUsername = "username"
)

// Identifier is a way a user names themself at sign-in: an email address,
// a phone number or a username, stored normalized and unique per tenant.
type Identifier struct {
	bun.BaseModel `bun:"table:identifiers"`

	ID         uuid.UUID  `bun:"id,pk,type:uuid"`
	TenantID   uuid.UUID  `bun:"tenant_id,notnull,type:uuid"`
	UserID     uuid.UUID  `bun:"user_id,notnull,type:uuid"`
	Kind       string     `bun:"kind,notnull"`
	Value      string     `bun:"value,notnull"`
	VerifiedAt *time.Time `bun:"verified_at"`
	CreatedAt  time.Time  `bun:"created_at,notnull"`
}

// UserStore keeps one tenant's users and their identifiers.
type UserStore struct{ s Scope }

// Users returns the scope's user store.
func (s Scope) Users() UserStore { return UserStore{s: s} }

// Create inserts u and its identifiers for the scope's tenant. A taken
// identifier or user handle returns ErrDuplicate. Run it in a transaction
// so that a refused identifier leaves no user behind.
func (us UserStore) Create(ctx context.Context, u *User, ids ...*Identifier) error {
	if err := us.s.check(); err != nil {
		return err
	}
	now := time.Now().UTC()
	if u.ID == uuid.Nil {
		u.ID = uuid.Must(uuid.NewV7())
	}
	u.TenantID = us.s.tenant
	if u.CreatedAt.IsZero() {
		u.CreatedAt = now
	}
	u.UpdatedAt = u.CreatedAt
	if len(u.WebAuthnHandle) == 0 || len(u.WebAuthnHandle) > 64 {
		return fmt.Errorf("create user: the WebAuthn user handle must be 1 to 64 bytes, got %d", len(u.WebAuthnHandle))
	}
	if _, err := us.s.idb.NewInsert().Model(u).Exec(ctx); err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("user handle: %w", ErrDuplicate)
		}
		return fmt.Errorf("create user: %w", err)
	}
	if len(ids) == 0 {
		return nil
	}
	for _, id := range ids {
		if id.ID == uuid.Nil {
			id.ID = uuid.Must(uuid.NewV7())
		}
		id.TenantID = us.s.tenant
		id.UserID = u.ID
		if id.CreatedAt.IsZero() {
			id.CreatedAt = now
		}
	}
	if _, err := us.s.idb.NewInsert().Model(&ids).Exec(ctx); err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("identifier: %w", ErrDuplicate)
		}
		return fmt.Errorf("create identifiers: %w", err)
	}
	return nil
}

// ByID returns the tenant's user id, or ErrNotFound.
func (us UserStore) ByID(ctx context.Context, id uuid.UUID) (*User, error) {
	if err := us.s.check(); err != nil {
		return nil, err
	}
	u := new(User)
	var err error
	if hot := us.s.hot; hot != nil {
		err = us.s.hotQuery(ctx, hot.oidc.userByID, scanUser(u), us.s.tenant, id)
	} else {
		err = us.s.idb.NewSelect().Model(u).
			Where("tenant_id = ?", us.s.tenant).
			Where("id = ?", id).
			Scan(ctx)
	}
	if err != nil {
		return nil, notFound(err, "user %s", id)
	}
	return u, nil
}

// ByIdentifier returns the tenant's user with identifier (kind, value),
// value already normalized, or ErrNotFound. One statement.
func (us UserStore) ByIdentifier(ctx context.Context, kind, value string) (*User, error) {
	if err := us.s.check(); err != nil {
		return nil, err
	}
	u := new(User)
	err := us.s.idb.NewSelect().Model(u).
		Join("JOIN identifiers AS i ON i.user_id = u.id").
		Where("u.tenant_id = ?", us.s.tenant).
		Where("i.tenant_id = ?", us.s.tenant).
		Where("i.kind = ?", kind).
		Where("i.value = ?", value).
		Scan(ctx)
	if err != nil {
		return nil, notFound(err, "user by %s", kind)
	}
	return u, nil
}

// Identifier returns the tenant's identifier (kind, value), value already
// normalized, or ErrNotFound. One statement.
func (us UserStore) Identifier(ctx context.Context, kind, value string) (*Identifier, error) {
	if err := us.s.check(); err != nil {
		return nil, err
	}
	id := new(Identifier)
	err := us.s.idb.NewSelect().Model(id).
		Where("tenant_id = ?", us.s.tenant).
		Where("kind = ?", kind).
		Where("value = ?", value).
		Scan(ctx)
	if err != nil {
		return nil, notFound(err, "identifier %s", kind)
	}
	return id, nil
}

// ReleaseUnverifiedIdentifier deletes identifier (kind, value), value
// already normalized, when it is stored unverified, and reports whether it
// did. A verified identifier is left alone. It exists for the rule that a
// proof beats a claim: whoever proves they hold an address takes it from
// an account that only ever claimed it (see flows.ProvedIdentifier).
func (us UserStore) ReleaseUnverifiedIdentifier(ctx context.Context, kind, value string) (bool, error) {
	if err := us.s.check(); err != nil {
		return false, err
	}
	res, err := us.s.idb.NewDelete().Model((*Identifier)(nil)).
		Where("tenant_id = ?", us.s.tenant).
		Where("kind = ?", kind).
		Where("value = ?", value).
		Where("verified_at IS NULL").
		Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("release unverified %s: %w", kind, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("release unverified %s: %w", kind, err)
	}
	return n > 0, nil
}

// Identifiers returns the user's identifiers ordered by kind.
func (us UserStore) Identifiers(ctx context.Context, userID uuid.UUID) ([]*Identifier, error) {
	if err := us.s.check(); err != nil {
		return nil, err
	}
	var out []*Identifier
	err := us.s.idb.NewSelect().Model(&out).
		Where("tenant_id = ?", us.s.tenant).
		Where("user_id = ?", userID).
		Order("kind", "value").
		Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list identifiers of user %s: %w", userID, err)
	}
	return out, nil
}

// SetSSO marks whether the user came from enterprise SSO.
func (us UserStore) SetSSO(ctx context.Context, userID uuid.UUID, sso bool) error {
	return us.update(ctx, userID, "sso = ?", sso)
}

// SetPassword stores the user's password hash (empty removes it).
func (us UserStore) SetPassword(ctx context.Context, userID uuid.UUID, hash string) error {
	return us.update(ctx, userID, "password_hash = ?", hash)
}

// SetMFA turns the user's 2-step verification on or off.
func (us UserStore) SetMFA(ctx context.Context, userID uuid.UUID, on bool) error {
	return us.update(ctx, userID, "mfa_enabled = ?", on)
}

// SetDisabled disables (at the given time) or, with nil, enables the user.
func (us UserStore) SetDisabled(ctx context.Context, userID uuid.UUID, at *time.Time) error {
	return us.update(ctx, userID, "disabled_at = ?", at)
}

func (us UserStore) update(ctx context.Context, userID uuid.UUID, set string, arg any) error {
	if err := us.s.check(); err != nil {
		return err
	}
	res, err := us.s.idb.NewUpdate().Model((*User)(nil)).
		Set(set, arg).
		Set("updated_at = ?", time.Now().UTC()).
		Where("tenant_id = ?", us.s.tenant).
		Where("id = ?", userID).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("update user %s: %w", userID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("user %s: %w", userID, ErrNotFound)
	}
	return nil
}
