package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/testdb"
)

// tenancyCase is one store's part of the tenancy contract. seed writes a row
// through tenant A's scope and returns what tenant B's scope tries on it
// (probe) and what A must still see afterwards (unchanged).
type tenancyCase struct {
	store string
	seed  func(t *testing.T, d *db.DB, sa db.Scope, u *db.User) (probe func(t *testing.T, sb db.Scope), unchanged func(t *testing.T, sa db.Scope))
}

// TestScope_TenantBCannotReadOrChangeTenantA is the tenancy contract, run over
// every store a db.Scope hands out on both databases: tenant B's scope can
// neither read a row of tenant A (ErrNotFound, or the row is left out) nor
// change or delete it (ErrNotFound, or nothing happens), and A's row is
// unchanged afterwards.
func TestScope_TenantBCannotReadOrChangeTenantA(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	ctx := context.Background()
	notFound := func(t *testing.T, err error, op string) {
		t.Helper()
		require.ErrorIs(t, err, db.ErrNotFound, op)
	}

	cases := []tenancyCase{
		{"users and identifiers", func(t *testing.T, d *db.DB, sa db.Scope, u *db.User) (func(*testing.T, db.Scope), func(*testing.T, db.Scope)) {
			before, err := sa.Users().ByID(ctx, u.ID)
			require.NoError(t, err)
			return func(t *testing.T, sb db.Scope) {
					_, err := sb.Users().ByID(ctx, u.ID)
					notFound(t, err, "ByID")
					_, err = sb.Users().ByIdentifier(ctx, db.IdentifierEmail, "ada@alpha.test")
					notFound(t, err, "ByIdentifier")
					_, err = sb.Users().Identifier(ctx, db.IdentifierEmail, "ada@alpha.test")
					notFound(t, err, "Identifier")
					ids, err := sb.Users().Identifiers(ctx, u.ID)
					require.NoError(t, err)
					require.Empty(t, ids, "Identifiers")
					of, err := sb.Users().IdentifiersOf(ctx, []uuid.UUID{u.ID})
					require.NoError(t, err)
					require.Empty(t, of[u.ID], "IdentifiersOf")
					list, _, err := sb.Users().List(ctx, db.UserPage{Limit: 100})
					require.NoError(t, err)
					require.Empty(t, list, "List")
					released, err := sb.Users().ReleaseUnverifiedIdentifier(ctx, db.IdentifierEmail, "ada@alpha.test")
					require.NoError(t, err)
					require.False(t, released, "ReleaseUnverifiedIdentifier")
					notFound(t, sb.Users().SetSSO(ctx, u.ID, true), "SetSSO")
					notFound(t, sb.Users().SetPassword(ctx, u.ID, "stolen"), "SetPassword")
					notFound(t, sb.Users().SetMFA(ctx, u.ID, true), "SetMFA")
					notFound(t, sb.Users().SetDisabled(ctx, u.ID, &now), "SetDisabled")
					notFound(t, sb.Users().Delete(ctx, u.ID), "Delete")
				}, func(t *testing.T, sa db.Scope) {
					got, err := sa.Users().ByIdentifier(ctx, db.IdentifierEmail, "ada@alpha.test")
					require.NoError(t, err)
					require.Equal(t, u.ID, got.ID)
					require.False(t, got.SSO)
					require.Empty(t, got.PasswordHash)
					require.False(t, got.MFAEnabled)
					require.Nil(t, got.DisabledAt)
					requireSameInstant(t, before.UpdatedAt, got.UpdatedAt)
					ids, err := sa.Users().Identifiers(ctx, u.ID)
					require.NoError(t, err)
					require.Len(t, ids, 1)
					require.Equal(t, "ada@alpha.test", ids[0].Value)
				}
		}},
		{"credentials", func(t *testing.T, d *db.DB, sa db.Scope, u *db.User) (func(*testing.T, db.Scope), func(*testing.T, db.Scope)) {
			c := createCredential(t, sa, u.ID, "alpha.test")
			return func(t *testing.T, sb db.Scope) {
					_, err := sb.Credentials().ForSignIn(ctx, "alpha.test", c.CredentialID)
					notFound(t, err, "ForSignIn")
					_, err = sb.Credentials().Get(ctx, u.ID, c.ID)
					notFound(t, err, "Get")
					byUser, err := sb.Credentials().ByUser(ctx, u.ID, "")
					require.NoError(t, err)
					require.Empty(t, byUser, "ByUser")
					of, err := sb.Credentials().OfUsers(ctx, []uuid.UUID{u.ID}, "")
					require.NoError(t, err)
					require.Empty(t, of[u.ID], "OfUsers")
					n, err := sb.Credentials().CountByRPID(ctx, "alpha.test")
					require.NoError(t, err)
					require.Zero(t, n, "CountByRPID")
					stolen := *c
					stolen.SignCount = 9999
					stolen.CloneWarning = true
					stolen.LastUsedAt = &now
					notFound(t, sb.Credentials().RecordSignIn(ctx, &stolen), "RecordSignIn")
					notFound(t, sb.Credentials().Rename(ctx, u.ID, c.ID, "stolen"), "Rename")
					notFound(t, sb.Credentials().Delete(ctx, u.ID, c.ID), "Delete")
					// The database refuses a row whose (tenant, user) pair does not exist.
					err = sb.Credentials().Create(ctx, &db.Credential{UserID: u.ID, RPID: "alpha.test", CredentialID: randomBytes(t, 16), PublicKey: []byte{1}, Algorithm: -7, Name: "forged"})
					require.Error(t, err, "Create for A's user")
					require.NotErrorIs(t, err, db.ErrDuplicate)
				}, func(t *testing.T, sa db.Scope) {
					got, err := sa.Credentials().ForSignIn(ctx, "alpha.test", c.CredentialID)
					require.NoError(t, err)
					requireSameCredential(t, c, got)
					require.Equal(t, u.ID, got.User.ID)
					all, err := sa.Credentials().ByUser(ctx, u.ID, "")
					require.NoError(t, err)
					require.Equal(t, []uuid.UUID{c.ID}, credentialIDs(all))
					n, err := sa.Credentials().CountByRPID(ctx, "alpha.test")
					require.NoError(t, err)
					require.Equal(t, 1, n)
				}
		}},
		{"sessions", func(t *testing.T, d *db.DB, sa db.Scope, u *db.User) (func(*testing.T, db.Scope), func(*testing.T, db.Scope)) {
			ss := createSession(t, sa, u.ID, now, now.Add(time.Hour))
			return func(t *testing.T, sb db.Scope) {
					_, err := sb.Sessions().ByToken(ctx, ss.TokenHash, now)
					notFound(t, err, "ByToken")
					_, err = sb.Sessions().Get(ctx, u.ID, ss.ID, now)
					notFound(t, err, "Get")
					byUser, err := sb.Sessions().ByUser(ctx, u.ID, now)
					require.NoError(t, err)
					require.Empty(t, byUser, "ByUser")
					notFound(t, sb.Sessions().Reverified(ctx, u.ID, ss.ID, "otp", now.Add(time.Minute)), "Reverified")
					notFound(t, sb.Sessions().Delete(ctx, u.ID, ss.ID), "Delete")
					require.NoError(t, sb.Sessions().DeleteByToken(ctx, ss.TokenHash), "DeleteByToken affects nothing")
					forged := randomBytes(t, 32)
					require.Error(t, sb.Sessions().Create(ctx, &db.Session{UserID: u.ID, TokenHash: forged, AMR: "webauthn", ExpiresAt: now.Add(time.Hour)}),
						"Create for A's user")
					_, err = sb.Sessions().ByToken(ctx, forged, now)
					notFound(t, err, "ByToken of the refused session")
				}, func(t *testing.T, sa db.Scope) {
					got, err := sa.Sessions().ByToken(ctx, ss.TokenHash, now)
					require.NoError(t, err)
					require.Equal(t, ss.ID, got.ID)
					require.Equal(t, u.ID, got.User.ID)
					require.Equal(t, "webauthn", got.AMR)
					require.True(t, got.VerifiedAt.Equal(now))
					all, err := sa.Sessions().ByUser(ctx, u.ID, now)
					require.NoError(t, err)
					require.Equal(t, []uuid.UUID{ss.ID}, sessionIDs(all))
				}
		}},
		{"flows", func(t *testing.T, d *db.DB, sa db.Scope, u *db.User) (func(*testing.T, db.Scope), func(*testing.T, db.Scope)) {
			ceremony := "{}"
			cexp := now.Add(time.Hour)
			f := &db.Flow{Kind: "sign_in", State: "start", Context: `{"a":1}`, ExpiresAt: now.Add(time.Hour),
				TokenHash: randomBytes(t, 32), Ceremony: &ceremony, CeremonyExpiresAt: &cexp}
			require.NoError(t, sa.Flows().Create(ctx, f))
			return func(t *testing.T, sb db.Scope) {
					_, err := sb.Flows().Get(ctx, f.ID)
					notFound(t, err, "Get")
					_, err = sb.Flows().ByToken(ctx, f.TokenHash)
					notFound(t, err, "ByToken")
					_, err = sb.Flows().TakeWithCeremony(ctx, f.TokenHash, now)
					notFound(t, err, "TakeWithCeremony")
					err = d.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
						_, err := tx.ForTenant(sb.TenantID()).Flows().Lock(ctx, f.TokenHash)
						return err
					})
					notFound(t, err, "Lock")
					stolen := *f
					stolen.State = "done"
					stolen.Ceremony = nil
					stolen.CeremonyExpiresAt = nil
					notFound(t, sb.Flows().Update(ctx, &stolen, now), "Update")
					notFound(t, sb.Flows().DeleteVersion(ctx, f), "DeleteVersion")
					notFound(t, sb.Flows().Delete(ctx, f.ID), "Delete")
				}, func(t *testing.T, sa db.Scope) {
					got, err := sa.Flows().Get(ctx, f.ID)
					require.NoError(t, err)
					require.Equal(t, "start", got.State)
					require.EqualValues(t, 1, got.Version)
					require.NotNil(t, got.Ceremony)
					taken, err := sa.Flows().TakeWithCeremony(ctx, f.TokenHash, now)
					require.NoError(t, err, "A can still take its own ceremony")
					require.Equal(t, f.ID, taken.ID)
				}
		}},
		{"codes", func(t *testing.T, d *db.DB, sa db.Scope, u *db.User) (func(*testing.T, db.Scope), func(*testing.T, db.Scope)) {
			c := &db.Code{Purpose: "sign_in", Channel: db.ChannelEmail, Recipient: "ada@alpha.test", MaxAttempts: 5, ExpiresAt: now.Add(10 * time.Minute)}
			// Create takes a per-recipient lock, so it runs in a transaction.
			var value string
			require.NoError(t, d.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
				if err := tx.ForTenant(sa.TenantID()).Codes().Create(ctx, c, now); err != nil {
					return err
				}
				var err error
				_, value, err = tx.ForTenant(sa.TenantID()).Codes().Issue(ctx, c.ID, now)
				return err
			}))
			return func(t *testing.T, sb db.Scope) {
					_, err := sb.Codes().Get(ctx, c.ID)
					notFound(t, err, "Get")
					_, _, err = sb.Codes().Issue(ctx, c.ID, now)
					notFound(t, err, "Issue")
					_, err = sb.Codes().Check(ctx, c.ID, value, now)
					require.ErrorIs(t, err, db.ErrCodeExpired, "Check with the right value")
					notFound(t, sb.Codes().MarkSent(ctx, c.ID, "msg", now), "MarkSent")
					notFound(t, sb.Codes().MarkSendFailed(ctx, c.ID, "bad", now), "MarkSendFailed")
				}, func(t *testing.T, sa db.Scope) {
					got, err := sa.Codes().Get(ctx, c.ID)
					require.NoError(t, err)
					require.Zero(t, got.Attempts)
					require.Equal(t, db.HashCode(c.ID, value), got.CodeHash)
					require.Nil(t, got.SentAt)
					require.Nil(t, got.SendFailedAt)
					require.Nil(t, got.UsedAt)
					_, err = sa.Codes().Check(ctx, c.ID, value, now)
					require.NoError(t, err, "A's code still works")
				}
		}},
		{"TOTP factors", func(t *testing.T, d *db.DB, sa db.Scope, u *db.User) (func(*testing.T, db.Scope), func(*testing.T, db.Scope)) {
			require.NoError(t, sa.TOTP().Start(ctx, u.ID, "SECRETA", now))
			return func(t *testing.T, sb db.Scope) {
					_, err := sb.TOTP().Get(ctx, u.ID)
					notFound(t, err, "Get")
					notFound(t, sb.TOTP().Accept(ctx, u.ID, 42, now), "Accept")
					notFound(t, sb.TOTP().Remove(ctx, u.ID), "Remove")
					require.Error(t, sb.TOTP().Start(ctx, u.ID, "SECRETB", now), "Start for A's user")
				}, func(t *testing.T, sa db.Scope) {
					got, err := sa.TOTP().Get(ctx, u.ID)
					require.NoError(t, err)
					require.Equal(t, "SECRETA", got.Secret)
					require.Zero(t, got.LastStep)
					require.Nil(t, got.ConfirmedAt)
				}
		}},
		{"backup codes", func(t *testing.T, d *db.DB, sa db.Scope, u *db.User) (func(*testing.T, db.Scope), func(*testing.T, db.Scope)) {
			require.NoError(t, sa.BackupCodes().Replace(ctx, u.ID, [][]byte{randomBytes(t, 32), randomBytes(t, 32)}, now))
			codes, err := sa.BackupCodes().Unused(ctx, u.ID)
			require.NoError(t, err)
			require.Len(t, codes, 2)
			return func(t *testing.T, sb db.Scope) {
					unused, err := sb.BackupCodes().Unused(ctx, u.ID)
					require.NoError(t, err)
					require.Empty(t, unused, "Unused")
					notFound(t, sb.BackupCodes().Use(ctx, u.ID, codes[0].ID, now), "Use")
					require.NoError(t, sb.BackupCodes().DeleteAll(ctx, u.ID), "DeleteAll affects nothing")
					require.Error(t, sb.BackupCodes().Replace(ctx, u.ID, [][]byte{randomBytes(t, 32)}, now), "Replace for A's user")
				}, func(t *testing.T, sa db.Scope) {
					unused, err := sa.BackupCodes().Unused(ctx, u.ID)
					require.NoError(t, err)
					require.Len(t, unused, 2)
				}
		}},
		{"SMS factors", func(t *testing.T, d *db.DB, sa db.Scope, u *db.User) (func(*testing.T, db.Scope), func(*testing.T, db.Scope)) {
			require.NoError(t, sa.SMSFactors().Set(ctx, u.ID, "+14155550100", now))
			return func(t *testing.T, sb db.Scope) {
					_, err := sb.SMSFactors().Get(ctx, u.ID)
					notFound(t, err, "Get")
					notFound(t, sb.SMSFactors().Remove(ctx, u.ID), "Remove")
					notFound(t, sb.SMSFactors().Set(ctx, u.ID, "+14155550199", now), "Set for A's user")
				}, func(t *testing.T, sa db.Scope) {
					got, err := sa.SMSFactors().Get(ctx, u.ID)
					require.NoError(t, err)
					require.Equal(t, "+14155550100", got.Phone)
				}
		}},
		{"API keys", func(t *testing.T, d *db.DB, sa db.Scope, u *db.User) (func(*testing.T, db.Scope), func(*testing.T, db.Scope)) {
			k := &db.APIKey{Name: "ci", Prefix: "sk_a", KeyHash: randomBytes(t, 32), CreatedAt: now}
			require.NoError(t, sa.APIKeys().Create(ctx, k))
			return func(t *testing.T, sb db.Scope) {
					_, err := sb.APIKeys().ByHash(ctx, k.KeyHash)
					notFound(t, err, "ByHash")
					list, err := sb.APIKeys().List(ctx)
					require.NoError(t, err)
					require.Empty(t, list, "List")
					require.NoError(t, sb.APIKeys().Touch(ctx, k.ID, now.Add(time.Hour)), "Touch affects nothing")
					notFound(t, sb.APIKeys().Revoke(ctx, k.ID, now), "Revoke")
				}, func(t *testing.T, sa db.Scope) {
					got, err := sa.APIKeys().ByHash(ctx, k.KeyHash)
					require.NoError(t, err)
					require.Equal(t, k.ID, got.ID)
					require.Nil(t, got.LastUsedAt)
					require.Nil(t, got.RevokedAt)
				}
		}},
		{"domains", func(t *testing.T, d *db.DB, sa db.Scope, u *db.User) (func(*testing.T, db.Scope), func(*testing.T, db.Scope)) {
			_, err := sa.Domains().Add(ctx, "login.alpha.test")
			require.NoError(t, err)
			return func(t *testing.T, sb db.Scope) {
					list, err := sb.Domains().List(ctx)
					require.NoError(t, err)
					require.Empty(t, list, "List")
					notFound(t, sb.Domains().MarkVerified(ctx, "login.alpha.test", now), "MarkVerified")
					notFound(t, sb.Domains().Remove(ctx, "login.alpha.test"), "Remove")
				}, func(t *testing.T, sa db.Scope) {
					list, err := sa.Domains().List(ctx)
					require.NoError(t, err)
					require.Len(t, list, 1)
					require.Nil(t, list[0].VerifiedAt)
				}
		}},
		{"memberships", func(t *testing.T, d *db.DB, sa db.Scope, u *db.User) (func(*testing.T, db.Scope), func(*testing.T, db.Scope)) {
			require.NoError(t, sa.Memberships().Add(ctx, u.ID, sa.TenantID(), db.RoleAdmin, now))
			return func(t *testing.T, sb db.Scope) {
					of, err := sb.Memberships().Of(ctx, u.ID)
					require.NoError(t, err)
					require.Empty(t, of, "Of")
					_, err = sb.Memberships().Role(ctx, u.ID, sa.TenantID())
					notFound(t, err, "Role")
					notFound(t, sb.Memberships().Add(ctx, u.ID, sa.TenantID(), db.RoleOwner, now), "Add over A's membership")
				}, func(t *testing.T, sa db.Scope) {
					role, err := sa.Memberships().Role(ctx, u.ID, sa.TenantID())
					require.NoError(t, err)
					require.Equal(t, db.RoleAdmin, role)
				}
		}},
		{"administrators", func(t *testing.T, d *db.DB, sa db.Scope, u *db.User) (func(*testing.T, db.Scope), func(*testing.T, db.Scope)) {
			require.NoError(t, sa.Administrators().Grant(ctx, u.ID, db.PlatformRoleMember, now))
			return func(t *testing.T, sb db.Scope) {
					_, err := sb.Administrators().Role(ctx, u.ID)
					notFound(t, err, "Role")
					notFound(t, sb.Administrators().Grant(ctx, u.ID, db.PlatformRoleOwner, now), "Grant over A's administrator")
				}, func(t *testing.T, sa db.Scope) {
					role, err := sa.Administrators().Role(ctx, u.ID)
					require.NoError(t, err)
					require.Equal(t, db.PlatformRoleMember, role)
				}
		}},
		{"setup links", func(t *testing.T, d *db.DB, sa db.Scope, u *db.User) (func(*testing.T, db.Scope), func(*testing.T, db.Scope)) {
			l := &db.SetupLink{UserID: u.ID, TokenHash: randomBytes(t, 32), CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
			require.NoError(t, sa.SetupLinks().Create(ctx, l))
			return func(t *testing.T, sb db.Scope) {
					_, err := sb.SetupLinks().Use(ctx, l.TokenHash, now)
					notFound(t, err, "Use")
					notFound(t, sb.SetupLinks().Create(ctx, &db.SetupLink{UserID: u.ID, TokenHash: randomBytes(t, 32), CreatedAt: now, ExpiresAt: now.Add(time.Hour)}),
						"Create for A's user")
				}, func(t *testing.T, sa db.Scope) {
					userID, err := sa.SetupLinks().Use(ctx, l.TokenHash, now)
					require.NoError(t, err, "A's link is still unused")
					require.Equal(t, u.ID, userID)
				}
		}},
		{"rate counters", func(t *testing.T, d *db.DB, sa db.Scope, u *db.User) (func(*testing.T, db.Scope), func(*testing.T, db.Scope)) {
			const key = "ip:203.0.113.9:code_send"
			for range 3 {
				_, err := sa.Hit(ctx, key, time.Minute, now)
				require.NoError(t, err)
			}
			return func(t *testing.T, sb db.Scope) {
					n, err := sb.Hit(ctx, key, time.Minute, now)
					require.NoError(t, err)
					require.Equal(t, 1, n, "B's Hit counts on a counter of its own")
				}, func(t *testing.T, sa db.Scope) {
					n, err := sa.Hit(ctx, key, time.Minute, now)
					require.NoError(t, err)
					require.Equal(t, 4, n, "A's count goes on from its own three hits")
				}
		}},
		{"code send limits", func(t *testing.T, d *db.DB, sa db.Scope, u *db.User) (func(*testing.T, db.Scope), func(*testing.T, db.Scope)) {
			create := func(s db.Scope, limit db.SendLimit) error {
				return d.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
					c := &db.Code{Purpose: "sign_in", Channel: db.ChannelEmail, Recipient: "ada@alpha.test", MaxAttempts: 5, ExpiresAt: now.Add(10 * time.Minute)}
					return tx.ForTenant(s.TenantID()).Codes().Create(ctx, c, now, limit)
				})
			}
			require.NoError(t, create(sa, db.SendLimit{Max: 1, Window: time.Hour}))
			return func(t *testing.T, sb db.Scope) {
					require.NoError(t, create(sb, db.SendLimit{Max: 1, Window: time.Hour}), "A's code does not count against B's limit")
				}, func(t *testing.T, sa db.Scope) {
					require.NoError(t, create(sa, db.SendLimit{Max: 2, Window: time.Hour}), "B's code does not count against A's limit")
					require.ErrorIs(t, create(sa, db.SendLimit{Max: 2, Window: time.Hour}), db.ErrRateLimited)
				}
		}},
		{"identifiers are unique per tenant", func(t *testing.T, d *db.DB, sa db.Scope, u *db.User) (func(*testing.T, db.Scope), func(*testing.T, db.Scope)) {
			var other *db.User
			return func(t *testing.T, sb db.Scope) {
					other = createUser(t, sb, "ada@alpha.test")
					got, err := sb.Users().ByIdentifier(ctx, db.IdentifierEmail, "ada@alpha.test")
					require.NoError(t, err)
					require.Equal(t, other.ID, got.ID, "B finds its own user")
				}, func(t *testing.T, sa db.Scope) {
					got, err := sa.Users().ByIdentifier(ctx, db.IdentifierEmail, "ada@alpha.test")
					require.NoError(t, err)
					require.Equal(t, u.ID, got.ID, "A still finds its own user")
					list, _, err := sa.Users().List(ctx, db.UserPage{Limit: 100})
					require.NoError(t, err)
					require.Len(t, list, 1, "B's user is not in A's list")
				}
		}},
		{"API keys created by B", func(t *testing.T, d *db.DB, sa db.Scope, u *db.User) (func(*testing.T, db.Scope), func(*testing.T, db.Scope)) {
			hash := randomBytes(t, 32)
			return func(t *testing.T, sb db.Scope) {
					require.NoError(t, sb.APIKeys().Create(ctx, &db.APIKey{Name: "ci", Prefix: "sk_b", KeyHash: hash, CreatedAt: now}))
				}, func(t *testing.T, sa db.Scope) {
					_, err := sa.APIKeys().ByHash(ctx, hash)
					notFound(t, err, "ByHash of B's key")
					list, err := sa.APIKeys().List(ctx)
					require.NoError(t, err)
					require.Empty(t, list, "B's key is not in A's list")
				}
		}},
		{"applications", func(t *testing.T, d *db.DB, sa db.Scope, u *db.User) (func(*testing.T, db.Scope), func(*testing.T, db.Scope)) {
			a := &db.OIDCApp{ClientID: "client-a", Name: "App", Type: "web", RedirectURIs: db.StringList{"https://app.test/cb"},
				Scopes: db.StringList{"openid"}, AccessTokenTTLSeconds: 600, IDTokenTTLSeconds: 600, IDTokenAlg: "RS256", SecretHash: []byte("hash-a")}
			require.NoError(t, sa.OIDCApps().Create(ctx, a))
			return func(t *testing.T, sb db.Scope) {
					_, err := sb.OIDCApps().ByClientID(ctx, "client-a")
					notFound(t, err, "ByClientID")
					list, err := sb.OIDCApps().List(ctx)
					require.NoError(t, err)
					require.Empty(t, list, "List")
					notFound(t, sb.OIDCApps().RotateSecret(ctx, "client-a", []byte("stolen"), now, now), "RotateSecret")
					notFound(t, sb.OIDCApps().Delete(ctx, "client-a"), "Delete")
				}, func(t *testing.T, sa db.Scope) {
					got, err := sa.OIDCApps().ByClientID(ctx, "client-a")
					require.NoError(t, err)
					require.Equal(t, []byte("hash-a"), got.SecretHash)
					require.Nil(t, got.PreviousSecretHash)
					require.Equal(t, db.StringList{"https://app.test/cb"}, got.RedirectURIs)
				}
		}},
		{"signing keys", func(t *testing.T, d *db.DB, sa db.Scope, u *db.User) (func(*testing.T, db.Scope), func(*testing.T, db.Scope)) {
			k := &db.OIDCSigningKey{Alg: "RS256", SealedKey: []byte("sealed"), CreatedAt: now}
			require.NoError(t, sa.OIDCKeys().Create(ctx, k))
			return func(t *testing.T, sb db.Scope) {
					keys, err := sb.OIDCKeys().Published(ctx, now.Add(-time.Hour))
					require.NoError(t, err)
					require.Empty(t, keys, "Published")
					require.NoError(t, sb.OIDCKeys().Retire(ctx, "RS256", now))
					// B's first key does not collide with A's.
					require.NoError(t, sb.OIDCKeys().Create(ctx, &db.OIDCSigningKey{Alg: "RS256", SealedKey: []byte("b"), CreatedAt: now}))
				}, func(t *testing.T, sa db.Scope) {
					keys, err := sa.OIDCKeys().Published(ctx, now.Add(-time.Hour))
					require.NoError(t, err)
					require.Len(t, keys, 1)
					require.Equal(t, k.ID, keys[0].ID)
					require.Nil(t, keys[0].RetiredAt)
				}
		}},
		{"authorization requests", func(t *testing.T, d *db.DB, sa db.Scope, u *db.User) (func(*testing.T, db.Scope), func(*testing.T, db.Scope)) {
			r := &db.OIDCAuthRequest{ClientID: "client-a", Request: "{}", BindingHash: []byte("b"), CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
			require.NoError(t, sa.OIDCAuthRequests().Create(ctx, r))
			used := &db.OIDCAuthRequest{ClientID: "client-a", Request: "{}", BindingHash: []byte("b"), CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
			require.NoError(t, sa.OIDCAuthRequests().Create(ctx, used))
			completion := db.Completion{UserID: u.ID, SessionID: uuid.New(), AMR: "webauthn", AuthTime: now, CodeHash: []byte("code-hash"), CodeExpiresAt: now.Add(time.Minute)}
			require.NoError(t, sa.OIDCAuthRequests().Complete(ctx, used.ID, completion, now))
			return func(t *testing.T, sb db.Scope) {
					_, err := sb.OIDCAuthRequests().Get(ctx, r.ID, now)
					notFound(t, err, "Get")
					other := db.Completion{UserID: u.ID, SessionID: uuid.New(), AMR: "pwd", AuthTime: now, CodeHash: []byte("other"), CodeExpiresAt: now.Add(time.Minute)}
					notFound(t, sb.OIDCAuthRequests().Complete(ctx, r.ID, other, now), "Complete")
					_, err = sb.OIDCAuthRequests().UseCode(ctx, []byte("code-hash"), now, now.Add(time.Hour))
					notFound(t, err, "UseCode")
				}, func(t *testing.T, sa db.Scope) {
					got, err := sa.OIDCAuthRequests().Get(ctx, r.ID, now)
					require.NoError(t, err)
					require.Nil(t, got.UserID)
					got, err = sa.OIDCAuthRequests().UseCode(ctx, []byte("code-hash"), now, now.Add(time.Hour))
					require.NoError(t, err, "A's code is still unused")
					require.Equal(t, used.ID, got.ID)
				}
		}},
		{"access tokens", func(t *testing.T, d *db.DB, sa db.Scope, u *db.User) (func(*testing.T, db.Scope), func(*testing.T, db.Scope)) {
			arID := uuid.New()
			tok := &db.OIDCToken{ClientID: "client-a", UserID: &u.ID, Subject: u.ID.String(), AuthRequestID: &arID, Scopes: db.StringList{"openid"}, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
			require.NoError(t, sa.OIDCTokens().Create(ctx, tok))
			return func(t *testing.T, sb db.Scope) {
					_, err := sb.OIDCTokens().Get(ctx, tok.ID, now)
					notFound(t, err, "Get")
					require.NoError(t, sb.OIDCTokens().Revoke(ctx, tok.ID, "client-a"))
					require.NoError(t, sb.OIDCTokens().RevokeByAuthRequest(ctx, arID))
				}, func(t *testing.T, sa db.Scope) {
					got, err := sa.OIDCTokens().Get(ctx, tok.ID, now)
					require.NoError(t, err, "A's token is still valid")
					require.Equal(t, u.ID.String(), got.Subject)
				}
		}},
		{"refresh tokens", func(t *testing.T, d *db.DB, sa db.Scope, u *db.User) (func(*testing.T, db.Scope), func(*testing.T, db.Scope)) {
			rt := &db.OIDCRefreshToken{FamilyID: uuid.New(), TokenHash: []byte("rt-hash"), ClientID: "client-a", UserID: u.ID,
				Scopes: db.StringList{"openid"}, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
			require.NoError(t, sa.OIDCRefreshTokens().Create(ctx, rt))
			return func(t *testing.T, sb db.Scope) {
					_, err := sb.OIDCRefreshTokens().ByHash(ctx, "client-a", []byte("rt-hash"))
					notFound(t, err, "ByHash")
					_, err = sb.OIDCRefreshTokens().Use(ctx, "client-a", []byte("rt-hash"), now, 0)
					notFound(t, err, "Use")
					require.NoError(t, sb.OIDCRefreshTokens().RevokeFamily(ctx, rt.FamilyID))
				}, func(t *testing.T, sa db.Scope) {
					got, err := sa.OIDCRefreshTokens().Use(ctx, "client-a", []byte("rt-hash"), now, 0)
					require.NoError(t, err, "A's refresh token is unused")
					require.Equal(t, rt.ID, got.ID)
				}
		}},
		{"grants", func(t *testing.T, d *db.DB, sa db.Scope, u *db.User) (func(*testing.T, db.Scope), func(*testing.T, db.Scope)) {
			a := &db.OIDCApp{ClientID: "client-g", Name: "App", Type: "web", RedirectURIs: db.StringList{"https://app.test/cb"},
				Scopes: db.StringList{"openid"}, AccessTokenTTLSeconds: 600, IDTokenTTLSeconds: 600, IDTokenAlg: "RS256"}
			require.NoError(t, sa.OIDCApps().Create(ctx, a))
			require.NoError(t, sa.OIDCGrants().Save(ctx, u.ID, a.ID, []string{"openid", "email"}, now))
			tok := &db.OIDCToken{ClientID: "client-g", UserID: &u.ID, Subject: u.ID.String(), Scopes: db.StringList{"openid"}, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
			require.NoError(t, sa.OIDCTokens().Create(ctx, tok))
			rt := &db.OIDCRefreshToken{FamilyID: uuid.New(), TokenHash: []byte("rt-grant"), ClientID: "client-g", UserID: u.ID,
				Scopes: db.StringList{"openid"}, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
			require.NoError(t, sa.OIDCRefreshTokens().Create(ctx, rt))
			return func(t *testing.T, sb db.Scope) {
					_, err := sb.OIDCGrants().Get(ctx, u.ID, a.ID)
					notFound(t, err, "Get")
					list, err := sb.OIDCGrants().ByUser(ctx, u.ID)
					require.NoError(t, err)
					require.Empty(t, list, "ByUser")
					notFound(t, sb.OIDCGrants().Delete(ctx, u.ID, a.ID), "Delete")
					// The database refuses a grant naming A's user and application.
					require.Error(t, sb.OIDCGrants().Save(ctx, u.ID, a.ID, []string{"openid", "phone"}, now), "Save for A's user and app")
					require.NoError(t, sb.OIDCTokens().RevokeUserClient(ctx, u.ID, "client-g"))
					require.NoError(t, sb.OIDCRefreshTokens().RevokeUserClient(ctx, u.ID, "client-g"))
				}, func(t *testing.T, sa db.Scope) {
					got, err := sa.OIDCGrants().Get(ctx, u.ID, a.ID)
					require.NoError(t, err)
					require.Equal(t, db.StringList{"openid", "email"}, got.Scopes)
					list, err := sa.OIDCGrants().ByUser(ctx, u.ID)
					require.NoError(t, err)
					require.Len(t, list, 1)
					require.Equal(t, "client-g", list[0].App.ClientID)
					_, err = sa.OIDCTokens().Get(ctx, tok.ID, now)
					require.NoError(t, err, "A's access token is still valid")
					_, err = sa.OIDCRefreshTokens().ByHash(ctx, "client-g", []byte("rt-grant"))
					require.NoError(t, err, "A's refresh token is still there")
				}
		}},
		{"tenant settings", func(t *testing.T, d *db.DB, sa db.Scope, u *db.User) (func(*testing.T, db.Scope), func(*testing.T, db.Scope)) {
			return func(t *testing.T, sb db.Scope) {
					// B's scope changes only B.
					_, err := sb.UpdateSettings(ctx, 1, `{"schema":1,"default_locale":"es"}`)
					require.NoError(t, err)
					require.NoError(t, sb.Rename(ctx, "bravo renamed"))
				}, func(t *testing.T, sa db.Scope) {
					got, err := sa.Tenant(ctx)
					require.NoError(t, err)
					require.EqualValues(t, 1, got.SettingsVersion)
					require.Equal(t, "alpha", got.Name)
					require.NotContains(t, got.Settings, `"es"`)
				}
		}},
	}

	testdb.Each(t, func(t *testing.T, d *db.DB) {
		for _, tc := range cases {
			t.Run(tc.store, func(t *testing.T) {
				sa := d.ForTenant(testdb.Tenant(t, d, "alpha").ID)
				sb := d.ForTenant(testdb.Tenant(t, d, "bravo").ID)
				u := createUser(t, sa, "ada@alpha.test")
				probe, unchanged := tc.seed(t, d, sa, u)
				probe(t, sb)
				unchanged(t, sa)
			})
		}
	})
}
