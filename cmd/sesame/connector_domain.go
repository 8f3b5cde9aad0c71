package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/federation"
)

// connectorVerifyDomain checks the TXT record of one of a connector's
// email domains through --dns-server (default the system's resolver), as
// the management API's verifyConnectorDomain does, and prints the
// domain's state; a refusal says which record to publish.
func (e cliEnv) connectorVerifyDomain(cfg Config, scope db.Scope, f connectorFlags) error {
	id, err := uuid.Parse(f.id)
	if err != nil {
		return usageError{msg: "--id: not a connector id; see `sesame connector list --tenant " + f.slug + "`"}
	}
	if len(f.domains) != 1 {
		return usageError{msg: "give the one domain to check: --domain corp.example.com"}
	}
	st, err := federation.VerifyDomain(e.ctx, scope, federation.NewResolver(cfg.DNSServer), id, f.domains[0], time.Now())
	if errors.Is(err, db.ErrNotFound) {
		return fmt.Errorf("tenant %s has no connector %s", f.slug, id)
	}
	if err != nil {
		if st.Token != "" {
			fmt.Fprintf(e.stderr, "publish: %s TXT %q\n", st.RecordName(), st.RecordValue())
		}
		return refusal(err)
	}
	fmt.Fprintf(e.stdout, "verified %s for connector %s at %s\n", st.Domain, id, st.VerifiedAt.Format(time.RFC3339))
	return nil
}

// refusal turns a catalogue error into the CLI's one-line usage error,
// naming the flag at fault when there is one.
func refusal(err error) error {
	var fe *flows.Error
	if !errors.As(err, &fe) {
		return err
	}
	if fe.Field == "" {
		return usageError{msg: fe.Message}
	}
	return usageError{msg: fmt.Sprintf("%s: %s", strings.ReplaceAll(fe.Field, "_", "-"), fe.Message)}
}
