package db

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// OIDCAuthRequest is an authorization request in progress: what the client
// asked (Request, a JSON document the provider owns), the browser it is
// bound to (BindingHash), and, once a session completes it, who signed in
// and how. Its code is stored only as a SHA-256 and is used at most once.
type OIDCAuthRequest struct {
	bun.BaseModel `bun:"table:oidc_auth_requests,alias:ar"`

	ID          uuid.UUID  `bun:"id,pk,type:uuid"`
	TenantID    uuid.UUID  `bun:"tenant_id,notnull,type:uuid"`
	ClientID    string     `bun:"client_id,notnull"`
	Request     string     `bun:"request,notnull"`
	BindingHash []byte     `bun:"binding_hash,notnull"`
	UserID      *uuid.UUID `bun:"user_id,type:uuid"`
	SessionID   *uuid.UUID `bun:"session_id,type:uuid"`
	AMR         string     `bun:"amr,notnull"`
	AuthTime    *time.Time `bun:"auth_time"`
	CodeHash    []byte     `bun:"code_hash"`
	CodeUsedAt  *time.Time `bun:"code_used_at"`
	CreatedAt   time.Time  `bun:"created_at,notnull"`
	ExpiresAt   time.Time  `bun:"expires_at,notnull"`

	// User is the request's user when the statement that returned the
	// request read it too (UseCode on PostgreSQL), else nil.
	User *User `bun:"-"`
}

// ErrCodeReused is returned by UseCode for an authorization code that was
// already exchanged.
var ErrCodeReused = errors.New("authorization code already used")

// OIDCAuthRequestStore keeps one tenant's authorization requests.
type OIDCAuthRequestStore struct{ s Scope }

// OIDCAuthRequests returns the scope's authorization request store.
func (s Scope) OIDCAuthRequests() OIDCAuthRequestStore { return OIDCAuthRequestStore{s: s} }

// Create stores r for the scope's tenant; ExpiresAt must be set.
//
// Outside a transaction on PostgreSQL the insert commits without waiting
// for its WAL to reach the disk (synchronous_commit off for this one
// statement's transaction, set in the statement itself): a request not yet
// answered is worth less than the fsync, which is most of what the
// authorization endpoint would cost. A crash of the database within about
// 0.6 s (three wal_writer_delay) of the insert can forget the request; its
// sign-in then ends on "start again from the application". Everything that
// answers a request (the code, its use, the tokens) commits durably, in
// the transactions of the sign-in and of the code exchange. Inside a
// transaction Create does not touch the transaction's durability.
func (rs OIDCAuthRequestStore) Create(ctx context.Context, r *OIDCAuthRequest) error {
	if err := rs.s.check(); err != nil {
		return err
	}
	if r.ExpiresAt.IsZero() {
		return fmt.Errorf("create authorization request: no expiry set")
	}
	if r.ID == uuid.Nil {
		r.ID = uuid.New()
	}
	r.TenantID = rs.s.tenant
	if r.CreatedAt.IsZero() {
		r.CreatedAt = time.Now().UTC()
	}
	if hot := rs.s.hot; hot != nil && rs.s.tx == nil {
		if _, err := rs.s.hotExec(ctx, hot.oidc.createAuthRequest, authRequestArgs(r)...); err != nil {
			return fmt.Errorf("create authorization request: %w", err)
		}
		return nil
	}
	q := rs.s.idb.NewInsert().Model(r)
	if rs.s.dialect == Postgres && rs.s.tx == nil {
		// A CTE a statement does not read is not run: the amr column
		// (empty until the request is answered) reads it.
		q = q.With("async_commit", rs.s.idb.NewRaw("SELECT set_config('synchronous_commit', 'off', true) AS off")).
			Value("amr", "(SELECT ? FROM async_commit WHERE off = 'off')", r.AMR)
	}
	if _, err := q.Exec(ctx); err != nil {
		return fmt.Errorf("create authorization request: %w", err)
	}
	return nil
}

// Get returns the tenant's unexpired request id whose code is not yet
// used, or ErrNotFound.
func (rs OIDCAuthRequestStore) Get(ctx context.Context, id uuid.UUID, now time.Time) (*OIDCAuthRequest, error) {
	if err := rs.s.check(); err != nil {
		return nil, err
	}
	r := new(OIDCAuthRequest)
	err := rs.s.idb.NewSelect().Model(r).
		Where("ar.tenant_id = ?", rs.s.tenant).
		Where("ar.id = ?", id).
		Where("ar.expires_at > ?", now.UTC()).
		Where("ar.code_used_at IS NULL").
		Scan(ctx)
	if err != nil {
		return nil, notFound(err, "authorization request %s", id)
	}
	return r, nil
}

