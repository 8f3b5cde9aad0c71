package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/audit"
	"github.com/sesame-id/sesame/tenants"
)

// admin makes console administrators: users of the built-in admin tenant
// (created on first use) with an administrator record, the only way to
// the console (the admin tenant has no sign-up). `admin create` prints a
// one-time link, valid for flows.SetupLinkTTL, with which the new
// administrator creates a passkey; --role says what they may do
// (platform_owner, the default: every tenant, and creating tenants;
// member: only the tenants they own or administer); --tenant (repeatable)
// makes them an owner of those tenants. `admin link` prints a new link for
// an existing administrator, and with --role changes their role.
func (e cliEnv) admin(args []string) error {
	if len(args) == 0 || (args[0] != "create" && args[0] != "link") {
		return usageError{msg: "say create or link, e.g. sesame admin create --email ada@example.com --tenant acme"}
	}
	sub := args[0]
	fs := e.newFlagSet("admin " + sub)
	email := fs.String("email", "", "the administrator's email address (required)")
	var slugs multiFlag
	fs.Var(&slugs, "tenant", "a tenant the administrator owns (repeat for several)")
	roleHelp := "the administrator's role: platform_owner (every tenant, and creating tenants) or member (only their tenants)"
	defaultRole := db.PlatformRoleOwner
	if sub == "link" {
		roleHelp += "; empty keeps the role"
		defaultRole = ""
	}
	role := fs.String("role", defaultRole, roleHelp)
	cfg, err := e.parse(fs, false, args[1:])
	if err != nil {
		return err
	}
	kind, addr, ok := flows.ParseIdentifier(*email)
	if *email == "" || !ok || kind != db.IdentifierEmail {
		return usageError{msg: "--email needs the administrator's email address, e.g. --email ada@example.com"}
	}
	if *role != "" && *role != db.PlatformRoleOwner && *role != db.PlatformRoleMember {
		return usageError{msg: fmt.Sprintf("--role must be %s or %s", db.PlatformRoleOwner, db.PlatformRoleMember)}
	}
	d, err := e.openDB(cfg, newLogger(cfg, e.stderr), true)
	if err != nil {
		return err
	}
	defer d.Close()
	ts := tenants.NewService(d, cfg.BaseDomain)
	link, err := createAdmin(e.ctx, d, ts, addr, *role, slugs, sub == "create", time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, link)
	fmt.Fprintf(e.stderr, "open the link above within %s to create %s's passkey; it works once\n", flows.SetupLinkTTL, addr)
	return nil
}

// createAdmin makes (create) or finds (link) the administrator with email,
// gives them the administrator role (role, db.PlatformRoleOwner or
// db.PlatformRoleMember; "" keeps the role of an existing administrator),
// makes them an owner of the tenants with slugs, and returns a setup link.
// Nothing is written when a tenant does not exist.
func createAdmin(ctx context.Context, d *db.DB, ts *tenants.Service, email, role string, slugs []string, create bool, now time.Time) (string, error) {
	admin, err := ts.EnsureAdmin(ctx)
	if err != nil {
		return "", err
	}
	var managed []*tenants.Tenant
	for _, slug := range slugs {
		t, err := ts.BySlug(ctx, slug)
		if errors.Is(err, db.ErrNotFound) || (err == nil && t.IsAdmin()) {
			return "", fmt.Errorf("no tenant has slug %q; see `sesame tenant list`", slug)
		}
		if err != nil {
			return "", err
		}
		managed = append(managed, t)
	}
	var token string
	err = d.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		scope := tx.ForTenant(admin.ID)
		u, err := scope.Users().ByIdentifier(ctx, db.IdentifierEmail, email)
		switch {
		case err == nil && create:
			return fmt.Errorf("%s is already an administrator; use `sesame admin link --email %s` for a new setup link", email, email)
		case errors.Is(err, db.ErrNotFound) && !create:
			return fmt.Errorf("%s is not an administrator; use `sesame admin create --email %s`", email, email)
		case errors.Is(err, db.ErrNotFound):
			handle := make([]byte, 32)
			_, _ = rand.Read(handle)
			u = &db.User{WebAuthnHandle: handle, DisplayName: email}
			// The operator vouches for the address: it counts as verified.
			vouched := now.UTC()
			if err := scope.Users().Create(ctx, u, &db.Identifier{Kind: db.IdentifierEmail, Value: email, VerifiedAt: &vouched}); err != nil {
				return err
			}
		case err != nil:
			return err
		}
		if role == "" {
			// link without --role: the user must be an administrator already.
			if _, err := scope.Administrators().Role(ctx, u.ID); errors.Is(err, db.ErrNotFound) {
				return fmt.Errorf("%s has no administrator role; pass --role %s or --role %s", email, db.PlatformRoleOwner, db.PlatformRoleMember)
			} else if err != nil {
				return err
			}
		} else if err := scope.Administrators().Grant(ctx, u.ID, role, now); err != nil {
			return err
		}
		for _, t := range managed {
			if err := scope.Memberships().Add(ctx, u.ID, t.ID, db.RoleOwner, now); err != nil {
				return err
			}
		}
		token, err = flows.CreateSetupLink(audit.WithOrigin(ctx, audit.Origin{Actor: "cli"}), scope, admin, u.ID, now)
		return err
	})
	if err != nil {
		return "", err
	}
	return ts.Origin(admin) + "/setup#" + token, nil
}

// multiFlag collects a repeated flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
