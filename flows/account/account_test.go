package account_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/pquerna/otp"
	otptotp "github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/account"
	"github.com/sesame-id/sesame/flows/totp"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

// accountEnv is one database with a tenant whose MFA settings name every
// factor, a user with a session verified now, and the service on a fake
// clock.
type accountEnv struct {
	ctx    context.Context
	d      *db.DB
	ts     *tenants.Service
	clock  *clock.Fake
	svc    *account.Service
	tenant *tenants.Tenant
	caller account.Caller
}

func newAccountEnv(t *testing.T, d *db.DB, policy string) *accountEnv {
	t.Helper()
	ctx := context.Background()
	ts := tenants.NewService(d, "localhost:8080")
	clk := clock.NewFake(time.Now())
	var b [4]byte
	_, _ = rand.Read(b[:])
	tn, err := ts.Create(ctx, "acme-"+hex.EncodeToString(b[:]), "Acme")
	require.NoError(t, err)
	next := tn.Settings
	next.MFA.Policy = policy
	next.MFA.Factors = []string{tenants.FactorWebAuthn, tenants.FactorTOTP, tenants.FactorBackupCodes}
	tn, err = ts.UpdateSettings(ctx, tn, next, false)
	require.NoError(t, err)
	e := &accountEnv{ctx: ctx, d: d, ts: ts, clock: clk, tenant: tn,
		svc: account.New(flows.Deps{DB: d, Clock: clk})}
	u := &db.User{WebAuthnHandle: []byte(hex.EncodeToString(b[:])), DisplayName: "ada@example.com"}
	require.NoError(t, e.scope().Users().Create(ctx, u, &db.Identifier{Kind: db.IdentifierEmail, Value: "ada@example.com"}))
	issued, err := flows.IssueSession(ctx, e.scope(), u.ID, []string{flows.AMRWebAuthn}, flows.RequestInfo{IP: "192.0.2.1"}, clk.Now())
	require.NoError(t, err)
	issued.Session.User = u
	e.caller = account.Caller{Tenant: tn, Session: issued.Session, Request: flows.RequestInfo{IP: "192.0.2.1"}}
	return e
}

func (e *accountEnv) scope() db.Scope { return e.d.ForTenant(e.tenant.ID) }

// passkey gives the user a passkey row.
func (e *accountEnv) passkey(t *testing.T) *db.Credential {
	t.Helper()
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	c := &db.Credential{UserID: e.caller.Session.UserID, RPID: "localhost", CredentialID: id, PublicKey: []byte{1}, Algorithm: -7, Name: "Key"}
	require.NoError(t, e.scope().Credentials().Create(e.ctx, c))
	return c
}

// code is the TOTP code of secret at the fake clock's time.
func (e *accountEnv) code(t *testing.T, secret string) string {
	t.Helper()
	c, err := otptotp.GenerateCodeCustom(secret, e.clock.Now(), otptotp.ValidateOpts{Period: totp.Period, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	require.NoError(t, err)
	return c
}

func wrongCode(right string) string {
	if right == "000000" {
		return "111111"
	}
	return "000000"
}

func TestAccount_EveryChangeNeedsARecentVerification(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newAccountEnv(t, d, tenants.MFAUserControlled)
		pk := e.passkey(t)
		e.clock.Advance(flows.RecentVerification + time.Second)
		c := e.caller
		changes := map[string]func() error{
			"RemovePasskey": func() error { return e.svc.RemovePasskey(e.ctx, c, pk.ID) },
			"RemoveFactor":  func() error { _, err := e.svc.RemoveFactor(e.ctx, c, tenants.FactorTOTP); return err },
			"BeginTOTP":     func() error { _, err := e.svc.BeginTOTP(e.ctx, c); return err },
			"ConfirmTOTP":   func() error { _, err := e.svc.ConfirmTOTP(e.ctx, c, "123456"); return err },
			"BeginSMS":      func() error { _, err := e.svc.BeginSMSFactor(e.ctx, c, "+14155550100"); return err },
			"ConfirmSMS":    func() error { _, err := e.svc.ConfirmSMSFactor(e.ctx, c, pk.ID.String(), "123456"); return err },
			"BackupCodes":   func() error { _, err := e.svc.RegenerateBackupCodes(e.ctx, c); return err },
			"SetMFA":        func() error { _, err := e.svc.SetMFA(e.ctx, c, true); return err },
		}
		for name, change := range changes {
			require.ErrorIs(t, change(), flows.ErrReverificationRequired, name)
		}
		_, err := e.scope().Credentials().Get(e.ctx, c.Session.UserID, pk.ID)
		require.NoError(t, err, "the passkey is still there")
		// Renaming changes no way to sign in.
		renamed, err := e.svc.RenamePasskey(e.ctx, c, pk.ID, " Laptop ")
		require.NoError(t, err)
		require.Equal(t, "Laptop", renamed.Name)
	})
}

func TestAccount_TheLastWayToSignInStays(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newAccountEnv(t, d, tenants.MFAUserControlled)
		first, second := e.passkey(t), e.passkey(t)
		require.NoError(t, e.svc.RemovePasskey(e.ctx, e.caller, first.ID))
		require.ErrorIs(t, e.svc.RemovePasskey(e.ctx, e.caller, second.ID), account.ErrLastSignInMethod)
		_, err := e.scope().Credentials().Get(e.ctx, e.caller.Session.UserID, second.ID)
		require.NoError(t, err)
	})
}

