// Command demo-app is a small web application that signs people in with
// Sesame's demo tenant, as any application would: OpenID Connect's
// authorization code flow with PKCE (S256), nonce and state, through
// github.com/coreos/go-oidc and golang.org/x/oauth2, and RP-initiated
// logout. Once back, it shows who signed in, how (amr, acr, auth_time) and
// the ID token's claims.
//
// `sesame serve --demo` registers it in the demo tenant and writes its
// credentials to data/demo-app.json, which it reads on each sign-in;
// `make run` starts both. Its words are English only: it is a tool for the
// developer, not a page of Sesame's.
//
//	demo-app [--listen 127.0.0.1:8090] [--client-file data/demo-app.json]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8090", "address to serve the demo app on; its origin must be the one `sesame serve --demo-app-url` registered")
	clientFile := flag.String("client-file", "data/demo-app.json", "the credentials `sesame serve --demo` writes")
	flag.Parse()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *listen, *clientFile, logger); err != nil {
		fmt.Fprintln(os.Stderr, "demo-app:", err)
		os.Exit(1)
	}
}

// run serves the demo app until ctx ends.
func run(ctx context.Context, listen, clientFile string, logger *slog.Logger) error {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("cannot listen on %s (--listen): %w", listen, err)
	}
	srv := &http.Server{
		Handler:           New(Options{ClientFile: clientFile, Logger: logger}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	fmt.Printf("Demo app is listening on http://%s\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}
