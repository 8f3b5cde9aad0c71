package federation

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/internal/errcode"
)

// An enterprise connector's email domain routes users to it only once
// proven: the administrator publishes a TXT record named ChallengeLabel
// under the domain (_sesame-challenge.corp.example) whose value is
// ChallengePrefix followed by the domain's token, and asks Sesame to
// check (VerifyDomain). The token is per connector and domain, so a
// record proves the domain for one connector only.
const (
	ChallengeLabel  = "_sesame-challenge"
	ChallengePrefix = "sesame-domain-verification="
)

// lookupTimeout bounds one TXT lookup.
const lookupTimeout = 5 * time.Second

// DomainState is one of a connector's domains and its proof: pending
// (VerifiedAt nil) until the record RecordName with value RecordValue is
// found.
type DomainState struct {
	Domain     string
	Token      string
	VerifiedAt *time.Time
}

// RecordName is the TXT record's name.
func (d DomainState) RecordName() string { return ChallengeLabel + "." + d.Domain }

// RecordValue is the TXT record's value.
func (d DomainState) RecordValue() string { return ChallengePrefix + d.Token }

// NewResolver returns the resolver domain checks use: the system's when
// server is "", else one that asks only server (host:port; port 53 when
// none is given), over UDP and, for long answers, TCP.
func NewResolver(server string) *net.Resolver {
	if server == "" {
		return net.DefaultResolver
	}
	if _, _, err := net.SplitHostPort(server); err != nil {
		server = net.JoinHostPort(server, "53")
	}
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, server)
	}}
}

func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// addDomains records c's domains, pending with a fresh token each (a
// domain it already has keeps its row).
func addDomains(ctx context.Context, scope db.Scope, c *Connector, now time.Time) error {
	rows := make([]*db.ConnectorDomain, 0, len(c.Domains))
	for _, d := range c.Domains {
		rows = append(rows, &db.ConnectorDomain{ConnectorID: c.ID, Domain: d, Token: newToken()})
	}
	return scope.ConnectorDomains().Add(ctx, rows, now)
}

// DomainStates returns the state of each domain of each of conns, by
// connector id and in the connector's order. A connector made before
// domains were proven gets its pending rows here.
func DomainStates(ctx context.Context, scope db.Scope, conns []*Connector, now time.Time) (map[uuid.UUID][]DomainState, error) {
	rows, err := scope.ConnectorDomains().List(ctx, uuid.Nil)
	if err != nil {
		return nil, err
	}
	have := map[uuid.UUID]map[string]*db.ConnectorDomain{}
	for _, r := range rows {
		if have[r.ConnectorID] == nil {
			have[r.ConnectorID] = map[string]*db.ConnectorDomain{}
		}
		have[r.ConnectorID][r.Domain] = r
	}
	out := make(map[uuid.UUID][]DomainState, len(conns))
	for _, c := range conns {
		states := make([]DomainState, 0, len(c.Domains))
		for _, d := range c.Domains {
			r := have[c.ID][d]
			if r == nil {
				if err := addDomains(ctx, scope, c, now); err != nil {
					return nil, err
				}
				return DomainStates(ctx, scope, conns, now)
			}
			states = append(states, DomainState{Domain: d, Token: r.Token, VerifiedAt: r.VerifiedAt})
		}
		out[c.ID] = states
	}
	return out, nil
}

// VerifyDomain checks the TXT record of the connector's domain with r and,
// when it carries the domain's token, marks the domain verified: from then
// on it routes users to the connector. A domain verified for another of
// the tenant's connectors is refused, however many checks race.
func VerifyDomain(ctx context.Context, scope db.Scope, r *net.Resolver, connector uuid.UUID, domain string, now time.Time) (DomainState, error) {
	c, err := Get(ctx, scope, connector)
	if err != nil {
		return DomainState{}, err
	}
	domain = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(domain)), ".")
	if !slices.Contains(c.Domains, domain) {
		return DomainState{}, flows.ErrInvalidInput.WithField("domain", "This connector does not list that email domain.")
	}
	states, err := DomainStates(ctx, scope, []*Connector{c}, now)
	if err != nil {
		return DomainState{}, err
	}
	i := slices.IndexFunc(states[c.ID], func(s DomainState) bool { return s.Domain == domain })
	st := states[c.ID][i]
	if st.VerifiedAt != nil {
		return st, nil
	}
	if err := verifiedElsewhere(ctx, scope, domain, c.ID, "domain"); err != nil {
		return st, err
	}
	if err := checkRecord(ctx, r, st); err != nil {
		return st, err
	}
	err = scope.ConnectorDomains().MarkVerified(ctx, c.ID, domain, now)
	if errors.Is(err, db.ErrDuplicate) {
		return st, elsewhere(ctx, scope, domain, "domain")
	}
	if err != nil {
		return st, err
	}
	at := now.UTC()
	st.VerifiedAt = &at
	return st, nil
}

// checkRecord looks up st's TXT record and finds its value among the
// answers.
func checkRecord(ctx context.Context, r *net.Resolver, st DomainState) error {
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	txts, err := r.LookupTXT(ctx, st.RecordName())
	if err != nil || len(txts) == 0 {
		return errcode.ErrDomainRecordMissing
	}
	for _, v := range txts {
		if strings.TrimSpace(v) == st.RecordValue() {
			return nil
		}
	}
	return errcode.ErrDomainRecordMismatch
}

// verifiedElsewhere refuses a domain verified for a connector other than
// self (uuid.Nil: any), naming field.
func verifiedElsewhere(ctx context.Context, scope db.Scope, domain string, self uuid.UUID, field string) error {
	row, err := scope.ConnectorDomains().Verified(ctx, domain)
	switch {
	case errors.Is(err, db.ErrNotFound):
		return nil
	case err != nil:
		return err
	case row.ConnectorID == self:
		return nil
	}
	return elsewhere(ctx, scope, domain, field)
}

// elsewhere is the refusal of domain, verified for another connector,
// naming that connector when it can be read.
func elsewhere(ctx context.Context, scope db.Scope, domain, field string) error {
	e := errcode.ErrDomainVerifiedElsewhere
	row, err := scope.ConnectorDomains().Verified(ctx, domain)
	if err != nil {
		return e.WithField(field, "")
	}
	c, err := scope.Connectors().Get(ctx, row.ConnectorID)
	if err != nil {
		return e.WithField(field, "")
	}
	return e.WithField(field, fmt.Sprintf("%s is already verified for the connector %q. Delete that connector, or leave the domain out of this one.", domain, c.Name))
}

// markAllVerified marks every domain of c verified at now, for the
// operator's own CLI on the server (as `sesame domain add` does for a
// tenant's custom hostnames).
func markAllVerified(ctx context.Context, scope db.Scope, c *Connector, now time.Time) error {
	for _, d := range c.Domains {
		err := scope.ConnectorDomains().MarkVerified(ctx, c.ID, d, now)
		if errors.Is(err, db.ErrDuplicate) {
			return elsewhere(ctx, scope, d, "domains")
		}
		if err != nil {
			return err
		}
	}
	return nil
}
