package db

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// StringList is a list of strings kept in one TEXT column as a JSON array,
// the same on both engines.
type StringList []string

// Value implements driver.Valuer.
func (l StringList) Value() (driver.Value, error) {
	if l == nil {
		l = StringList{}
	}
	b, err := json.Marshal([]string(l))
	return string(b), err
}

// Scan implements sql.Scanner.
func (l *StringList) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case string:
		b = []byte(v)
	case []byte:
		b = v
	case nil:
		*l = nil
		return nil
	default:
		return fmt.Errorf("scan string list from %T", src)
	}
	return json.Unmarshal(b, (*[]string)(l))
}

// OIDCApp is an application (an OAuth 2.0 / OpenID Connect client) of a
// tenant. Its secret, when it has one, is stored only as a SHA-256;
// after a rotation the previous one keeps working until
// PreviousSecretExpiresAt.
type OIDCApp struct {
	bun.BaseModel `bun:"table:oidc_apps,alias:a"`

	ID                      uuid.UUID  `bun:"id,pk,type:uuid"`
	TenantID                uuid.UUID  `bun:"tenant_id,notnull,type:uuid"`
	ClientID                string     `bun:"client_id,notnull"`
	Name                    string     `bun:"name,notnull"`
	Type                    string     `bun:"type,notnull"`
	RedirectURIs            StringList `bun:"redirect_uris,notnull"`
	PostLogoutRedirectURIs  StringList `bun:"post_logout_redirect_uris,notnull"`
	Scopes                  StringList `bun:"scopes,notnull"`
	AccessTokenTTLSeconds   int        `bun:"access_token_ttl_seconds,notnull"`
	IDTokenTTLSeconds       int        `bun:"id_token_ttl_seconds,notnull"`
	IDTokenAlg              string     `bun:"id_token_alg,notnull"`
	FirstParty              bool       `bun:"first_party,notnull"`
	SecretHash              []byte     `bun:"secret_hash"`
	PreviousSecretHash      []byte     `bun:"previous_secret_hash"`
	PreviousSecretExpiresAt *time.Time `bun:"previous_secret_expires_at"`
	CreatedAt               time.Time  `bun:"created_at,notnull"`
	UpdatedAt               time.Time  `bun:"updated_at,notnull"`

	// BackchannelLogoutURI receives logout tokens when a session the
	// application took part in ends; "" for none.
	BackchannelLogoutURI string `bun:"backchannel_logout_uri,notnull"`
	// BackchannelLogoutSessionRequired says the application needs sid in
	// its logout tokens (Sesame always sends it).
	BackchannelLogoutSessionRequired bool `bun:"backchannel_logout_session_required,notnull"`
}

// OIDCAppStore keeps one tenant's applications.
type OIDCAppStore struct{ s Scope }

// OIDCApps returns the scope's application store.
func (s Scope) OIDCApps() OIDCAppStore { return OIDCAppStore{s: s} }

// Create stores a for the scope's tenant. A client id already taken
// returns ErrDuplicate.
func (as OIDCAppStore) Create(ctx context.Context, a *OIDCApp) error {
	if err := as.s.check(); err != nil {
		return err
	}
	if a.ID == uuid.Nil {
		a.ID = uuid.Must(uuid.NewV7())
	}
	a.TenantID = as.s.tenant
	if a.CreatedAt.IsZero() {
		a.CreatedAt = time.Now().UTC()
	}
	a.UpdatedAt = a.CreatedAt
	if _, err := as.s.idb.NewInsert().Model(a).Exec(ctx); err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("application client id: %w", ErrDuplicate)
		}
		return fmt.Errorf("create application: %w", err)
	}
	return nil
}

// ByClientID returns the tenant's application with the client id, or
// ErrNotFound: another tenant's client is not found.
func (as OIDCAppStore) ByClientID(ctx context.Context, clientID string) (*OIDCApp, error) {
	if err := as.s.check(); err != nil {
		return nil, err
	}
	a := new(OIDCApp)
	err := as.s.idb.NewSelect().Model(a).
		Where("a.tenant_id = ?", as.s.tenant).
		Where("a.client_id = ?", clientID).
		Scan(ctx)
	if err != nil {
		return nil, notFound(err, "application %q", clientID)
	}
	return a, nil
}

// List returns the tenant's applications, oldest first.
func (as OIDCAppStore) List(ctx context.Context) ([]*OIDCApp, error) {
	if err := as.s.check(); err != nil {
		return nil, err
	}
	var out []*OIDCApp
	err := as.s.idb.NewSelect().Model(&out).
		Where("a.tenant_id = ?", as.s.tenant).
		OrderExpr("a.created_at, a.id").
		Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list applications: %w", err)
	}
	return out, nil
}

// RotateSecret makes hash the application's secret; the current one stays
// valid until previousUntil. ErrNotFound when the tenant has no such
// application with a secret.
func (as OIDCAppStore) RotateSecret(ctx context.Context, clientID string, hash []byte, previousUntil, now time.Time) error {
	if err := as.s.check(); err != nil {
		return err
	}
	defer as.s.apps.forget(as.s.tenant)
	res, err := as.s.idb.NewUpdate().Model((*OIDCApp)(nil)).
		Set("previous_secret_hash = secret_hash").
		Set("previous_secret_expires_at = ?", previousUntil.UTC()).
		Set("secret_hash = ?", hash).
		Set("updated_at = ?", now.UTC()).
		Where("tenant_id = ?", as.s.tenant).
		Where("client_id = ?", clientID).
		Where("secret_hash IS NOT NULL").
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("rotate secret of application %q: %w", clientID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("application %q with a secret: %w", clientID, ErrNotFound)
	}
	return nil
}

// Delete removes the tenant's application (ErrNotFound when it has none
// with the client id).
func (as OIDCAppStore) Delete(ctx context.Context, clientID string) error {
	if err := as.s.check(); err != nil {
		return err
	}
	defer as.s.apps.forget(as.s.tenant)
	res, err := as.s.idb.NewDelete().Model((*OIDCApp)(nil)).
		Where("tenant_id = ?", as.s.tenant).
		Where("client_id = ?", clientID).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("delete application %q: %w", clientID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("application %q: %w", clientID, ErrNotFound)
	}
	return nil
}
