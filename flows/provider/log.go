package provider

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"sync"
)

// zitadel/oidc v3 logs only through the package-level slog functions
// (slog.Log, slog.ErrorContext): op.WithLogger and op.WithFallbackLogger
// are kept for source compatibility and have no effect. So the provider
// installs logRouter as slog's default handler once: a record logged while
// the provider serves a request (its context carries the provider's
// logger, see withLogger) goes to that provider's Deps.Logger, anything
// else to the handler that was the default before. Both see the record
// with its secrets redacted.

type loggerKey struct{}

// withLogger marks ctx as a request the provider serves, whose library
// log records go to l.
func withLogger(ctx context.Context, l *slog.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, l)
}

var routerMu sync.Mutex

// installLogRouter makes logRouter slog's default handler, wrapping the
// current default, unless it is one already.
func installLogRouter() {
	routerMu.Lock()
	defer routerMu.Unlock()
	h := slog.Default().Handler()
	if _, ok := h.(*logRouter); ok {
		return
	}
	// slog's built-in handler writes through the log package, which
	// slog.SetDefault points back at the new handler: wrapping it would
	// deadlock, so its place is taken by a text handler on stderr.
	if fmt.Sprintf("%T", h) == "*slog.defaultHandler" {
		h = slog.NewTextHandler(os.Stderr, nil)
	}
	slog.SetDefault(slog.New(&logRouter{fallback: h}))
}

// logRouter sends each record to the logger of the provider request it
// belongs to, or to fallback, redacted.
type logRouter struct {
	fallback slog.Handler
	// with replays WithAttrs and WithGroup on the handler a record goes to.
	with []func(slog.Handler) slog.Handler
}

func (h *logRouter) target(ctx context.Context) slog.Handler {
	if l, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok && l != nil {
		return l.Handler()
	}
	return h.fallback
}

func (h *logRouter) Enabled(ctx context.Context, level slog.Level) bool {
	return h.target(ctx).Enabled(ctx, level)
}

func (h *logRouter) Handle(ctx context.Context, r slog.Record) error {
	t := h.target(ctx)
	for _, w := range h.with {
		t = w(t)
	}
	out := slog.NewRecord(r.Time, r.Level, redactText(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(redactAttr(a))
		return true
	})
	return t.Handle(ctx, out)
}

func (h *logRouter) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = redactAttr(a)
	}
	return h.and(func(t slog.Handler) slog.Handler { return t.WithAttrs(clean) })
}

func (h *logRouter) WithGroup(name string) slog.Handler {
	return h.and(func(t slog.Handler) slog.Handler { return t.WithGroup(name) })
}

func (h *logRouter) and(w func(slog.Handler) slog.Handler) *logRouter {
	return &logRouter{fallback: h.fallback, with: append(h.with[:len(h.with):len(h.with)], w)}
}

// secretNames are the parameters and fields whose values are credentials.
var secretNames = []string{"code", "code_verifier", "access_token", "refresh_token", "id_token", "id_token_hint",
	"client_secret", "token", "client_assertion", "logout_token", "password", "authorization"}

// secretParam finds a secret's value after its name in a URL, a form, a
// printed map or JSON (code=X, code:X, "code":"X").
var secretParam = regexp.MustCompile(`(?i)\b(` + strings.Join(secretNames, "|") + `)("?[=:]"?)[^&\s"#,;}\]]+`)

// jwtLike finds a compact JWS or JWE (three or five base64url parts).
var jwtLike = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)?`)

const redacted = "[redacted]"

func redactText(s string) string {
	s = secretParam.ReplaceAllString(s, "${1}${2}"+redacted)
	return jwtLike.ReplaceAllString(s, redacted)
}

// redactAttr redacts a secret-named attribute, and secret parameters and
// tokens inside any text, through groups and LogValuers.
func redactAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	for _, n := range secretNames {
		if strings.EqualFold(a.Key, n) {
			return slog.String(a.Key, redacted)
		}
	}
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, redactText(v.String()))
	case slog.KindGroup:
		group := v.Group()
		clean := make([]any, len(group))
		for i, g := range group {
			clean[i] = redactAttr(g)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, redactText(err.Error()))
		}
		if s := fmt.Sprint(v.Any()); redactText(s) != s {
			return slog.String(a.Key, redactText(s))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
