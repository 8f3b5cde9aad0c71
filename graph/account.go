package graph

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/account"
	"github.com/sesame-id/sesame/flows/addpasskey"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/flows/testmessage"
	"github.com/sesame-id/sesame/graph/model"
	"github.com/sesame-id/sesame/tenants"
)

// The account API's rules live in the account service (flows/account):
// the resolvers pass it the caller's tenant and session and translate its
// answers. Adding a passkey runs the add-passkey flow (flows/addpasskey).
const (
	// TOTPConfirmAttempts is how many wrong first codes of a new
	// authenticator app a user may type per flows.FactorAttemptWindow: the
	// user's one limit on factor attempts (flows.FactorAttemptsPerUser),
	// shared with the sign-in's second factor and re-verification.
	TOTPConfirmAttempts = flows.FactorAttemptsPerUser
	// TestMessagesPerHour is how many test messages a tenant may send per
	// hour (testmessage.PerHour).
	TestMessagesPerHour = testmessage.PerHour
)

// accounts is the account service on the API's dependencies.
func (r *Resolver) accounts() *account.Service { return account.New(r.Flows) }

// testMessages is the test-message service on the API's dependencies.
func (r *Resolver) testMessages() *testmessage.Service {
	return &testmessage.Service{DB: r.DB, Senders: r.Senders, Clock: r.Clock, Logger: r.Logger}
}

// accountCaller is the signed-in caller as the account service takes it.
func accountCaller(ctx context.Context) account.Caller {
	c := callerFrom(ctx)
	return account.Caller{Tenant: c.tenant, Session: c.session, Request: c.req}
}

// passkeyName checks a name a person gave a passkey
// (account.PasskeyName); here it may not be empty.
func passkeyName(name string) (string, error) { return account.PasskeyName(name) }

func (r *Resolver) beginAddPasskey(ctx context.Context) (*model.AddPasskeyCeremony, error) {
	if err := r.recentlyVerified(ctx); err != nil {
		return nil, err
	}
	c := callerFrom(ctx)
	uid, _ := me(ctx)
	res, err := r.addPasskey.Begin(ctx, c.tenant, addpasskey.Context{UserID: uid}, addpasskey.ActionPasskeyBegin, nil, c.req)
	if err != nil {
		return nil, err
	}
	begun, ok := res.Output.(passkey.Begun)
	if !ok {
		return nil, errors.New("add passkey: unexpected output of passkey.begin")
	}
	opts, err := json.Marshal(begun.Passkey)
	if err != nil {
		return nil, err
	}
	return &model.AddPasskeyCeremony{Ceremony: res.Token, Options: string(opts)}, nil
}

func (r *Resolver) finishAddPasskey(ctx context.Context, ceremony, response string, name *string) (*db.Credential, error) {
	if err := r.recentlyVerified(ctx); err != nil {
		return nil, err
	}
	c := callerFrom(ctx)
	uid, _ := me(ctx)
	if !json.Valid([]byte(response)) {
		return nil, &tenants.InputError{Field: "response", Problem: "is not JSON: pass the authenticator's response in its standard JSON form"}
	}
	in := map[string]any{"credential": json.RawMessage(response)}
	if name != nil {
		n, err := passkeyName(*name)
		if err != nil {
			return nil, err
		}
		in["name"] = n
	}
	raw, _ := json.Marshal(in)
	res, err := r.addPasskey.Run(ctx, c.tenant, ceremony, addpasskey.ActionPasskeyFinish, raw, c.req)
	if err != nil {
		return nil, err
	}
	added, ok := res.Output.(addpasskey.Added)
	if !ok {
		return nil, errors.New("add passkey: unexpected output of passkey.finish")
	}
	return c.scope.Credentials().Get(ctx, uid, added.ID)
}

// channels maps the API's channels to the code channels.
var channels = map[model.Channel]string{model.ChannelSms: db.ChannelSMS, model.ChannelEmail: db.ChannelEmail}
