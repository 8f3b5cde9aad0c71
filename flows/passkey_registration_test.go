package flows_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	vw "github.com/descope/virtualwebauthn"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/passkey"
	"github.com/sesame-id/sesame/internal/audit"
	"github.com/sesame-id/sesame/internal/clock"
	"github.com/sesame-id/sesame/internal/softkey"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

// The shared registration steps on a machine of their own:
//
//	start|key ──begin──▶ key    (registration options for the flow's user)
//	key       ──finish──▶ done  (the passkey stored for the flow's user)
type registering struct {
	UserID uuid.UUID `json:"user_id"`
	Handle []byte    `json:"handle"`
}

type registrationEnv struct {
	d      *db.DB
	ts     *tenants.Service
	pk     *passkey.Service
	tenant *tenants.Tenant
	engine *flows.Engine[registering]
	// registrants and owners count the calls of the flow's callbacks.
	registrants, owners int
	log                 syncBuffer
}

// syncBuffer is a bytes.Buffer the logger and the test may share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// lines returns the JSON log records written so far.
func (s *syncBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(s.b.String()), "\n") {
		if l == "" {
			continue
		}
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &rec))
		out = append(out, rec)
	}
	return out
}

func newRegistrationEnv(t *testing.T, d *db.DB) *registrationEnv {
	t.Helper()
	ctx := context.Background()
	e := &registrationEnv{d: d, ts: tenants.NewService(d, "localhost:8080")}
	e.pk = passkey.NewService(e.ts, clock.Real{}, nil)
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	tn, err := e.ts.Create(ctx, "reg-"+hex.EncodeToString(b), "Reg")
	require.NoError(t, err)
	e.tenant = tn
	logger := slog.New(slog.NewJSONHandler(&e.log, nil))
	reg := func(step *flows.Step[registering]) flows.PasskeyRegistration {
		return flows.PasskeyRegistration{
			Passkeys: e.pk,
			Logger:   logger,
			Registrant: func(context.Context) (passkey.Registrant, error) {
				e.registrants++
				return passkey.Registrant{Handle: step.Context.Handle, Name: "reg@example.com"}, nil
			},
			Owner: func(context.Context) (uuid.UUID, error) {
				e.owners++
				return step.Context.UserID, nil
			},
		}
	}
	m := &flows.Machine[registering]{
		Kind: "registration_test", Start: "start", TTL: time.Hour,
		Transitions: []flows.Transition{
			{Action: "begin", From: []flows.State{"start", "key"}, To: []flows.State{"key"}},
			{Action: "finish", From: []flows.State{"key"}, To: []flows.State{flows.Done}},
		},
		Actions: map[string]flows.Action[registering]{
			"begin": func(ctx context.Context, step *flows.Step[registering]) error {
				return flows.BeginPasskeyRegistration(ctx, step, reg(step), "key")
			},
			"finish": func(ctx context.Context, step *flows.Step[registering]) error {
				cred, err := flows.FinishPasskeyRegistration(ctx, step, reg(step))
				if err != nil {
					return err
				}
				step.Next = flows.Done
				step.Output = cred.ID
				return nil
			},
		},
	}
	e.engine, err = flows.NewEngine(d, m, nil, logger)
	require.NoError(t, err)
	return e
}

// newUser creates a user and begins a registration flow for it.
func (e *registrationEnv) newUser(t *testing.T) (uuid.UUID, string, *flows.Result) {
	t.Helper()
	u := &db.User{ID: uuid.Must(uuid.NewV7()), WebAuthnHandle: []byte(uuid.NewString()), DisplayName: "reg"}
	require.NoError(t, e.d.ForTenant(e.tenant.ID).Users().Create(context.Background(), u))
	res, err := e.engine.Begin(context.Background(), e.tenant, registering{UserID: u.ID, Handle: u.WebAuthnHandle}, "begin", nil, flows.RequestInfo{IP: "10.9.8.7"})
	require.NoError(t, err)
	return u.ID, res.Token, res
}

// answer answers the begin's options with cred on a virtual authenticator.
func (e *registrationEnv) answer(t *testing.T, res *flows.Result, cred vw.Credential, name string) json.RawMessage {
	t.Helper()
	rp := e.pk.RelyingParty(e.tenant)
	opts, err := vw.ParseAttestationOptions(string(res.Output.(passkey.Begun).Passkey.PublicKey))
	require.NoError(t, err)
	auth := vw.NewAuthenticatorWithOptions(vw.AuthenticatorOptions{UserHandle: []byte(opts.UserID)})
	auth.AddCredential(cred)
	att := vw.CreateAttestationResponse(vw.RelyingParty{ID: rp.ID, Name: rp.Name, Origin: rp.Origins[0]}, auth, cred, *opts)
	in, err := json.Marshal(map[string]any{"credential": json.RawMessage(att), "name": name})
	require.NoError(t, err)
	return in
}

func (e *registrationEnv) finish(token string, in json.RawMessage) (*flows.Result, error) {
	return e.engine.Run(context.Background(), e.tenant, token, "finish", in, flows.RequestInfo{UserAgent: "test", IP: "10.9.8.7"})
}

func (e *registrationEnv) credentials(t *testing.T, user uuid.UUID) []*db.Credential {
	t.Helper()
	creds, err := e.d.ForTenant(e.tenant.ID).Credentials().ByUser(context.Background(), user, "")
	require.NoError(t, err)
	return creds
}

