package jobs

import (
	"strings"

	"github.com/sesame-id/sesame/internal/audit"
	"github.com/sesame-id/sesame/internal/locale"
)

// newSignInMessage words the notice of a sign-in from a new device
// (audit.NoticeNewSignIn): the browser and system read from the user
// agent, the time in UTC and the address. Never a code or secret: the
// job's arguments hold none.
func newSignInMessage(l locale.Locale, tenant string, a audit.NoticeArgs) codeMessage {
	browser, os := browserAndOS(a.UserAgent)
	if browser == "" {
		browser = l.T("notice.new_sign_in.unknown_browser")
	}
	if os == "" {
		os = l.T("notice.new_sign_in.unknown_os")
	}
	ip := a.IP
	if ip == "" {
		ip = "?"
	}
	return codeMessage{
		subject: l.T("notice.new_sign_in.subject", "tenant", tenant),
		text: l.T("notice.new_sign_in.text", "tenant", tenant, "ip", ip,
			"device", l.T("notice.new_sign_in.device", "browser", browser, "os", os),
			"time", a.At.UTC().Format("2006-01-02 15:04 UTC")),
	}
}

// The rules that name a user agent's browser and system, first match
// wins; the same as the pages' user_agent.js. Product names need no
// translation.
var (
	uaBrowsers = [][2]string{{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"}, {"FxiOS/", "Firefox"}, {"CriOS/", "Chrome"}, {"Chrome/", "Chrome"}, {"Safari/", "Safari"}}
	uaSystems  = [][2]string{{"Android", "Android"}, {"iPhone", "iOS"}, {"iPad", "iPadOS"}, {"Windows", "Windows"}, {"Mac OS X", "macOS"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"}}
)

// browserAndOS names ua's browser and system; either is "" when no rule
// recognises it.
func browserAndOS(ua string) (browser, os string) {
	return firstRule(ua, uaBrowsers), firstRule(ua, uaSystems)
}

func firstRule(ua string, rules [][2]string) string {
	for _, r := range rules {
		if strings.Contains(ua, r[0]) {
			return r[1]
		}
	}
	return ""
}
