package account_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/account"
	"github.com/sesame-id/sesame/internal/delivery"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/jobs"
	"github.com/sesame-id/sesame/tenants"
)

// manageEnv is accountEnv with a started job client: codes go to outbox,
// and account-deletion jobs call the service.
type manageEnv struct {
	*accountEnv
	outbox *delivery.Outbox
}

// remover hands the job client the service made after it.
type remover struct{ svc *account.Service }

func (r *remover) RemoveAccount(ctx context.Context, tenantID, userID uuid.UUID) (time.Time, error) {
	return r.svc.RemoveAccount(ctx, tenantID, userID)
}

func newManageEnv(t *testing.T, d *db.DB, graceDays int) *manageEnv {
	t.Helper()
	e := newAccountEnv(t, d, tenants.MFAUserControlled)
	outbox := delivery.NewOutbox(delivery.OutboxConfig{Clock: e.clock, Size: 1000})
	rm := &remover{}
	jc, err := jobs.NewClient(d, jobs.Config{
		Senders: jobs.StaticSenders{SMSSender: outbox, EmailSender: outbox}, Clock: e.clock,
		FetchPollInterval: 10 * time.Millisecond, FetchCooldown: 5 * time.Millisecond, AccountRemover: rm,
	})
	require.NoError(t, err)
	require.NoError(t, jc.Start(e.ctx))
	t.Cleanup(func() {
		stop, cancel := context.WithTimeout(e.ctx, 5*time.Second)
		defer cancel()
		_ = jc.Stop(stop)
	})
	e.svc = account.New(flows.Deps{DB: d, Clock: e.clock, Jobs: jc})
	rm.svc = e.svc
	next := e.tenant.Settings
	next.Account.DeletionGraceDays = graceDays
	tn, err := e.ts.UpdateSettings(e.ctx, e.tenant, next, true)
	require.NoError(t, err)
	e.tenant, e.caller.Tenant = tn, tn
	return &manageEnv{accountEnv: e, outbox: outbox}
}

// code is the code the outbox holds for to, sent after before messages.
func (e *manageEnv) codeTo(t *testing.T, to string, before int) string {
	t.Helper()
	return flowtest.CodeTo(t, e.outbox, to, before)
}

// otherUser makes another user of the tenant holding email, verified or
// not.
func (e *manageEnv) otherUser(t *testing.T, email string, verified bool) *db.User {
	t.Helper()
	u := &db.User{WebAuthnHandle: []byte(uuid.NewString()), DisplayName: email}
	id := &db.Identifier{Kind: db.IdentifierEmail, Value: email}
	if verified {
		now := e.clock.Now()
		id.VerifiedAt = &now
	}
	require.NoError(t, e.scope().Users().Create(e.ctx, u, id))
	return u
}

// session signs the caller's user in again elsewhere.
func (e *manageEnv) session(t *testing.T) *db.Session {
	t.Helper()
	issued, err := flows.IssueSession(e.ctx, e.scope(), e.caller.Session.UserID, []string{flows.AMRWebAuthn}, flows.RequestInfo{IP: "192.0.2.2"}, e.clock.Now())
	require.NoError(t, err)
	return issued.Session
}

func (e *manageEnv) identifiers(t *testing.T) map[string]bool {
	t.Helper()
	ids, err := e.scope().Users().Identifiers(e.ctx, e.caller.Session.UserID)
	require.NoError(t, err)
	out := map[string]bool{}
	for _, i := range ids {
		out[i.Value] = i.VerifiedAt != nil
	}
	return out
}
