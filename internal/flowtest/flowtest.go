// Package flowtest is the test environment the flow packages' tests share:
// one database with a tenant served at http://acme-….localhost:8080, the
// tenant and passkey services on a fake clock, and a started job client
// whose code messages land in an outbox the test reads. A flow package's
// test builds its own engine over an [Env] (see [Env.Deps]), so this
// package imports no flow kind.
//
// It is support code for tests only: nothing outside _test.go files
// imports it.
package flowtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	vw "github.com/descope/virtualwebauthn"
	"github.com/pquerna/otp"
	otptotp "github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/flows/totp"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/delivery"
	"github.com/sesame-id/sesame/jobs"
	"github.com/sesame-id/sesame/tenants"
)

// BaseDomain is the base domain the environment's tenant service serves
// tenants under.
const BaseDomain = "localhost:8080"

// outboxSize is how many messages the outbox keeps: more than any one
// test sends, so that counting messages to an address never loses one.
const outboxSize = 1000

// Env is one database with one tenant, the services a flow engine needs,
// and a running job client. Its fields are set by [New] and may be read
// freely; Tenant is replaced by [Env.UpdateSettings].
type Env struct {
	Ctx      context.Context
	DB       *db.DB
	Tenants  *tenants.Service
	Clock    *clock.Fake
	Passkeys *passkey.Service
	// Jobs is the started job client: codes enqueued by a flow are sent
	// by it, to Outbox.
	Jobs *jobs.Client
	// Tenant is the tenant "acme-" plus a random suffix, named Acme.
	Tenant *tenants.Tenant
	// Outbox receives the codes the job client sends, by SMS and email.
	Outbox *delivery.Outbox
}

// New builds the environment on d: a fake clock at the current time, a
// job client polling every 10 ms (stopped when the test ends), and a new
// tenant with default settings.
func New(t testing.TB, d *db.DB) *Env {
	t.Helper()
	ctx := context.Background()
	ts := tenants.NewService(d, BaseDomain)
	clk := clock.NewFake(time.Now())
	outbox := delivery.NewOutbox(delivery.OutboxConfig{Clock: clk, Size: outboxSize})
	jc, err := jobs.NewClient(d, jobs.Config{
		Senders: jobs.StaticSenders{SMSSender: outbox, EmailSender: outbox}, Clock: clk,
		FetchPollInterval: 10 * time.Millisecond, FetchCooldown: 5 * time.Millisecond,
	})
	require.NoError(t, err)
	require.NoError(t, jc.Start(ctx))
	t.Cleanup(func() {
		stop, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		_ = jc.Stop(stop)
	})
	var suffix [4]byte
	_, _ = rand.Read(suffix[:])
	tn, err := ts.Create(ctx, "acme-"+hex.EncodeToString(suffix[:]), "Acme")
	require.NoError(t, err)
	return &Env{
		Ctx: ctx, DB: d, Tenants: ts, Clock: clk, Passkeys: passkey.NewService(ts, clk, nil),
		Jobs: jc, Tenant: tn, Outbox: outbox,
	}
}

// Deps returns the dependencies a flow engine takes, over the
// environment's database, clock, passkeys and jobs.
func (e *Env) Deps() flows.Deps {
	return flows.Deps{DB: e.DB, Passkeys: e.Passkeys, Clock: e.Clock, Jobs: e.Jobs}
}

// Scope is the tenant's part of the database.
func (e *Env) Scope() db.Scope { return e.DB.ForTenant(e.Tenant.ID) }

// RelyingParty is the tenant's relying party as a software authenticator
// addresses it.
func (e *Env) RelyingParty() vw.RelyingParty {
	rp := e.Passkeys.RelyingParty(e.Tenant)
	return vw.RelyingParty{ID: rp.ID, Name: rp.Name, Origin: rp.Origins[0]}
}

// UpdateSettings saves the tenant's settings as edit leaves them. edit gets
// a copy whose lists it may change in place without touching the current
// tenant's.
func (e *Env) UpdateSettings(t testing.TB, edit func(s *tenants.Settings)) {
	t.Helper()
	next := e.Tenant.Settings
	next.MFA.Factors = append([]string(nil), next.MFA.Factors...)
	next.SignUp.Identifiers = append([]string(nil), next.SignUp.Identifiers...)
	next.SignUp.Required = append([]string(nil), next.SignUp.Required...)
	edit(&next)
	tn, err := e.Tenants.UpdateSettings(e.Ctx, e.Tenant, next, true)
	require.NoError(t, err)
	e.Tenant = tn
}

// TOTPCode is the authenticator-app code of secret at the clock's time.
func (e *Env) TOTPCode(t testing.TB, secret string) string {
	t.Helper()
	return TOTPCodeAt(t, secret, e.Clock.Now())
}

// TOTPCodeAt is the code an authenticator app shows for secret at time at.
func TOTPCodeAt(t testing.TB, secret string, at time.Time) string {
	t.Helper()
	c, err := otptotp.GenerateCodeCustom(secret, at, otptotp.ValidateOpts{Period: totp.Period, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	require.NoError(t, err)
	return c
}

// RequirePublic checks that err is the public error want.
func RequirePublic(t testing.TB, want *flows.Error, err error) {
	t.Helper()
	require.Error(t, err)
	require.Equal(t, want.Code, flows.Public(err).Code, "got %v", err)
}