func requireCode(t *testing.T, want *flows.Error, err error) {
	t.Helper()
	require.Error(t, err)
	require.Equal(t, want.Code, flows.Public(err).Code, "got %v", err)
}

func TestPasskeyRegistration_StoresTheVerifiedPasskeyForItsOwnerAndAuditsIt(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newRegistrationEnv(t, d)
		user, token, res := e.newUser(t)
		require.Equal(t, flows.State("key"), res.State)

		res, err := e.finish(token, e.answer(t, res, softkey.NewEC2(), "Work laptop"))
		require.NoError(t, err)
		require.Equal(t, flows.Done, res.State)
		creds := e.credentials(t, user)
		require.Len(t, creds, 1)
		require.Equal(t, "Work laptop", creds[0].Name)
		require.Equal(t, res.Output, creds[0].ID)
		require.Equal(t, 1, e.owners)

		var audits []map[string]any
		for _, rec := range e.log.lines(t) {
			if rec["msg"] == "passkey registration" {
				audits = append(audits, rec)
			}
		}
		require.Len(t, audits, 1)
		require.Equal(t, "success", audits[0]["result"])
		require.Equal(t, user.String(), audits[0]["user"])
		require.Equal(t, creds[0].ID.String(), audits[0]["credential"])
		require.Equal(t, e.tenant.Slug, audits[0]["tenant"])
		require.Equal(t, "10.9.8.7", audits[0]["ip"])

		events, _, err := e.d.ForTenant(e.tenant.ID).Audit().List(context.Background(), db.AuditPage{Limit: 10})
		require.NoError(t, err)
		require.Len(t, events, 1, "the audit log holds the new passkey once")
		require.Equal(t, string(audit.PasskeyAdded), events[0].Type)
		require.Equal(t, user, *events[0].UserID)
		require.Contains(t, events[0].Details, creds[0].ID.String())
		require.Equal(t, "10.9.8.7", events[0].IP)
	})
}

func TestPasskeyRegistration_ACredentialStoredAlreadyIsRefusedAndTheFlowKept(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newRegistrationEnv(t, d)
		cred := softkey.NewEC2()
		first, token, res := e.newUser(t)
		_, err := e.finish(token, e.answer(t, res, cred, ""))
		require.NoError(t, err)
		require.Len(t, e.credentials(t, first), 1)

		// The same authenticator key registered again, for another user.
		second, token, res := e.newUser(t)
		_, err = e.finish(token, e.answer(t, res, cred, ""))
		requireCode(t, flows.ErrPasskeyExists, err)
		require.Empty(t, e.credentials(t, second))
		f, err := d.ForTenant(e.tenant.ID).Flows().ByToken(context.Background(), flows.HashToken(token))
		require.NoError(t, err)
		require.Equal(t, "key", f.State, "not a Fail: the step rolled back")
		require.Contains(t, e.log.String(), `"result":"passkey_exists"`)
	})
}

func TestPasskeyRegistration_ARefusedAttestationCreatesNothingAndUsesTheCeremonyUp(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newRegistrationEnv(t, d)
		user, token, first := e.newUser(t)
		stale := e.answer(t, first, softkey.NewEC2(), "")

		// A name that is not one line of text is refused before the
		// ceremony is taken: a corrected answer may follow.
		_, err := e.finish(token, e.answer(t, first, softkey.NewEC2(), "two\nlines"))
		requireCode(t, flows.ErrInvalidInput, err)
		f, err := d.ForTenant(e.tenant.ID).Flows().ByToken(context.Background(), flows.HashToken(token))
		require.NoError(t, err)
		require.NotNil(t, f.Ceremony, "the ceremony is kept")

		// An answer to a replaced ceremony fails verification: the owner
		// is never asked for (passkey-first sign-up creates the account
		// there), and the new ceremony is used up.
		res, err := e.engine.Run(context.Background(), e.tenant, token, "begin", nil, flows.RequestInfo{})
		require.NoError(t, err)
		_, err = e.finish(token, stale)
		requireCode(t, flows.ErrPasskeyRegistrationFailed, err)
		require.Equal(t, 0, e.owners)
		_, err = e.finish(token, e.answer(t, res, softkey.NewEC2(), ""))
		requireCode(t, flows.ErrCeremonyMissing, err)
		require.Empty(t, e.credentials(t, user))
		require.Contains(t, e.log.String(), `"result":"passkey_registration_failed"`)
	})
}

func TestPasskeyRegistration_BeginRefusedWhereTheTenantLetsNoOneCreateAPasskey(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newRegistrationEnv(t, d)
		_, token, _ := e.newUser(t)
		next := e.tenant.Settings
		next.Passkeys.AllowRegistration = false
		tn, err := e.ts.UpdateSettings(context.Background(), e.tenant, next, true)
		require.NoError(t, err)
		e.tenant = tn
		before := e.registrants

		_, err = e.engine.Run(context.Background(), e.tenant, token, "begin", nil, flows.RequestInfo{})
		requireCode(t, flows.ErrPasskeyRegistrationDisabled, err)
		require.Equal(t, before, e.registrants, "nothing looked up for a refused request")
	})
}
