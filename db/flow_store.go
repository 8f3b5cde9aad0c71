package db

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Flow is a persisted interaction (sign-in, sign-up, MFA, ...): a state
// machine instance that survives between requests and between servers.
// Context is the flow kind's typed context, as JSON; the flows package owns
// its shape.
type Flow struct {
	bun.BaseModel `bun:"table:flows"`

	ID        uuid.UUID `bun:"id,pk,type:uuid"`
	TenantID  uuid.UUID `bun:"tenant_id,notnull,type:uuid"`
	Kind      string    `bun:"kind,notnull"`
	State     string    `bun:"state,notnull"`
	Version   int64     `bun:"version,notnull"`
	Context   string    `bun:"context,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
	UpdatedAt time.Time `bun:"updated_at,notnull"`
	ExpiresAt time.Time `bun:"expires_at,notnull"`

	// TokenHash is SHA-256 of the flow's client token: the client
	// addresses its flow by the token, never by the id.
	TokenHash []byte `bun:"token_hash"`

	// Ceremony is the go-webauthn session data (JSON) of the ceremony in
	// progress, nil when none is; it is single-use and expires at
	// CeremonyExpiresAt.
	Ceremony          *string    `bun:"ceremony"`
	CeremonyExpiresAt *time.Time `bun:"ceremony_expires_at"`
}

// FlowStore keeps one tenant's flows.
type FlowStore struct{ s Scope }

// Flows returns the scope's flow store.
func (s Scope) Flows() FlowStore { return FlowStore{s: s} }

// Create inserts f for the scope's tenant at version 1. f.ExpiresAt must be
// set by the caller (from its clock).
//
// Outside a transaction on PostgreSQL (a flow begun by a NoTx action: the
// passkey sign-in's begin) the insert commits without waiting for its WAL
// to reach the disk, as an authorization request's does
// (OIDCAuthRequestStore.Create): a flow that has proved nothing yet is
// worth less than the fsync. A crash of the database within about 0.6 s
// of the insert can forget the flow; its page then says to start again.
// Whatever a flow proves (the session, the credential's counter) commits
// durably, in the finish's transaction.
func (fs FlowStore) Create(ctx context.Context, f *Flow) error {
	if err := fs.s.check(); err != nil {
		return err
	}
	if f.ExpiresAt.IsZero() {
		return fmt.Errorf("create %s flow: no expiry set", f.Kind)
	}
	if f.ID == uuid.Nil {
		f.ID = uuid.Must(uuid.NewV7())
	}
	f.TenantID = fs.s.tenant
	f.Version = 1
	if f.CreatedAt.IsZero() {
		f.CreatedAt = time.Now().UTC()
	}
	f.UpdatedAt = f.CreatedAt
	if f.Context == "" {
		f.Context = "{}"
	}
	var err error
	switch hot := fs.s.hot; {
	case hot != nil && fs.s.tx == nil:
		_, err = fs.s.hotExec(ctx, hot.createFlowAsync, flowArgs(f)...)
	case hot != nil:
		_, err = fs.s.hotExec(ctx, hot.createFlow, flowArgs(f)...)
	case fs.s.lite() != nil:
		_, err = fs.s.liteExec(ctx, &fs.s.lite().createFlow, flowArgs(f)...)
	default:
		_, err = fs.s.idb.NewInsert().Model(f).Exec(ctx)
	}
	if err != nil {
		return fmt.Errorf("create %s flow: %w", f.Kind, err)
	}
	return nil
}

// Get returns the tenant's flow id, or ErrNotFound. Expiry is the caller's
// decision (it has the clock).
func (fs FlowStore) Get(ctx context.Context, id uuid.UUID) (*Flow, error) {
	if err := fs.s.check(); err != nil {
		return nil, err
	}
	f := new(Flow)
	err := fs.s.idb.NewSelect().Model(f).
		Where("tenant_id = ?", fs.s.tenant).
		Where("id = ?", id).
		Scan(ctx)
	if err != nil {
		return nil, notFound(err, "flow %s", id)
	}
	return f, nil
}

// ByToken returns the tenant's flow whose token hashes to tokenHash, or
// ErrNotFound.
func (fs FlowStore) ByToken(ctx context.Context, tokenHash []byte) (*Flow, error) {
	if err := fs.s.check(); err != nil {
		return nil, err
	}
	f := new(Flow)
	err := fs.s.idb.NewSelect().Model(f).
		Where("tenant_id = ?", fs.s.tenant).
		Where("token_hash = ?", tokenHash).
		Scan(ctx)
	if err != nil {
		return nil, notFound(err, "flow")
	}
	return f, nil
}

// Lock returns the tenant's flow whose token hashes to tokenHash and holds
// it for the rest of the transaction, or ErrNotFound: on PostgreSQL the row
// is locked (SELECT ... FOR UPDATE), on SQLite the transaction already holds
// the database's write lock from its BEGIN (see Open). Requests on one flow
// therefore run one after another: what one request counted (an attempt at
// a code or a password) is committed before the next request reads the
// flow, and a request that waited for one that ended the flow finds no
// flow. It must run in a transaction.
func (fs FlowStore) Lock(ctx context.Context, tokenHash []byte) (*Flow, error) {
	if err := fs.s.check(); err != nil {
		return nil, err
	}
	if _, ok := fs.s.idb.(bun.Tx); !ok {
		return nil, fmt.Errorf("lock flow: run it in a transaction (the lock lasts until commit)")
	}
	f := new(Flow)
	q := fs.s.idb.NewSelect().Model(f).
		Where("tenant_id = ?", fs.s.tenant).
		Where("token_hash = ?", tokenHash)
	if fs.s.dialect == Postgres {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, notFound(err, "flow")
	}
	return f, nil
}

// TakeWithCeremony deletes and returns the tenant's flow whose token hashes
// to tokenHash, provided it holds a ceremony that has not expired at now and
// the flow itself has not expired. It is the one-statement way to consume a
// ceremony when the flow ends with it (a passkey sign-in): of two
// concurrent callers only one gets the flow. Otherwise it returns
// ErrNotFound.
func (fs FlowStore) TakeWithCeremony(ctx context.Context, tokenHash []byte, now time.Time) (*Flow, error) {
	if err := fs.s.check(); err != nil {
		return nil, err
	}
	f := new(Flow)
	var err error
	if hot := fs.s.hot; hot != nil {
		err = fs.s.hotQuery(ctx, hot.takeFlow, scanFlow(f), fs.s.tenant, tokenHash, now.UTC(), now.UTC())
	} else if lite := fs.s.lite(); lite != nil {
		err = fs.s.liteQuery(ctx, &lite.takeFlow, scanFlow(f), fs.s.tenant, tokenHash, now.UTC(), now.UTC())
	} else {
		err = fs.s.idb.NewDelete().Model(f).
			Where("tenant_id = ?", fs.s.tenant).
			Where("token_hash = ?", tokenHash).
			Where("ceremony IS NOT NULL").
			Where("ceremony_expires_at > ?", now.UTC()).
			Where("expires_at > ?", now.UTC()).
			Returning("*").
			Scan(ctx)
	}
	if err != nil {
		return nil, notFound(err, "flow with a ceremony")
	}
	return f, nil
}

// Update saves f's state and context if the stored version is still
// f.Version, then increments f.Version. A stale version returns ErrConflict:
// a concurrent request moved the flow first.
func (fs FlowStore) Update(ctx context.Context, f *Flow, now time.Time) error {
	if err := fs.s.check(); err != nil {
		return err
	}
	res, err := fs.s.idb.NewUpdate().Model((*Flow)(nil)).
		Set("state = ?", f.State).
		Set("context = ?", f.Context).
		Set("expires_at = ?", f.ExpiresAt.UTC()).
		Set("ceremony = ?", f.Ceremony).
		Set("ceremony_expires_at = ?", f.CeremonyExpiresAt).
		Set("updated_at = ?", now.UTC()).
		Set("version = version + 1").
		Where("tenant_id = ?", fs.s.tenant).
		Where("id = ?", f.ID).
		Where("version = ?", f.Version).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("update flow %s: %w", f.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := fs.Get(ctx, f.ID); err != nil {
			return err
		}
		return fmt.Errorf("flow %s: %w", f.ID, ErrConflict)
	}
	f.Version++
	f.UpdatedAt = now.UTC()
	return nil
}

// DeleteVersion removes the tenant's flow f if its stored version is still
// f.Version: a flow that another request moved or removed since f was read
// returns ErrConflict (moved) or ErrNotFound (removed).
func (fs FlowStore) DeleteVersion(ctx context.Context, f *Flow) error {
	if err := fs.s.check(); err != nil {
		return err
	}
	res, err := fs.s.idb.NewDelete().Model((*Flow)(nil)).
		Where("tenant_id = ?", fs.s.tenant).
		Where("id = ?", f.ID).
		Where("version = ?", f.Version).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("delete flow %s: %w", f.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := fs.Get(ctx, f.ID); err != nil {
			return err
		}
		return fmt.Errorf("flow %s: %w", f.ID, ErrConflict)
	}
	return nil
}

// Delete removes the tenant's flow id, or returns ErrNotFound.
func (fs FlowStore) Delete(ctx context.Context, id uuid.UUID) error {
	if err := fs.s.check(); err != nil {
		return err
	}
	res, err := fs.s.idb.NewDelete().Model((*Flow)(nil)).
		Where("tenant_id = ?", fs.s.tenant).
		Where("id = ?", id).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("delete flow %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("flow %s: %w", id, ErrNotFound)
	}
	return nil
}
