// Command sesame runs Sesame, the passkey-first multi-tenant identity
// platform: `sesame serve` starts the server; `migrate`, `tenant` and
// `domain` administer the database. Run `sesame help` for the list.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // the command failed
	exitUsage = 2 // the command line is wrong
)

// run executes one command and returns the process exit code. Errors are
// printed to stderr as one line naming the problem and what to do.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	env := cliEnv{ctx: ctx, getenv: getenv, stdout: stdout, stderr: stderr}
	var err error
	switch args[0] {
	case "serve":
		err = env.serve(args[1:])
	case "migrate":
		err = env.migrate(args[1:])
	case "tenant":
		err = env.tenant(args[1:])
	case "domain":
		err = env.domain(args[1:])
	case "apikey":
		err = env.apikey(args[1:])
	case "admin":
		err = env.admin(args[1:])
	case "app":
		err = env.app(args[1:])
	case "key":
		err = env.key(args[1:])
	case "connector":
		err = env.connector(args[1:])
	case "help", "-h", "--help":
		usage(stdout)
		return exitOK
	default:
		fmt.Fprintf(stderr, "sesame: unknown command %q\n", args[0])
		usage(stderr)
		return exitUsage
	}
	if err != nil {
		if ue, ok := err.(usageError); ok {
			fmt.Fprintf(stderr, "sesame %s: %s\n", args[0], ue.msg)
			return exitUsage
		}
		fmt.Fprintf(stderr, "sesame %s: %v\n", args[0], err)
		return exitError
	}
	return exitOK
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Usage: sesame COMMAND [flags]

Commands:
  serve                                   start the server (migrates first unless --migrate=false)
  migrate                                 apply pending database migrations
  tenant create --slug SLUG --name NAME   create a tenant
  tenant list                             list tenants
  domain add --tenant SLUG --host HOST    serve a tenant on a custom domain you control
  domain list --tenant SLUG               list a tenant's custom domains
  domain remove --tenant SLUG --host HOST stop serving a custom domain
  apikey create --tenant SLUG --name NAME create a management API key (printed once)
  apikey list --tenant SLUG               list a tenant's API keys
  apikey revoke --tenant SLUG --id ID     revoke an API key
  admin create --email EMAIL [--role ROLE] [--tenant SLUG]...
                                          make a console administrator (role platform_owner or member);
                                          prints a one-time setup link
  admin link --email EMAIL [--role ROLE]  print a new setup link for an administrator
  app create --tenant SLUG --name NAME --type web|spa|native|m2m [--redirect-uri URI]... [--json]
                                          register an application (OpenID Connect client);
                                          prints its client id and, for web and m2m, its secret (once)
  app list --tenant SLUG                  list a tenant's applications
  app delete --tenant SLUG --client-id ID delete an application
  app rotate-secret --tenant SLUG --client-id ID
                                          print a new secret; the previous one works for a day
  connector create --tenant SLUG --name NAME --kind social|enterprise --type oidc
           [--preset google|microsoft|apple|github] [--issuer URL] --client-id ID
           --client-secret S [--domain DOMAIN]... [--json]
                                          connect an upstream identity provider; prints its id
                                          and the callback URL to register with the provider
  connector list --tenant SLUG            list a tenant's connectors
  connector update --tenant SLUG --id ID [--name NAME] [--scope S]... [--claim NAME=CLAIM]...
           [--trust-email-verified=BOOL] [--trust-upstream-amr=BOOL] [--response-mode MODE]
           [--client-secret S] [--domain DOMAIN]... [--remove-domain DOMAIN]...
                                          edit a connector; only the flags given change, and a
                                          domain added is pending until verify-domain finds its record
  connector delete --tenant SLUG --id ID  delete a connector and the identities linked through it
  key rotate --tenant SLUG [--alg RS256|ES256]
                                          a new token signing key; the old one stays published
  help                                    show this text

Run "sesame COMMAND -h" for a command's flags. Every flag can also be set by
its environment variable; see README.md.
`)
}

// usageError is a wrong command line (exit code 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// cliEnv is what every command runs with.
type cliEnv struct {
	ctx            context.Context
	getenv         func(string) string
	stdout, stderr io.Writer
}
