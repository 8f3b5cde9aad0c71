package fakesiteverify_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	fakesiteverify "github.com/sesame-id/sesame/internal/fake/siteverify"
	"github.com/sesame-id/sesame/tenants"
)

type answer struct {
	Success    bool     `json:"success"`
	ErrorCodes []string `json:"error-codes"`
	Hostname   string   `json:"hostname"`
	Score      *float64 `json:"score"`
}

// post sends a form as a siteverify client would and decodes the answer.
func post(t *testing.T, endpoint string, form url.Values) (int, answer) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var a answer
	if resp.StatusCode == http.StatusOK {
		require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&a))
	}
	return resp.StatusCode, a
}

func TestServer_EndpointsUseTheProvidersPathsOnLoopback(t *testing.T) {
	t.Parallel()
	s := fakesiteverify.Start(t)

	require.True(t, strings.HasPrefix(s.URL, "http://127.0.0.1:"), s.URL)
	require.Equal(t, map[string]string{
		tenants.CaptchaTurnstile: s.URL + "/turnstile/v0/siteverify",
		tenants.CaptchaReCAPTCHA: s.URL + "/recaptcha/api/siteverify",
		tenants.CaptchaHCaptcha:  s.URL + "/siteverify",
	}, s.Endpoints())
}

func TestServer_AcceptedTokenSucceedsOnceThenAnswersDuplicate(t *testing.T) {
	t.Parallel()
	s := fakesiteverify.Start(t)
	s.Accept("tok")
	endpoint := s.Endpoints()[tenants.CaptchaTurnstile]
	form := url.Values{"secret": {s.Secret}, "response": {"tok"}}

	status, a := post(t, endpoint, form)
	require.Equal(t, http.StatusOK, status)
	require.True(t, a.Success)
	require.Empty(t, a.ErrorCodes)
	require.Equal(t, fakesiteverify.Hostname, a.Hostname)

	status, a = post(t, endpoint, form)
	require.Equal(t, http.StatusOK, status)
	require.False(t, a.Success)
	require.Equal(t, []string{"timeout-or-duplicate"}, a.ErrorCodes)
}

func TestServer_HCaptchaReportsReuseInItsOwnWords(t *testing.T) {
	t.Parallel()
	s := fakesiteverify.Start(t)
	s.Accept("tok")
	endpoint := s.Endpoints()[tenants.CaptchaHCaptcha]
	form := url.Values{"secret": {s.Secret}, "response": {"tok"}, "sitekey": {s.SiteKey}}

	_, a := post(t, endpoint, form)
	require.True(t, a.Success)
	_, a = post(t, endpoint, form)
	require.Equal(t, []string{"invalid-or-already-seen-response"}, a.ErrorCodes)
}

func TestServer_RejectsBadRequestsWithTheProvidersErrorCodes(t *testing.T) {
	t.Parallel()
	s := fakesiteverify.Start(t)
	s.Accept("tok")
	for _, tc := range []struct {
		name, provider string
		form           url.Values
		code           string
	}{
		{"missing secret", tenants.CaptchaReCAPTCHA, url.Values{"response": {"tok"}}, "missing-input-secret"},
		{"wrong secret", tenants.CaptchaReCAPTCHA, url.Values{"secret": {"nope"}, "response": {"tok"}}, "invalid-input-secret"},
		{"missing response", tenants.CaptchaTurnstile, url.Values{"secret": {s.Secret}}, "missing-input-response"},
		{"unknown token", tenants.CaptchaTurnstile, url.Values{"secret": {s.Secret}, "response": {"forged"}}, "invalid-input-response"},
		{"other site key", tenants.CaptchaHCaptcha, url.Values{"secret": {s.Secret}, "response": {"tok"}, "sitekey": {"other"}}, "sitekey-secret-mismatch"},
	} {
		status, a := post(t, s.Endpoints()[tc.provider], tc.form)
		require.Equal(t, http.StatusOK, status, tc.name)
		require.False(t, a.Success, tc.name)
		require.Equal(t, []string{tc.code}, a.ErrorCodes, tc.name)
	}

	_, a := post(t, s.Endpoints()[tenants.CaptchaTurnstile], url.Values{"secret": {s.Secret}, "response": {"tok"}})
	require.True(t, a.Success, "rejected requests did not use the token")
}

func TestServer_ReCAPTCHAV3TokenCarriesItsScore(t *testing.T) {
	t.Parallel()
	s := fakesiteverify.Start(t)
	s.AcceptScore("v3", 0.3)
	s.Accept("v2")

	_, a := post(t, s.Endpoints()[tenants.CaptchaReCAPTCHA], url.Values{"secret": {s.Secret}, "response": {"v3"}})
	require.True(t, a.Success)
	require.NotNil(t, a.Score)
	require.InDelta(t, 0.3, *a.Score, 1e-9)

	_, a = post(t, s.Endpoints()[tenants.CaptchaReCAPTCHA], url.Values{"secret": {s.Secret}, "response": {"v2"}})
	require.True(t, a.Success)
	require.Nil(t, a.Score)
}

func TestServer_FailNextAnswersStatusOncePerCall(t *testing.T) {
	t.Parallel()
	s := fakesiteverify.Start(t)
	s.Accept("tok")
	s.FailNext(http.StatusInternalServerError)
	s.FailNext(http.StatusServiceUnavailable)
	form := url.Values{"secret": {s.Secret}, "response": {"tok"}}
	endpoint := s.Endpoints()[tenants.CaptchaHCaptcha]

	status, _ := post(t, endpoint, form)
	require.Equal(t, http.StatusInternalServerError, status)
	status, _ = post(t, endpoint, form)
	require.Equal(t, http.StatusServiceUnavailable, status)
	status, a := post(t, endpoint, form)
	require.Equal(t, http.StatusOK, status)
	require.True(t, a.Success)
}

func TestServer_RecordsEveryRequestWithItsForm(t *testing.T) {
	t.Parallel()
	s := fakesiteverify.Start(t)
	s.FailNext(http.StatusBadGateway)
	post(t, s.Endpoints()[tenants.CaptchaTurnstile], url.Values{"secret": {"a"}, "response": {"b"}, "remoteip": {"192.0.2.1"}})
	post(t, s.Endpoints()[tenants.CaptchaHCaptcha], url.Values{"secret": {"c"}, "response": {"d"}})

	reqs := s.Requests()
	require.Len(t, reqs, 2)
	require.Equal(t, tenants.CaptchaTurnstile, reqs[0].Provider)
	require.Equal(t, "192.0.2.1", reqs[0].Form.Get("remoteip"))
	require.Equal(t, tenants.CaptchaHCaptcha, reqs[1].Provider)
	require.Equal(t, "d", reqs[1].Form.Get("response"))

	reqs[0].Form.Set("secret", "changed")
	require.Equal(t, "a", s.Requests()[0].Form.Get("secret"), "Requests returns copies")
}

func TestServer_RefusesOtherMethodsAndPaths(t *testing.T) {
	t.Parallel()
	s := fakesiteverify.Start(t)

	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, s.Endpoints()[tenants.CaptchaReCAPTCHA]+"?secret="+s.Secret, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)

	status, _ := post(t, s.URL+"/elsewhere", url.Values{"secret": {s.Secret}})
	require.Equal(t, http.StatusNotFound, status)
	require.Len(t, s.Requests(), 1, "only siteverify paths are recorded")
}
