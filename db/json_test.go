package db_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// compactJSON normalizes a stored JSON document: PostgreSQL's jsonb
// reformats what it stores.
func compactJSON(t *testing.T, s string) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, json.Compact(&buf, []byte(s)))
	var v any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &v))
	out, err := json.Marshal(v)
	require.NoError(t, err)
	return string(out)
}
