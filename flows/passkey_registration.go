package flows

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/internal/audit"
)

// PasskeyRegistration is one flow's side of the passkey registration
// steps (BeginPasskeyRegistration, FinishPasskeyRegistration): who the
// passkey is for and whose account stores it. Every flow that creates a
// passkey (passkey-first sign-up, the sign-up prompt, adding a passkey)
// runs the same two steps, so the tenant's rules, the ceremony's single
// use, the name check and the storing are written once.
//
// The flow checks who is asking (the flow's user, a proved identifier)
// before it calls either step: a request refused there leaves the flow,
// and its ceremony, as they were.
type PasskeyRegistration struct {
	// Passkeys runs the ceremony.
	Passkeys *passkey.Service
	// Logger receives the audit line of each registration; nil discards.
	Logger *slog.Logger
	// Registrant names the user to the authenticator (handle and name)
	// and, at begin, lists the user's passkeys to exclude. It is called
	// only once the request passed the steps' own checks, so a refused
	// request looks nothing up.
	Registrant func(ctx context.Context) (passkey.Registrant, error)
	// Owner returns the user the verified credential is stored for (finish
	// only). It is called once the attestation verified and before the
	// credential is stored, in the same transaction: passkey-first sign-up
	// creates the account here, so a refused passkey creates nothing.
	Owner func(ctx context.Context) (uuid.UUID, error)
	// SignUp marks the passkey of an account being created: its event
	// sends no security notice (the person is there, signing up).
	SignUp bool
}

// BeginPasskeyRegistration issues the registration options: it refuses
// with ErrPasskeyRegistrationDisabled where the tenant lets no one create
// a passkey, makes the options under the tenant's policies, keeps the
// ceremony on the flow (replacing any other) and leads to next with the
// options as output (passkey.Begun).
func BeginPasskeyRegistration[C any](ctx context.Context, step *Step[C], r PasskeyRegistration, next State) error {
	if !step.Tenant.Settings.Passkeys.AllowRegistration {
		return ErrPasskeyRegistrationDisabled
	}
	reg, err := r.Registrant(ctx)
	if err != nil {
		return err
	}
	opts, c, err := r.Passkeys.BeginRegistration(step.Tenant, reg)
	if err != nil {
		return err
	}
	if err := step.PutCeremony(c); err != nil {
		return err
	}
	step.Next = next
	step.Output = passkey.Begun{Passkey: opts}
	return nil
}

// FinishPasskeyRegistration reads the step's input ({"credential": a
// RegistrationResponseJSON, "name": what the person called it}), takes the
// flow's ceremony (used once, whatever follows), verifies the attestation
// under the tenant's authenticator policy (attestation, attachment, user
// verification), names the passkey (the given name, else its
// authenticator's), stores it for r.Owner and writes the audit line. It
// returns the stored credential; what follows is the flow's to decide.
//
// A bad input or name is a Fail before the ceremony is taken, so a
// corrected answer may follow; a refused attestation is a Fail after it,
// so the ceremony is used up. A credential stored already answers
// ErrPasskeyExists, not a Fail: a failed statement ends the transaction
// on PostgreSQL, so nothing more may be saved in it.
func FinishPasskeyRegistration[C any](ctx context.Context, step *Step[C], r PasskeyRegistration) (*db.Credential, error) {
	var in struct {
		Credential json.RawMessage `json:"credential"`
		Name       string          `json:"name"`
	}
	if err := DecodeInput(step.Input, &in); err != nil {
		return nil, Fail(err)
	}
	if _, err := PasskeyName(in.Name); err != nil {
		return nil, Fail(err)
	}
	c, err := step.TakePasskeyCeremony()
	if err != nil {
		return nil, err
	}
	reg, err := r.Registrant(ctx)
	if err != nil {
		return nil, err
	}
	cred, err := r.Passkeys.FinishRegistration(ctx, step.Tenant, c, reg, in.Credential, in.Name, step.Request.UserAgent)
	if err != nil {
		r.audit(ctx, step.Tenant.Slug, step.Request.IP, uuid.Nil, nil, ErrPasskeyRegistrationFailed.Code)
		return nil, Fail(ErrPasskeyRegistrationFailed)
	}
	if err := PasskeyFits(step.Tenant.Settings.AuthenticatorPolicy, cred); err != nil {
		r.audit(ctx, step.Tenant.Slug, step.Request.IP, uuid.Nil, nil, ErrPasskeyNotAllowed.Code)
		if r.Logger != nil {
			r.Logger.InfoContext(ctx, "passkey refused by the authenticator policy", "tenant", step.Tenant.Slug, "reason", err.Error())
		}
		return nil, Fail(ErrPasskeyNotAllowed)
	}
	owner, err := r.Owner(ctx)
	if err != nil {
		return nil, err
	}
	cred.UserID = owner
	if err := step.Scope.Credentials().Create(ctx, cred); err != nil {
		if errors.Is(err, db.ErrDuplicate) {
			r.audit(ctx, step.Tenant.Slug, step.Request.IP, owner, nil, ErrPasskeyExists.Code)
			return nil, ErrPasskeyExists
		}
		return nil, err
	}
	r.audit(ctx, step.Tenant.Slug, step.Request.IP, owner, &cred.ID, "success")
	step.Record(audit.Event{Type: audit.PasskeyAdded, User: &owner, Target: cred.ID.String(), After: map[string]any{"name": cred.Name}, Silent: r.SignUp})
	return cred, nil
}

// audit logs one passkey registration: tenant, user when known, the
// stored credential's id, result and client IP, and never key material.
func (r PasskeyRegistration) audit(ctx context.Context, tenant, ip string, user uuid.UUID, credential *uuid.UUID, result string) {
	if r.Logger == nil {
		return
	}
	attrs := []any{"tenant", tenant, "result", result, "ip", ip}
	if user != uuid.Nil {
		attrs = append(attrs, "user", user.String())
	}
	if credential != nil {
		attrs = append(attrs, "credential", credential.String())
	}
	r.Logger.InfoContext(ctx, "passkey registration", attrs...)
}