// Completion is who signed in for an authorization request, and how, with
// the code that answers it.
type Completion struct {
	UserID    uuid.UUID
	SessionID uuid.UUID
	AMR       string
	AuthTime  time.Time
	// CodeHash is the SHA-256 of the code; the code can be exchanged until
	// CodeExpiresAt.
	CodeHash      []byte
	CodeExpiresAt time.Time
}

// Complete records, in one statement, who signed in for the unexpired
// request id and the hash of its code. A request that is gone or already
// has a code returns ErrNotFound: a request yields one code.
func (rs OIDCAuthRequestStore) Complete(ctx context.Context, id uuid.UUID, c Completion, now time.Time) error {
	if err := rs.s.check(); err != nil {
		return err
	}
	res, err := rs.s.idb.NewUpdate().Model((*OIDCAuthRequest)(nil)).
		Set("user_id = ?", c.UserID).
		Set("session_id = ?", c.SessionID).
		Set("amr = ?", c.AMR).
		Set("auth_time = ?", c.AuthTime.UTC()).
		Set("code_hash = ?", c.CodeHash).
		Set("expires_at = ?", c.CodeExpiresAt.UTC()).
		Where("tenant_id = ?", rs.s.tenant).
		Where("id = ?", id).
		Where("code_hash IS NULL").
		Where("expires_at > ?", now.UTC()).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("complete authorization request %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("authorization request %s awaiting a code: %w", id, ErrNotFound)
	}
	return nil
}

// UseCode marks the code used and returns its request, in one statement:
// of two concurrent exchanges one gets it. The used request is kept until
// keepUntil (the longest a token it issued can live), so that a second use
// is recognised for as long as there is something to revoke. A code that
// is unknown or expired returns ErrNotFound; one already used returns
// ErrCodeReused with the request, so the caller can revoke what the first
// use issued. On PostgreSQL the same statement reads the request's user
// (OIDCAuthRequest.User), which the code exchange's ID token needs.
func (rs OIDCAuthRequestStore) UseCode(ctx context.Context, codeHash []byte, now, keepUntil time.Time) (*OIDCAuthRequest, error) {
	if err := rs.s.check(); err != nil {
		return nil, err
	}
	r := new(OIDCAuthRequest)
	var err error
	if hot := rs.s.hot; hot != nil {
		err = rs.s.hotQuery(ctx, hot.oidc.useCodeWithUser, scanAuthRequestWithUser(r), now.UTC(), keepUntil.UTC(), rs.s.tenant, codeHash, now.UTC())
	} else {
		err = rs.s.idb.NewUpdate().Model(r).
			Set("code_used_at = ?", now.UTC()).
			Set("expires_at = ?", keepUntil.UTC()).
			Where("tenant_id = ?", rs.s.tenant).
			Where("code_hash = ?", codeHash).
			Where("code_used_at IS NULL").
			Where("expires_at > ?", now.UTC()).
			Returning("*").
			Scan(ctx)
	}
	if err == nil {
		return r, nil
	}
	if err := notFound(err, "code"); !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	used := new(OIDCAuthRequest)
	err = rs.s.idb.NewSelect().Model(used).
		Where("ar.tenant_id = ?", rs.s.tenant).
		Where("ar.code_hash = ?", codeHash).
		Where("ar.code_used_at IS NOT NULL").
		Scan(ctx)
	if err != nil {
		return nil, notFound(err, "code")
	}
	return used, fmt.Errorf("code of authorization request %s: %w", used.ID, ErrCodeReused)
}

// Refuse deletes the request id that has no code yet, in one statement:
// a request the person refused is answered once. A request that is gone
// or already has a code returns ErrNotFound.
func (rs OIDCAuthRequestStore) Refuse(ctx context.Context, id uuid.UUID) error {
	if err := rs.s.check(); err != nil {
		return err
	}
	res, err := rs.s.idb.NewDelete().Model((*OIDCAuthRequest)(nil)).
		Where("tenant_id = ?", rs.s.tenant).
		Where("id = ?", id).
		Where("code_hash IS NULL").
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("refuse authorization request %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("authorization request %s awaiting a code: %w", id, ErrNotFound)
	}
	return nil
}
