package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/federation"
	"github.com/sesame-id/sesame/jobs"
)

// samlFlags are the flags of `sesame connector create --type saml`.
type samlFlags struct{ metadataURL, metadataFile string }

func (f *samlFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.metadataURL, "metadata-url", "", "the SAML IdP's metadata URL, fetched once now (create, --type saml)")
	fs.StringVar(&f.metadataFile, "metadata-file", "", "a file holding the SAML IdP's metadata XML, instead of --metadata-url (create, --type saml)")
}

// samlConnectorJSON is what `sesame connector create --type saml --json`
// prints: the URLs to register with the IdP.
type samlConnectorJSON struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Kind        string   `json:"kind"`
	Type        string   `json:"type"`
	Domains     []string `json:"domains"`
	ACSURL      string   `json:"acs_url"`
	MetadataURL string   `json:"metadata_url"`
	EntityID    string   `json:"entity_id"`
}

// connectorCreateSAML creates a saml connector: the IdP's metadata read
// (from public addresses only unless SESAME_ENV=development, as the
// server's back-channel posts), the SP key pair generated and its key
// sealed under the server's key-encryption key.
func (e cliEnv) connectorCreateSAML(cfg Config, scope db.Scope, f connectorFlags, set map[string]bool, origin string) error {
	if (f.saml.metadataURL == "") == (f.saml.metadataFile == "") {
		return usageError{msg: "give the IdP's metadata: --metadata-url URL or --metadata-file FILE (one of them)"}
	}
	if len(f.claims) > 0 {
		return usageError{msg: "--claim maps an OpenID Provider's claims: leave it out with --type saml"}
	}
	var data []byte
	if f.saml.metadataFile != "" {
		var err error
		if data, err = os.ReadFile(f.saml.metadataFile); err != nil {
			return usageError{msg: fmt.Sprintf("metadata-file: %v", err)}
		}
	}
	kek, err := existingKeyEncryptionKey(cfg)
	if err != nil {
		return err
	}
	spec := federation.Spec{Name: f.name, Kind: f.kind, Domains: f.domains, DomainsVerified: true}
	if set["trust-email-verified"] {
		spec.TrustEmailVerified = &f.trustEmail
	}
	if set["trust-upstream-amr"] {
		spec.TrustUpstreamAMR = &f.trustAMR
	}
	c, err := federation.CreateSAML(e.ctx, scope, spec, federation.SAMLSpec{
		MetadataURL: f.saml.metadataURL, MetadataXML: data, KeyEncryptionKey: kek,
		HTTPClient: jobs.NewBackchannelHTTPClient(cfg.Env == "development"),
	}, time.Now())
	if err != nil {
		return refusal(err)
	}
	meta := federation.SAMLMetadataURL(origin, c.ID)
	out := samlConnectorJSON{ID: c.ID.String(), Name: c.Name, Kind: c.Kind, Type: c.Type, Domains: c.Domains,
		ACSURL: federation.SAMLACSURL(origin, c.ID), MetadataURL: meta, EntityID: meta}
	if f.asJSON {
		return json.NewEncoder(e.stdout).Encode(out)
	}
	fmt.Fprintf(e.stdout, "id: %s\nacs_url: %s\nmetadata_url: %s\n", out.ID, out.ACSURL, out.MetadataURL)
	fmt.Fprintf(e.stderr, "created %s SAML connector %q; give the IdP the metadata URL (it is also the entity ID)\n", c.Kind, c.Name)
	return nil
}

// connectorURL is the URL `connector list` shows: the callback URL of an
// oidc connector, the ACS URL of a saml one.
func connectorURL(origin string, c *federation.Connector) string {
	if c.Type == federation.TypeSAML {
		return federation.SAMLACSURL(origin, c.ID)
	}
	return federation.CallbackURL(origin, c.ID)
}
