// Package migrations holds Sesame's schema migrations, one file per
// migration named after its version (YYYYMMDDhhmmss_name.go), written once
// for both engines.
//
// A migration's DDL is written with four type placeholders that Render turns
// into each engine's types: {uuid}, {time}, {json} and {bytes}.
package migrations

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
)

// Migration is one schema change.
type Migration struct {
	// Version orders migrations and is recorded once applied; it is the
	// migration's file name without ".go".
	Version string

	// Up applies the change inside the caller's transaction. dialect is
	// "postgres" or "sqlite".
	Up func(ctx context.Context, tx bun.Tx, dialect string) error

	// Additive declares an expand step: the migration only adds what an
	// older binary never reads or must write (a table, a nullable or
	// defaulted column, an index), so a binary that does not have it keeps
	// serving the database. It is recorded with the version. Anything else
	// (a dropped or renamed column, a new NOT NULL or constraint, changed
	// data an older binary reads) is a contract step, the default: a binary
	// that finds a contract step it does not have stops being ready and
	// refuses to start. See the README's expand → deploy → contract
	// procedure.
	Additive bool
}

// All returns every migration in the order they apply.
func All() []Migration {
	return []Migration{
		{Version: "20261123000000_init", Up: upInit},
		{Version: "20261123010000_passkeys", Up: upPasskeys},
		{Version: "20261123020000_codes", Up: upCodes},
		{Version: "20261123030000_factors", Up: upFactors},
		{Version: "20261123040000_sms_factor", Up: upSMSFactor},
		{Version: "20261123080000_api_keys", Up: upAPIKeys},
		{Version: "20261123090000_admins", Up: upAdmins},
		{Version: "20261203130000_administrators", Up: upAdministrators},
		{Version: "20261203160000_oidc", Up: upOIDC},
		{Version: "20261203171500_oidc_backchannel", Up: upOIDCBackchannel},
		{Version: "20261203173000_oidc_grants", Up: upOIDCGrants},
		{Version: "20261204090000_tenant_changes", Up: upTenantChanges},
		{Version: "20261204100000_branding", Up: upBranding},
		{Version: "20261204110000_account_profile", Up: upAccountProfile},
		{Version: "20261205100000_federation", Up: upFederation},
		{Version: "20261205110000_saml_replay", Up: upSAMLReplay},
		{Version: "20261205120000_audit_events", Up: upAuditEvents},
		{Version: "20261205121000_webhooks", Up: upWebhooks},
		{Version: "20261205140000_passkey_prompts", Up: upPasskeyPrompts},
		{Version: "20261205150000_recovery_links", Up: upRecoveryLinks},
		{Version: "20261205160000_connector_domains", Up: upConnectorDomains, Additive: true},
		{Version: "20261205170000_avatars", Up: upAvatars, Additive: true},
		{Version: "20261206040000_user_locale", Up: upUserLocale, Additive: true},
		{Version: "20261207000000_hot_tables_tenant_keys", Up: upHotTablesTenantKeys, Additive: true},
	}
}

var types = map[string]*strings.Replacer{
	"postgres": strings.NewReplacer("{uuid}", "uuid", "{time}", "timestamptz", "{json}", "jsonb", "{bytes}", "bytea"),
	// modernc parses TIMESTAMP columns back into time.Time; bun writes UTC
	// text that sorts in time order.
	"sqlite": strings.NewReplacer("{uuid}", "TEXT", "{time}", "TIMESTAMP", "{json}", "TEXT", "{bytes}", "BLOB"),
}

// Render returns ddl with the type placeholders replaced for dialect.
func Render(dialect, ddl string) (string, error) {
	r, ok := types[dialect]
	if !ok {
		return "", fmt.Errorf("unknown dialect %q", dialect)
	}
	return r.Replace(ddl), nil
}

// execAll renders and runs each statement in order.
func execAll(ctx context.Context, tx bun.Tx, dialect string, statements ...string) error {
	for _, s := range statements {
		q, err := Render(dialect, s)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", firstLine(q), err)
		}
	}
	return nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
