package graph_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/audit"
	"github.com/sesame-id/sesame/internal/delivery"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/internal/testserver"
	"github.com/sesame-id/sesame/jobs"
)

// lockedBuffer is a log destination many goroutines may write.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

const qAudit = `query($first: Int!, $after: String, $f: AuditEventFilter) { auditEvents(first: $first, after: $after, filter: $f) {
	nodes { id type occurredAt userId actor method amr ip userAgent result details } pageInfo { hasNextPage endCursor } } }`

// auditPages reads the whole audit log of p through the API, per pages of
// first, and returns its events newest first.
func (e *apiEnv) auditPages(t *testing.T, p *party, first int, filter map[string]any) []map[string]any {
	t.Helper()
	var out []map[string]any
	var after any
	for range 100 {
		d := e.ok(t, p, admin, qAudit, map[string]any{"first": first, "after": after, "f": filter})
		for _, n := range path(d, "auditEvents", "nodes").([]any) {
			out = append(out, n.(map[string]any))
		}
		if path(d, "auditEvents", "pageInfo", "hasNextPage") != true {
			return out
		}
		after = path(d, "auditEvents", "pageInfo", "endCursor")
		require.NotNil(t, after)
	}
	t.Fatal("the pages never end")
	return nil
}

func TestAuditLog_AccountAndAdminChangesAreRecordedOnceForTheirTenantWithoutSecrets(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			logs := &lockedBuffer{}
			outbox := delivery.NewOutbox(delivery.OutboxConfig{})
			e := newAPIEnvWith(t, b, testserver.Options{Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
				Senders: jobs.StaticSenders{SMSSender: outbox, EmailSender: outbox}}, outbox)
			p := e.acme
			secrets := []string{p.key, p.session.Token}

			// The user's own changes.
			const newPassword = "Correct-Horse-Battery-Staple-42"
			secrets = append(secrets, newPassword)
			e.ok(t, p, user, `mutation($p: String!) { setPassword(password: $p) { hasPassword } }`, map[string]any{"p": newPassword})
			d := e.ok(t, p, user, `mutation { beginAddIdentifier(value: "ada.work@acme.example") { binding } }`, nil)
			code := e.codeSentTo(t, "ada.work@acme.example")
			secrets = append(secrets, code)
			d = e.ok(t, p, user, `mutation($b: String!, $c: String!) { confirmIdentifier(binding: $b, code: $c) { identifiers { id value } } }`,
				map[string]any{"b": path(d, "beginAddIdentifier", "binding"), "c": code})
			cred := e.addCredential(t, p, p.user, "Laptop")
			e.ok(t, p, user, `mutation($id: ID!) { removePasskey(id: $id) }`, map[string]any{"id": cred.ID.String()})

			// The administrator's changes.
			d = e.ok(t, p, admin, `mutation { createAPIKey(name: "ci") { secret apiKey { id } } }`, nil)
			secrets = append(secrets, path(d, "createAPIKey", "secret").(string))
			e.ok(t, p, admin, `mutation($id: ID!) { revokeAPIKey(id: $id) }`, map[string]any{"id": path(d, "createAPIKey", "apiKey", "id")})
			v := int(path(e.ok(t, p, admin, `{ tenant { settingsVersion } }`, nil), "tenant", "settingsVersion").(float64))
			const captchaSecret = "captcha-very-secret-value"
			secrets = append(secrets, captchaSecret)
			e.ok(t, p, admin, `mutation($in: UpdateSettingsInput!) { updateSettings(input: $in) { settingsVersion } }`, map[string]any{"in": map[string]any{
				"version": v, "captcha": map[string]any{"provider": "TURNSTILE", "siteKey": "site-key", "secret": captchaSecret},
				"account": map[string]any{"deletionGraceDays": 7, "auditLogDays": 30},
			}})
			d = e.ok(t, p, admin, `mutation { createUser(input: {email: "grace@acme.example"}) { id } }`, nil)
			grace := path(d, "createUser", "id")
			e.ok(t, p, admin, `mutation($id: ID!) { setUserDisabled(id: $id, disabled: true) { id } }`, map[string]any{"id": grace})
			e.ok(t, p, admin, `mutation($id: ID!) { setUserDisabled(id: $id, disabled: false) { id } }`, map[string]any{"id": grace})
			e.ok(t, p, admin, `mutation($id: ID!) { resetUserMFA(id: $id) { id } }`, map[string]any{"id": grace})
			e.ok(t, p, admin, `mutation($id: ID!) { deleteUser(id: $id) }`, map[string]any{"id": grace})
			appID, _, appSecret := e.createApp(t, p, map[string]any{"name": "Shop", "type": "WEB", "redirectUris": []string{"https://shop.example/cb"}})
			secrets = append(secrets, appSecret)
			d = e.ok(t, p, admin, `mutation($id: ID!) { rotateApplicationSecret(id: $id) { secret } }`, map[string]any{"id": appID})
			secrets = append(secrets, path(d, "rotateApplicationSecret", "secret").(string))
			e.ok(t, p, admin, `mutation($id: ID!) { deleteApplication(id: $id) }`, map[string]any{"id": appID})
			d = e.ok(t, p, admin, `mutation { createWebhookEndpoint(input: {url: "https://hooks.example/in?token=receiver-token-42", events: ["*"], enabled: false}) { secret endpoint { id } } }`, nil)
			hook := path(d, "createWebhookEndpoint", "endpoint", "id")
			secrets = append(secrets, path(d, "createWebhookEndpoint", "secret").(string), "receiver-token-42")
			e.ok(t, p, admin, `mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: {url: "https://hooks.example/in", events: ["user.created"], enabled: false}) { id } }`, map[string]any{"id": hook})
			d = e.ok(t, p, admin, `mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }`, map[string]any{"id": hook})
			secrets = append(secrets, path(d, "rotateWebhookSecret", "secret").(string))
			e.ok(t, p, admin, `mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, map[string]any{"id": hook})
			e.ok(t, p, admin, setLogo, map[string]any{"d": base64.StdEncoding.EncodeToString(logoPNG(t, 8, 8))})
			e.ok(t, p, admin, `mutation { removeLogo }`, nil)
			d = e.ok(t, p, admin, `mutation($id: ID!) { createRecoveryLink(userId: $id) { url } }`, map[string]any{"id": p.user.ID.String()})
			link := path(d, "createRecoveryLink", "url").(string)
			secrets = append(secrets, link[strings.Index(link, "#link=")+len("#link="):])
			other := e.signIn(t, p, p.user)
			secrets = append(secrets, other.Token)
			e.ok(t, p, user, `mutation($id: ID!) { revokeSession(id: $id) }`, map[string]any{"id": other.Session.ID.String()})

			// Last, as it ends the user's sessions.
			e.ok(t, p, user, `mutation { requestAccountDeletion { deleteAfter } }`, nil)

			events := e.auditPages(t, p, 3, nil)
			count := map[string]int{}
			for _, ev := range events {
				count[ev["type"].(string)]++
			}
			require.Equal(t, map[string]int{
				string(audit.PasswordChanged): 1, string(audit.IdentifierAdded): 1, string(audit.PasskeyRemoved): 1,
				string(audit.APIKeyCreated): 1, string(audit.APIKeyRevoked): 1, string(audit.SettingsChanged): 1,
				string(audit.UserCreated): 1, string(audit.UserDisabled): 1, string(audit.UserEnabled): 1,
				string(audit.UserMFAReset): 1, string(audit.UserDeleted): 1,
				string(audit.AppCreated): 1, string(audit.AppSecretRotated): 1, string(audit.AppDeleted): 1,
				string(audit.DeletionRequested): 1,
				string(audit.WebhookCreated):    1, string(audit.WebhookUpdated): 2, string(audit.WebhookDeleted): 1,
				string(audit.LogoChanged): 2, string(audit.SetupLinkCreated): 1,
				// The revoked one, then the deletion's end of the last.
				string(audit.SessionEnded): 2,
			}, count)
			require.Equal(t, string(audit.SessionEnded), events[0]["type"], "newest first: the deletion ends the sessions")
			require.Equal(t, string(audit.DeletionRequested), events[1]["type"])
			require.Equal(t, "user:"+p.user.ID.String(), events[1]["actor"])
			require.Equal(t, p.user.ID.String(), events[1]["userId"])
			for _, ev := range events {
				if ev["type"] == string(audit.SettingsChanged) {
					var details map[string]any
					require.NoError(t, json.Unmarshal([]byte(ev["details"].(string)), &details))
					require.Equal(t, 30.0, path(details, "after", "account", "audit_log_days"), "the change, before and after")
					require.Equal(t, 90.0, path(details, "before", "account", "audit_log_days"))
					require.Nil(t, path(details, "after", "mfa"), "only the sections that changed")
					require.Regexp(t, `^api_key:`, ev["actor"])
				}
			}
			require.Empty(t, e.auditPages(t, e.bravo, 50, nil), "another tenant's log stays empty")

			// Filters: by type, by user, by time.
			got := e.auditPages(t, p, 50, map[string]any{"types": []string{string(audit.UserDisabled), string(audit.UserEnabled)}})
			require.Len(t, got, 2)
			got = e.auditPages(t, p, 50, map[string]any{"userId": p.user.ID.String()})
			require.Len(t, got, 7, "password, identifier, passkey, recovery link, two sessions ended, deletion")
			got = e.auditPages(t, p, 50, map[string]any{"since": e.clock.Now().Add(-time.Hour).Format(time.RFC3339), "until": e.clock.Now().Add(time.Hour).Format(time.RFC3339)})
			require.Len(t, got, len(events))
			got = e.auditPages(t, p, 50, map[string]any{"until": e.clock.Now().Add(-time.Hour).Format(time.RFC3339)})
			require.Empty(t, got)
			a := e.post(t, p.host, user, p, qAudit, map[string]any{"first": 5})
			require.NotEmpty(t, a.errors, "a user may not read the log")

			// No secret, code, password or token in the stored rows or the logs.
			rows, _, err := e.scope(p).Audit().List(context.Background(), db.AuditPage{Limit: 100})
			require.NoError(t, err)
			raw, err := json.Marshal(rows)
			require.NoError(t, err)
			for _, s := range secrets {
				require.NotEmpty(t, s)
				require.NotContains(t, string(raw), s)
				require.NotContains(t, logs.String(), s)
			}
		})
	}
}
