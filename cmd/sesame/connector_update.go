package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/federation"
)

// connectorUpdate edits a connector as the management API's
// updateConnector does (federation.Update): only the flags given change.
// --scope replaces the scopes, --claim the claim mapping, --client-secret
// the secret; --domain adds a domain, pending until verify-domain finds
// its TXT record (unlike create, which runs at setup), and
// --remove-domain removes one.
func (e cliEnv) connectorUpdate(scope db.Scope, f connectorFlags, set map[string]bool) error {
	id, err := uuid.Parse(f.id)
	if err != nil {
		return usageError{msg: "--id: not a connector id; see `sesame connector list --tenant " + f.slug + "`"}
	}
	ch := federation.Change{Secret: f.secret, AddDomains: f.domains, RemoveDomains: f.removeDomains}
	if set["name"] {
		ch.Name = &f.name
	}
	if len(f.scopes) > 0 {
		ch.Scopes = f.scopes
	}
	if set["response-mode"] {
		ch.ResponseMode = &f.responseMode
	}
	if set["trust-email-verified"] {
		ch.TrustEmailVerified = &f.trustEmail
	}
	if set["trust-upstream-amr"] {
		ch.TrustUpstreamAMR = &f.trustAMR
	}
	if len(f.claims) > 0 {
		ch.Claims = &federation.Claims{}
		for _, pair := range f.claims {
			field, claim, ok := strings.Cut(pair, "=")
			if !ok || claim == "" {
				return usageError{msg: fmt.Sprintf("--claim %s: say NAME=CLAIM, e.g. --claim email=mail", pair)}
			}
			if err := ch.Claims.Set(strings.TrimSpace(field), claim); err != nil {
				return refusal(err)
			}
		}
	}
	c, err := federation.Update(e.ctx, scope, id, ch, time.Now())
	if errors.Is(err, db.ErrNotFound) {
		return fmt.Errorf("tenant %s has no connector %s", f.slug, id)
	}
	if err != nil {
		return refusal(err)
	}
	fmt.Fprintf(e.stdout, "updated connector %s %q\n", c.ID, c.Name)
	for _, d := range ch.AddDomains {
		fmt.Fprintf(e.stderr, "domain %s is pending: publish its TXT record, then run `sesame connector verify-domain --tenant %s --id %s --domain %s`\n", d, f.slug, c.ID, d)
	}
	return nil
}
