package aaguid

import (
	"encoding/hex"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// rawAAGUID decodes a dashed UUID into its 16 raw bytes independently of the
// package's own parser, so that tests of Name do not depend on parse.
func rawAAGUID(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, "-", ""))
	require.NoError(t, err)
	require.Len(t, b, 16)
	return b
}

func TestNameWellKnown(t *testing.T) {
	t.Parallel()
	tests := []struct {
		aaguid string
		want   string
	}{
		{"ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4", "Google Password Manager"},
		{"fbfc3007-154e-4ecc-8c0b-6e020557d7bd", "Apple Passwords"},
		{"cb69481e-8ff7-4039-93ec-0a2729a154a8", "YubiKey 5 Series"},
		{"08987058-cadc-4b81-b6e1-30de50dcbe96", "Windows Hello"},
		{"bada5566-a7aa-401f-bd96-45619a55120d", "1Password"},
		{"d548826e-79b4-db40-a3d8-11116f7e8349", "Bitwarden"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			raw := rawAAGUID(t, tt.aaguid)

			got, ok := Name(raw)
			require.True(t, ok)
			require.Equal(t, tt.want, got)

			// Every accepted text form agrees with the raw bytes.
			for _, s := range []string{
				tt.aaguid,
				strings.ToUpper(tt.aaguid),
				strings.ReplaceAll(tt.aaguid, "-", ""),
				hex.EncodeToString(raw),
			} {
				got, ok := NameFromString(s)
				require.True(t, ok, s)
				require.Equal(t, tt.want, got, s)
			}
		})
	}
}

func TestNameRawAndStringAgreeForAllEntries(t *testing.T) {
	t.Parallel()
	var names map[string]string
	require.NoError(t, json.Unmarshal([]byte(data), &names))
	require.NotEmpty(t, names)
	require.Len(t, table(), len(names))
	for key, want := range names {
		got, ok := Name(rawAAGUID(t, key))
		require.True(t, ok, key)
		require.Equal(t, want, got, key)

		got, ok = NameFromString(key)
		require.True(t, ok, key)
		require.Equal(t, want, got, key)
	}
}

func TestNameUnknown(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		aaguid []byte
	}{
		{"nil", nil},
		{"empty", []byte{}},
		{"all zero", make([]byte, 16)},
		{"not in list", rawAAGUID(t, "01234567-89ab-cdef-0123-456789abcdef")},
		{"too short", rawAAGUID(t, "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4")[:15]},
		{"too long", append(rawAAGUID(t, "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4"), 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := Name(tt.aaguid)
			require.False(t, ok)
			require.Empty(t, got)
		})
	}
}

func TestNameFromStringUnknown(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		aaguid string
	}{
		{"empty", ""},
		{"all zero", "00000000-0000-0000-0000-000000000000"},
		{"all zero undashed", "00000000000000000000000000000000"},
		{"not in list", "01234567-89ab-cdef-0123-456789abcdef"},
		{"not hex", "ea9b8d66-4d01-1d21-3ce4-b6b48cb575dz"},
		{"dashes misplaced", "ea9b8d664-d01-1d21-3ce4-b6b48cb575d4"},
		{"braces", "{ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4}"},
		{"surrounding space", " ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4"},
		{"too short", "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d"},
		{"too long", "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d40"},
		{"not a uuid", "Google Password Manager"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := NameFromString(tt.aaguid)
			require.False(t, ok)
			require.Empty(t, got)
		})
	}
}

