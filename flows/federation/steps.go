package federation

import (
	"context"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
)

// The sign-in flow's federation steps get what came over the network
// through their context, never through their input: the door fetches it
// before the step's transaction (Prepare, Exchange), so a step never holds
// the database while it waits on an upstream, and a client cannot hand a
// step an identity of its own making.
type (
	endpointsKey struct{}
	answerKey    struct{}
)

// Answer is the upstream's checked answer to one flow: the state it came
// back with and the identity Exchange read from it.
type Answer struct {
	ConnectorID uuid.UUID
	State       string
	Identity    *Identity
}

// WithEndpoints passes a connector's prepared endpoints and its callback
// URL to the federation.begin step.
func WithEndpoints(ctx context.Context, e *Endpoints) context.Context {
	return context.WithValue(ctx, endpointsKey{}, e)
}

// EndpointsFrom returns what WithEndpoints passed, or nil.
func EndpointsFrom(ctx context.Context) *Endpoints {
	e, _ := ctx.Value(endpointsKey{}).(*Endpoints)
	return e
}

// WithAnswer passes the upstream's checked answer to the federation.finish
// step.
func WithAnswer(ctx context.Context, a *Answer) context.Context {
	return context.WithValue(ctx, answerKey{}, a)
}

// AnswerFrom returns what WithAnswer passed, or nil.
func AnswerFrom(ctx context.Context) *Answer {
	a, _ := ctx.Value(answerKey{}).(*Answer)
	return a
}

// EnterpriseOf returns the enterprise connector userID signs in through
// (an SSO user's organization), or nil.
func EnterpriseOf(ctx context.Context, scope db.Scope, userID uuid.UUID) (*Connector, error) {
	ids, err := scope.FederatedIdentities().ByUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	for _, fi := range ids {
		if fi.Connector != nil && fi.Connector.Kind == KindEnterprise {
			return Parse(fi.Connector)
		}
	}
	return nil, nil
}
