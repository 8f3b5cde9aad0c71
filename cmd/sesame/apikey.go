package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/graph"
	"github.com/sesame-id/sesame/tenants"
)

// apikey manages a tenant's management API keys: create (the key is
// printed once and stored only as a hash), list, revoke.
func (e cliEnv) apikey(args []string) error {
	if len(args) == 0 {
		return usageError{msg: "say create, list or revoke, e.g. sesame apikey create --tenant acme --name ci"}
	}
	sub := args[0]
	if sub != "create" && sub != "list" && sub != "revoke" {
		return usageError{msg: fmt.Sprintf("unknown subcommand %q; use create, list or revoke", sub)}
	}
	fs := e.newFlagSet("apikey " + sub)
	slug := fs.String("tenant", "", "the tenant's slug (required)")
	name := fs.String("name", "", "what the key is for, e.g. the integration that uses it (create)")
	id := fs.String("id", "", "the key's id, from `sesame apikey list` (revoke)")
	cfg, err := e.parse(fs, false, args[1:])
	if err != nil {
		return err
	}
	switch {
	case *slug == "":
		return usageError{msg: "--tenant is required"}
	case sub == "create" && *name == "":
		return usageError{msg: "--name is required: say what the key is for, e.g. --name ci"}
	case sub == "revoke" && *id == "":
		return usageError{msg: "--id is required; see `sesame apikey list --tenant " + *slug + "`"}
	}
	var keyID uuid.UUID
	if sub == "revoke" {
		if keyID, err = uuid.Parse(*id); err != nil {
			return usageError{msg: fmt.Sprintf("--id %q is not a key id; see `sesame apikey list`", *id)}
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
	scope := d.ForTenant(t.ID)
	switch sub {
	case "create":
		k, key, err := graph.CreateAPIKey(e.ctx, scope, *name, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s\n", key)
		fmt.Fprintf(e.stderr, "created API key %s (%s) for tenant %s; the key above is shown only now: store it safely\n", k.ID, k.Name, t.Slug)
	case "list":
		keys, err := scope.APIKeys().List(e.ctx)
		if err != nil {
			return err
		}
		for _, k := range keys {
			used := "never used"
			if k.LastUsedAt != nil {
				used = "last used " + k.LastUsedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(e.stdout, "%s\t%s\t%s…\tcreated %s\t%s\n", k.ID, k.Name, k.Prefix, k.CreatedAt.Format("2006-01-02"), used)
		}
	case "revoke":
		if err := scope.APIKeys().Revoke(e.ctx, keyID, time.Now()); errors.Is(err, db.ErrNotFound) {
			return fmt.Errorf("tenant %s has no active key %s", t.Slug, keyID)
		} else if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "revoked API key %s of tenant %s\n", keyID, t.Slug)
	}
	return nil
}
