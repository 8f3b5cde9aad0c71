package main

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// keyFileName is the file, in the data folder, that keeps the generated
// key-encryption key when SESAME_KEY_ENCRYPTION_KEY is not set.
const keyFileName = "key-encryption.key"

// parseKeyEncryptionKey reads a key-encryption key: 32 bytes in base64
// (standard or URL alphabet, padded or not).
func parseKeyEncryptionKey(v string) ([]byte, error) {
	v = strings.TrimSpace(v)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(v); err == nil {
			if len(b) != 32 {
				return nil, fmt.Errorf("is %d bytes; it must be 32 random bytes in base64 (openssl rand -base64 32)", len(b))
			}
			return b, nil
		}
	}
	return nil, errors.New("is not base64; it must be 32 random bytes in base64 (openssl rand -base64 32)")
}

// dataFolder is where the embedded default keeps its files: the SQLite
// file's folder, or ./data with PostgreSQL.
func dataFolder(databaseURL string) string {
	if path, ok := strings.CutPrefix(databaseURL, "sqlite:"); ok {
		path, _, _ = strings.Cut(path, "?")
		path = strings.TrimPrefix(path, "file:")
		if path != "" && path != ":memory:" {
			return filepath.Dir(path)
		}
	}
	return "data"
}

// keyEncryptionKey returns the configured key-encryption key or, when none
// is configured, the one kept in the data folder, generating it on first
// start. Losing it makes the tenants' signing keys unreadable (Sesame then
// cannot start the provider; delete the keys to have new ones made).
func keyEncryptionKey(cfg Config, logger *slog.Logger) ([]byte, error) {
	if cfg.KeyEncryptionKey != nil {
		return cfg.KeyEncryptionKey, nil
	}
	dir := dataFolder(cfg.DatabaseURL)
	path := filepath.Join(dir, keyFileName)
	if b, err := os.ReadFile(path); err == nil {
		k, err := parseKeyEncryptionKey(string(b))
		if err != nil {
			return nil, fmt.Errorf("%s %w", path, err)
		}
		return k, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read the key-encryption key: %w", err)
	}
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create the data folder for the key-encryption key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return keyEncryptionKey(cfg, logger) // another process made it first
	}
	if err != nil {
		return nil, fmt.Errorf("create the key-encryption key: %w", err)
	}
	_, err = f.WriteString(base64.StdEncoding.EncodeToString(k) + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("write the key-encryption key: %w", err)
	}
	logger.Warn("generated a key-encryption key for the signing keys; back it up, or set SESAME_KEY_ENCRYPTION_KEY", "path", path)
	return k, nil
}
