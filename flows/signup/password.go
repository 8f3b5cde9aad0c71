package signup

import (
	"context"
	"errors"
	"fmt"

	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/password"
)

// password checks the new password against the tenant's policy, hashes it
// (argon2id) and creates the account with it. The password is never kept:
// not in the flow, not in a log.
func (a *actions) password(ctx context.Context, step *flows.Step[Context]) error {
	var in struct {
		Password string `json:"password"`
	}
	if err := flows.DecodeInput(step.Input, &in); err != nil {
		return err
	}
	if in.Password == "" {
		return flows.ErrInvalidInput.WithField("password", "Choose a password.")
	}
	if pending(step) >= 0 {
		return flows.ErrActionNotAllowed
	}
	p := step.Tenant.Settings.Password
	policy := password.Policy{MinLength: p.MinLength, MaxLength: p.MaxLength, RejectCommon: p.RejectCommon}
	if err := policy.Check(in.Password); err != nil {
		var pe *password.PolicyError
		if errors.As(err, &pe) {
			return flows.ErrInvalidInput.WithField("password", pe.Error()).WithParams(pe.Params())
		}
		return err
	}
	hash, err := password.Hash(in.Password)
	if err != nil {
		return fmt.Errorf("hash new password: %w", err)
	}
	return a.createAccount(ctx, step, hash)
}
