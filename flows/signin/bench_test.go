package signin_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/descope/virtualwebauthn"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/flows/signin"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

// BenchmarkPasskeySignIn measures a discoverable passkey sign-in through
// the sign-in engine on each backend: begin (store the ceremony) and finish
// (consume it, load the credential and user, update the credential, create
// the session). It reports the statements each costs.
func BenchmarkPasskeySignIn(b *testing.B) {
	for _, backend := range testdb.Backends {
		b.Run(string(backend), func(b *testing.B) {
			env := newBenchEnv(b, backend)
			b.Run("begin", func(b *testing.B) {
				ctx, count := db.CountStatements(context.Background())
				b.ReportAllocs()
				for b.Loop() {
					_, err := env.engine.Begin(ctx, env.tenant, signin.Context{}, signin.ActionPasskeyBegin, nil, flows.RequestInfo{})
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(count.N())/float64(b.N), "stmts/op")
			})
			b.Run("finish", func(b *testing.B) {
				ctx, count := db.CountStatements(context.Background())
				b.ReportAllocs()
				n := 0
				for b.Loop() {
					b.StopTimer()
					token, input := env.begin(b)
					b.StartTimer()
					res, err := env.engine.Run(ctx, env.tenant, token, signin.ActionPasskeyFinish, input, flows.RequestInfo{})
					if err != nil {
						b.Fatal(err)
					}
					if res.Session == nil {
						b.Fatal("no session")
					}
					n++
				}
				b.ReportMetric(float64(count.N())/float64(n), "stmts/op")
			})
		})
	}
}

type benchEnv struct {
	engine *flows.Engine[signin.Context]
	tenant *tenants.Tenant
	rp     virtualwebauthn.RelyingParty
	device *flowtest.Device
}

func newBenchEnv(b *testing.B, backend testdb.Backend) *benchEnv {
	ctx := context.Background()
	d := testdb.New(b, backend)
	ts := tenants.NewService(d, "localhost:8080")
	tn, err := ts.Create(ctx, "acme", "Acme")
	require.NoError(b, err)
	pk := passkey.NewService(ts, clock.Real{}, nil)
	engine, err := signin.New(signin.Deps{DB: d, Passkeys: pk, Clock: clock.Real{}})
	require.NoError(b, err)

	env := &benchEnv{
		engine: engine,
		tenant: tn,
		rp:     virtualwebauthn.RelyingParty{Name: "Acme", ID: "acme.localhost", Origin: "http://acme.localhost:8080"},
	}
	handle := []byte("0123456789abcdef0123456789abcdef")
	env.device = flowtest.NewDevice(handle)

	user := &db.User{WebAuthnHandle: handle, DisplayName: "ana@example.com"}
	require.NoError(b, d.ForTenant(tn.ID).Users().Create(ctx, user, &db.Identifier{Kind: db.IdentifierEmail, Value: "ana@example.com"}))
	reg := passkey.Registrant{Handle: handle, Name: "ana@example.com"}
	opts, c, err := pk.BeginRegistration(tn, reg)
	require.NoError(b, err)
	cred, err := pk.FinishRegistration(ctx, tn, c, reg, []byte(env.device.Create(b, env.rp, opts.PublicKey)), "", "")
	require.NoError(b, err)
	cred.UserID = user.ID
	require.NoError(b, d.ForTenant(tn.ID).Credentials().Create(ctx, cred))
	return env
}

// begin starts a ceremony and answers it, returning the flow token and the
// finish input.
func (e *benchEnv) begin(b *testing.B) (string, json.RawMessage) {
	res, err := e.engine.Begin(context.Background(), e.tenant, signin.Context{}, signin.ActionPasskeyBegin, nil, flows.RequestInfo{})
	require.NoError(b, err)
	begun := res.Output.(passkey.Begun)
	return res.Token, flowtest.Credential(b, e.device.Get(b, e.rp, begun.Passkey.PublicKey))
}
