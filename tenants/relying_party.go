package tenants

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"time"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/internal/audit"
	"github.com/sesame-id/sesame/internal/errcode"
)

// RelyingParty is a tenant's effective WebAuthn relying party: its
// settings with the defaults derived from the tenant's host filled in.
type RelyingParty struct {
	ID      string
	Name    string
	Origins []string
}

// Scheme returns the URL scheme of tenant hosts: http when the base domain
// is localhost (browsers run WebAuthn there without TLS), https otherwise.
func (s *Service) Scheme() string {
	host := s.base
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if isLocalhost(host) {
		return "http"
	}
	return "https"
}

// Origin returns the tenant's own origin, e.g. http://acme.localhost:8080.
func (s *Service) Origin(t *Tenant) string { return s.Scheme() + "://" + s.Host(t) }

// RelyingParty returns the tenant's effective relying party: the
// configured RP ID, name and origins, defaulting to the tenant's host
// (without port), its name, and its own origin.
func (s *Service) RelyingParty(t *Tenant) RelyingParty {
	p := t.Settings.Passkeys
	rp := RelyingParty{ID: p.RPID, Name: p.RPName, Origins: slices.Clone(p.Origins)}
	if rp.ID == "" {
		rp.ID = db.NormalizeHostname(s.Host(t))
	}
	if rp.Name == "" {
		rp.Name = t.Name
	}
	if len(rp.Origins) == 0 {
		rp.Origins = []string{s.Origin(t)}
	}
	return rp
}

// RPIDChangeError refuses a settings change that would move the tenant's
// RP ID while passkeys are registered under the old one.
type RPIDChangeError struct {
	From, To string
	Passkeys int
}

func (e *RPIDChangeError) Error() string {
	return fmt.Sprintf("changing the RP ID from %s to %s makes the %d passkeys registered for %s stop working; confirm the change to make it anyway", e.From, e.To, e.Passkeys, e.From)
}

// PublicError is the catalogue's rp_id_change_needs_confirmation, its
// sentence naming both IDs and the passkeys at stake.
func (e *RPIDChangeError) PublicError() *errcode.Error {
	return errcode.ErrRPIDChangeNeedsConfirmation.With("from", e.From, "to", e.To, "passkeys", e.Passkeys).WithField("passkeys.rp_id", "")
}

// ErrSettingsChanged is returned when the settings changed since they were
// read (another admin saved first); reload and apply the change again. It
// is the catalogue's settings_changed.
var ErrSettingsChanged = errcode.ErrSettingsChanged

// UpdateSettings validates next and saves it as t's settings if they are
// still at t.SettingsVersion. A change of the effective RP ID while
// passkeys exist under the old one returns *RPIDChangeError unless
// forceRPIDChange is set. It returns the tenant as saved.
func (s *Service) UpdateSettings(ctx context.Context, t *Tenant, next Settings, forceRPIDChange bool) (*Tenant, error) {
	next.Schema = SettingsSchema
	doc, err := next.Encode()
	if err != nil {
		return nil, err
	}
	updated := *t
	updated.Settings = next
	from, to := s.RelyingParty(t).ID, s.RelyingParty(&updated).ID
	err = s.db.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		scope := tx.ForTenant(t.ID)
		if err := s.checkOwnHosts(ctx, scope, &updated); err != nil {
			return err
		}
		if from != to && !forceRPIDChange {
			n, err := scope.Credentials().CountByRPID(ctx, from)
			if err != nil {
				return err
			}
			if n > 0 {
				return &RPIDChangeError{From: from, To: to, Passkeys: n}
			}
		}
		v, err := scope.UpdateSettings(ctx, t.SettingsVersion, doc)
		if errors.Is(err, db.ErrConflict) {
			return ErrSettingsChanged
		}
		if err != nil {
			return err
		}
		updated.SettingsVersion = v
		e, err := settingsEvent(t.Settings, next)
		if err != nil {
			return err
		}
		return audit.Record(ctx, scope, updated.AuditPolicy(s.Jobs), time.Now(), e)
	})
	if err != nil {
		return nil, err
	}
	return &updated, nil
}

// checkOwnHosts refuses an RP ID or origin that is not the tenant's own: the
// RP ID must be the tenant's host, one of its verified custom domains, or a
// parent domain of one of them (as browsers require of a page's RP ID), and
// each origin's host must be the tenant's host or a verified domain. So no
// tenant can claim another tenant's host for its passkeys.
func (s *Service) checkOwnHosts(ctx context.Context, scope db.Scope, t *Tenant) error {
	p := t.Settings.Passkeys
	if p.RPID == "" && len(p.Origins) == 0 {
		return nil
	}
	own := []string{db.NormalizeHostname(s.Host(t))}
	domains, err := scope.Domains().List(ctx)
	if err != nil {
		return err
	}
	for _, d := range domains {
		if d.VerifiedAt != nil {
			own = append(own, d.Hostname)
		}
	}
	if p.RPID != "" && !slices.ContainsFunc(own, func(h string) bool { return hostWithin(h, p.RPID) }) {
		return &InputError{Field: "passkeys.rp_id", Problem: fmt.Sprintf("%s is neither this tenant's host (%s), one of its verified domains, nor a parent domain of them", p.RPID, own[0])}
	}
	for _, o := range p.Origins {
		u, err := url.Parse(o)
		if err != nil || !slices.Contains(own, u.Hostname()) {
			return &InputError{Field: "passkeys.origins", Problem: fmt.Sprintf("%s is not served by this tenant; add its host as a verified domain first", o)}
		}
		if want := s.Scheme(); u.Scheme != want && !isLocalhost(u.Hostname()) {
			return &InputError{Field: "passkeys.origins", Problem: fmt.Sprintf("%s must use %s", o, want)}
		}
	}
	return nil
}
