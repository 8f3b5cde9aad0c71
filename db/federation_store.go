package db

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Connector is one of a tenant's upstream identity providers: Kind social
// (a button on the sign-in and sign-up pages) or enterprise (reached by
// email domain), Type oidc or saml. Settings is the type's JSON document
// (flows/federation reads it); ClientSecret is kept apart so that no API
// reads it back.
type Connector struct {
	bun.BaseModel `bun:"table:federation_connectors,alias:fc"`

	ID           uuid.UUID  `bun:"id,pk,type:uuid"`
	TenantID     uuid.UUID  `bun:"tenant_id,notnull,type:uuid"`
	Name         string     `bun:"name,notnull"`
	Kind         string     `bun:"kind,notnull"`
	Type         string     `bun:"type,notnull"`
	Domains      StringList `bun:"domains,notnull"`
	Settings     string     `bun:"settings,notnull"`
	ClientSecret string     `bun:"client_secret,notnull"`
	CreatedAt    time.Time  `bun:"created_at,notnull"`
	UpdatedAt    time.Time  `bun:"updated_at,notnull"`
}

// ConnectorStore keeps one tenant's connectors.
type ConnectorStore struct{ s Scope }

// Connectors returns the scope's connector store.
func (s Scope) Connectors() ConnectorStore { return ConnectorStore{s: s} }

// Create inserts c for the scope's tenant; a name the tenant already uses
// returns ErrDuplicate.
func (cs ConnectorStore) Create(ctx context.Context, c *Connector, now time.Time) error {
	if err := cs.s.check(); err != nil {
		return err
	}
	if c.ID == uuid.Nil {
		c.ID = uuid.Must(uuid.NewV7())
	}
	c.TenantID = cs.s.tenant
	c.CreatedAt, c.UpdatedAt = now.UTC(), now.UTC()
	if _, err := cs.s.idb.NewInsert().Model(c).Exec(ctx); err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("connector %q: %w", c.Name, ErrDuplicate)
		}
		return fmt.Errorf("create connector: %w", err)
	}
	return nil
}

// Get returns the tenant's connector id, or ErrNotFound.
func (cs ConnectorStore) Get(ctx context.Context, id uuid.UUID) (*Connector, error) {
	if err := cs.s.check(); err != nil {
		return nil, err
	}
	c := new(Connector)
	err := cs.s.idb.NewSelect().Model(c).
		Where("fc.tenant_id = ?", cs.s.tenant).
		Where("fc.id = ?", id).
		Scan(ctx)
	if err != nil {
		return nil, notFound(err, "connector %s", id)
	}
	return c, nil
}

// List returns the tenant's connectors by name.
func (cs ConnectorStore) List(ctx context.Context) ([]*Connector, error) {
	if err := cs.s.check(); err != nil {
		return nil, err
	}
	out := []*Connector{}
	err := cs.s.idb.NewSelect().Model(&out).
		Where("fc.tenant_id = ?", cs.s.tenant).
		OrderExpr("fc.name, fc.id").
		Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list connectors: %w", err)
	}
	return out, nil
}

// Update stores c's name, domains, settings and client secret (its kind
// and type never change); ErrDuplicate when another connector has the
// name, ErrNotFound when the tenant has no connector c.ID.
func (cs ConnectorStore) Update(ctx context.Context, c *Connector, now time.Time) error {
	if err := cs.s.check(); err != nil {
		return err
	}
	c.UpdatedAt = now.UTC()
	res, err := cs.s.idb.NewUpdate().Model(c).
		Column("name", "domains", "settings", "client_secret", "updated_at").
		Where("tenant_id = ?", cs.s.tenant).
		Where("id = ?", c.ID).
		Exec(ctx)
	if err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("connector %q: %w", c.Name, ErrDuplicate)
		}
		return fmt.Errorf("update connector %s: %w", c.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("connector %s: %w", c.ID, ErrNotFound)
	}
	return nil
}

// Delete removes the tenant's connector id and, by cascade, its domains
// and the identities linked through it; ErrNotFound when there is none.
func (cs ConnectorStore) Delete(ctx context.Context, id uuid.UUID) error {
	if err := cs.s.check(); err != nil {
		return err
	}
	res, err := cs.s.idb.NewDelete().Model((*Connector)(nil)).
		Where("tenant_id = ?", cs.s.tenant).
		Where("id = ?", id).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("delete connector %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("connector %s: %w", id, ErrNotFound)
	}
	return nil
}

