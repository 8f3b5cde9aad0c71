package provider

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLogRouter_SendsAProviderRequestsRecordsToItsLoggerRedacted(t *testing.T) {
	t.Parallel()
	var fallback, own bytes.Buffer
	h := &logRouter{fallback: slog.NewTextHandler(&fallback, nil)}
	l := slog.New(h).With("url", "http://127.0.0.1:9/cb?code=CODE123&state=s").WithGroup("g")
	const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"

	ctx := withLogger(context.Background(), slog.New(slog.NewTextHandler(&own, nil)))
	l.WarnContext(ctx, "auth request redirect id_token_hint="+jwt,
		"redirect", "https://app.example/cb?state=s&code=CODE456#access_token=AT789&token_type=bearer",
		"oidc_error", slog.GroupValue(slog.Any("parent", errors.New("verify "+jwt+": bad signature")), slog.String("state", "s")),
		"client_secret", "SECRET1", "code_verifier", "VERIFIER1", "refresh_token", []string{"RT1"},
		"form", map[string]string{"refresh_token": "RT2"}, "end", "/oidc/end_session?id_token_hint="+jwt+"&state=bye")
	l.Info("elsewhere", "token", "TOKEN1", "kept", "public", "err", errors.New("refresh token: not found"))

	out := own.String()
	require.Contains(t, out, "auth request redirect")
	require.Contains(t, out, "state=s")
	require.Contains(t, out, "state=bye")
	require.Contains(t, out, "bad signature")
	for _, secret := range []string{"CODE123", "CODE456", "AT789", jwt, "SECRET1", "VERIFIER1", "RT1", "RT2"} {
		require.NotContains(t, out, secret)
	}
	require.NotContains(t, out, "elsewhere", "a record outside a provider request goes to the fallback")
	require.Contains(t, fallback.String(), "elsewhere")
	require.Contains(t, fallback.String(), "kept=public")
	require.Contains(t, fallback.String(), "refresh token: not found", "an error's words stay readable")
	require.NotContains(t, fallback.String(), "TOKEN1")
	require.NotContains(t, fallback.String(), "CODE123", "attributes given by With are redacted too")
	require.NotContains(t, out+fallback.String(), "CODE123")
}
