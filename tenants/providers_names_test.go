package tenants

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestProviderProblemsNameTheSettingsNotDeliveryFields(t *testing.T) {
	err := SMSProvider{Provider: ProviderTwilio, AccountSID: "AC1", AuthToken: "tok", From: "+14155550100"}.Validate()
	var ie *InputError
	require.True(t, errors.As(err, &ie))
	require.Equal(t, "providers.sms.account_sid", ie.Field)
	require.Contains(t, ie.Problem, "providers.sms.account_sid must be")
	require.NotContains(t, ie.Problem, "AccountSID")

	err = SMSProvider{Provider: ProviderTwilio, AccountSID: "AC" + "0123456789abcdef0123456789abcdef", AuthToken: "tok"}.Validate()
	require.True(t, errors.As(err, &ie))
	require.Equal(t, "set one of providers.sms.from and providers.sms.messaging_service_sid", ie.Problem)
}
