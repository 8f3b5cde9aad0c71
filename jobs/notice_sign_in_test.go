package jobs

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/audit"
)

// The new sign-in notice names the browser and system the user agent
// shows, the time in UTC and the address, in the job's language.
func TestNewSignInMessage_NamesTheDeviceTimeAndAddressInTheLanguage(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 5, 9, 30, 0, 0, time.FixedZone("x", 3600))
	safari := "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1"
	tenant := &db.Tenant{Name: "Acme", Slug: "acme", Settings: "{}"}
	for lang, want := range map[string]string{
		"en":    "from a new device: Safari on iOS, on 2026-12-05 08:30 UTC from the address 192.0.2.7.",
		"es":    "desde un dispositivo nuevo: Safari en iOS, el 2026-12-05 08:30 UTC desde la dirección 192.0.2.7.",
		"zh-CN": "有人于 2026-12-05 08:30 UTC 从新设备登录了您的 Acme 账号：iOS 上的 Safari，地址 192.0.2.7。",
	} {
		msg, err := noticeMessage(tenant, audit.NoticeArgs{Event: audit.NoticeNewSignIn, UserAgent: safari, IP: "192.0.2.7", At: at}, lang)
		require.NoError(t, err)
		require.Contains(t, msg.text, want, lang)
		require.Contains(t, msg.subject, "Acme", lang)
	}
	b, o := browserAndOS("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0")
	require.Equal(t, [2]string{"Firefox", "Linux"}, [2]string{b, o})
	b, o = browserAndOS("curl/8.0")
	require.Equal(t, [2]string{"", ""}, [2]string{b, o})
}
