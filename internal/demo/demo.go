// Package demo is the development demo that `sesame serve --demo` (and so
// `make run`) sets up: the demo tenant's sign-up and the demo application
// (cmd/demo-app) registered in it, whose credentials reach the demo app
// through a file in the data folder.
//
// The demo app is a confidential `web` client, as most server-side
// applications are: its secret stays on the machine, in a file only its
// owner can read (0600), never in a URL or a log, and its code exchange
// uses PKCE as well.
package demo

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/apps"
	"github.com/sesame-id/sesame/tenants"
)

// AppName is the name of the demo app's application in the demo tenant.
// `serve --demo` manages the applications of that name: it keeps one.
const AppName = "Demo app"

// ClientFileName is the file, in the data folder, that holds the demo
// app's credentials.
const ClientFileName = "demo-app.json"

// Paths on the demo app's origin that Sesame redirects to.
const (
	CallbackPath  = "/callback"
	SignedOutPath = "/signed-out"
)

// Client is what the demo app needs to sign people in: the contents of
// the client file.
type Client struct {
	// Issuer is the demo tenant's origin, where discovery starts.
	Issuer       string `json:"issuer"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	// RedirectURI is the demo app's origin + CallbackPath.
	RedirectURI string `json:"redirect_uri"`
	// PostLogoutRedirectURI is the demo app's origin + SignedOutPath.
	PostLogoutRedirectURI string `json:"post_logout_redirect_uri"`
}

// ErrNoClientFile is returned by ReadClient before `serve --demo` has
// written the file.
var ErrNoClientFile = errors.New("no client file")

// ReadClient reads the client file at path.
func ReadClient(path string) (Client, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return Client{}, fmt.Errorf("%s: %w", path, ErrNoClientFile)
	}
	if err != nil {
		return Client{}, fmt.Errorf("read %s: %w", path, err)
	}
	var c Client
	if err := json.Unmarshal(b, &c); err != nil {
		return Client{}, fmt.Errorf("read %s: %w", path, err)
	}
	if c.Issuer == "" || c.ClientID == "" || c.ClientSecret == "" || c.RedirectURI == "" {
		return Client{}, fmt.Errorf("read %s: issuer, client_id, client_secret or redirect_uri is missing", path)
	}
	return c, nil
}

// writeClient replaces the client file at path in one rename, readable by
// its owner only.
func writeClient(path string, c Client) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, ".demo-app-*.json")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(f.Name()) // gone after the rename; removes the leftover on failure
	_, err = f.Write(append(b, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// TenantSettings is the demo tenant's settings when `serve --demo` makes
// it: sign-up asks no code for the email address, so that a newcomer goes
// from the demo app to a passkey and back without reading an outbox. An
// administrator can turn the check back on in the console.
func TenantSettings(st tenants.Settings) tenants.Settings {
	st.SignUp.VerifyIdentifiers = false
	return st
}

// Registration says where the demo app runs and where its credentials go.
type Registration struct {
	// Issuer is the demo tenant's origin.
	Issuer string
	// Origin is the demo app's origin, e.g. http://127.0.0.1:8090.
	Origin string
	// ClientFile is the path of the client file.
	ClientFile string
}

// Outcome says what EnsureApp did.
type Outcome string

// Outcomes of EnsureApp.
const (
	Unchanged     Outcome = "unchanged"
	Created       Outcome = "created"
	SecretRenewed Outcome = "secret renewed"
)

// EnsureApp makes the tenant hold exactly one application named AppName,
// a first-party web application with the demo app's redirect URIs, and the
// client file hold its credentials. Run again, it changes nothing; when
// the file is missing or its secret is not the application's, it gives the
// application a new secret; applications of that name with other settings
// (an older origin) are deleted.
func EnsureApp(ctx context.Context, scope db.Scope, reg Registration, now time.Time) (Outcome, error) {
	spec := apps.Spec{
		Name: AppName, Type: apps.TypeWeb, FirstParty: true,
		RedirectURIs:           []string{reg.Origin + CallbackPath},
		PostLogoutRedirectURIs: []string{reg.Origin + SignedOutPath},
		Scopes:                 []string{"openid", "profile", "email"},
	}
	found, err := keepOne(ctx, scope, spec)
	if err != nil {
		return "", err
	}
	client := Client{Issuer: reg.Issuer, RedirectURI: spec.RedirectURIs[0], PostLogoutRedirectURI: spec.PostLogoutRedirectURIs[0]}
	outcome := Created
	switch {
	case found == nil:
		c, err := apps.Create(ctx, scope, spec, now)
		if err != nil {
			return "", fmt.Errorf("register the demo app: %w", err)
		}
		client.ClientID, client.ClientSecret = c.App.ClientID, c.Secret
	case fileMatches(reg.ClientFile, client, found):
		return Unchanged, nil
	default:
		secret, err := apps.RotateSecret(ctx, scope, found.ClientID, now)
		if err != nil {
			return "", fmt.Errorf("renew the demo app's secret: %w", err)
		}
		client.ClientID, client.ClientSecret, outcome = found.ClientID, secret, SecretRenewed
	}
	if err := writeClient(reg.ClientFile, client); err != nil {
		return "", err
	}
	return outcome, nil
}

// keepOne returns the oldest application named spec.Name that matches
// spec, deleting every other of that name.
func keepOne(ctx context.Context, scope db.Scope, spec apps.Spec) (*db.OIDCApp, error) {
	list, err := scope.OIDCApps().List(ctx)
	if err != nil {
		return nil, err
	}
	var found *db.OIDCApp
	for _, a := range list {
		if a.Name != spec.Name {
			continue
		}
		if found == nil && a.Type == spec.Type && a.FirstParty == spec.FirstParty &&
			slices.Equal(a.RedirectURIs, spec.RedirectURIs) && slices.Equal(a.PostLogoutRedirectURIs, spec.PostLogoutRedirectURIs) {
			found = a
			continue
		}
		if err := scope.OIDCApps().Delete(ctx, a.ClientID); err != nil && !errors.Is(err, db.ErrNotFound) {
			return nil, fmt.Errorf("delete an outdated demo app: %w", err)
		}
	}
	return found, nil
}

// fileMatches reports whether the client file already holds want with the
// application's current secret.
func fileMatches(path string, want Client, a *db.OIDCApp) bool {
	have, err := ReadClient(path)
	if err != nil || have.ClientID != a.ClientID {
		return false
	}
	secret := have.ClientSecret
	have.ClientID, have.ClientSecret = "", ""
	return have == want && subtle.ConstantTimeCompare(apps.HashSecret(secret), a.SecretHash) == 1
}
