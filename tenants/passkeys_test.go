package tenants_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
	"github.com/sesame-id/sesame/tenants"
)

func TestPasskeys_DefaultsAndValidation(t *testing.T) {
	t.Parallel()
	p := tenants.DefaultPasskeys()
	require.True(t, p.SignIn && p.ShowButton && p.Autofill && p.AllowRegistration)
	require.Equal(t, tenants.UVRequired, p.UserVerification)
	require.Equal(t, tenants.AttestationNone, p.Attestation)
	require.Equal(t, tenants.AttachmentAny, p.Attachment)
	require.Equal(t, tenants.CounterReject, p.CounterPolicy)
	require.NoError(t, p.Validate())

	bad := map[string]func(p *tenants.Passkeys){
		"passkeys.user_verification": func(p *tenants.Passkeys) { p.UserVerification = "sometimes" },
		"passkeys.attestation":       func(p *tenants.Passkeys) { p.Attestation = "enterprise" },
		"passkeys.attachment":        func(p *tenants.Passkeys) { p.Attachment = "usb" },
		"passkeys.counter_policy":    func(p *tenants.Passkeys) { p.CounterPolicy = "ignore" },
		"passkeys.rp_id":             func(p *tenants.Passkeys) { p.RPID = "https://acme.com" },
	}
	for field, change := range bad {
		p := tenants.DefaultPasskeys()
		change(&p)
		var ie *tenants.InputError
		require.ErrorAs(t, p.Validate(), &ie, field)
		require.Equal(t, field, ie.Field)
	}
	for _, name := range []string{"Ac\x00me", "Ac\nme", "Ac\u0085me", "Ac\xffme", strings.Repeat("é", 101)} {
		p := tenants.DefaultPasskeys()
		p.RPName = name
		var ie *tenants.InputError
		require.ErrorAs(t, p.Validate(), &ie, name)
		require.Equal(t, "passkeys.rp_name", ie.Field)
	}
	for _, origin := range []string{
		"https://*.acme.com",           // wildcard
		"https://login.acme.com/",      // trailing slash (a path)
		"https://login.acme.com/login", // path
		"http://login.acme.com",        // http off localhost
		"login.acme.com",               // no scheme
		"https://LOGIN.acme.com",       // not lowercase
	} {
		p := tenants.DefaultPasskeys()
		p.Origins = []string{origin}
		var ie *tenants.InputError
		require.ErrorAs(t, p.Validate(), &ie, origin)
		require.Equal(t, "passkeys.origins", ie.Field)
	}
	p = tenants.DefaultPasskeys()
	p.RPID = "acme.com"
	p.Origins = []string{"https://login.acme.com", "https://acme.com", "http://acme.localhost:8080"}
	require.ErrorContains(t, p.Validate(), "http://acme.localhost:8080 is not on acme.com")
	p.Origins = p.Origins[:2]
	require.NoError(t, p.Validate())
}

func TestSettings_OldDocumentGetsPasskeyDefaults(t *testing.T) {
	t.Parallel()
	s, err := tenants.ParseSettings(`{"schema":1,"default_locale":"es"}`)
	require.NoError(t, err)
	require.Equal(t, tenants.DefaultPasskeys(), s.Passkeys)

	s, err = tenants.ParseSettings(`{"schema":1,"passkeys":{"show_button":false}}`)
	require.NoError(t, err)
	require.False(t, s.Passkeys.ShowButton)
	require.True(t, s.Passkeys.SignIn, "fields a document leaves out keep their defaults")
}

func TestService_RelyingPartyDefaultsFromTheTenantHost(t *testing.T) {
	t.Parallel()
	d := testdb.New(t, testdb.SQLite)
	ctx := context.Background()

	local := tenants.NewService(d, "localhost:8080")
	acme, err := local.Create(ctx, "acme", "Acme")
	require.NoError(t, err)
	require.Equal(t, "http", local.Scheme())
	require.Equal(t, tenants.RelyingParty{ID: "acme.localhost", Name: "Acme", Origins: []string{"http://acme.localhost:8080"}}, local.RelyingParty(acme))

	prod := tenants.NewService(d, "id.example.com")
	require.Equal(t, "https", prod.Scheme())
	require.Equal(t, tenants.RelyingParty{ID: "acme.id.example.com", Name: "Acme", Origins: []string{"https://acme.id.example.com"}}, prod.RelyingParty(acme))

	acme.Settings.Passkeys.RPID = "example.com"
	acme.Settings.Passkeys.RPName = "Acme Inc."
	acme.Settings.Passkeys.Origins = []string{"https://login.example.com"}
	require.Equal(t, tenants.RelyingParty{ID: "example.com", Name: "Acme Inc.", Origins: []string{"https://login.example.com"}}, prod.RelyingParty(acme))
}

