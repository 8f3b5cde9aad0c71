package account_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/account"
	"github.com/sesame-id/sesame/internal/audit"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

func (e *accountEnv) auditTypes(t *testing.T) []string {
	t.Helper()
	got, _, err := e.d.ForTenant(e.tenant.ID).Audit().List(e.ctx, db.AuditPage{Limit: 100})
	require.NoError(t, err)
	var out []string
	for i := len(got) - 1; i >= 0; i-- {
		if got[i].Type == string(audit.SettingsChanged) {
			continue // the environment's own set-up
		}
		require.Equal(t, audit.UserActor(e.caller.Session.UserID), got[i].Actor)
		out = append(out, got[i].Type+" "+got[i].Result)
	}
	return out
}

func TestAudit_FactorsAddedAndRemovedAreRecordedAndARefusedChangeIsNot(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := newAccountEnv(t, d, tenants.MFAMandatory)
		en, err := e.svc.BeginTOTP(e.ctx, e.caller)
		require.NoError(t, err)
		_, err = e.svc.ConfirmTOTP(e.ctx, e.caller, e.code(t, en.Secret))
		require.NoError(t, err)
		codes, err := e.svc.RegenerateBackupCodes(e.ctx, e.caller)
		require.NoError(t, err)
		// The last second factor under a mandatory policy: refused, and so
		// not in the log (the removal and its event roll back together).
		_, err = e.svc.RemoveFactor(e.ctx, e.caller, tenants.FactorTOTP)
		require.ErrorIs(t, err, account.ErrMFARequired)

		require.Equal(t, []string{"factor.added success", "factor.added success"}, e.auditTypes(t))
		rows, _, err := e.d.ForTenant(e.tenant.ID).Audit().List(e.ctx, db.AuditPage{Limit: 100})
		require.NoError(t, err)
		for _, r := range rows {
			require.NotContains(t, r.Details, en.Secret)
			for _, c := range codes {
				require.NotContains(t, r.Details, c)
			}
		}
	})
}
