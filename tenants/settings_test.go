package tenants_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/tenants"
)

func TestSettings_MissingFieldsReadAsDefaults(t *testing.T) {
	t.Parallel()
	s, err := tenants.ParseSettings(`{"schema":1}`)
	require.NoError(t, err)
	require.Equal(t, tenants.DefaultSettings(), s)

	s, err = tenants.ParseSettings(`{}`)
	require.NoError(t, err, "a document from before schema numbers reads as the current schema")
	require.Equal(t, tenants.SettingsSchema, s.Schema)
}

func TestSettings_RoundTrip(t *testing.T) {
	t.Parallel()
	in := tenants.DefaultSettings()
	in.DefaultLocale = "zh-CN"
	doc, err := in.Encode()
	require.NoError(t, err)
	out, err := tenants.ParseSettings(doc)
	require.NoError(t, err)
	require.Equal(t, in, out)
}

func TestSettings_RefusesBadDocuments(t *testing.T) {
	t.Parallel()
	_, err := tenants.ParseSettings(`{"schema":99}`)
	require.ErrorContains(t, err, "newer than this binary")

	_, err = tenants.ParseSettings(`not json`)
	require.ErrorContains(t, err, "parse tenant settings")

	bad := tenants.DefaultSettings()
	bad.DefaultLocale = "fr"
	_, err = bad.Encode()
	var ie *tenants.InputError
	require.ErrorAs(t, err, &ie)
	require.Equal(t, "default_locale", ie.Field)
}
