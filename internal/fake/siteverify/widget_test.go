package fakesiteverify_test

import (
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	fakesiteverify "github.com/sesame-id/sesame/internal/fake/siteverify"
)

func TestWidget_ScriptDefinesTheProvidersGlobalAndSolveGivesAOneTimeToken(t *testing.T) {
	t.Parallel()
	s := fakesiteverify.Start(t)
	for path, global := range map[string]string{
		fakesiteverify.TurnstileScriptPath: `"turnstile"`,
		fakesiteverify.ReCAPTCHAScriptPath: `"grecaptcha"`,
		fakesiteverify.HCaptchaScriptPath:  `"hcaptcha"`,
	} {
		resp, err := http.Get(s.URL + path + "?render=explicit&onload=ready")
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Contains(t, resp.Header.Get("Content-Type"), "javascript")
		require.Contains(t, string(body), "window["+global+"] = api")
		require.Contains(t, string(body), `"`+s.URL+`"`)
	}
	require.Equal(t, 3, s.ScriptsServed())

	resp, err := http.Post(s.URL+fakesiteverify.SolvePath, "", nil)
	require.NoError(t, err)
	tok, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Equal(t, "*", resp.Header.Get("Access-Control-Allow-Origin"))
	require.Equal(t, []string{string(tok)}, s.Solved())

	form := url.Values{"secret": {s.Secret}, "response": {string(tok)}}
	_, a := post(t, s.Endpoints()["turnstile"], form)
	require.True(t, a.Success)
	_, a = post(t, s.Endpoints()["turnstile"], form)
	require.False(t, a.Success, "a widget token works once")
}
