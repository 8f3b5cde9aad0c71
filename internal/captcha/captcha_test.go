package captcha_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/internal/captcha"
	fakesiteverify "github.com/sesame-id/sesame/internal/fake/siteverify"
	"github.com/sesame-id/sesame/tenants"
)

var providers = []string{tenants.CaptchaTurnstile, tenants.CaptchaReCAPTCHA, tenants.CaptchaHCaptcha}

// start returns a fake siteverify service and a verifier that talks to it.
func start(t *testing.T) (*fakesiteverify.Server, *captcha.Verifier) {
	t.Helper()
	s := fakesiteverify.Start(t)
	return s, captcha.NewVerifier(captcha.VerifierConfig{Endpoints: s.Endpoints()})
}

// requireNoSecret fails if err's message contains secret.
func requireNoSecret(t *testing.T, err error, secret string) {
	t.Helper()
	require.Error(t, err)
	require.NotContains(t, err.Error(), secret)
}

func TestVerify_EachProviderAcceptsRegisteredTokenAndSendsSecretResponseAndRemoteIP(t *testing.T) {
	t.Parallel()
	for _, provider := range providers {
		t.Run(provider, func(t *testing.T) {
			t.Parallel()
			s, v := start(t)
			s.Accept("token-" + provider)

			require.NoError(t, v.Verify(t.Context(), s.Captcha(provider), "token-"+provider, "203.0.113.7"))

			reqs := s.Requests()
			require.Len(t, reqs, 1)
			require.Equal(t, provider, reqs[0].Provider)
			require.Equal(t, http.MethodPost, reqs[0].Method)
			require.Equal(t, "application/x-www-form-urlencoded", reqs[0].ContentType)
			require.Equal(t, s.Secret, reqs[0].Form.Get("secret"))
			require.Equal(t, "token-"+provider, reqs[0].Form.Get("response"))
			require.Equal(t, "203.0.113.7", reqs[0].Form.Get("remoteip"))
			if provider == tenants.CaptchaHCaptcha {
				require.Equal(t, s.SiteKey, reqs[0].Form.Get("sitekey"))
			} else {
				require.NotContains(t, reqs[0].Form, "sitekey")
			}
		})
	}
}

func TestVerify_OmitsRemoteIPWhenUnknown(t *testing.T) {
	t.Parallel()
	s, v := start(t)
	s.Accept("tok")

	require.NoError(t, v.Verify(t.Context(), s.Captcha(tenants.CaptchaTurnstile), "tok", ""))

	reqs := s.Requests()
	require.Len(t, reqs, 1)
	require.NotContains(t, reqs[0].Form, "remoteip")
}

func TestVerify_WrongSecretFailsWithoutRevealingIt(t *testing.T) {
	t.Parallel()
	for _, provider := range providers {
		t.Run(provider, func(t *testing.T) {
			t.Parallel()
			s, v := start(t)
			s.Accept("tok")
			cfg := s.Captcha(provider)
			cfg.Secret = "0xWRONG-secret-that-must-stay-private"

			err := v.Verify(t.Context(), cfg, "tok", "203.0.113.7")

			require.ErrorIs(t, err, captcha.ErrFailed)
			require.NotErrorIs(t, err, captcha.ErrUnavailable)
			require.Contains(t, err.Error(), "invalid-input-secret")
			requireNoSecret(t, err, cfg.Secret)
			require.Len(t, s.Requests(), 1)
		})
	}
}

func TestVerify_ReusedTokenFails(t *testing.T) {
	t.Parallel()
	for _, provider := range providers {
		t.Run(provider, func(t *testing.T) {
			t.Parallel()
			s, v := start(t)
			s.Accept("once")
			cfg := s.Captcha(provider)
			require.NoError(t, v.Verify(t.Context(), cfg, "once", ""))

			err := v.Verify(t.Context(), cfg, "once", "")

			require.ErrorIs(t, err, captcha.ErrFailed)
			if provider == tenants.CaptchaHCaptcha {
				require.Contains(t, err.Error(), "invalid-or-already-seen-response")
			} else {
				require.Contains(t, err.Error(), "timeout-or-duplicate")
			}
			require.Len(t, s.Requests(), 2)
		})
	}
}

func TestVerify_UnknownTokenFails(t *testing.T) {
	t.Parallel()
	s, v := start(t)

	err := v.Verify(t.Context(), s.Captcha(tenants.CaptchaReCAPTCHA), "never-issued", "")

	require.ErrorIs(t, err, captcha.ErrFailed)
	require.Contains(t, err.Error(), "invalid-input-response")
}

