package flows

import (
	"context"
	"time"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/tenants"
)

// AuthRequestRef is an application's authorization request that a flow
// step carries: a hosted page opened for one (?authRequest=ID) sends its
// id with every step, with what the request must be checked against.
type AuthRequestRef struct {
	// ID is the request's id, as the page received it.
	ID string
	// Binding is the value of the browser's binding cookie, which the
	// request was bound to when the browser made it.
	Binding string
	// Issuer is the origin the step came to, the issuer that answers.
	Issuer string
}

// AuthRequestCompleter completes an application's authorization request
// in the transaction of the step that signed the person in for it, so
// that the browser goes from the sign-in straight back to the application.
// The OpenID Provider (flows/provider) implements it; the engine calls it
// for every step that ends a flow with a session, whatever the method, so
// the rule of when a sign-in answers a request lives in the provider only.
type AuthRequestCompleter interface {
	// CompleteAuthRequest answers ref for session s, issued by the step
	// in scope's transaction at now, and returns where the browser goes
	// next: the client's redirect URI with the code, or a page of the
	// provider that still has to ask something (consent). It returns ""
	// when the request is not answered here (unknown, expired, already
	// answered, bound to another browser, or not satisfied by how the
	// person signed in): the page then goes on as without one. An error
	// is a failure of the store and rolls the step back.
	CompleteAuthRequest(ctx context.Context, scope db.Scope, t *tenants.Tenant, s *db.Session, ref AuthRequestRef, now time.Time) (string, error)
}

// completeAuthRequest runs the engine's completer for a step that ended
// the flow with a session while carrying an authorization request, and
// sets the result's Redirect.
func completeAuthRequest(ctx context.Context, c AuthRequestCompleter, scope db.Scope, t *tenants.Tenant, res *Result, req RequestInfo, now time.Time) error {
	if c == nil || req.AuthRequest == nil || res.State != Done || res.Session == nil {
		return nil
	}
	to, err := c.CompleteAuthRequest(ctx, scope, t, res.Session.Session, *req.AuthRequest, now)
	if err != nil {
		return err
	}
	res.Redirect = to
	return nil
}
