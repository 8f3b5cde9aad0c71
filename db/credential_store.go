package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Credential is a WebAuthn credential: a passkey, which is also the user's
// WebAuthn MFA factor (the two are one credential model).
type Credential struct {
	bun.BaseModel `bun:"table:webauthn_credentials,alias:c"`

	ID                uuid.UUID `bun:"id,pk,type:uuid"`
	TenantID          uuid.UUID `bun:"tenant_id,notnull,type:uuid"`
	UserID            uuid.UUID `bun:"user_id,notnull,type:uuid"`
	RPID              string    `bun:"rp_id,notnull"`
	CredentialID      []byte    `bun:"credential_id,notnull"`
	PublicKey         []byte    `bun:"public_key,notnull"`
	Algorithm         int64     `bun:"algorithm,notnull"`
	AttestationType   string    `bun:"attestation_type,notnull"`
	AttestationFormat string    `bun:"attestation_format,notnull"`
	AAGUID            []byte    `bun:"aaguid"`
	SignCount         int64     `bun:"sign_count,notnull"`
	CloneWarning      bool      `bun:"clone_warning,notnull"`
	// Transports is comma-separated (usb,nfc,ble,internal,hybrid).
	Transports     string     `bun:"transports,notnull"`
	Attachment     string     `bun:"attachment,notnull"`
	UserPresent    bool       `bun:"user_present,notnull"`
	UserVerified   bool       `bun:"user_verified,notnull"`
	BackupEligible bool       `bun:"backup_eligible,notnull"`
	BackupState    bool       `bun:"backup_state,notnull"`
	Name           string     `bun:"name,notnull"`
	CreatedAt      time.Time  `bun:"created_at,notnull"`
	LastUsedAt     *time.Time `bun:"last_used_at"`

	// User is loaded by ForSignIn.
	User *User `bun:"rel:belongs-to,join:user_id=id"`
}

// CredentialStore keeps one tenant's WebAuthn credentials.
type CredentialStore struct{ s Scope }

// Credentials returns the scope's credential store.
func (s Scope) Credentials() CredentialStore { return CredentialStore{s: s} }

// Create inserts c for the scope's tenant. A credential id already
// registered under the same RP ID returns ErrDuplicate: an existing
// credential is never overwritten.
func (cs CredentialStore) Create(ctx context.Context, c *Credential) error {
	if err := cs.s.check(); err != nil {
		return err
	}
	if c.ID == uuid.Nil {
		c.ID = uuid.Must(uuid.NewV7())
	}
	c.TenantID = cs.s.tenant
	if c.CreatedAt.IsZero() {
		c.CreatedAt = time.Now().UTC()
	}
	if _, err := cs.s.idb.NewInsert().Model(c).Exec(ctx); err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("credential id: %w", ErrDuplicate)
		}
		return fmt.Errorf("create credential: %w", err)
	}
	return nil
}

// ForSignIn returns the credential registered under rpID with
// credentialID together with its user (c.User), in one statement, or
// ErrNotFound. The statement also tells whether the user has a verified
// email address or phone (User.Unreachable).
func (cs CredentialStore) ForSignIn(ctx context.Context, rpID string, credentialID []byte) (*Credential, error) {
	if err := cs.s.check(); err != nil {
		return nil, err
	}
	c := new(Credential)
	var err error
	if hot := cs.s.hot; hot != nil {
		err = cs.s.hotQuery(ctx, hot.credentialForSignIn, scanCredentialWithUser(c), cs.s.tenant, rpID, credentialID)
	} else if lite := cs.s.lite(); lite != nil {
		err = cs.s.liteQuery(ctx, &lite.credentialForSignIn, scanCredentialWithUser(c), cs.s.tenant, rpID, credentialID)
	} else {
		err = cs.s.idb.NewSelect().Model(c).
			ColumnExpr("c.*").
			ColumnExpr(unreachableColumn+" AS user__unreachable").
			Relation("User").
			Where("c.tenant_id = ?", cs.s.tenant).
			Where("c.rp_id = ?", rpID).
			Where("c.credential_id = ?", credentialID).
			Scan(ctx)
	}
	if err != nil {
		return nil, notFound(err, "credential")
	}
	if c.User == nil || c.User.TenantID != cs.s.tenant {
		return nil, fmt.Errorf("credential: %w", ErrNotFound)
	}
	return c, nil
}

