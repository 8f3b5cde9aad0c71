package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/federation"
	"github.com/sesame-id/sesame/tenants"
)

// connectorFlags are the flags of `sesame connector`.
type connectorFlags struct {
	slug, name, kind, typ, preset, issuer, clientID, secret, id, responseMode string
	domains, scopes, claims, removeDomains                                    multiFlag
	trustEmail, trustAMR, asJSON                                              bool
	saml                                                                      samlFlags
}

func (f *connectorFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.slug, "tenant", "", "the tenant's slug (required)")
	fs.StringVar(&f.name, "name", "", `the connector's name, which the button shows: "Continue with NAME" (create)`)
	fs.StringVar(&f.kind, "kind", "", "social (a button on the sign-in and sign-up pages) or enterprise (reached by email domain) (create)")
	fs.StringVar(&f.typ, "type", "oidc", "oidc (OpenID Connect, or OAuth 2.0 with --preset github) or saml (SAML 2.0, with --metadata-url or --metadata-file) (create)")
	fs.StringVar(&f.preset, "preset", "", "google, microsoft, apple or github: that provider's defaults (create)")
	fs.StringVar(&f.issuer, "issuer", "", "the OpenID Provider's issuer URL (create)")
	fs.StringVar(&f.clientID, "client-id", "", "the client id the provider gave (create)")
	fs.StringVar(&f.secret, "client-secret", "", "the client secret the provider gave; never shown again (create)")
	fs.Var(&f.domains, "domain", "an email domain whose users go to this enterprise connector; repeat for more. The CLI runs beside the server, so create marks it verified at once; the management API and the console keep it pending until its DNS TXT record is found (create; verify-domain checks one)")
	fs.Var(&f.scopes, "scope", "a scope to ask for; repeat for more (create; default the preset's)")
	fs.StringVar(&f.responseMode, "response-mode", "", "query or form_post: how the provider sends the browser back (create, --type oidc; default the preset's, form_post for apple, else query)")
	fs.Var(&f.claims, "claim", "NAME=CLAIM: read NAME (subject, email, email_verified or name) from the provider's claim CLAIM; repeat for more (create, --type oidc)")
	fs.BoolVar(&f.trustEmail, "trust-email-verified", false, "take the provider's email_verified as proof of the address (create; default the preset's)")
	fs.BoolVar(&f.trustAMR, "trust-upstream-amr", false, "skip the tenant's second factor when the provider's amr says it asked for one (create)")
	fs.Var(&f.removeDomains, "remove-domain", "an email domain to remove from the enterprise connector; repeat for more (update)")
	fs.StringVar(&f.id, "id", "", "the connector's id (update, delete, verify-domain)")
	fs.BoolVar(&f.asJSON, "json", false, "print one JSON object (create)")
	f.saml.register(fs)
}

// connectorJSON is what `sesame connector create --json` prints.
type connectorJSON struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Kind        string   `json:"kind"`
	Type        string   `json:"type"`
	Domains     []string `json:"domains"`
	CallbackURL string   `json:"callback_url"`
}

