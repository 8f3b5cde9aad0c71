package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/twilio/twilio-go/client"

	"github.com/sesame-id/sesame/internal/delivery"
	faketwilio "github.com/sesame-id/sesame/internal/fake/twilio"
)

const (
	testFrom    = "+14155550100"
	testTo      = "+447700900123"
	testBody    = "Your Sesame code is 493817"
	testService = "MG0123456789abcdef0123456789abcdef"
)

// newTwilio returns a sender from testFrom (or through the Messaging
// Service when service is set) against fake.
func newTwilio(t *testing.T, fake *faketwilio.Server, service string) *delivery.Twilio {
	t.Helper()
	cfg := delivery.TwilioConfig{
		AccountSID: fake.AccountSID,
		AuthToken:  fake.AuthToken,
		From:       testFrom,
		HTTPClient: fake.HTTPClient(),
	}
	if service != "" {
		cfg.From, cfg.MessagingServiceSID = "", service
	}
	sender, err := delivery.NewTwilio(cfg)
	require.NoError(t, err)
	return sender
}

func TestTwilio_SendSMSReturnsTwilioSIDAndTwilioSeesMessage(t *testing.T) {
	t.Parallel()
	fake := faketwilio.Start(t)
	sender := newTwilio(t, fake, "")

	sid, err := sender.SendSMS(t.Context(), delivery.SMS{To: testTo, Body: testBody})
	require.NoError(t, err)
	require.Regexp(t, `^SM[0-9a-f]{32}$`, sid)

	// The fake only accepts basic auth with its account SID and token, and
	// only for the account in the path.
	got := fake.Messages()
	require.Len(t, got, 1)
	require.Equal(t, sid, got[0].SID)
	require.Equal(t, fake.AccountSID, got[0].AccountSID)
	require.Equal(t, testTo, got[0].To)
	require.Equal(t, testFrom, got[0].From)
	require.Empty(t, got[0].MessagingServiceSID)
	require.Equal(t, testBody, got[0].Body)
}

func TestTwilio_SendsThroughMessagingServiceWithoutFrom(t *testing.T) {
	t.Parallel()
	fake := faketwilio.Start(t)
	sender := newTwilio(t, fake, testService)

	sid, err := sender.SendSMS(t.Context(), delivery.SMS{To: testTo, Body: testBody})
	require.NoError(t, err)

	got := fake.Messages()
	require.Len(t, got, 1)
	require.Equal(t, sid, got[0].SID)
	require.Equal(t, testService, got[0].MessagingServiceSID)
	require.Empty(t, got[0].From)
}

func TestTwilio_AlphanumericSenderIDIsSentAsFrom(t *testing.T) {
	t.Parallel()
	fake := faketwilio.Start(t)
	sender, err := delivery.NewTwilio(delivery.TwilioConfig{
		AccountSID: fake.AccountSID,
		AuthToken:  fake.AuthToken,
		From:       "Sesame ID",
		HTTPClient: fake.HTTPClient(),
	})
	require.NoError(t, err)

	_, err = sender.SendSMS(t.Context(), delivery.SMS{To: testTo, Body: testBody})
	require.NoError(t, err)
	require.Equal(t, "Sesame ID", fake.Messages()[0].From)
}

func TestTwilio_RecipientRefusalsAndBadCredentialsArePermanent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name         string
		status, code int
	}{
		{"invalid To", 400, 21211},
		{"region not enabled", 400, 21408},
		{"unsubscribed", 400, 21610},
		{"unreachable from sender", 400, 21612},
		{"not a mobile number", 400, 21614},
		{"authentication failed", 401, 20003},
		{"unknown code on 403", 403, 99999},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := faketwilio.Start(t)
			fake.FailNext(1, tc.status, tc.code)
			sender := newTwilio(t, fake, "")

			_, err := sender.SendSMS(t.Context(), delivery.SMS{To: testTo, Body: testBody})
			require.Error(t, err)
			require.True(t, delivery.IsPermanent(err), "error %q should be permanent", err)

			var restErr *client.TwilioRestError
			require.ErrorAs(t, err, &restErr)
			require.Equal(t, tc.code, restErr.Code)
			require.Contains(t, err.Error(), "HTTP ")
			require.Empty(t, fake.Messages())
		})
	}
}

func TestTwilio_WrongAuthTokenIsPermanent(t *testing.T) {
	t.Parallel()
	fake := faketwilio.Start(t)
	sender, err := delivery.NewTwilio(delivery.TwilioConfig{
		AccountSID: fake.AccountSID,
		AuthToken:  "0123456789abcdef0123456789abcdef",
		From:       testFrom,
		HTTPClient: fake.HTTPClient(),
	})
	require.NoError(t, err)

	_, err = sender.SendSMS(t.Context(), delivery.SMS{To: testTo, Body: testBody})
	require.True(t, delivery.IsPermanent(err), "error %q should be permanent", err)
	require.Contains(t, err.Error(), "20003")
}

