package flowtest_test

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/delivery"
	"github.com/sesame-id/sesame/internal/flowtest"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

func TestCodeTo_WaitsForAMessageBeyondTheCountAndReadsTheNewest(t *testing.T) {
	t.Parallel()
	o := delivery.NewOutbox(delivery.OutboxConfig{})
	ctx := context.Background()
	_, err := o.SendSMS(ctx, delivery.SMS{To: "+14155550100", Body: "Your code is 111111."})
	require.NoError(t, err)
	_, err = o.SendSMS(ctx, delivery.SMS{To: "+14155550199", Body: "Your code is 999999."})
	require.NoError(t, err)
	before := flowtest.Sent(o, "+14155550100")
	require.Equal(t, 1, before)

	go func() {
		time.Sleep(50 * time.Millisecond)
		_, _ = o.SendSMS(ctx, delivery.SMS{To: "+14155550100", Body: "Your code is 222222."})
	}()
	require.Equal(t, "222222", flowtest.CodeTo(t, o, "+14155550100", before), "the code sent after the count, not the older one")
	require.Equal(t, 2, flowtest.Sent(o, "+14155550100"))
}

func TestEnv_UpdateSettingsSavesTheEditAndLeavesTheOldTenantsListsAlone(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		e := flowtest.New(t, d)
		old := e.Tenant
		factors := append([]string(nil), old.Settings.MFA.Factors...)
		e.UpdateSettings(t, func(s *tenants.Settings) {
			s.MFA.Factors = append(s.MFA.Factors[:0], tenants.FactorSMS)
		})
		require.Equal(t, factors, old.Settings.MFA.Factors, "the edit wrote into the old tenant's list")
		require.Equal(t, []string{tenants.FactorSMS}, e.Tenant.Settings.MFA.Factors)
		stored, err := e.Tenants.BySlug(e.Ctx, e.Tenant.Slug)
		require.NoError(t, err)
		require.Equal(t, []string{tenants.FactorSMS}, stored.Settings.MFA.Factors)
	})
}

// TestFlowtest_NoProductionPackageImportsIt: the server binary's
// dependencies leave out the test-support packages.
func TestFlowtest_NoProductionPackageImportsIt(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "github.com/sesame-id/sesame/cmd/sesame").Output()
	require.NoError(t, err)
	for _, pkg := range []string{"internal/flowtest", "internal/browser", "internal/testdb", "internal/testserver", "internal/softkey"} {
		require.NotContains(t, strings.Fields(string(out)), "github.com/sesame-id/sesame/"+pkg)
	}
}
