package errcode

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/locale"
)

// clientKeys are the errors.* sentences the pages' scripts use for what
// happens in the browser, with no server code behind them: the field
// sentences of invalid_input, the WebAuthn API's failures, an unreachable
// server, and an answer without a code.
var clientKeys = []string{"errors.field.", "errors.passkey.", "errors.password_policy.", "errors.network", "errors.unknown"}

// accountClientKeys are the account page's own sentences beside its
// per-code ones (account.errors.<code>).
var accountClientKeys = []string{"account.errors.network", "account.errors.error"}

func clientKey(key string, allowed []string) bool {
	for _, k := range allowed {
		if key == k || (strings.HasSuffix(k, ".") && strings.HasPrefix(key, k)) {
			return true
		}
	}
	return false
}

func TestCatalogue_EveryCodeHasAMessageInEveryLanguage(t *testing.T) {
	t.Parallel()
	c, err := locale.LoadCatalog()
	require.NoError(t, err)
	require.NotEmpty(t, Codes())
	for _, code := range Codes() {
		for _, l := range locale.Languages {
			require.True(t, c.Has(l.Tag, Key(code)), "%s has no %s", l.Tag, Key(code))
		}
		e, _ := Lookup(code)
		require.Equal(t, c.Locale(locale.DefaultLanguage, "").T(Key(code)), e.Message, "%s sends errors.json's English", code)
		require.NotZero(t, http.StatusText(e.Status), "%s has an HTTP status", code)
	}
}

func TestCatalogue_EveryErrorMessageBelongsToACode(t *testing.T) {
	t.Parallel()
	c, err := locale.LoadCatalog()
	require.NoError(t, err)
	for _, key := range c.Keys(locale.DefaultLanguage) {
		switch {
		case strings.HasPrefix(key, "errors."):
			if clientKey(key, clientKeys) {
				continue
			}
			_, ok := Lookup(strings.TrimPrefix(key, "errors."))
			require.True(t, ok, "%s names no code of the catalogue", key)
		case strings.HasPrefix(key, "account.errors."):
			if clientKey(key, accountClientKeys) {
				continue
			}
			_, ok := Lookup(strings.TrimPrefix(key, "account.errors."))
			require.True(t, ok, "%s names no code of the catalogue", key)
		}
	}
}

func TestCatalogue_UnauthenticatedHasOneDeclarationAndOneMessage(t *testing.T) {
	t.Parallel()
	found := scanModule(t)
	require.Equal(t, 1, found.declared["unauthenticated"], "declarations of unauthenticated")
	for code, n := range found.declared {
		require.Equal(t, 1, n, "%s is declared %d times", code, n)
	}
	require.Equal(t, len(Codes()), len(found.declared), "every define call is found")
	require.Panics(t, func() { define("unauthenticated", http.StatusUnauthorized) }, "a second declaration cannot load")

	c, err := locale.LoadCatalog()
	require.NoError(t, err)
	var keys []string
	for _, key := range c.Keys(locale.DefaultLanguage) {
		if strings.HasSuffix(key, ".unauthenticated") {
			keys = append(keys, key)
		}
	}
	require.Equal(t, []string{"errors.unauthenticated"}, keys, "one message")
	require.Equal(t, c.Locale("en", "").T("errors.unauthenticated"), ErrUnauthenticated.Message)
}

func TestSource_EveryErrorCodeLiteralIsInTheCatalogue(t *testing.T) {
	t.Parallel()
	found := scanModule(t)
	require.NotEmpty(t, found.codes, "the scan sees the code literals of the production source")
	for _, lit := range found.codes {
		_, ok := Lookup(lit.code)
		require.True(t, ok, "%s: code %q is not in the catalogue (internal/errcode/catalogue.go)", lit.pos, lit.code)
	}
	require.Empty(t, found.opaque, "public errors built outside the catalogue with a code the scan cannot read")
}

// The scan itself finds what it must refuse.
func TestSource_ScanFindsCodeLiterals(t *testing.T) {
	t.Parallel()
	src := `package x
var a = &flows.Error{Code: "made_up", Status: 400}
var b = errcode.Error{Code: c}
func f(e *gqlerror.Error) {
	e.Extensions = map[string]any{"code": "also_made_up"}
	e.Extensions["code"] = "third"
}
var d = define("declared", 400)
`
	var s scan
	require.NoError(t, s.file("x.go", []byte(src), false))
	var codes []string
	for _, l := range s.codes {
		codes = append(codes, l.code)
	}
	require.Equal(t, []string{"made_up", "also_made_up", "third", "declared"}, codes)
	require.Len(t, s.opaque, 1)
	require.Equal(t, 1, s.declared["declared"])
}

func TestPublic_SendsOnlyCatalogueErrors(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		err  error
		want *Error
		ok   bool
	}{
		"a catalogue error":           {err: ErrInvalidCode, want: ErrInvalidCode, ok: true},
		"a wrapped one":               {err: fmt.Errorf("check code: %w", ErrCodeExpired), want: ErrCodeExpired, ok: true},
		"a copy naming a field":       {err: ErrInvalidInput.WithField("email", ""), want: ErrInvalidInput, ok: true},
		"a publisher":                 {err: fmt.Errorf("save: %w", publisher{}), want: ErrInvalidInput, ok: true},
		"a plain error":               {err: errors.New("disk full"), want: ErrInternal},
		"a code outside the list":     {err: &Error{Code: "made_up", Status: http.StatusBadRequest, Message: "x"}, want: ErrInternal},
		"a listed code, other status": {err: &Error{Code: "not_found", Status: http.StatusOK}, want: ErrInternal},
	}
	for name, tc := range cases {
		got, ok := Public(tc.err)
		require.Equal(t, tc.ok, ok, name)
		require.Equal(t, tc.want.Code, got.Code, name)
		require.Equal(t, tc.want.Status, got.Status, name)
	}
	pe, _ := Public(publisher{})
	require.Equal(t, "email", pe.Field)
}

type publisher struct{}

func (publisher) Error() string { return "email: is not an address" }
func (publisher) PublicError() *Error {
	return ErrInvalidInput.WithField("email", "email: is not an address")
}
