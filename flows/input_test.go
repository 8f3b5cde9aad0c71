package flows_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/flows"
)

func requireInvalidInput(t *testing.T, err error, field string) {
	t.Helper()
	var fe *flows.Error
	require.ErrorAs(t, err, &fe)
	require.Equal(t, "invalid_input", fe.Code)
	require.Equal(t, field, fe.Field)
	require.Contains(t, fe.Message, "remove it", "says what to do")
}

func TestDecodeInput_RefusesStringsThatAreNotTextNamingTheField(t *testing.T) {
	t.Parallel()
	type nested struct {
		Host string `json:"host"`
	}
	type input struct {
		Name       string            `json:"name"`
		Credential json.RawMessage   `json:"credential"`
		SMTP       *nested           `json:"smtp"`
		Tags       []string          `json:"tags"`
		Extra      map[string]string `json:"extra"`
	}
	for raw, field := range map[string]string{
		`{"name": "a\u0000b"}`:           "name",
		`{"name": "a\u0085b"}`:           "name",
		`{"smtp": {"host": "a\u0001b"}}`: "smtp.host",
		`{"tags": ["ok", "a\u007fb"]}`:   "tags",
		`{"extra": {"k": "a\u0000"}}`:    "extra.k",
	} {
		requireInvalidInput(t, flows.DecodeInput(json.RawMessage(raw), &input{}), field)
	}
	// Bytes that are not UTF-8, and lone surrogates, which the decoder
	// would replace with U+FFFD, are refused too.
	for _, raw := range []string{"{\"name\": \"a\xffb\"}", `{"name": "a\ud800b"}`} {
		err := flows.DecodeInput(json.RawMessage(raw), &input{})
		var fe *flows.Error
		require.ErrorAs(t, err, &fe)
		require.Equal(t, "name", fe.Field)
	}
	// White space is text; the raw credential is left to its parser.
	var in input
	require.NoError(t, flows.DecodeInput(json.RawMessage(`{"name": " a\tb\n", "credential": {"x": "\u0000"}}`), &in))
	require.Equal(t, " a\tb\n", in.Name)
}

func TestCleanText_OneTrimmedBoundedLine(t *testing.T) {
	t.Parallel()
	got, err := flows.CleanText("displayName", "  Zoë  ", 4)
	require.NoError(t, err)
	require.Equal(t, "Zoë", got)
	for _, bad := range []string{"a\x00", "a\nb", "a\u2028b", "a\u202eb", "a\xffb", strings.Repeat("é", 5)} {
		_, err := flows.CleanText("displayName", bad, 4)
		var fe *flows.Error
		require.ErrorAs(t, err, &fe, "%q", bad)
		require.Equal(t, "invalid_input", fe.Code)
		require.Equal(t, "displayName", fe.Field)
		require.True(t, strings.HasPrefix(fe.Message, "The displayName "), fe.Message)
	}
	name, err := flows.PasskeyName(strings.Repeat("鍵", 100))
	require.NoError(t, err, "the bound counts characters, not bytes")
	require.Len(t, []rune(name), 100)
}
