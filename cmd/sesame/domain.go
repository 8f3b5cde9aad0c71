package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/tenants"
)

// domain manages custom domains from the command line. The operator who
// runs the CLI controls the deployment, so a domain added here is verified
// at once; tenant self-service with DNS proof comes with the console.
func (e cliEnv) domain(args []string) error {
	if len(args) == 0 {
		return usageError{msg: "say add, list or remove, e.g. sesame domain add --tenant acme --host login.acme.com"}
	}
	sub := args[0]
	if sub != "add" && sub != "list" && sub != "remove" {
		return usageError{msg: fmt.Sprintf("unknown subcommand %q; use add, list or remove", sub)}
	}
	fs := e.newFlagSet("domain " + sub)
	slug := fs.String("tenant", "", "the tenant's slug (required)")
	host := fs.String("host", "", "the hostname, e.g. login.acme.com (required for add and remove)")
	cfg, err := e.parse(fs, false, args[1:])
	if err != nil {
		return err
	}
	if *slug == "" || (sub != "list" && *host == "") {
		return usageError{msg: "--tenant (and, for add and remove, --host) are required"}
	}
	if sub != "list" {
		if err := validateHostname(*host); err != nil {
			return usageError{msg: "--host: " + err.Error()}
		}
	}
	d, err := e.openDB(cfg, newLogger(cfg, e.stderr), true)
	if err != nil {
		return err
	}
	defer d.Close()
	t, err := tenants.NewService(d, "").BySlug(e.ctx, *slug)
	if errors.Is(err, db.ErrNotFound) {
		return fmt.Errorf("no tenant has slug %q; see `sesame tenant list`", *slug)
	}
	if err != nil {
		return err
	}

	switch sub {
	case "add":
		err = d.InTx(e.ctx, func(ctx context.Context, tx *db.Tx) error {
			if _, err := tx.ForTenant(t.ID).Domains().Add(ctx, *host); err != nil {
				return err
			}
			return tx.ForTenant(t.ID).Domains().MarkVerified(ctx, *host, time.Now())
		})
		if errors.Is(err, db.ErrDuplicate) {
			return fmt.Errorf("%s is already a domain of %s or of another tenant", *host, *slug)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s now serves tenant %s\n", db.NormalizeHostname(*host), t.Slug)
	case "remove":
		if err := d.ForTenant(t.ID).Domains().Remove(e.ctx, *host); err != nil {
			if errors.Is(err, db.ErrNotFound) {
				return fmt.Errorf("%s is not a domain of %s", *host, *slug)
			}
			return err
		}
		fmt.Fprintf(e.stdout, "removed %s from tenant %s\n", db.NormalizeHostname(*host), t.Slug)
	case "list":
		list, err := d.ForTenant(t.ID).Domains().List(e.ctx)
		if err != nil {
			return err
		}
		for _, dom := range list {
			state := "unverified"
			if dom.VerifiedAt != nil {
				state = "verified " + dom.VerifiedAt.Format("2006-01-02")
			}
			fmt.Fprintf(e.stdout, "%s\t%s\n", dom.Hostname, state)
		}
	}
	return nil
}

// validateHostname accepts a DNS name of at least two labels.
func validateHostname(h string) error {
	h = strings.ToLower(strings.TrimSuffix(h, "."))
	if len(h) > 253 || !strings.Contains(h, ".") {
		return fmt.Errorf("%q is not a full hostname such as login.acme.com", h)
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("%q is not a valid hostname", h)
		}
		for _, c := range label {
			if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
				return fmt.Errorf("%q is not a valid hostname (letters, digits, hyphens and dots only)", h)
			}
		}
	}
	return nil
}
