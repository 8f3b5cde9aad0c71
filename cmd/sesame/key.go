package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/go-jose/go-jose/v4"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/provider"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/tenants"
)

// key manages a tenant's token signing keys: `sesame key rotate --tenant
// SLUG [--alg RS256|ES256]` retires the current key of alg and makes a new
// one. The old key stays in the tenant's JWKS for provider.KeyOverlap, so
// tokens it signed keep verifying; running servers pick the new key up
// within a minute. The command needs the server's key-encryption key
// (SESAME_KEY_ENCRYPTION_KEY, or the data folder's key file): it never
// makes one, since a key sealed under another would be unreadable.
func (e cliEnv) key(args []string) error {
	if len(args) == 0 || args[0] != "rotate" {
		return usageError{msg: "say rotate, e.g. sesame key rotate --tenant acme --alg RS256"}
	}
	fs := e.newFlagSet("key rotate")
	slug := fs.String("tenant", "", "the tenant's slug (required)")
	alg := fs.String("alg", "RS256", "the algorithm of the key to rotate: RS256 or ES256")
	cfg, err := e.parse(fs, false, args[1:])
	if err != nil {
		return err
	}
	if *slug == "" {
		return usageError{msg: "--tenant is required"}
	}
	if *alg != string(jose.RS256) && *alg != string(jose.ES256) {
		return usageError{msg: fmt.Sprintf("--alg %q is neither RS256 nor ES256", *alg)}
	}
	kek, err := existingKeyEncryptionKey(cfg)
	if err != nil {
		return err
	}
	d, err := e.openDB(cfg, newLogger(cfg, e.stderr), true)
	if err != nil {
		return err
	}
	defer d.Close()
	t, err := tenants.NewService(d, cfg.BaseDomain).BySlug(e.ctx, *slug)
	if errors.Is(err, db.ErrNotFound) {
		return fmt.Errorf("no tenant has slug %q; see `sesame tenant list`", *slug)
	}
	if err != nil {
		return err
	}
	ring, err := provider.NewKeyRing(d, kek, clock.Real{})
	if err != nil {
		return err
	}
	if err := ring.Rotate(e.ctx, t.ID, jose.SignatureAlgorithm(*alg)); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "rotated the %s signing key of tenant %s; the previous key stays published for %s\n", *alg, t.Slug, provider.KeyOverlap)
	return nil
}

// existingKeyEncryptionKey returns the configured key-encryption key or
// the one in the data folder, and an error saying what to do when there is
// neither.
func existingKeyEncryptionKey(cfg Config) ([]byte, error) {
	if cfg.KeyEncryptionKey != nil {
		return cfg.KeyEncryptionKey, nil
	}
	path := filepath.Join(dataFolder(cfg.DatabaseURL), keyFileName)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no key-encryption key: set SESAME_KEY_ENCRYPTION_KEY to the server's, or run where the server keeps %s", path)
	}
	if err != nil {
		return nil, fmt.Errorf("read the key-encryption key: %w", err)
	}
	k, err := parseKeyEncryptionKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s %w", path, err)
	}
	return k, nil
}
