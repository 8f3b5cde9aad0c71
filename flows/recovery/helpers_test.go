package recovery_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/flows/recovery"
	"github.com/sesame-id/sesame/internal/flowtest"
)

// env is a tenant with the recovery engine, its log kept.
type env struct {
	*flowtest.Env
	engine *flows.Engine[recovery.Context]
	req    flows.RequestInfo
	log    *stepLog
}

func newEnv(t *testing.T, d *db.DB) *env {
	t.Helper()
	e := flowtest.New(t, d)
	log := &stepLog{}
	deps := e.Deps()
	deps.Logger = slog.New(log)
	engine, err := recovery.New(deps)
	require.NoError(t, err)
	return &env{Env: e, engine: engine, req: flows.RequestInfo{UserAgent: "test", IP: "127.0.0.1"}, log: log}
}

// stepLog keeps the step and result of every "account recovery" record.
type stepLog struct {
	mu      sync.Mutex
	records [][2]string
}

func (l *stepLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *stepLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *stepLog) WithGroup(string) slog.Handler            { return l }
func (l *stepLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "account recovery" {
		return nil
	}
	var rec [2]string
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "step":
			rec[0] = a.Value.String()
		case "result":
			rec[1] = a.Value.String()
		}
		return true
	})
	l.mu.Lock()
	l.records = append(l.records, rec)
	l.mu.Unlock()
	return nil
}

// count is how many records of step have result.
func (l *stepLog) count(step, result string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, r := range l.records {
		if r[0] == step && r[1] == result {
			n++
		}
	}
	return n
}

// member is a passkey-only user with a verified email address and one
// passkey (the device they lost).
type member struct {
	user  *db.User
	email string
	old   *db.Credential
}

func random(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return b
}

func (e *env) member(t *testing.T, name string) *member {
	t.Helper()
	m := &member{email: name + "@example.com"}
	m.user = &db.User{WebAuthnHandle: random(t, 32), DisplayName: m.email}
	proved := e.Clock.Now()
	require.NoError(t, e.Scope().Users().Create(e.Ctx, m.user, &db.Identifier{Kind: db.IdentifierEmail, Value: m.email, VerifiedAt: &proved}))
	dev := flowtest.NewDevice(m.user.WebAuthnHandle)
	reg := passkey.Registrant{Handle: m.user.WebAuthnHandle, Name: m.email}
	opts, c, err := e.Passkeys.BeginRegistration(e.Tenant, reg)
	require.NoError(t, err)
	cred, err := e.Passkeys.FinishRegistration(e.Ctx, e.Tenant, c, reg, []byte(dev.Create(t, e.RelyingParty(), opts.PublicKey)), "Lost phone", "")
	require.NoError(t, err)
	cred.UserID = m.user.ID
	require.NoError(t, e.Scope().Credentials().Create(e.Ctx, cred))
	m.old = cred
	return m
}

func input(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// identify begins a recovery for the address.
func (e *env) identify(t *testing.T, address string) (string, *flows.Result) {
	t.Helper()
	res, err := e.engine.Begin(e.Ctx, e.Tenant, recovery.Context{}, recovery.ActionIdentify, input(t, map[string]string{"identifier": address}), e.req)
	require.NoError(t, err)
	return res.Token, res
}

func (e *env) run(token, action string, in json.RawMessage) (*flows.Result, error) {
	if in == nil {
		in = json.RawMessage(`{}`)
	}
	return e.engine.Run(e.Ctx, e.Tenant, token, action, in, e.req)
}

// sendCode sends the code to address on the flow and returns it as the
// outbox receives it.
func (e *env) sendCode(t *testing.T, token, address string) string {
	t.Helper()
	before := flowtest.Sent(e.Outbox, address)
	_, err := e.run(token, recovery.ActionCodeSend, nil)
	require.NoError(t, err)
	return flowtest.CodeTo(t, e.Outbox, address, before)
}

// proveByCode runs identify, code.send and code.verify with the right code.
func (e *env) proveByCode(t *testing.T, address string) (string, *flows.Result) {
	t.Helper()
	token, _ := e.identify(t, address)
	code := e.sendCode(t, token, address)
	res, err := e.run(token, recovery.ActionCodeVerify, input(t, map[string]string{"code": code}))
	require.NoError(t, err)
	return token, res
}

// newPasskey creates the new passkey on a new device and returns the
// review step's result.
func (e *env) newPasskey(t *testing.T, token string, m *member) (*flowtest.Device, *flows.Result) {
	t.Helper()
	res, err := e.run(token, recovery.ActionPasskeyBegin, nil)
	require.NoError(t, err)
	dev := flowtest.NewDevice(m.user.WebAuthnHandle)
	opts := res.Output.(passkey.Begun)
	res, err = e.run(token, recovery.ActionPasskeyFinish, flowtest.Credential(t, dev.Create(t, e.RelyingParty(), opts.Passkey.PublicKey)))
	require.NoError(t, err)
	return dev, res
}

// outputJSON is a result's output as JSON fields.
func outputJSON(t *testing.T, res *flows.Result) map[string]any {
	t.Helper()
	b, err := json.Marshal(res.Output)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}
