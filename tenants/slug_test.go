package tenants_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/tenants"
)

func TestValidateSlug(t *testing.T) {
	t.Parallel()
	good := []string{"acme", "abc", "a1b", "my-shop", "x2-y3-z4", strings.Repeat("a", 40)}
	for _, s := range good {
		require.NoError(t, tenants.ValidateSlug(s), s)
	}
	bad := map[string]string{
		"ab":                    "characters long",
		strings.Repeat("a", 41): "characters long",
		"Acme":                  "contains 'A'",
		"1acme":                 "does not start with a letter",
		"-acme":                 "does not start with a letter",
		"acme-":                 "hyphen at the end",
		"ac--me":                "two in a row",
		"ac_me":                 "contains '_'",
		"ac.me":                 "contains '.'",
		"acmé":                  "contains",
		"admin":                 "reserved",
		"www":                   "reserved",
		"api":                   "reserved",
	}
	for slug, want := range bad {
		err := tenants.ValidateSlug(slug)
		var ie *tenants.InputError
		require.ErrorAs(t, err, &ie, slug)
		require.Equal(t, "slug", ie.Field)
		require.Contains(t, err.Error(), want, slug)
	}
}
