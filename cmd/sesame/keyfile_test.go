package main

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestKeyEncryptionKey_GeneratedOnceInTheDataFolder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := Config{DatabaseURL: "sqlite:" + filepath.Join(dir, "db", "sesame.db")}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	first, err := keyEncryptionKey(cfg, logger)
	require.NoError(t, err)
	require.Len(t, first, 32)
	info, err := os.Stat(filepath.Join(dir, "db", keyFileName))
	require.NoError(t, err, "kept beside the SQLite file")
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	again, err := keyEncryptionKey(cfg, logger)
	require.NoError(t, err)
	require.Equal(t, first, again, "the next start reads the same key")

	cfg.KeyEncryptionKey = make([]byte, 32)
	configured, err := keyEncryptionKey(cfg, logger)
	require.NoError(t, err)
	require.Equal(t, cfg.KeyEncryptionKey, configured, "a configured key wins")

	_, err = parseKeyEncryptionKey("c2hvcnQ=")
	require.ErrorContains(t, err, "32 random bytes")
	require.Equal(t, "data", dataFolder("postgres://u@h/db"))
}