func TestFallbackName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		userAgent string
		want      string
	}{
		{
			"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
			"Chrome on macOS",
		},
		{
			"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
			"Safari on macOS",
		},
		{
			"Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:132.0) Gecko/20100101 Firefox/132.0",
			"Firefox on macOS",
		},
		{
			"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 OPR/115.0.0.0",
			"Opera on macOS",
		},
		{
			"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
			"Safari on iPhone",
		},
		{
			"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
			"Chrome on iPhone",
		},
		{
			"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/132.0 Mobile/15E148 Safari/605.1.15",
			"Firefox on iPhone",
		},
		{
			"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) EdgiOS/131.0.2903.68 Version/18.0 Mobile/15E148 Safari/604.1",
			"Edge on iPhone",
		},
		{
			"Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.7 Mobile/15E148 Safari/604.1",
			"Safari on iPad",
		},
		{
			"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
			"Edge on Windows",
		},
		{
			"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
			"Chrome on Windows",
		},
		{
			"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0",
			"Firefox on Windows",
		},
		{
			"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 OPR/115.0.0.0",
			"Opera on Windows",
		},
		{
			"Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
			"Firefox on Linux",
		},
		{
			"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
			"Firefox on Linux",
		},
		{
			"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
			"Chrome on Linux",
		},
		{
			"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
			"Chrome on ChromeOS",
		},
		{
			"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
			"Chrome on Android",
		},
		{
			"Mozilla/5.0 (Android 15; Mobile; rv:132.0) Gecko/132.0 Firefox/132.0",
			"Firefox on Android",
		},
		{
			"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 EdgA/131.0.2903.70",
			"Edge on Android",
		},
		{
			"Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
			"Samsung Internet on Android",
		},
		{
			// An in-app web view on iOS names the device but no browser.
			"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
			"Passkey on iPhone",
		},
		{
			// A browser token without a platform.
			"Mozilla/5.0 (compatible) Gecko/20100101 Firefox/132.0",
			"Firefox",
		},
		{"curl/8.5.0", "Passkey"},
		{"Go-http-client/1.1", "Passkey"},
		{"", "Passkey"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, FallbackName(tt.userAgent), tt.userAgent)
		})
	}
}

func TestEmbeddedDataIsCanonical(t *testing.T) {
	t.Parallel()
	var names map[string]string
	require.NoError(t, json.Unmarshal([]byte(data), &names))
	formatted, err := Format(names)
	require.NoError(t, err)
	require.Equal(t, data, string(formatted),
		"aaguids.json is not in the form written by Format; regenerate it with make aaguids")
}

func TestEmbeddedKeysAreLowercaseUUIDs(t *testing.T) {
	t.Parallel()
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	var names map[string]string
	require.NoError(t, json.Unmarshal([]byte(data), &names))
	for key, name := range names {
		require.Regexp(t, uuid, key)
		require.NotEqual(t, "00000000-0000-0000-0000-000000000000", key)
		require.NotEmpty(t, name, key)
		require.Equal(t, strings.TrimSpace(name), name, key)
	}
}

func TestFormat(t *testing.T) {
	t.Parallel()
	got, err := Format(map[string]string{
		"FBFC3007-154E-4ECC-8C0B-6E020557D7BD": " Apple Passwords ",
		"ea9b8d664d011d213ce4b6b48cb575d4":     "Google Password Manager",
		"08987058-cadc-4b81-b6e1-30de50dcbe96": "Windows <Hello> & Co",
	})
	require.NoError(t, err)
	require.Equal(t,
		`{"08987058-cadc-4b81-b6e1-30de50dcbe96":"Windows <Hello> & Co",`+
			`"ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4":"Google Password Manager",`+
			`"fbfc3007-154e-4ecc-8c0b-6e020557d7bd":"Apple Passwords"}`+"\n",
		string(got))

	empty, err := Format(nil)
	require.NoError(t, err)
	require.Equal(t, "{}\n", string(empty))
}

func TestFormatRejectsInvalidTables(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		names map[string]string
		want  string
	}{
		{
			"key not a uuid",
			map[string]string{"not-a-uuid": "Name"},
			"not a UUID",
		},
		{
			"all-zero key",
			map[string]string{"00000000-0000-0000-0000-000000000000": "Name"},
			"all-zero AAGUID",
		},
		{
			"empty name",
			map[string]string{"ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4": "  "},
			"empty name",
		},
		{
			"duplicate after normalisation",
			map[string]string{
				"ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4": "Google Password Manager",
				"EA9B8D66-4D01-1D21-3CE4-B6B48CB575D4": "Google Password Manager",
			},
			"duplicates ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Format(tt.names)
			require.ErrorContains(t, err, tt.want)
			require.Nil(t, got)
		})
	}
}

func TestParseTableRejectsNonCanonicalKeys(t *testing.T) {
	t.Parallel()
	_, err := parseTable([]byte(`{"EA9B8D66-4D01-1D21-3CE4-B6B48CB575D4":"Google Password Manager"}`))
	require.ErrorContains(t, err, "not in lowercase dashed UUID form")

	_, err = parseTable([]byte(`{"x":"y"}`))
	require.ErrorContains(t, err, "not a UUID")

	_, err = parseTable([]byte(`[]`))
	require.ErrorContains(t, err, "decode aaguid table")
}