func TestVerify_HCaptchaTokenForAnotherSiteKeyFails(t *testing.T) {
	t.Parallel()
	s, v := start(t)
	s.Accept("tok")
	cfg := s.Captcha(tenants.CaptchaHCaptcha)
	cfg.SiteKey = "another-site"

	err := v.Verify(t.Context(), cfg, "tok", "")

	require.ErrorIs(t, err, captcha.ErrFailed)
	require.Contains(t, err.Error(), "sitekey-secret-mismatch")
}

func TestVerify_EmptyTokenIsMissingWithoutRequest(t *testing.T) {
	t.Parallel()
	for _, provider := range providers {
		t.Run(provider, func(t *testing.T) {
			t.Parallel()
			s, v := start(t)

			err := v.Verify(t.Context(), s.Captcha(provider), "", "203.0.113.7")

			require.ErrorIs(t, err, captcha.ErrMissingToken)
			require.NotErrorIs(t, err, captcha.ErrFailed)
			require.NotErrorIs(t, err, captcha.ErrUnavailable)
			require.Empty(t, s.Requests())
		})
	}
}

func TestVerify_OversizedTokenFailsWithoutRequest(t *testing.T) {
	t.Parallel()
	s, v := start(t)
	huge := make([]byte, captcha.MaxTokenLength+1)
	for i := range huge {
		huge[i] = 'a'
	}

	err := v.Verify(t.Context(), s.Captcha(tenants.CaptchaTurnstile), string(huge), "")

	require.ErrorIs(t, err, captcha.ErrFailed)
	require.Empty(t, s.Requests())
}

func TestVerify_ProviderOffSucceedsWithoutRequest(t *testing.T) {
	t.Parallel()
	s, v := start(t)

	require.NoError(t, v.Verify(t.Context(), tenants.Captcha{Provider: tenants.CaptchaOff}, "", ""))
	require.NoError(t, v.Verify(t.Context(), tenants.Captcha{Provider: tenants.CaptchaOff}, "anything", "203.0.113.7"))
	require.Empty(t, s.Requests())
}

func TestVerify_UnknownOrUnconfiguredProviderIsUnavailableWithoutRequest(t *testing.T) {
	t.Parallel()
	s, v := start(t)
	s.Accept("tok")

	for _, cfg := range []tenants.Captcha{
		{Provider: "", SiteKey: s.SiteKey, Secret: s.Secret},
		{Provider: "friendlycaptcha", SiteKey: s.SiteKey, Secret: s.Secret},
		{Provider: tenants.CaptchaTurnstile, SiteKey: s.SiteKey},
	} {
		err := v.Verify(t.Context(), cfg, "tok", "")
		require.ErrorIs(t, err, captcha.ErrUnavailable, "provider %q", cfg.Provider)
		require.NotErrorIs(t, err, captcha.ErrFailed)
		requireNoSecret(t, err, s.Secret)
	}
	require.Empty(t, s.Requests())
}

func TestVerify_ServerErrorIsUnavailable(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusTooManyRequests, http.StatusBadRequest} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			t.Parallel()
			s, v := start(t)
			s.Accept("tok")
			s.FailNext(status)

			err := v.Verify(t.Context(), s.Captcha(tenants.CaptchaTurnstile), "tok", "")

			require.ErrorIs(t, err, captcha.ErrUnavailable)
			require.NotErrorIs(t, err, captcha.ErrFailed)
			require.Contains(t, err.Error(), fmt.Sprintf("HTTP %d", status))
			requireNoSecret(t, err, s.Secret)
			require.Len(t, s.Requests(), 1)
		})
	}
}

func TestVerify_OutageEndsWithTheNextRequest(t *testing.T) {
	t.Parallel()
	s, v := start(t)
	s.Accept("tok")
	s.FailNext(http.StatusServiceUnavailable)
	cfg := s.Captcha(tenants.CaptchaReCAPTCHA)

	require.ErrorIs(t, v.Verify(t.Context(), cfg, "tok", ""), captcha.ErrUnavailable)
	require.NoError(t, v.Verify(t.Context(), cfg, "tok", ""), "the failed request did not use the token")
}

func TestVerify_SlowProviderTimesOutAsUnavailable(t *testing.T) {
	t.Parallel()
	s := fakesiteverify.Start(t)
	v := captcha.NewVerifier(captcha.VerifierConfig{Endpoints: s.Endpoints(), Timeout: 50 * time.Millisecond})
	s.Accept("tok")
	s.InterceptNext(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done(): // the verifier gave up and hung up
		case <-time.After(10 * time.Second):
		}
	})

	began := time.Now()
	err := v.Verify(t.Context(), s.Captcha(tenants.CaptchaHCaptcha), "tok", "")

	require.ErrorIs(t, err, captcha.ErrUnavailable)
	require.NotErrorIs(t, err, captcha.ErrFailed)
	require.Less(t, time.Since(began), 5*time.Second, "the verifier's timeout, not the handler, ended the call")
	requireNoSecret(t, err, s.Secret)
}

