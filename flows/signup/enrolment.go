package signup

import (
	"context"
	"slices"

	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/tenants"
)

// enrol records the account the current step created and signs it in, or,
// when the tenant's policy demands a factor the new user has not bound yet
// (mandatory), leaves it Enrolling: no session, only the flow token, which
// reaches nothing but this flow's binding steps. amr are the methods the
// account was created with.
func (a *actions) enrol(ctx context.Context, step *flows.Step[Context], amr []string) error {
	c := step.Context
	c.Enrolling, c.AMR = true, slices.Clone(amr)
	if mandatory(step.Tenant) {
		return nil
	}
	return a.signIn(ctx, step, "")
}

// signIn issues the flow's session once the account holds what the
// tenant's policy demands; factor is the amr value of the factor the step
// just bound (otp for an authenticator app, sms, webauthn for a passkey
// created where it is the only factor), or empty. A flow that is not
// Enrolling has its session already (or, passkey first, got it with the
// account), and nothing is issued again. Under the mandatory policy no
// factor means no session: the step is refused, never signed in.
func (a *actions) signIn(ctx context.Context, step *flows.Step[Context], factor string) error {
	c := step.Context
	if !c.Enrolling {
		return nil
	}
	if factor == "" && mandatory(step.Tenant) {
		return flows.ErrMFAEnrollmentRequired
	}
	amr := slices.Clone(c.AMR)
	if factor != "" && !slices.Contains(amr, factor) {
		amr = append(amr, factor)
	}
	if factor != "" && len(c.AMR) > 0 {
		// Something was proved before the factor: more than one method.
		amr = append(amr, flows.AMRMFA)
	}
	s, err := flows.IssueSession(ctx, step.Scope, *c.UserID, amr, step.Request, step.Now)
	if err != nil {
		return err
	}
	step.Session = s
	c.Enrolling, c.AMR = false, nil
	return nil
}

// passkeyIsTheBinding reports whether, under the mandatory policy, a
// passkey is the only factor a new user can bind (the tenant enables no
// authenticator app or SMS): then the passkey prompt is the binding.
func passkeyIsTheBinding(t *tenants.Tenant) bool {
	return mandatory(t) && len(bindable(t, nil)) == 0 && flows.FactorEnabled(t, tenants.FactorWebAuthn)
}

// canEnrol refuses to create an account that the mandatory policy would
// leave with no way to bind a factor: a passkey is the only factor and the
// tenant lets no one create one.
func canEnrol(t *tenants.Tenant) error {
	if passkeyIsTheBinding(t) && !t.Settings.Passkeys.AllowRegistration {
		return flows.ErrMFAEnrollmentRequired.WithField("", "This site requires 2-step verification with a passkey but does not let new accounts create one. Ask the site's administrator.")
	}
	return nil
}

// bindable lists the factors the tenant enables that sign-up can bind
// besides a passkey (totp, sms), in the tenant's order, leaving out those
// bound already in this flow.
func bindable(t *tenants.Tenant, bound []string) []string {
	return flows.BindableFactors(t, bound)
}

func mandatory(t *tenants.Tenant) bool { return t.Settings.MFA.Policy == tenants.MFAMandatory }