// connector manages a tenant's federation connectors: create, list,
// update, delete, and verify-domain (the DNS check of an email domain).
func (e cliEnv) connector(args []string) error {
	subs := []string{"create", "list", "update", "delete", "verify-domain"}
	if len(args) == 0 || !contains(subs, args[0]) {
		return usageError{msg: "say create, list, update, delete or verify-domain, e.g. sesame connector create --tenant acme --name Google --kind social --preset google --client-id ID --client-secret SECRET"}
	}
	sub := args[0]
	fs := e.newFlagSet("connector " + sub)
	var f connectorFlags
	f.register(fs)
	cfg, err := e.parse(fs, false, args[1:])
	if err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	switch {
	case f.slug == "":
		return usageError{msg: "--tenant is required"}
	case sub == "create" && (f.name == "" || f.kind == ""):
		return usageError{msg: "--name and --kind are required, e.g. --name \"Corp SSO\" --kind enterprise --domain corp.example.com"}
	case (sub == "update" || sub == "delete" || sub == "verify-domain") && f.id == "":
		return usageError{msg: "--id is required; see `sesame connector list --tenant " + f.slug + "`"}
	}
	d, err := e.openDB(cfg, newLogger(cfg, e.stderr), true)
	if err != nil {
		return err
	}
	defer d.Close()
	ts := tenants.NewService(d, cfg.BaseDomain)
	t, err := ts.BySlug(e.ctx, f.slug)
	if errors.Is(err, db.ErrNotFound) {
		return fmt.Errorf("no tenant has slug %q; see `sesame tenant list`", f.slug)
	}
	if err != nil {
		return err
	}
	scope := d.ForTenant(t.ID)
	switch sub {
	case "create":
		if f.typ == federation.TypeSAML {
			return e.connectorCreateSAML(cfg, scope, f, set, ts.Origin(t))
		}
		return e.connectorCreate(scope, f, set, ts.Origin(t))
	case "verify-domain":
		return e.connectorVerifyDomain(cfg, scope, f)
	case "update":
		return e.connectorUpdate(scope, f, set)
	case "list":
		list, err := federation.List(e.ctx, scope)
		if err != nil {
			return err
		}
		for _, c := range list {
			fmt.Fprintf(e.stdout, "%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Kind, c.Type, c.Name, strings.Join(c.Domains, " "), connectorURL(ts.Origin(t), c))
		}
		return nil
	default:
		id, err := uuid.Parse(f.id)
		if err != nil {
			return usageError{msg: "--id: not a connector id; see `sesame connector list --tenant " + f.slug + "`"}
		}
		if err := federation.Delete(e.ctx, scope, id); errors.Is(err, db.ErrNotFound) {
			return fmt.Errorf("tenant %s has no connector %s", t.Slug, id)
		} else if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "deleted connector %s of tenant %s\n", id, t.Slug)
		return nil
	}
}

func (e cliEnv) connectorCreate(scope db.Scope, f connectorFlags, set map[string]bool, origin string) error {
	spec := federation.Spec{Name: f.name, Kind: f.kind, Type: f.typ, Preset: f.preset, Issuer: f.issuer,
		ClientID: f.clientID, Secret: f.secret, Scopes: f.scopes, Domains: f.domains, DomainsVerified: true,
		ResponseMode: f.responseMode}
	if set["trust-email-verified"] {
		spec.TrustEmailVerified = &f.trustEmail
	}
	if set["trust-upstream-amr"] {
		spec.TrustUpstreamAMR = &f.trustAMR
	}
	if len(f.claims) > 0 {
		spec.Claims = &federation.Claims{}
		for _, pair := range f.claims {
			field, claim, ok := strings.Cut(pair, "=")
			if !ok || claim == "" {
				return usageError{msg: fmt.Sprintf("--claim %s: say NAME=CLAIM, e.g. --claim email=mail", pair)}
			}
			if err := spec.Claims.Set(strings.TrimSpace(field), claim); err != nil {
				return refusal(err)
			}
		}
	}
	c, err := federation.Create(e.ctx, scope, spec, time.Now())
	if err != nil {
		return refusal(err)
	}
	out := connectorJSON{ID: c.ID.String(), Name: c.Name, Kind: c.Kind, Type: c.Type, Domains: c.Domains, CallbackURL: federation.CallbackURL(origin, c.ID)}
	if f.asJSON {
		return json.NewEncoder(e.stdout).Encode(out)
	}
	fmt.Fprintf(e.stdout, "id: %s\ncallback_url: %s\n", out.ID, out.CallbackURL)
	fmt.Fprintf(e.stderr, "created %s connector %q; register the callback URL with the provider\n", c.Kind, c.Name)
	return nil
}