func TestTwilio_RateLimitsAndOutagesAreTemporary(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name         string
		status, code int
	}{
		{"429 too many requests", 429, 20429},
		{"500 internal error", 500, 20500},
		{"503 with Twilio JSON", 503, 20503},
		{"503 plain-text page from a proxy", 503, 0},
		{"502 plain-text page from a proxy", 502, 0},
		{"400 with an unknown code", 400, 99999},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := faketwilio.Start(t)
			fake.FailNext(1, tc.status, tc.code)
			sender := newTwilio(t, fake, "")

			_, err := sender.SendSMS(t.Context(), delivery.SMS{To: testTo, Body: testBody})
			require.Error(t, err)
			require.False(t, delivery.IsPermanent(err), "error %q should be temporary", err)
			require.Contains(t, err.Error(), "HTTP ")

			// The failure passes: the retry gets through.
			sid, err := sender.SendSMS(t.Context(), delivery.SMS{To: testTo, Body: testBody})
			require.NoError(t, err)
			require.NotEmpty(t, sid)
		})
	}
}

func TestTwilio_ConnectionRefusedIsTemporary(t *testing.T) {
	t.Parallel()
	fake := faketwilio.Start(t)
	sender := newTwilio(t, fake, "")
	fake.Close()

	_, err := sender.SendSMS(t.Context(), delivery.SMS{To: testTo, Body: testBody})
	require.Error(t, err)
	require.False(t, delivery.IsPermanent(err), "error %q should be temporary", err)
	require.Contains(t, err.Error(), "connection refused")
}

func TestTwilio_SlowTwilioIsCutOffByContextAsTemporary(t *testing.T) {
	t.Parallel()
	fake := faketwilio.Start(t)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) }) // before the fake closes: it waits for handlers
	fake.FailWhen(func(string) (int, int, bool) {
		select { // a slow Twilio, which a sender that ignored its deadline would outwait
		case <-release:
		case <-time.After(10 * time.Second):
		}
		return 0, 0, false
	})
	sender := newTwilio(t, fake, "")

	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := sender.SendSMS(ctx, delivery.SMS{To: testTo, Body: testBody})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.False(t, delivery.IsPermanent(err))
	require.Less(t, time.Since(start), 5*time.Second)
}

func TestTwilio_TimeoutSettingBoundsASend(t *testing.T) {
	t.Parallel()
	fake := faketwilio.Start(t)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	fake.FailWhen(func(string) (int, int, bool) {
		select { // a slow Twilio, which a sender that ignored its deadline would outwait
		case <-release:
		case <-time.After(10 * time.Second):
		}
		return 0, 0, false
	})
	sender, err := delivery.NewTwilio(delivery.TwilioConfig{
		AccountSID: fake.AccountSID,
		AuthToken:  fake.AuthToken,
		From:       testFrom,
		Timeout:    100 * time.Millisecond,
		HTTPClient: fake.HTTPClient(),
	})
	require.NoError(t, err)

	_, err = sender.SendSMS(t.Context(), delivery.SMS{To: testTo, Body: testBody})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.False(t, delivery.IsPermanent(err))
}

func TestTwilio_InvalidRecipientOrEmptyBodyFailPermanentlyWithoutARequest(t *testing.T) {
	t.Parallel()
	fake := faketwilio.Start(t)
	sender := newTwilio(t, fake, "")

	for _, sms := range []delivery.SMS{
		{To: "07700 900123", Body: testBody},
		{To: "+0123", Body: testBody},
		{To: "", Body: testBody},
		{To: testTo, Body: ""},
	} {
		_, err := sender.SendSMS(t.Context(), sms)
		require.True(t, delivery.IsPermanent(err), "error %q for %+v should be permanent", err, sms)
		require.NotContains(t, err.Error(), testBody)
	}
	require.Zero(t, fake.Requests())
}

func TestTwilio_ErrorsNeverContainAuthTokenOrBody(t *testing.T) {
	t.Parallel()
	fake := faketwilio.Start(t)
	fake.FailNext(1, 400, 21211)
	fake.FailNext(1, 401, 20003)
	fake.FailNext(1, 429, 20429)
	fake.FailNext(1, 503, 0)
	sender := newTwilio(t, fake, "")

	var errs []error
	for range 4 {
		_, err := sender.SendSMS(t.Context(), delivery.SMS{To: testTo, Body: testBody})
		require.Error(t, err)
		errs = append(errs, err)
	}
	fake.Close()
	_, err := sender.SendSMS(t.Context(), delivery.SMS{To: testTo, Body: testBody})
	require.Error(t, err)
	errs = append(errs, err)

	for _, err := range errs {
		msg := err.Error()
		require.NotContains(t, msg, fake.AuthToken)
		require.NotContains(t, msg, testBody)
		require.NotContains(t, msg, "493817")
	}
}

