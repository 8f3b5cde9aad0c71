package graph

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/errcode"
	"github.com/sesame-id/sesame/tenants"
)

// presenter returns an endpoint whose log is written to the returned
// buffer.
func presenter() (*endpoint, *bytes.Buffer) {
	var log bytes.Buffer
	return &endpoint{Deps: Deps{Logger: slog.New(slog.NewTextHandler(&log, nil))}}, &log
}

func TestPresentError_AnErrorOutsideTheCatalogueIsInternal(t *testing.T) {
	t.Parallel()
	cases := map[string]error{
		"a plain error":             errors.New("pq: connection refused at 10.0.0.7"),
		"an ad-hoc code":            &flows.Error{Code: "made_up", Status: 400, Message: "secret detail"},
		"a listed code, bad status": &flows.Error{Code: "not_found", Status: 200, Message: "secret detail"},
		"gqlgen's error, no code":   gqlerror.Errorf("secret detail"),
		"gqlgen's, unknown code":    &gqlerror.Error{Message: "secret detail", Extensions: map[string]any{"code": "PERSISTED_QUERY_NOT_FOUND"}},
	}
	for name, err := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h, log := presenter()
			out := h.presentError(context.Background(), err)
			require.Equal(t, map[string]any{"code": "internal"}, out.Extensions)
			require.Equal(t, errcode.ErrInternal.Message, out.Message)
			require.NotContains(t, out.Message, "secret")
			require.Contains(t, log.String(), "level=ERROR", "the cause is logged")
		})
	}
}

func TestPresentError_CatalogueErrorsKeepTheirCode(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		err   error
		code  string
		field string
		text  string
	}{
		{"a catalogue error", fmt.Errorf("remove: %w", errLastMethod), "last_sign_in_method", "", errLastMethod.Message},
		{"one naming a field", flows.ErrInvalidInput.WithField("email", "Enter an email."), "invalid_input", "email", "Enter an email."},
		{"a settings error", &tenants.InputError{Field: "mfa.policy", Problem: "is wrong"}, "invalid_input", "mfa.policy", "mfa.policy: is wrong"},
		{"an RP ID change", &tenants.RPIDChangeError{From: "a.example", To: "b.example", Passkeys: 2}, "rp_id_change_needs_confirmation", "passkeys.rp_id", "from a.example to b.example strands 2 passkey"},
		{"a settings conflict", tenants.ErrSettingsChanged, "settings_changed", "", errcode.ErrSettingsChanged.Message},
		{"a missing row", fmt.Errorf("load: %w", db.ErrNotFound), "not_found", "", errcode.ErrNotFound.Message},
		{"a provider's failure", fmt.Errorf("%w: %w", errcode.ErrProviderError, errors.New("twilio 21211 +1415")), "provider_error", "", errcode.ErrProviderError.Message},
		{"the complexity limit", &gqlerror.Error{Message: "operation has complexity 900", Extensions: map[string]any{"code": complexityLimitCode}}, "query_too_complex", "", errTooComplex.Message},
		{"gqlgen's validation", &gqlerror.Error{Message: "Cannot query field", Extensions: map[string]any{"code": "GRAPHQL_VALIDATION_FAILED"}}, "GRAPHQL_VALIDATION_FAILED", "", "Cannot query field"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, log := presenter()
			out := h.presentError(context.Background(), tc.err)
			require.Equal(t, tc.code, out.Extensions["code"])
			if tc.field != "" {
				require.Equal(t, tc.field, out.Extensions["field"])
			} else {
				require.NotContains(t, out.Extensions, "field")
			}
			require.Contains(t, out.Message, tc.text)
			require.NotContains(t, log.String(), "level=ERROR")
		})
	}
}
