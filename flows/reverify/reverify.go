// Package reverify is the flow by which a signed-in user proves a factor
// again in the current session, so that the session may change the
// account's ways to sign in and to verify (flows.RequireRecentVerification).
// Success moves the session's verified time to now and adds the factor to
// its amr (flows.MarkVerified): the session keeps its token and its expiry,
// no new session is issued and none is ended.
//
// The machine (declared in Machine):
//
//	start  ──begin──▶ passkey|totp|sms|backup_code  (the factor chosen)
//	passkey|totp|sms|backup_code ──begin──▶ passkey|totp|sms|backup_code
//	                                        (a factor chosen again: the old ceremony or code dropped)
//	passkey|totp|sms|backup_code ──verify──▶ done  (session verified now)
//
// begin {"factor": F} with F one of the user's factors (Factors): passkey
// issues request options listing the user's passkeys (allowCredentials);
// sms sends a code to the user's SMS factor phone; totp and backup_code
// only choose. verify takes {"credential": ...} for a passkey, else
// {"code": ...}. Every verify counts one factor attempt of the user before
// it checks anything, on the counter the sign-in's second factor uses
// (flows.CountFactorAttempt), and a wrong answer commits that count and
// leaves the session as it was.
//
// Every step must come from the session that started the flow.
package reverify

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/tenants"
)

// Kind is the flow kind.
const Kind = "reverify"

// States: Start, then one per factor, named as the factor.
const (
	Start      flows.State = "start"
	Passkey    flows.State = FactorPasskey
	TOTP       flows.State = FactorTOTP
	SMS        flows.State = FactorSMS
	BackupCode flows.State = FactorBackupCode
)

// Actions.
const (
	ActionBegin  = "begin"
	ActionVerify = "verify"
)

// Factors a session can be re-verified with.
const (
	FactorPasskey    = "passkey"
	FactorTOTP       = tenants.FactorTOTP
	FactorSMS        = tenants.FactorSMS
	FactorBackupCode = "backup_code"
)

// PurposeReverify is the purpose of a code sent by SMS to re-verify.
const PurposeReverify = "reverify"

// Context is the flow's stored context.
type Context struct {
	UserID    uuid.UUID `json:"user_id"`
	SessionID uuid.UUID `json:"session_id"`
	// CodeID is the code begin sent for sms; verify checks only it.
	CodeID *uuid.UUID `json:"code_id,omitempty"`
}

// Deps are what the flow needs: the dependencies every flow kind shares.
type Deps = flows.Deps

// New returns the re-verification engine.
func New(d Deps) (*flows.Engine[Context], error) {
	d = d.WithDefaults()
	return flows.NewEngineFromDeps(d, Machine(&actions{Deps: d}))
}

// Machine declares the flow. a provides the action bodies; a nil a still
// gives the declaration.
func Machine(a *actions) *flows.Machine[Context] {
	if a == nil {
		a = &actions{}
	}
	chosen := []flows.State{Passkey, TOTP, SMS, BackupCode}
	return &flows.Machine[Context]{
		Kind:  Kind,
		Start: Start,
		TTL:   10 * time.Minute,
		Transitions: []flows.Transition{
			{Action: ActionBegin, From: append([]flows.State{Start}, chosen...), To: chosen},
			{Action: ActionVerify, From: chosen, To: []flows.State{flows.Done}},
		},
		Actions: map[string]flows.Action[Context]{
			ActionBegin:  a.begin,
			ActionVerify: a.verify,
		},
	}
}

type actions struct{ Deps }

// session returns the flow's session, which must be the request's and
// still live.
func session(ctx context.Context, step *flows.Step[Context]) (*db.Session, error) {
	req, c := step.Request, step.Context
	if req.UserID == nil || req.SessionID == nil || *req.UserID != c.UserID || *req.SessionID != c.SessionID {
		return nil, flows.ErrUnauthenticated
	}
	s, err := step.Scope.Sessions().Get(ctx, c.UserID, c.SessionID, step.Now)
	if errors.Is(err, db.ErrNotFound) {
		return nil, flows.ErrUnauthenticated
	}
	return s, err
}

// Factors lists the factors user can re-verify with here, strongest first:
// passkey when the user has one under the tenant's RP ID, totp when the
// tenant enables it and the user's app is confirmed, sms when the tenant
// enables it and may text the user's SMS factor phone, backup_code when
// the tenant enables it and unused codes are left. phone is the SMS
// factor's number when sms is listed.
func Factors(ctx context.Context, scope db.Scope, svc *passkey.Service, t *tenants.Tenant, userID uuid.UUID) (factors []string, phone string, err error) {
	factors = []string{}
	creds, err := scope.Credentials().ByUser(ctx, userID, svc.RelyingParty(t).ID)
	if err != nil {
		return nil, "", err
	}
	if len(creds) > 0 {
		factors = append(factors, FactorPasskey)
	}
	on := t.Settings.MFA.Factors
	if slices.Contains(on, tenants.FactorTOTP) {
		f, err := scope.TOTP().Get(ctx, userID)
		switch {
		case errors.Is(err, db.ErrNotFound):
		case err != nil:
			return nil, "", err
		case f.ConfirmedAt != nil:
			factors = append(factors, FactorTOTP)
		}
	}
	if slices.Contains(on, tenants.FactorSMS) {
		f, err := scope.SMSFactors().Get(ctx, userID)
		switch {
		case errors.Is(err, db.ErrNotFound):
		case err != nil:
			return nil, "", err
		case t.Settings.SMS.Allows(f.Phone):
			factors = append(factors, FactorSMS)
			phone = f.Phone
		}
	}
	if slices.Contains(on, tenants.FactorBackupCodes) {
		codes, err := scope.BackupCodes().Unused(ctx, userID)
		if err != nil {
			return nil, "", err
		}
		if len(codes) > 0 {
			factors = append(factors, FactorBackupCode)
		}
	}
	return factors, phone, nil
}

// audit logs one re-verification attempt.
func (a *actions) audit(ctx context.Context, step *flows.Step[Context], factor, result string) {
	a.Logger.InfoContext(ctx, "re-verification attempt", "tenant", step.Tenant.Slug, "factor", factor,
		"result", result, "user", step.Context.UserID.String(), "ip", step.Request.IP)
}