// ByUser returns the user's credentials, oldest first. An empty rpID means
// every RP ID; otherwise only those registered under rpID.
func (cs CredentialStore) ByUser(ctx context.Context, userID uuid.UUID, rpID string) ([]*Credential, error) {
	if err := cs.s.check(); err != nil {
		return nil, err
	}
	var out []*Credential
	q := cs.s.idb.NewSelect().Model(&out).
		Where("c.tenant_id = ?", cs.s.tenant).
		Where("c.user_id = ?", userID).
		Order("c.created_at", "c.id")
	if rpID != "" {
		q = q.Where("c.rp_id = ?", rpID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list credentials of user %s: %w", userID, err)
	}
	return out, nil
}

// Get returns the user's credential id, or ErrNotFound.
func (cs CredentialStore) Get(ctx context.Context, userID, id uuid.UUID) (*Credential, error) {
	if err := cs.s.check(); err != nil {
		return nil, err
	}
	c := new(Credential)
	err := cs.s.idb.NewSelect().Model(c).
		Where("c.tenant_id = ?", cs.s.tenant).
		Where("c.user_id = ?", userID).
		Where("c.id = ?", id).
		Scan(ctx)
	if err != nil {
		return nil, notFound(err, "credential %s", id)
	}
	return c, nil
}

// RecordSignIn stores what a successful assertion changed: the sign count
// and clone warning, the backup state, the user-verified flag and the
// last-used time. Call it only after every check passed.
func (cs CredentialStore) RecordSignIn(ctx context.Context, c *Credential) error {
	if err := cs.s.check(); err != nil {
		return err
	}
	var (
		res sql.Result
		err error
	)
	if hot := cs.s.hot; hot != nil {
		res, err = cs.s.hotExec(ctx, hot.recordSignIn, c.SignCount, c.CloneWarning, c.BackupState, c.UserVerified,
			c.LastUsedAt, cs.s.tenant, c.ID)
	} else if lite := cs.s.lite(); lite != nil {
		res, err = cs.s.liteExec(ctx, &lite.recordSignIn, c.SignCount, c.CloneWarning, c.BackupState, c.UserVerified,
			c.LastUsedAt, cs.s.tenant, c.ID)
	} else {
		res, err = cs.s.idb.NewUpdate().Model((*Credential)(nil)).
			Set("sign_count = ?", c.SignCount).
			Set("clone_warning = ?", c.CloneWarning).
			Set("backup_state = ?", c.BackupState).
			Set("user_verified = ?", c.UserVerified).
			Set("last_used_at = ?", c.LastUsedAt).
			Where("tenant_id = ?", cs.s.tenant).
			Where("id = ?", c.ID).
			Exec(ctx)
	}
	if err != nil {
		return fmt.Errorf("record sign-in with credential %s: %w", c.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("credential %s: %w", c.ID, ErrNotFound)
	}
	return nil
}

// Rename sets the name of the user's credential id.
func (cs CredentialStore) Rename(ctx context.Context, userID, id uuid.UUID, name string) error {
	if err := cs.s.check(); err != nil {
		return err
	}
	res, err := cs.s.idb.NewUpdate().Model((*Credential)(nil)).
		Set("name = ?", name).
		Where("tenant_id = ?", cs.s.tenant).
		Where("user_id = ?", userID).
		Where("id = ?", id).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("rename credential %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("credential %s: %w", id, ErrNotFound)
	}
	return nil
}

// Delete removes the user's credential id.
func (cs CredentialStore) Delete(ctx context.Context, userID, id uuid.UUID) error {
	if err := cs.s.check(); err != nil {
		return err
	}
	res, err := cs.s.idb.NewDelete().Model((*Credential)(nil)).
		Where("tenant_id = ?", cs.s.tenant).
		Where("user_id = ?", userID).
		Where("id = ?", id).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("delete credential %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("credential %s: %w", id, ErrNotFound)
	}
	return nil
}

// CountByRPID counts the tenant's credentials registered under rpID, to
// warn before an RP ID change strands them.
func (cs CredentialStore) CountByRPID(ctx context.Context, rpID string) (int, error) {
	if err := cs.s.check(); err != nil {
		return 0, err
	}
	n, err := cs.s.idb.NewSelect().Model((*Credential)(nil)).
		Where("c.tenant_id = ?", cs.s.tenant).
		Where("c.rp_id = ?", rpID).
		Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count credentials: %w", err)
	}
	return int(n), nil
}
