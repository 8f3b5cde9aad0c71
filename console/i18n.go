package console

import "github.com/sesame-id/sesame/internal/locale"

// The words of the pages live in internal/locale, a leaf package that the
// jobs (code messages) read too without depending on this web bundle.
// These names keep the console's callers as they were.

// DefaultLanguage is locale.DefaultLanguage: the last choice of every page.
const DefaultLanguage = locale.DefaultLanguage

// LangCookie is locale.LangCookie: it remembers the language a person
// picked with the switcher.
const LangCookie = locale.LangCookie

type (
	// Catalog is locale.Catalog: every language's strings.
	Catalog = locale.Catalog
	// Locale is locale.Locale: the language of one page.
	Locale = locale.Locale
	// Language is locale.Language: one language the hosted pages speak.
	Language = locale.Language
	// LanguageLink is locale.LanguageLink: one entry of the switcher.
	LanguageLink = locale.LanguageLink
)

// Languages are the languages of the hosted pages (locale.Languages).
var Languages = locale.Languages

// LoadCatalog reads the embedded locale files (locale.LoadCatalog).
func LoadCatalog() (*Catalog, error) { return locale.LoadCatalog() }

// Supported returns the canonical tag Sesame speaks for tag
// (locale.Supported).
func Supported(tag string) (string, bool) { return locale.Supported(tag) }

// Pick chooses the language of a request (locale.Pick).
func Pick(query, cookie, acceptLanguage, tenantDefault string) (string, bool) {
	return locale.Pick(query, cookie, acceptLanguage, tenantDefault)
}

// Preferred is the language a client asked for (locale.Preferred).
func Preferred(cookie, acceptLanguage string) string {
	return locale.Preferred(cookie, acceptLanguage)
}
