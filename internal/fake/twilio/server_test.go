package faketwilio_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	faketwilio "github.com/sesame-id/sesame/internal/fake/twilio"
)

type apiError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Status  int    `json:"status"`
}

// post sends a Messages.json request for account with basic auth user and
// password, as twilio-go would, and decodes the JSON answer into v.
func post(t *testing.T, s *faketwilio.Server, account, user, password string, form url.Values, v any) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost,
		"https://api.twilio.com/2010-04-01/Accounts/"+account+"/Messages.json", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(user, password)
	resp, err := s.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, "application/json; charset=utf-8", resp.Header.Get("Content-Type"))
	require.NoError(t, json.NewDecoder(resp.Body).Decode(v))
	return resp.StatusCode
}

func message(to string) url.Values {
	return url.Values{"To": {to}, "From": {"+14155550100"}, "Body": {"hello"}}
}

func TestServer_AcceptsMessageAndAnswersLikeTwilio(t *testing.T) {
	t.Parallel()
	s := faketwilio.Start(t)

	var got map[string]any
	status := post(t, s, s.AccountSID, s.AccountSID, s.AuthToken, message("+447700900123"), &got)
	require.Equal(t, http.StatusCreated, status)
	require.Regexp(t, `^SM[0-9a-f]{32}$`, got["sid"])
	require.Equal(t, "queued", got["status"])
	require.Equal(t, "+447700900123", got["to"])
	require.Equal(t, s.AccountSID, got["account_sid"])

	msgs := s.Messages()
	require.Len(t, msgs, 1)
	require.Equal(t, got["sid"], msgs[0].SID)
	require.Equal(t, "hello", msgs[0].Body)
	require.Equal(t, 1, s.Requests())
}

func TestServer_RefusesWrongCredentialsAndOtherAccounts(t *testing.T) {
	t.Parallel()
	s := faketwilio.Start(t)
	other := "AC" + strings.Repeat("0", 32)

	var e apiError
	require.Equal(t, 401, post(t, s, s.AccountSID, s.AccountSID, "wrong", message("+447700900123"), &e))
	require.Equal(t, apiError{Code: 20003, Message: "Authenticate", Status: 401}, e)

	require.Equal(t, 401, post(t, s, other, other, s.AuthToken, message("+447700900123"), &e))
	require.Equal(t, 20003, e.Code)

	require.Equal(t, 404, post(t, s, other, s.AccountSID, s.AuthToken, message("+447700900123"), &e))
	require.Equal(t, 20404, e.Code)
	require.Empty(t, s.Messages())
	require.Equal(t, 3, s.Requests())
}

func TestServer_ValidatesLikeTwilio(t *testing.T) {
	t.Parallel()
	s := faketwilio.Start(t)
	for _, tc := range []struct {
		form url.Values
		code int
	}{
		{url.Values{"From": {"+14155550100"}, "Body": {"x"}}, 21604},
		{message("07700900123"), 21211},
		{url.Values{"To": {"+447700900123"}, "Body": {"x"}}, 21603},
		{url.Values{"To": {"+447700900123"}, "From": {"+14155550100"}}, 21602},
		{url.Values{"To": {"+447700900123"}, "From": {"+14155550100"}, "Body": {strings.Repeat("x", 1601)}}, 21617},
	} {
		var e apiError
		require.Equal(t, 400, post(t, s, s.AccountSID, s.AccountSID, s.AuthToken, tc.form, &e))
		require.Equal(t, tc.code, e.Code)
		require.Equal(t, 400, e.Status)
	}
	require.Empty(t, s.Messages())
}

func TestServer_FailNextThenFailWhen(t *testing.T) {
	t.Parallel()
	s := faketwilio.Start(t)
	s.FailNext(2, 429, 20429)
	s.FailWhen(func(to string) (int, int, bool) { return 400, 21610, to == "+447700900999" })

	var e apiError
	for range 2 {
		require.Equal(t, 429, post(t, s, s.AccountSID, s.AccountSID, s.AuthToken, message("+447700900123"), &e))
		require.Equal(t, 20429, e.Code)
	}
	require.Equal(t, 400, post(t, s, s.AccountSID, s.AccountSID, s.AuthToken, message("+447700900999"), &e))
	require.Equal(t, 21610, e.Code)
	var ok map[string]any
	require.Equal(t, 201, post(t, s, s.AccountSID, s.AccountSID, s.AuthToken, message("+447700900123"), &ok))
	require.Len(t, s.Messages(), 1)
}

func TestServer_FailNextWithCodeZeroAnswersPlainText(t *testing.T) {
	t.Parallel()
	s := faketwilio.Start(t)
	s.FailNext(1, 503, 0)

	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost,
		"https://api.twilio.com/2010-04-01/Accounts/"+s.AccountSID+"/Messages.json", strings.NewReader(message("+447700900123").Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(s.AccountSID, s.AuthToken)
	resp, err := s.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, 503, resp.StatusCode)
	require.True(t, strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain"))
}

func TestServer_HTTPClientReachesOnlyTwilioHosts(t *testing.T) {
	t.Parallel()
	s := faketwilio.Start(t)

	resp, err := s.HTTPClient().Get("https://api.dublin.ie1.twilio.com/2010-04-01/Accounts/x/Messages.json")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNotFound, resp.StatusCode) // the fake answered: only POST is served

	_, err = s.HTTPClient().Get("https://twilio.com.evil.example/")
	require.ErrorContains(t, err, "only Twilio hosts are faked")
}
