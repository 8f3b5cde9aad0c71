package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRun_WritesNormalizedSortedDeduplicatedList(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := filepath.Join(dir, "upstream.txt")
	out := filepath.Join(dir, "common.txt")
	require.NoError(t, os.WriteFile(in, []byte("qwerty\r\nPassword\n123\n\npassword\nＡＢＣＤ\nzebra1\n"), 0o600))

	require.NoError(t, run(in, out, 10, 4))
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	require.Equal(t, "abcd\npassword\nqwerty\nzebra1\n", string(got))
}

func TestRun_RefusesMoreEntriesThanTheCapInsteadOfCuttingThem(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := filepath.Join(dir, "upstream.txt")
	out := filepath.Join(dir, "common.txt")
	require.NoError(t, os.WriteFile(in, []byte("aaaa\nbbbb\ncccc\n"), 0o600))

	require.ErrorContains(t, run(in, out, 2, 4), "more than -max 2")
	_, err := os.Stat(out)
	require.ErrorIs(t, err, os.ErrNotExist, "nothing is written")
}

func TestRun_RefusesInvalidUTF8(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := filepath.Join(dir, "upstream.txt")
	require.NoError(t, os.WriteFile(in, []byte("good\n\xff\xfe\n"), 0o600))
	require.ErrorContains(t, run(in, filepath.Join(dir, "common.txt"), 10, 4), "line 2")
}
