package graph

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/reverify"
	"github.com/sesame-id/sesame/graph/model"
	"github.com/sesame-id/sesame/tenants"
)

// The re-verification mutations run the reverify flow for the caller's
// session. They translate; the flow decides which factors count and keeps
// the attempt limits.

func (r *Resolver) reverificationFactors(ctx context.Context) ([]model.ReverificationFactor, error) {
	c := callerFrom(ctx)
	uid, _ := me(ctx)
	factors, _, err := reverify.Factors(ctx, c.scope, r.Passkeys, c.tenant, uid)
	if err != nil {
		return nil, err
	}
	out := make([]model.ReverificationFactor, len(factors))
	for i, f := range factors {
		out[i] = model.ReverificationFactor(strings.ToUpper(f))
	}
	return out, nil
}

func (r *Resolver) beginReverification(ctx context.Context, factor model.ReverificationFactor) (*model.Reverification, error) {
	c := callerFrom(ctx)
	uid, s := me(ctx)
	// Start, then begin in a second transaction: what begin counts (an SMS
	// code's sending limits) commits even when it refuses.
	started, err := r.reverify.Start(ctx, c.tenant, reverify.Context{UserID: uid, SessionID: s.ID})
	if err != nil {
		return nil, err
	}
	in, _ := json.Marshal(map[string]string{"factor": strings.ToLower(string(factor))})
	res, err := r.reverify.Run(ctx, c.tenant, started.Token, reverify.ActionBegin, in, c.req)
	if err != nil {
		return nil, err
	}
	begun, ok := res.Output.(reverify.Begun)
	if !ok {
		return nil, errors.New("reverify: unexpected output of begin")
	}
	out := &model.Reverification{Ceremony: started.Token, Factor: factor}
	if begun.Passkey != nil {
		opts, err := json.Marshal(begun.Passkey)
		if err != nil {
			return nil, err
		}
		o := string(opts)
		out.Options = &o
	}
	if begun.SentTo != "" {
		out.SentTo = &begun.SentTo
	}
	return out, nil
}

func (r *Resolver) finishReverification(ctx context.Context, ceremony string, response, code *string) (*db.User, error) {
	c := callerFrom(ctx)
	uid, _ := me(ctx)
	in := map[string]any{}
	if response != nil {
		if !json.Valid([]byte(*response)) {
			return nil, &tenants.InputError{Field: "response", Problem: "is not JSON: pass the authenticator's response in its standard JSON form"}
		}
		in["credential"] = json.RawMessage(*response)
	}
	if code != nil {
		in["code"] = *code
	}
	raw, _ := json.Marshal(in)
	if _, err := r.reverify.Run(ctx, c.tenant, ceremony, reverify.ActionVerify, raw, c.req); err != nil {
		return nil, err
	}
	// The caller's session was read before the flow verified it: reread
	// it, so that me.verifiedAt in this response is the new time.
	s, err := c.scope.Sessions().Get(ctx, uid, c.session.ID, r.Clock.Now())
	if err != nil {
		return nil, err
	}
	c.session.VerifiedAt, c.session.AMR = s.VerifiedAt, s.AMR
	return c.session.User, nil
}
