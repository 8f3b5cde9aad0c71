package signin_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/signin"
)

func TestSignIn_CaptchaGuardsPasswordAndCodesNeverPasskeys(t *testing.T) {
	t.Parallel()
	m := signin.Machine(nil)
	require.Equal(t, []string{signin.ActionPassword, signin.ActionCodeSend, signin.ActionCodeVerify}, m.CaptchaActions())
	for _, a := range m.CaptchaActions() {
		require.False(t, flows.IsPasskeyAction(a), a)
	}
	for _, a := range []string{signin.ActionPasskeyBegin, signin.ActionPasskeyFinish, signin.ActionMFAPasskeyBegin, signin.ActionMFAPasskeyFinish} {
		require.True(t, flows.IsPasskeyAction(a), a)
		require.NotContains(t, m.CaptchaActions(), a)
	}
}