func TestVerify_UnreachableProviderIsUnavailable(t *testing.T) {
	t.Parallel()
	s, v := start(t)
	cfg := s.Captcha(tenants.CaptchaTurnstile)
	s.Close()

	err := v.Verify(t.Context(), cfg, "tok", "")

	require.ErrorIs(t, err, captcha.ErrUnavailable)
	requireNoSecret(t, err, s.Secret)
}

func TestVerify_MalformedAnswerIsUnavailable(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"html":               "<html><body>Service Unavailable</body></html>",
		"truncated JSON":     `{"success": tru`,
		"no success field":   `{"error-codes": []}`,
		"success not a bool": `{"success": "true"}`,
		"empty":              "",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, v := start(t)
			s.Accept("tok")
			s.InterceptNext(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(body))
			})

			err := v.Verify(t.Context(), s.Captcha(tenants.CaptchaReCAPTCHA), "tok", "")

			require.ErrorIs(t, err, captcha.ErrUnavailable)
			require.NotErrorIs(t, err, captcha.ErrFailed)
		})
	}
}

func TestVerify_RedirectIsUnavailableAndNotFollowed(t *testing.T) {
	t.Parallel()
	s, v := start(t)
	elsewhere := fakesiteverify.Start(t)
	s.InterceptNext(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+fakesiteverify.TurnstilePath, http.StatusPermanentRedirect)
	})

	err := v.Verify(t.Context(), s.Captcha(tenants.CaptchaTurnstile), "tok", "")

	require.ErrorIs(t, err, captcha.ErrUnavailable)
	require.Empty(t, elsewhere.Requests(), "the secret went nowhere else")
}

func TestVerify_ReCAPTCHAScoreBelowThresholdFails(t *testing.T) {
	t.Parallel()
	s, v := start(t)
	s.AcceptScore("bot", 0.2)

	err := v.Verify(t.Context(), s.Captcha(tenants.CaptchaReCAPTCHA), "bot", "")

	require.ErrorIs(t, err, captcha.ErrFailed)
	require.Contains(t, err.Error(), "score 0.20")
}

func TestVerify_ReCAPTCHAScoreAtOrAboveThresholdSucceeds(t *testing.T) {
	t.Parallel()
	s, v := start(t)
	s.AcceptScore("human", 0.9)
	s.AcceptScore("borderline", 0.5)
	cfg := s.Captcha(tenants.CaptchaReCAPTCHA)

	require.NoError(t, v.Verify(t.Context(), cfg, "human", ""))
	require.NoError(t, v.Verify(t.Context(), cfg, "borderline", ""))
}

func TestVerify_ReCAPTCHAMinScoreIsConfigurable(t *testing.T) {
	t.Parallel()
	s := fakesiteverify.Start(t)
	v := captcha.NewVerifier(captcha.VerifierConfig{Endpoints: s.Endpoints(), MinScore: 0.8})
	s.AcceptScore("meh", 0.7)

	require.ErrorIs(t, v.Verify(t.Context(), s.Captcha(tenants.CaptchaReCAPTCHA), "meh", ""), captcha.ErrFailed)
}

func TestVerify_SecretNeverAppearsInErrors(t *testing.T) {
	t.Parallel()
	s, v := start(t)
	secret := s.Secret
	cfg := s.Captcha(tenants.CaptchaTurnstile)
	s.AcceptScore("low", 0.1)
	s.Accept("used")
	require.NoError(t, v.Verify(t.Context(), cfg, "used", ""))

	// A provider echoing the secret, in the body or the error codes, must
	// not get it into the error either.
	s.InterceptNext(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"success": false, "error-codes": ["` + secret + `", "bad ` + secret + `"]}`))
	})
	s.InterceptNext(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("not json " + secret))
	})
	s.InterceptNext(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "oops "+secret, http.StatusInternalServerError)
	})

	errs := []error{
		v.Verify(t.Context(), cfg, "x", ""),                                                // echoed in error-codes
		v.Verify(t.Context(), cfg, "x", ""),                                                // echoed in a non-JSON body
		v.Verify(t.Context(), cfg, "x", ""),                                                // echoed in a 500 body
		v.Verify(t.Context(), cfg, "used", ""),                                             // duplicate
		v.Verify(t.Context(), s.Captcha(tenants.CaptchaReCAPTCHA), "low", ""),              // low score
		v.Verify(t.Context(), cfg, "", ""),                                                 // missing token
		v.Verify(t.Context(), tenants.Captcha{Provider: "bogus", Secret: secret}, "x", ""), // unknown provider
	}
	for i, err := range errs {
		require.Error(t, err, "case %d", i)
		require.NotContains(t, err.Error(), secret, "case %d", i)
	}
	require.Contains(t, errs[0].Error(), "unrecognised")
}
