package flows_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
)

func TestParseIdentifier(t *testing.T) {
	t.Parallel()
	good := []struct{ in, kind, value string }{
		{"Ana@Example.COM", db.IdentifierEmail, "ana@example.com"},
		{"  ana@example.com ", db.IdentifierEmail, "ana@example.com"},
		{"+1 (415) 555-0100", db.IdentifierPhone, "+14155550100"},
		{"+34.600.000.000", db.IdentifierPhone, "+34600000000"},
		{"Ana_B", db.IdentifierUsername, "ana_b"},
		{"ana.b-c", db.IdentifierUsername, "ana.b-c"},
	}
	for _, c := range good {
		kind, value, ok := flows.ParseIdentifier(c.in)
		require.True(t, ok, c.in)
		require.Equal(t, c.kind, kind, c.in)
		require.Equal(t, c.value, value, c.in)
	}
	for _, in := range []string{"", "ab", "a@b", "@example.com", "a@@example.com", "Ana <ana@example.com>", "+0123456789", "+12345", "+1234567890123456", "+1 555 abc", "ana b", "anä", "a/b",
		// Not one line of text: mail.ParseAddress alone takes some of these.
		"an\u0085a@example.com", "ana\ufffd@example.com", "ana\u202e@example.com", "\"a\x01\"@example.com", "ana@exa\xffmple.com", "+1 415\x00555 0100",
	} {
		_, _, ok := flows.ParseIdentifier(in)
		require.False(t, ok, in)
	}
}
