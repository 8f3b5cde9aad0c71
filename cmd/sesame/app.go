package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows"
	"github.com/sesame-id/sesame/flows/apps"
	"github.com/sesame-id/sesame/tenants"
)

// appFlags are the flags of `sesame app`.
type appFlags struct {
	slug, name, typ, clientID, alg string
	redirects, postLogout, scopes  multiFlag
	firstParty, asJSON             bool
	backchannelURI                 string
	backchannelSID                 bool
}

func (f *appFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.slug, "tenant", "", "the tenant's slug (required)")
	fs.StringVar(&f.name, "name", "", "the application's name (create)")
	fs.StringVar(&f.typ, "type", "", "web, spa, native or m2m (create)")
	fs.Var(&f.redirects, "redirect-uri", "an exact redirect URI; repeat for more (create)")
	fs.Var(&f.postLogout, "post-logout-redirect-uri", "an exact post-logout redirect URI; repeat for more (create)")
	fs.Var(&f.scopes, "scope", "a scope the application may ask for; repeat for more (create; default openid profile email phone)")
	fs.StringVar(&f.alg, "id-token-alg", "", "RS256 (default) or ES256 (create)")
	fs.BoolVar(&f.firstParty, "first-party", false, "the tenant's own application, which skips consent (create)")
	fs.StringVar(&f.backchannelURI, "backchannel-logout-uri", "", "where logout tokens are posted when a session the application took part in ends (create)")
	fs.BoolVar(&f.backchannelSID, "backchannel-logout-session-required", false, "the application needs sid in its logout tokens (create)")
	fs.StringVar(&f.clientID, "client-id", "", "the application's client id (delete, rotate-secret)")
	fs.BoolVar(&f.asJSON, "json", false, "print one JSON object (create, rotate-secret)")
}

// appJSON is what `sesame app create --json` prints.
type appJSON struct {
	ClientID     string   `json:"client_id"`
	ClientSecret string   `json:"client_secret"`
	Name         string   `json:"name,omitempty"`
	Type         string   `json:"type,omitempty"`
	RedirectURIs []string `json:"redirect_uris,omitempty"`
	Issuer       string   `json:"issuer,omitempty"`
}

// app manages a tenant's applications (OpenID Connect clients): create
// (the secret is printed once and stored only as a hash), list, delete,
// rotate-secret (the previous secret keeps working for a day).
func (e cliEnv) app(args []string) error {
	subs := []string{"create", "list", "delete", "rotate-secret"}
	if len(args) == 0 {
		return usageError{msg: "say create, list, delete or rotate-secret, e.g. sesame app create --tenant acme --name Shop --type web --redirect-uri https://shop.example.com/callback"}
	}
	sub := args[0]
	if !contains(subs, sub) {
		return usageError{msg: fmt.Sprintf("unknown subcommand %q; use %s", sub, strings.Join(subs, ", "))}
	}
	fs := e.newFlagSet("app " + sub)
	var f appFlags
	f.register(fs)
	cfg, err := e.parse(fs, false, args[1:])
	if err != nil {
		return err
	}
	switch {
	case f.slug == "":
		return usageError{msg: "--tenant is required"}
	case sub == "create" && (f.name == "" || f.typ == ""):
		return usageError{msg: "--name and --type are required, e.g. --name Shop --type web"}
	case (sub == "delete" || sub == "rotate-secret") && f.clientID == "":
		return usageError{msg: "--client-id is required; see `sesame app list --tenant " + f.slug + "`"}
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
		return e.appCreate(scope, f, ts.Origin(t))
	case "list":
		return e.appList(scope)
	case "delete":
		if err := apps.DeleteClient(e.ctx, scope, f.clientID); errors.Is(err, db.ErrNotFound) {
			return fmt.Errorf("tenant %s has no application %s", t.Slug, f.clientID)
		} else if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "deleted application %s of tenant %s\n", f.clientID, t.Slug)
		return nil
	default:
		secret, err := apps.RotateSecret(e.ctx, scope, f.clientID, time.Now())
		if errors.Is(err, db.ErrNotFound) {
			return fmt.Errorf("tenant %s has no application %s with a secret (spa and native applications have none)", t.Slug, f.clientID)
		} else if err != nil {
			return err
		}
		return e.printSecret(f.asJSON, appJSON{ClientID: f.clientID, ClientSecret: secret},
			fmt.Sprintf("new secret for %s; the previous one works for %s more; the secret is shown only now: store it safely", f.clientID, apps.SecretOverlap))
	}
}

func (e cliEnv) appCreate(scope db.Scope, f appFlags, issuer string) error {
	spec := apps.Spec{Name: f.name, Type: f.typ, RedirectURIs: f.redirects, PostLogoutRedirectURIs: f.postLogout,
		IDTokenAlg: f.alg, FirstParty: f.firstParty, BackchannelLogoutURI: f.backchannelURI, BackchannelLogoutSessionRequired: f.backchannelSID}
	if len(f.scopes) > 0 {
		spec.Scopes = f.scopes
	}
	c, err := apps.Create(e.ctx, scope, spec, time.Now())
	var fe *flows.Error
	if errors.As(err, &fe) {
		return usageError{msg: fmt.Sprintf("%s: %s", strings.ReplaceAll(fe.Field, "_", "-"), fe.Message)}
	}
	if err != nil {
		return err
	}
	out := appJSON{ClientID: c.App.ClientID, ClientSecret: c.Secret, Name: c.App.Name, Type: c.App.Type, RedirectURIs: c.App.RedirectURIs, Issuer: issuer}
	note := fmt.Sprintf("created %s application %q; issuer %s", c.App.Type, c.App.Name, issuer)
	if c.Secret != "" {
		note += "; the secret is shown only now: store it safely"
	}
	return e.printSecret(f.asJSON, out, note)
}

// printSecret prints the client id (and secret) on stdout, for scripts,
// and note on stderr, for people.
func (e cliEnv) printSecret(asJSON bool, out appJSON, note string) error {
	if asJSON {
		if err := json.NewEncoder(e.stdout).Encode(out); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(e.stdout, "client_id: %s\n", out.ClientID)
		if out.ClientSecret != "" {
			fmt.Fprintf(e.stdout, "client_secret: %s\n", out.ClientSecret)
		}
	}
	fmt.Fprintln(e.stderr, note)
	return nil
}

func (e cliEnv) appList(scope db.Scope) error {
	list, err := scope.OIDCApps().List(e.ctx)
	if err != nil {
		return err
	}
	for _, a := range list {
		fmt.Fprintf(e.stdout, "%s\t%s\t%s\t%s\n", a.ClientID, a.Type, a.Name, strings.Join(a.RedirectURIs, " "))
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
