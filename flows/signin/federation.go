package signin

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/federation"
)

// MethodFederation is the audit's method of a sign-in through a connector.
const MethodFederation = "federation"

// connectorOutput names a connector to the page; Email, on a link to
// make, is the verified address the account to prove holds.
type connectorOutput struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
}

// PendingLink is an upstream identity whose verified address an existing
// account holds: it is linked to that account when the person signs in to
// it in this flow (signIn), never before.
type PendingLink struct {
	UserID      uuid.UUID `json:"user_id"`
	ConnectorID uuid.UUID `json:"connector_id"`
	Subject     string    `json:"subject"`
	Email       string    `json:"email"`
}

// upstreamOutput is federation.begin's answer: where the browser goes.
type upstreamOutput struct {
	Redirect string `json:"redirect"`
}

// routeByDomain sends an email address whose domain an enterprise
// connector lists to that connector, whoever typed it: known or not, the
// answer is the same.
func routeByDomain(ctx context.Context, step *flows.Step[Context]) (bool, error) {
	if step.Context.IdentifierKind != db.IdentifierEmail {
		return false, nil
	}
	c, err := federation.ForEmail(ctx, step.Scope, step.Context.Identifier)
	if err != nil || c == nil {
		return false, err
	}
	step.Next = ChooseMethod
	step.Output = methodsOutput{Methods: []string{MethodSSO}, Connector: &connectorOutput{ID: c.ID.String(), Name: c.Name}}
	return true, nil
}

// federationBegin sends the person to a connector's provider: the state's
// hash, the nonce and the PKCE verifier stay on the flow, the
// authorization URL goes to the page. The door prepared the connector's
// endpoints (federation.WithEndpoints) before the transaction.
func (a *actions) federationBegin(ctx context.Context, step *flows.Step[Context]) error {
	var in struct {
		Connector string `json:"connector"`
	}
	if err := flows.DecodeInput(step.Input, &in); err != nil {
		return err
	}
	id, err := uuid.Parse(in.Connector)
	e := federation.EndpointsFrom(ctx)
	if err != nil || e == nil || e.ConnectorID != id.String() {
		return flows.ErrInvalidInput.WithField("connector", "There is no such connector here.")
	}
	c, err := federation.Get(ctx, step.Scope, id)
	if errors.Is(err, db.ErrNotFound) {
		return flows.ErrInvalidInput.WithField("connector", "There is no such connector here.")
	}
	if err != nil {
		return err
	}
	step.TakeCeremony()
	if c.Type == federation.TypeSAML {
		return a.samlBegin(ctx, step, c)
	}
	if e.FormPost && e.State == "" {
		// The door seals the flow's token as the state before the step.
		return flows.ErrInvalidInput.WithField("connector", "There is no such connector here.")
	}
	to, pending := federation.AuthURL(c, e)
	if ar := step.Request.AuthRequest; ar != nil {
		pending.AuthRequest = ar.ID
	}
	step.Context.Federation = pending
	step.Context.Link = nil
	step.Next = Upstream
	step.Output = upstreamOutput{Redirect: to}
	return nil
}

// federationFinish signs in with the provider's checked answer, which
// only the callback door passes (federation.WithAnswer): its state must
// be the flow's, and is used once.
func (a *actions) federationFinish(ctx context.Context, step *flows.Step[Context]) error {
	ans := federation.AnswerFrom(ctx)
	p := step.Context.Federation
	if ans == nil {
		return flows.ErrActionNotAllowed
	}
	if p == nil || p.ConnectorID != ans.ConnectorID.String() || !p.StateMatches(ans.State) {
		return federation.ErrState
	}
	identity := ans.Identity
	if p.RequestID == "" && flows.State(step.Flow.State) != UpstreamExchanging {
		// oidc: only the callback that claimed the state exchanged its code.
		return federation.ErrState
	}
	if p.RequestID != "" {
		// saml: only the assertion the ACS recorded signs in.
		if p.Asserted == nil {
			return federation.ErrState
		}
		identity = p.Asserted
	}
	step.Context.Federation = nil
	c, err := federation.Get(ctx, step.Scope, ans.ConnectorID)
	if err != nil {
		return err
	}
	r, err := federation.Resolve(ctx, step.Scope, step.Tenant, c, identity, step.Request.Lang, step.Now)
	if err != nil {
		return err
	}
	if r.LinkTo != nil {
		return a.linkFirst(ctx, step, c, identity, r)
	}
	user := r.User
	if user.DisabledAt != nil {
		a.audit(ctx, step, MethodFederation, &user.ID, flows.ErrInvalidCredentials.Code)
		return flows.ErrInvalidCredentials
	}
	step.Context.UserID = &user.ID
	if federation.TrustsUpstreamMFA(c, identity.AMR) {
		return a.signIn(ctx, step, user.ID, MethodFederation, federation.AMR, flows.AMRMFA)
	}
	return a.firstFactorPassed(ctx, step, user, MethodFederation, federation.AMR)
}

// federationClaim takes the flow's OpenID Connect state for the one
// callback that then exchanges the provider's code: the answer
// (federation.WithAnswer, no identity yet) must name the flow's connector
// and state. The flow's lock makes parallel claims run one at a time, so
// only the first finds the flow in upstream and the rest are refused.
func (a *actions) federationClaim(ctx context.Context, step *flows.Step[Context]) error {
	ans := federation.AnswerFrom(ctx)
	if ans == nil {
		return flows.ErrActionNotAllowed
	}
	p := step.Context.Federation
	if p == nil || p.RequestID != "" || p.ConnectorID != ans.ConnectorID.String() || !p.StateMatches(ans.State) {
		return federation.ErrState
	}
	step.Next = UpstreamExchanging
	step.Output = struct{}{}
	return nil
}

// linkFirst leads a person whose verified address an existing account
// holds to sign in to that account, as after identify; the upstream
// identity waits on the flow (Link) until they do.
func (a *actions) linkFirst(ctx context.Context, step *flows.Step[Context], c *federation.Connector, id *federation.Identity, r *federation.Resolved) error {
	step.Context.Link = &PendingLink{UserID: r.LinkTo.ID, ConnectorID: c.ID, Subject: id.Subject, Email: r.Email}
	step.Context.IdentifierKind, step.Context.Identifier = db.IdentifierEmail, r.Email
	a.audit(ctx, step, MethodFederation, &r.LinkTo.ID, "link_required")
	if err := a.offer(ctx, step, r.LinkTo); err != nil {
		return err
	}
	if out, ok := step.Output.(methodsOutput); ok {
		out.Link = &connectorOutput{ID: c.ID.String(), Name: c.Name, Email: r.Email}
		step.Output = out
	}
	return nil
}

// completeLink links the flow's waiting upstream identity to userID, who
// just proved the account it named.
func (a *actions) completeLink(ctx context.Context, step *flows.Step[Context], userID uuid.UUID) error {
	l := step.Context.Link
	if l == nil || l.UserID != userID {
		return nil
	}
	step.Context.Link = nil
	if err := federation.Link(ctx, step.Scope, userID, l.ConnectorID, l.Subject, l.Email, step.Now); err != nil {
		return err
	}
	a.audit(ctx, step, MethodFederation, &userID, "linked")
	return nil
}
