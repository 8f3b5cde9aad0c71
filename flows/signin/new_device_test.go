package signin_test

import (
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/signin"
	"github.com/sesame-id/sesame/internal/audit"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
)

// withDevices is newSignInEnv whose engine tells new devices.
func withDevices(t *testing.T, d *db.DB) (*signInEnv, *flows.Devices) {
	t.Helper()
	env := flowtest.New(t, d)
	devices := flows.NewDevices([]byte("0123456789abcdef0123456789abcdef"))
	deps := env.Deps()
	deps.Devices = devices
	deps.Logger = slog.New(&auditLog{})
	engine, err := signin.New(deps)
	require.NoError(t, err)
	return &signInEnv{Env: env, engine: engine, req: flows.RequestInfo{UserAgent: "test", IP: "127.0.0.1"}, audits: &auditLog{}}, devices
}

// A passkey sign-in from a browser that holds its user's device cookie
// costs no statement for the check, and is not marked new; without it (or
// with another user's, or a forged one) the success event says new_device
// and the user is sent one notice each.
func TestSignIn_ADeviceCookieOfTheUserIsTheSteadyPathAndAnyOtherIsNew(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e, devices := withDevices(t, d)
		ada := e.member(t, "ada", true)
		bob := e.member(t, "bob", false)

		signIn := func(cookie string) int {
			token, publicKey := e.begin(t)
			e.req.Device = cookie
			ctx, count := db.CountStatements(e.Ctx)
			res, err := e.engine.Run(ctx, e.Tenant, token, signin.ActionPasskeyFinish, ada.answer(t, e, publicKey), e.req)
			require.NoError(t, err)
			require.NotNil(t, res.Session)
			return count.N()
		}
		known := signIn(devices.Remember(e.Tenant.ID, ada.user.ID, ""))
		require.LessOrEqual(t, known, 5, "the steady path: no statement for the device")
		signIn("")
		signIn(devices.Remember(e.Tenant.ID, bob.user.ID, ""))
		shared := devices.Remember(e.Tenant.ID, ada.user.ID, devices.Remember(e.Tenant.ID, bob.user.ID, ""))
		require.Equal(t, known, signIn(shared), "a browser both used knows both")
		signIn(strings.Replace(shared, ".", ".A", 1))
		flowtest.MessagesTo(t, e.Outbox, ada.email, "New sign-in", 3)

		var news []bool
		for _, ev := range e.auditEvents(t) {
			if ev.Type == string(audit.SignInSucceeded) {
				var details struct {
					NewDevice bool `json:"new_device"`
				}
				require.NoError(t, json.Unmarshal([]byte(ev.Details), &details))
				news = append(news, details.NewDevice)
			}
		}
		require.ElementsMatch(t, []bool{false, true, true, false, true}, news)
	})
}

// The passkey sign-in's one credential statement also tells
// whether its user has a verified email address or phone: a user no
// message can reach, signing in from a browser without their device
// cookie, queues no notice for nobody, so the sign-in costs what it costs
// from a known browser; a reachable user's does queue one.
func TestSignIn_ANewDeviceOfAUserNoMessageReachesQueuesNothing(t *testing.T) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(string(backend), func(t *testing.T) {
			t.Parallel()
			newDeviceOfAnUnreachableUser(t, backend)
		})
	}
}

func newDeviceOfAnUnreachableUser(t *testing.T, backend testdb.Backend) {
	e, devices := withDevices(t, testdb.New(t, backend))
	ada := e.member(t, "ada", true)
	lost := &member{email: "lost@example.com"}
	lost.user = &db.User{WebAuthnHandle: random(t, 32), DisplayName: lost.email}
	require.NoError(t, e.Scope().Users().Create(e.Ctx, lost.user, &db.Identifier{Kind: db.IdentifierEmail, Value: lost.email}))
	lost.addPasskey(t, e)

	signIn := func(m *member, cookie string) int {
		token, publicKey := e.begin(t)
		e.req.Device = cookie
		ctx, count := db.CountStatements(e.Ctx)
		res, err := e.engine.Run(ctx, e.Tenant, token, signin.ActionPasskeyFinish, m.answer(t, e, publicKey), e.req)
		require.NoError(t, err)
		require.NotNil(t, res.Session)
		return count.N()
	}
	notices := func() int {
		n, err := e.DB.JobCount(e.Ctx, audit.NoticeArgs{}.Kind())
		require.NoError(t, err)
		return n
	}
	steady := signIn(ada, devices.Remember(e.Tenant.ID, ada.user.ID, ""))
	queued := notices()
	require.Equal(t, steady, signIn(lost, ""), "nobody to tell: the statements of a known browser")
	require.Equal(t, queued, notices(), "nobody to tell: no notice queued")
	signIn(ada, "")
	require.Equal(t, queued+1, notices(), "a reachable user's new device queues a notice")
	flowtest.MessagesTo(t, e.Outbox, ada.email, "New sign-in", 1)
	require.Empty(t, flowtest.MessagesTo(t, e.Outbox, lost.email, "", 0))
}