func TestService_RPIDChangeWithPasskeysNeedsConfirmation(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc := tenants.NewService(d, "localhost:8080")
		acme, err := svc.Create(ctx, "acme", "Acme")
		require.NoError(t, err)

		// No passkeys yet: the RP ID may change freely.
		next := acme.Settings
		next.Passkeys.RPID = "localhost"
		acme, err = svc.UpdateSettings(ctx, acme, next, false)
		require.NoError(t, err)
		require.EqualValues(t, 2, acme.SettingsVersion)

		// A passkey under the current RP ID.
		u := &db.User{WebAuthnHandle: []byte{1, 2, 3}, DisplayName: "a"}
		require.NoError(t, d.ForTenant(acme.ID).Users().Create(ctx, u))
		require.NoError(t, d.ForTenant(acme.ID).Credentials().Create(ctx, &db.Credential{
			UserID: u.ID, RPID: "localhost", CredentialID: []byte{9}, PublicKey: []byte{1}, Algorithm: -7, Name: "k",
		}))

		next = acme.Settings
		next.Passkeys.RPID = ""
		_, err = svc.UpdateSettings(ctx, acme, next, false)
		var change *tenants.RPIDChangeError
		require.ErrorAs(t, err, &change)
		require.Equal(t, &tenants.RPIDChangeError{From: "localhost", To: "acme.localhost", Passkeys: 1}, change)
		require.Contains(t, err.Error(), "1 passkeys registered for localhost stop working")

		stored, err := svc.BySlug(ctx, "acme")
		require.NoError(t, err)
		require.Equal(t, "localhost", stored.Settings.Passkeys.RPID, "a refused change writes nothing")

		// Other settings still save without confirmation.
		other := acme.Settings
		other.Passkeys.ShowButton = false
		acme, err = svc.UpdateSettings(ctx, acme, other, false)
		require.NoError(t, err)

		next = acme.Settings
		next.Passkeys.RPID = ""
		acme, err = svc.UpdateSettings(ctx, acme, next, true)
		require.NoError(t, err)
		require.Equal(t, "acme.localhost", svc.RelyingParty(acme).ID)
	})
}

func TestService_UpdateSettingsRefusesStaleVersion(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc := tenants.NewService(d, "localhost:8080")
		first, err := svc.Create(ctx, "acme", "Acme")
		require.NoError(t, err)
		second := *first

		a := first.Settings
		a.Passkeys.Autofill = false
		_, err = svc.UpdateSettings(ctx, first, a, false)
		require.NoError(t, err)

		b := second.Settings
		b.Passkeys.ShowButton = false
		_, err = svc.UpdateSettings(ctx, &second, b, false)
		require.ErrorIs(t, err, tenants.ErrSettingsChanged)

		got, err := svc.BySlug(ctx, "acme")
		require.NoError(t, err)
		require.False(t, got.Settings.Passkeys.Autofill)
		require.True(t, got.Settings.Passkeys.ShowButton, "the stale save must not land")

		bad := got.Settings
		bad.Passkeys.Attestation = "maybe"
		_, err = svc.UpdateSettings(ctx, got, bad, false)
		var ie *tenants.InputError
		require.ErrorAs(t, err, &ie)
	})
}

func TestService_RPIDAndOriginsMustBeTheTenantsOwn(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc := tenants.NewService(d, "id.example.com")
		acme, err := svc.Create(ctx, "acme", "Acme")
		require.NoError(t, err)
		_, err = svc.Create(ctx, "bravo", "Bravo")
		require.NoError(t, err)

		try := func(edit func(p *tenants.Passkeys)) error {
			next := acme.Settings
			edit(&next.Passkeys)
			saved, err := svc.UpdateSettings(ctx, acme, next, true)
			if err == nil {
				acme = saved
			}
			return err
		}
		var ie *tenants.InputError
		require.ErrorAs(t, try(func(p *tenants.Passkeys) { p.RPID = "bravo.id.example.com" }), &ie, "another tenant's host")
		require.Equal(t, "passkeys.rp_id", ie.Field)
		require.ErrorAs(t, try(func(p *tenants.Passkeys) { p.RPID = "elsewhere.com" }), &ie)
		require.ErrorAs(t, try(func(p *tenants.Passkeys) { p.Origins = []string{"https://bravo.id.example.com"} }), &ie, "another tenant's origin")
		require.Equal(t, "passkeys.origins", ie.Field)
		require.ErrorAs(t, try(func(p *tenants.Passkeys) { p.Origins = []string{"https://login.acme.com"} }), &ie, "an unverified domain")

		// The tenant's own host, a parent of it, and a verified domain are fine.
		require.NoError(t, try(func(p *tenants.Passkeys) { p.RPID = "id.example.com" }))
		_, err = d.ForTenant(acme.ID).Domains().Add(ctx, "login.acme.com")
		require.NoError(t, err)
		require.NoError(t, d.ForTenant(acme.ID).Domains().MarkVerified(ctx, "login.acme.com", time.Now()))
		require.NoError(t, try(func(p *tenants.Passkeys) {
			p.RPID = "acme.com"
			p.Origins = []string{"https://login.acme.com"}
		}))
	})
}
