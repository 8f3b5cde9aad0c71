package signin

import (
	"context"

	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/federation"
)

// samlBegin sends the person to a saml connector's IdP: a signed
// AuthnRequest whose ID stays on the flow (the answer must name it) and
// whose relay state is the flow's reference, so the ACS finds this flow.
// The door built the connector's SP (federation.WithSAMLBegin) before the
// transaction. federation.finish then runs as for OpenID Connect, with
// the assertion the ACS checked.
func (a *actions) samlBegin(ctx context.Context, step *flows.Step[Context], c *federation.Connector) error {
	b := federation.SAMLBeginFrom(ctx)
	if b == nil || b.ConnectorID != c.ID || b.SP == nil || b.RelayState == "" {
		return flows.ErrInvalidInput.WithField("connector", "There is no such connector here.")
	}
	to, requestID, err := b.SP.AuthnRequest(b.RelayState)
	if err != nil {
		return err
	}
	pending := federation.SAMLPending(c, requestID)
	if ar := step.Request.AuthRequest; ar != nil {
		pending.AuthRequest = ar.ID
	}
	step.Context.Federation = pending
	step.Context.Link = nil
	step.Next = Upstream
	step.Output = upstreamOutput{Redirect: to}
	return nil
}

// federationAssert records the saml answer the ACS checked
// (federation.WithAnswer) on the flow, once: its request ID must be the
// flow's. Nobody is signed in here: the ACS is posted across sites, with
// no cookie to say which browser posted it; federation.finish signs in
// with the recorded identity when the browser that began the flow
// resumes it.
func (a *actions) federationAssert(ctx context.Context, step *flows.Step[Context]) error {
	ans := federation.AnswerFrom(ctx)
	if ans == nil {
		return flows.ErrActionNotAllowed
	}
	p := step.Context.Federation
	if p == nil || p.RequestID == "" || p.Asserted != nil || p.ConnectorID != ans.ConnectorID.String() || !p.StateMatches(ans.State) {
		return federation.ErrState
	}
	p.Asserted = ans.Identity
	step.Next = Upstream
	step.Output = struct{}{}
	return nil
}
