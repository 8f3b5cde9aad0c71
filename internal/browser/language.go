package browser

import (
	"testing"

	"github.com/chromedp/cdproto/emulation"
)

// SetAcceptLanguage makes the tab ask for the languages of header (an
// Accept-Language value such as "es-ES,es;q=0.9") on every later request,
// as a browser set to those languages does; navigator.language follows.
func (tab *Tab) SetAcceptLanguage(t testing.TB, header string) {
	t.Helper()
	var ua string
	tab.Eval(t, "navigator.userAgent", &ua)
	call(t, tab, "setting the Accept-Language to "+header, emulation.SetUserAgentOverride,
		emulation.SetUserAgentOverrideParams{UserAgent: ua, AcceptLanguage: header})
}