func TestAccount_MandatoryPolicyKeepsTheLastSecondFactor(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newAccountEnv(t, d, tenants.MFAMandatory)
		e.caller.Session.User.PasswordHash = "set" // another way to sign in
		pk := e.passkey(t)
		require.ErrorIs(t, e.svc.RemovePasskey(e.ctx, e.caller, pk.ID), account.ErrMFARequired)
		_, err := e.svc.SetMFA(e.ctx, e.caller, false)
		require.ErrorIs(t, err, account.ErrMFARequired)
	})
}

func TestAccount_UserControlledPolicyTurnsMFAOffWithTheLastFactor(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newAccountEnv(t, d, tenants.MFAUserControlled)
		_, err := e.svc.SetMFA(e.ctx, e.caller, true)
		require.ErrorIs(t, err, flows.ErrActionNotAllowed, "no second factor yet")
		en, err := e.svc.BeginTOTP(e.ctx, e.caller)
		require.NoError(t, err)
		u, err := e.svc.ConfirmTOTP(e.ctx, e.caller, e.code(t, en.Secret))
		require.NoError(t, err)
		require.True(t, u.MFAEnabled)
		u, err = e.svc.RemoveFactor(e.ctx, e.caller, tenants.FactorTOTP)
		require.NoError(t, err)
		require.False(t, u.MFAEnabled)
	})
}

func TestAccount_BackupCodesNeedASecondFactor(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newAccountEnv(t, d, tenants.MFAUserControlled)
		_, err := e.svc.RegenerateBackupCodes(e.ctx, e.caller)
		require.ErrorIs(t, err, flows.ErrActionNotAllowed)
		e.passkey(t)
		codes, err := e.svc.RegenerateBackupCodes(e.ctx, e.caller)
		require.NoError(t, err)
		require.Len(t, codes, flows.BackupCodeCount)
		unused, err := e.scope().BackupCodes().Unused(e.ctx, e.caller.Session.UserID)
		require.NoError(t, err)
		require.Len(t, unused, flows.BackupCodeCount)
	})
}

func TestAccount_ATOTPCodeConfirmsOnceAndTheAppCannotBeStartedAgain(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newAccountEnv(t, d, tenants.MFAUserControlled)
		en, err := e.svc.BeginTOTP(e.ctx, e.caller)
		require.NoError(t, err)
		code := e.code(t, en.Secret)
		_, err = e.svc.ConfirmTOTP(e.ctx, e.caller, code)
		require.NoError(t, err)
		_, err = e.svc.ConfirmTOTP(e.ctx, e.caller, code)
		require.ErrorIs(t, err, flows.ErrActionNotAllowed, "nothing is being set up any more")
		_, err = e.svc.BeginTOTP(e.ctx, e.caller)
		require.ErrorIs(t, err, account.ErrFactorExists)
	})
}

// The one limit: a wrong authenticator-app code at sign-in (which checks
// with flows.VerifyTOTP against the confirmed app) and a wrong first code
// here count on the same per-user limit, so the right first code is
// refused once together they spent flows.FactorAttemptsPerUser, and
// accepted in the next window.
func TestAccount_TOTPAttemptsAtSignInAndHereShareOneLimit(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newAccountEnv(t, d, tenants.MFAUserControlled)
		en, err := e.svc.BeginTOTP(e.ctx, e.caller)
		require.NoError(t, err)
		uid := e.caller.Session.UserID
		atSignIn := flows.FactorAttemptsPerUser / 2
		for range atSignIn {
			err := e.d.InTx(e.ctx, func(ctx context.Context, tx *db.Tx) error {
				err := flows.VerifyTOTP(ctx, tx.ForTenant(e.tenant.ID), uid, wrongCode(e.code(t, en.Secret)), e.clock.Now(), flows.TOTPConfirmed)
				require.True(t, flows.Failed(err), "a refusal commits its count")
				require.ErrorIs(t, err, flows.ErrInvalidCode)
				return nil
			})
			require.NoError(t, err)
		}
		for range flows.FactorAttemptsPerUser - atSignIn {
			_, err := e.svc.ConfirmTOTP(e.ctx, e.caller, wrongCode(e.code(t, en.Secret)))
			require.ErrorIs(t, err, flows.ErrInvalidCode)
		}
		_, err = e.svc.ConfirmTOTP(e.ctx, e.caller, e.code(t, en.Secret))
		require.ErrorIs(t, err, flows.ErrTooManyAttempts, "the right code once the limit is spent")
		f, err := e.scope().TOTP().Get(e.ctx, uid)
		require.NoError(t, err)
		require.Nil(t, f.ConfirmedAt)

		e.clock.Advance(flows.FactorAttemptWindow)
		e.caller.Session.VerifiedAt = e.clock.Now()
		u, err := e.svc.ConfirmTOTP(e.ctx, e.caller, e.code(t, en.Secret))
		require.NoError(t, err)
		require.True(t, u.MFAEnabled)
	})
}
