package signin

import (
	"context"
	"encoding/json"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/federation"
	"github.com/sesame-id/sesame/flows/passkey"
)

func (a *actions) passkeyBegin(ctx context.Context, step *flows.Step[Context]) error {
	if !step.Tenant.Settings.Passkeys.SignIn {
		return flows.ErrPasskeySignInDisabled
	}
	var in struct {
		// Mediation is "conditional" for autofill, empty for the button.
		Mediation string `json:"mediation"`
	}
	if err := flows.DecodeInput(step.Input, &in); err != nil {
		return err
	}
	if in.Mediation != "" && in.Mediation != "conditional" {
		return flows.ErrInvalidInput.WithField("mediation", `Use "conditional" for autofill, or leave it out.`)
	}
	if in.Mediation == "conditional" && !step.Tenant.Settings.Passkeys.Autofill {
		return flows.ErrPasskeySignInDisabled.WithField("mediation", "Passkey autofill is turned off here.")
	}
	opts, c, err := a.Passkeys.BeginSignIn(step.Tenant, nil, nil, in.Mediation)
	if err != nil {
		return err
	}
	if err := step.PutCeremony(c); err != nil {
		return err
	}
	step.Output = passkey.Begun{Passkey: opts}
	return nil
}

// Output of a successful sign-in.
type signedIn struct {
	UserID uuid.UUID `json:"user_id"`
}

func (a *actions) passkeyFinish(ctx context.Context, step *flows.Step[Context]) error {
	if !step.Tenant.Settings.Passkeys.SignIn {
		return flows.Fail(flows.ErrPasskeySignInDisabled)
	}
	var in struct {
		Credential json.RawMessage `json:"credential"`
	}
	if err := flows.DecodeInput(step.Input, &in); err != nil {
		return flows.Fail(err)
	}
	c, err := step.TakePasskeyCeremony()
	if err != nil {
		return err
	}
	cred, err := a.Passkeys.VerifySignIn(ctx, step.Tenant, step.Scope, c, in.Credential)
	if err != nil {
		a.audit(ctx, step, MethodPasskey, nil, flows.ErrPasskeyFailed.Code)
		return flows.Fail(flows.ErrPasskeyFailed)
	}
	if cred.User.SSO {
		a.audit(ctx, step, MethodPasskey, &cred.UserID, flows.ErrSSORequired.Code)
		return flows.Fail(ssoRequired(ctx, step, cred.UserID, ""))
	}
	if err := step.Scope.Credentials().RecordSignIn(ctx, cred); err != nil {
		return err
	}
	return a.signIn(ctx, step, cred.UserID, MethodPasskey, flows.AMRWebAuthn)
}

// ssoRequired is the refusal of a first factor to an SSO user (with
// message instead of the catalogue's sentence when given): with the
// button to their organization's sign-in when their enterprise connector
// is known.
func ssoRequired(ctx context.Context, step *flows.Step[Context], userID uuid.UUID, message string) error {
	e := flows.ErrSSORequired
	if message != "" {
		e = e.WithField("", message)
	}
	c, err := federation.EnterpriseOf(ctx, step.Scope, userID)
	if err != nil || c == nil {
		return e
	}
	return e.WithConnector(c.ID.String(), c.Name)
}

// audit logs one authentication attempt: tenant, user when known, method,
// result and client IP, and never a secret.
func (a *actions) audit(ctx context.Context, step *flows.Step[Context], method string, user *uuid.UUID, result string) {
	attrs := []any{"tenant", step.Tenant.Slug, "method", method, "result", result, "ip", step.Request.IP}
	if user != nil {
		attrs = append(attrs, "user", user.String())
	}
	a.Logger.InfoContext(ctx, "authentication attempt", attrs...)
}
