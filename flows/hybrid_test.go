package flows_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/flows"
)

// A sign-in came through another device only when the browser says the
// authenticator was cross-platform and the passkey travels over hybrid.
func TestHybrid_OnlyACrossPlatformAssertionOfAHybridPasskey(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		credential, stored string
		want               bool
	}{
		{`{"authenticatorAttachment":"cross-platform"}`, "hybrid,internal", true},
		{`{"authenticatorAttachment":"cross-platform","response":{"transports":["hybrid"]}}`, "", true},
		{`{"authenticatorAttachment":"platform"}`, "hybrid,internal", false},
		{`{"authenticatorAttachment":"cross-platform"}`, "usb,nfc", false},
		{`{}`, "hybrid", false},
		{`not json`, "hybrid", false},
	} {
		require.Equal(t, c.want, flows.Hybrid([]byte(c.credential), c.stored), "%s with %q", c.credential, c.stored)
	}
}