// FederatedIdentity is an upstream account (a connector's subject) linked
// to one of the tenant's users: signing in upstream as Subject signs in
// as UserID. Email is the address the upstream gave when it was linked,
// for people to recognise it.
type FederatedIdentity struct {
	bun.BaseModel `bun:"table:federated_identities,alias:fi"`

	ID          uuid.UUID  `bun:"id,pk,type:uuid"`
	TenantID    uuid.UUID  `bun:"tenant_id,notnull,type:uuid"`
	UserID      uuid.UUID  `bun:"user_id,notnull,type:uuid"`
	ConnectorID uuid.UUID  `bun:"connector_id,notnull,type:uuid"`
	Subject     string     `bun:"subject,notnull"`
	Email       string     `bun:"email,notnull"`
	CreatedAt   time.Time  `bun:"created_at,notnull"`
	LastUsedAt  time.Time  `bun:"last_used_at,notnull"`
	Connector   *Connector `bun:"rel:belongs-to,join:connector_id=id"`
}

// FederatedIdentityStore keeps one tenant's linked upstream identities.
type FederatedIdentityStore struct{ s Scope }

// FederatedIdentities returns the scope's linked-identity store.
func (s Scope) FederatedIdentities() FederatedIdentityStore {
	return FederatedIdentityStore{s: s}
}

// Link stores fi for the scope's tenant. The subject already linked (to
// anyone) returns ErrDuplicate.
func (fs FederatedIdentityStore) Link(ctx context.Context, fi *FederatedIdentity, now time.Time) error {
	if err := fs.s.check(); err != nil {
		return err
	}
	if fi.ID == uuid.Nil {
		fi.ID = uuid.Must(uuid.NewV7())
	}
	fi.TenantID = fs.s.tenant
	fi.CreatedAt, fi.LastUsedAt = now.UTC(), now.UTC()
	if _, err := fs.s.idb.NewInsert().Model(fi).Exec(ctx); err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("federated identity: %w", ErrDuplicate)
		}
		return fmt.Errorf("link federated identity: %w", err)
	}
	return nil
}

// BySubject returns the identity linked for connector's subject, or
// ErrNotFound.
func (fs FederatedIdentityStore) BySubject(ctx context.Context, connector uuid.UUID, subject string) (*FederatedIdentity, error) {
	if err := fs.s.check(); err != nil {
		return nil, err
	}
	fi := new(FederatedIdentity)
	err := fs.s.idb.NewSelect().Model(fi).
		Where("fi.tenant_id = ?", fs.s.tenant).
		Where("fi.connector_id = ?", connector).
		Where("fi.subject = ?", subject).
		Scan(ctx)
	if err != nil {
		return nil, notFound(err, "federated identity")
	}
	return fi, nil
}

// Touch records a sign-in through fi at now.
func (fs FederatedIdentityStore) Touch(ctx context.Context, id uuid.UUID, now time.Time) error {
	if err := fs.s.check(); err != nil {
		return err
	}
	_, err := fs.s.idb.NewUpdate().Model((*FederatedIdentity)(nil)).
		Set("last_used_at = ?", now.UTC()).
		Where("tenant_id = ?", fs.s.tenant).
		Where("id = ?", id).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("touch federated identity: %w", err)
	}
	return nil
}

// ByUser returns userID's linked identities with their connectors, oldest
// first.
func (fs FederatedIdentityStore) ByUser(ctx context.Context, userID uuid.UUID) ([]*FederatedIdentity, error) {
	if err := fs.s.check(); err != nil {
		return nil, err
	}
	out := []*FederatedIdentity{}
	err := fs.s.idb.NewSelect().Model(&out).
		Relation("Connector").
		Where("fi.tenant_id = ?", fs.s.tenant).
		Where("fi.user_id = ?", userID).
		OrderExpr("fi.created_at, fi.id").
		Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("federated identities of user %s: %w", userID, err)
	}
	return out, nil
}

// Unlink removes userID's linked identity id; ErrNotFound when userID has
// no such identity.
func (fs FederatedIdentityStore) Unlink(ctx context.Context, userID, id uuid.UUID) error {
	if err := fs.s.check(); err != nil {
		return err
	}
	res, err := fs.s.idb.NewDelete().Model((*FederatedIdentity)(nil)).
		Where("tenant_id = ?", fs.s.tenant).
		Where("user_id = ?", userID).
		Where("id = ?", id).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("unlink federated identity %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("federated identity %s: %w", id, ErrNotFound)
	}
	return nil
}