func TestTwilio_FakeClientNeverReachesOtherHosts(t *testing.T) {
	t.Parallel()
	fake := faketwilio.Start(t)
	resp, err := fake.HTTPClient().Get("https://example.com/")
	if resp != nil {
		resp.Body.Close()
	}
	require.ErrorContains(t, err, "only Twilio hosts are faked")
}

func TestNewTwilio_ConfigErrorsNameTheSetting(t *testing.T) {
	t.Parallel()
	const (
		sid   = "AC0123456789abcdef0123456789abcdef"
		token = "secrettoken0123456789abcdef0123"
	)
	for _, tc := range []struct {
		name string
		cfg  delivery.TwilioConfig
		want string
	}{
		{"missing SID", delivery.TwilioConfig{AuthToken: token, From: testFrom}, `AccountSID must be "AC" followed by 32 letters or digits`},
		{"SID with wrong prefix", delivery.TwilioConfig{AccountSID: "SK0123456789abcdef0123456789abcdef", AuthToken: token, From: testFrom}, "AccountSID"},
		{"SID too short", delivery.TwilioConfig{AccountSID: "AC0123", AuthToken: token, From: testFrom}, "got 6 characters"},
		{"SID with symbols", delivery.TwilioConfig{AccountSID: "AC0123456789abcdef0123456789abcde!", AuthToken: token, From: testFrom}, "AccountSID"},
		{"missing token", delivery.TwilioConfig{AccountSID: sid, From: testFrom}, "AuthToken is required"},
		{"token with symbols", delivery.TwilioConfig{AccountSID: sid, AuthToken: "sec-ret", From: testFrom}, "AuthToken must contain only letters and digits"},
		{"neither From nor service", delivery.TwilioConfig{AccountSID: sid, AuthToken: token}, "set one of From and MessagingServiceSID"},
		{"both From and service", delivery.TwilioConfig{AccountSID: sid, AuthToken: token, From: testFrom, MessagingServiceSID: testService}, "set only one of From and MessagingServiceSID"},
		{"From not E.164", delivery.TwilioConfig{AccountSID: sid, AuthToken: token, From: "4155550100"}, `From "4155550100" must be an E.164 phone number`},
		{"sender ID too long", delivery.TwilioConfig{AccountSID: sid, AuthToken: token, From: "SesameIDTooLong"}, "alphanumeric sender ID"},
		{"sender ID with punctuation", delivery.TwilioConfig{AccountSID: sid, AuthToken: token, From: "Sesame!"}, "alphanumeric sender ID"},
		{"bad service SID", delivery.TwilioConfig{AccountSID: sid, AuthToken: token, MessagingServiceSID: "MG123"}, `MessagingServiceSID "MG123" must be "MG" followed by 32 letters or digits`},
		{"negative timeout", delivery.TwilioConfig{AccountSID: sid, AuthToken: token, From: testFrom, Timeout: -time.Second}, "Timeout must not be negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sender, err := delivery.NewTwilio(tc.cfg)
			require.Nil(t, sender)
			require.ErrorContains(t, err, "invalid Twilio config")
			require.ErrorContains(t, err, tc.want)
			if tc.cfg.AuthToken != "" {
				require.NotContains(t, err.Error(), tc.cfg.AuthToken)
			}
		})
	}

	t.Run("every problem at once", func(t *testing.T) {
		t.Parallel()
		_, err := delivery.NewTwilio(delivery.TwilioConfig{})
		require.ErrorContains(t, err, "AccountSID")
		require.ErrorContains(t, err, "AuthToken")
		require.ErrorContains(t, err, "From")
	})

	t.Run("token pasted into the SID field is not echoed", func(t *testing.T) {
		t.Parallel()
		_, err := delivery.NewTwilio(delivery.TwilioConfig{AccountSID: token, AuthToken: token, From: testFrom})
		require.ErrorContains(t, err, "AccountSID")
		require.NotContains(t, err.Error(), token)
	})
}

func TestIsPermanent_OnlyErrorsWrappingErrPermanent(t *testing.T) {
	t.Parallel()
	require.False(t, delivery.IsPermanent(nil))
	require.False(t, delivery.IsPermanent(errors.New("timeout")))
	require.False(t, delivery.IsPermanent(http.ErrHandlerTimeout))
	require.True(t, delivery.IsPermanent(delivery.ErrPermanent))
	require.True(t, delivery.IsPermanent(fmt.Errorf("send: %w", delivery.ErrPermanent)))
	require.True(t, delivery.IsPermanent(errors.Join(errors.New("x"), delivery.ErrPermanent)))
	// The same words without the wrapping do not count.
	require.False(t, delivery.IsPermanent(errors.New("send: "+delivery.ErrPermanent.Error())))
}
