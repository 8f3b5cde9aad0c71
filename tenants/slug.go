package tenants

import (
	"fmt"
	"slices"
)

// Slug limits: a slug is one DNS label of the tenant's host,
// {slug}.{base domain}.
const (
	SlugMinLen = 3
	SlugMaxLen = 40
)

// reservedSlugs are names that belong to Sesame itself or read as such to a
// person, so no tenant may take them.
var reservedSlugs = []string{
	"account", "accounts", "admin", "administrator", "api", "app", "assets",
	"auth", "cdn", "console", "dashboard", "default", "demo-admin", "docs",
	"help", "id", "identity", "internal", "localhost", "login", "logout",
	"mail", "manage", "oauth", "oidc", "root", "sesame", "signin", "signup",
	"smtp", "sso", "static", "status", "support", "system", "webauthn", "www",
}

// ValidateSlug checks that slug is usable as a tenant's host label:
// lowercase letters, digits and single hyphens, 3–40 characters, starting
// with a letter and ending with a letter or digit, and not reserved.
func ValidateSlug(slug string) error {
	const rule = "use 3–40 lowercase letters, digits and single hyphens, starting with a letter and ending with a letter or digit"
	if len(slug) < SlugMinLen || len(slug) > SlugMaxLen {
		return &InputError{Field: "slug", Problem: fmt.Sprintf("%q is %d characters long; %s", slug, len(slug), rule)}
	}
	for i := 0; i < len(slug); i++ {
		c := slug[i]
		switch {
		case c >= 'a' && c <= 'z':
		case c >= '0' && c <= '9', c == '-':
			if i == 0 {
				return &InputError{Field: "slug", Problem: fmt.Sprintf("%q does not start with a letter; %s", slug, rule)}
			}
			if c == '-' && (i == len(slug)-1 || slug[i-1] == '-') {
				return &InputError{Field: "slug", Problem: fmt.Sprintf("%q has a hyphen at the end or two in a row; %s", slug, rule)}
			}
		default:
			return &InputError{Field: "slug", Problem: fmt.Sprintf("%q contains %q; %s", slug, rune(c), rule)}
		}
	}
	if slices.Contains(reservedSlugs, slug) {
		return &InputError{Field: "slug", Problem: fmt.Sprintf("%q is reserved; choose another", slug)}
	}
	return nil
}
