// Package locale holds the words of everything a person reads: the hosted
// pages, the console and the messages Sesame sends. It is a leaf package
// (it imports no other Sesame package) so that the engine and the jobs can
// speak a person's language without depending on the web bundle.
package locale

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Localization of the hosted pages (sign-in, sign-up, account center)
// and of the code messages (namespace "messages").
//
// Every word those pages show lives in the locale files,
// locales/{lang}/{namespace}.json: one file per namespace and language,
// objects nested freely, a key being the namespace and the path joined by
// dots ("sign_in.title"). Values may hold {name} placeholders, filled by
// Locale.T on the server and by t() in /static/i18n.js in the browser.
// Loading refuses a language that lacks a key English has, has a key
// English lacks, or changes a key's placeholders, so a missing
// translation stops the server from starting and fails the tests.
//
// The language of a request (see Catalog.Pick): a valid ?lang= (the
// switcher's links; remembered in a cookie), else that cookie, else the
// best of the browser's Accept-Language that Sesame speaks, else the
// tenant's default_locale. Traditional Chinese (zh-TW, zh-HK, zh-Hant) is
// not matched to Simplified Chinese: such a browser gets its next choice.
// The admin console is chosen the same way, with no tenant default
// (console.Pages.RequestLocale).

//go:embed locales
var localeFS embed.FS

// DefaultLanguage is the language of the locale files every other one is
// checked against, and the last choice of every page.
const DefaultLanguage = "en"

// Language is one language the hosted pages speak.
type Language struct {
	// Tag is the BCP 47 tag: en, es, zh-CN.
	Tag string
	// Name is the language's name in itself, for the switcher.
	Name string
}

// Languages are the languages of the hosted pages, in the switcher's
// order. tenants.Locales lists the same tags.
var Languages = []Language{
	{Tag: "en", Name: "English"},
	{Tag: "es", Name: "Español"},
	{Tag: "zh-CN", Name: "简体中文"},
}

// Page bundles name the namespaces a page's script receives.
var bundles = map[string][]string{
	"sign_in": {"common", "errors", "screens", "sign_in", "passkey_life", "federation"},
	"sign_up": {"common", "errors", "screens", "sign_up", "federation"},
	// recovery is the "Lost your passkey?" page (recover.html).
	"recovery": {"common", "errors", "screens", "recovery"},
	"account":  {"common", "errors", "account", "account_manage", "passkey_life", "federation"},
	"console":  {"common", "errors", "console", "team", "branding", "recovery", "passkey_life", "audit", "connectors"},
	// invitation is the page an invitation link opens on a tenant host.
	"invitation": {"common", "errors", "team"},
}

// Catalog holds every language's strings.
type Catalog struct {
	langs map[string]map[string]string
	// scripts holds, per language and bundle, the JSON the page's script
	// reads (see Locale.Strings).
	scripts map[string]map[string]template.JS
}

var placeholder = regexp.MustCompile(`\{([a-zA-Z_][a-zA-Z0-9_]*)\}`)

// LoadCatalog reads the embedded locale files and checks that every
// language has exactly English's keys with the same placeholders.
func LoadCatalog() (*Catalog, error) {
	return loadCatalog(localeFS, "locales")
}

func loadCatalog(fsys fs.FS, root string) (*Catalog, error) {
	c := &Catalog{langs: make(map[string]map[string]string), scripts: make(map[string]map[string]template.JS)}
	for _, l := range Languages {
		files, err := fs.Glob(fsys, path.Join(root, l.Tag, "*.json"))
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("locales: no files for %s in %s", l.Tag, path.Join(root, l.Tag))
		}
		m := make(map[string]string)
		for _, f := range files {
			raw, err := fs.ReadFile(fsys, f)
			if err != nil {
				return nil, err
			}
			var tree map[string]any
			dec := json.NewDecoder(bytes.NewReader(raw))
			if err := dec.Decode(&tree); err != nil {
				return nil, fmt.Errorf("locales: %s: %w", f, err)
			}
			// A file's namespace is its name up to the first dot: a
			// feature may keep its part of a namespace in a file of its
			// own (errors.saml.json adds to errors).
			ns, _, _ := strings.Cut(strings.TrimSuffix(path.Base(f), ".json"), ".")
			part := make(map[string]string)
			if err := flatten(part, ns, tree); err != nil {
				return nil, fmt.Errorf("locales: %s: %w", f, err)
			}
			for k, v := range part {
				if _, dup := m[k]; dup {
					return nil, fmt.Errorf("locales: %s: %s is defined in another file too", f, k)
				}
				m[k] = v
			}
		}
		c.langs[l.Tag] = m
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	for tag, m := range c.langs {
		c.scripts[tag] = make(map[string]template.JS)
		for name, namespaces := range bundles {
			sub := make(map[string]string)
			for k, v := range m {
				ns, _, _ := strings.Cut(k, ".")
				if slices.Contains(namespaces, ns) {
					sub[k] = v
				}
			}
			// encoding/json escapes <, > and & so the JSON cannot close
			// the script element it sits in.
			b, err := json.Marshal(sub)
			if err != nil {
				return nil, err
			}
			c.scripts[tag][name] = template.JS(b)
		}
	}
	return c, nil
}

func flatten(out map[string]string, prefix string, tree map[string]any) error {
	for k, v := range tree {
		key := prefix + "." + k
		switch v := v.(type) {
		case string:
			if strings.TrimSpace(v) == "" {
				return fmt.Errorf("%s is empty", key)
			}
			out[key] = v
		case map[string]any:
			if err := flatten(out, key, v); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%s is a %T; a value must be a string or an object of strings", key, v)
		}
	}
	return nil
}

// check compares every language with English: the same keys, and in each
// the same placeholders.
func (c *Catalog) check() error {
	en := c.langs[DefaultLanguage]
	var problems []string
	for _, l := range Languages {
		if l.Tag == DefaultLanguage {
			continue
		}
		m := c.langs[l.Tag]
		for _, k := range sortedKeys(en) {
			v, ok := m[k]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s lacks %q", l.Tag, k))
				continue
			}
			if a, b := placeholders(en[k]), placeholders(v); !slices.Equal(a, b) {
				problems = append(problems, fmt.Sprintf("%s %q has placeholders %v, English has %v", l.Tag, k, b, a))
			}
		}
		for _, k := range sortedKeys(m) {
			if _, ok := en[k]; !ok {
				problems = append(problems, fmt.Sprintf("%s has %q, which English lacks", l.Tag, k))
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("locales: %s", strings.Join(problems, "; "))
	}
	return nil
}

func sortedKeys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}

func placeholders(s string) []string {
	var names []string
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		names = append(names, m[1])
	}
	sort.Strings(names)
	return slices.Compact(names)
}

// Keys returns the keys of a language, sorted.
func (c *Catalog) Keys(lang string) []string { return sortedKeys(c.langs[lang]) }

// Has reports whether the language holds key.
func (c *Catalog) Has(lang, key string) bool {
	_, ok := c.langs[lang][key]
	return ok
}

// Locale returns the language tag's locale, English when Sesame does not
// speak it, for a page of the bundle (sign_in, sign_up, account, console).
func (c *Catalog) Locale(tag, bundle string) Locale {
	if _, ok := c.langs[tag]; !ok {
		tag = DefaultLanguage
	}
	return Locale{Lang: tag, bundle: bundle, catalog: c}
}

// Supported returns the canonical tag Sesame speaks for tag, matched
// without regard to case, and false for any other.
func Supported(tag string) (string, bool) {
	for _, l := range Languages {
		if strings.EqualFold(l.Tag, tag) {
			return l.Tag, true
		}
	}
	return "", false
}

// Pick chooses the language of a request: query (?lang=), then cookie,
// then the Accept-Language header, then the tenant's default. It reports
// whether the query chose, so that the caller remembers the choice.
func Pick(query, cookie, acceptLanguage, tenantDefault string) (tag string, fromQuery bool) {
	if t, ok := Supported(query); ok {
		return t, true
	}
	if t, ok := Supported(cookie); ok {
		return t, false
	}
	if t, ok := matchAcceptLanguage(acceptLanguage); ok {
		return t, false
	}
	if t, ok := Supported(tenantDefault); ok {
		return t, false
	}
	return DefaultLanguage, false
}

// LangCookie remembers the language a person picked with the switcher.
const LangCookie = "sesame_lang"

// Preferred is the language a client asked for, by its remembered choice
// (cookie) or its Accept-Language, and "" when it asked for none Sesame
// speaks (the tenant's default then applies).
func Preferred(cookie, acceptLanguage string) string {
	if t, ok := Supported(cookie); ok {
		return t
	}
	t, _ := matchAcceptLanguage(acceptLanguage)
	return t
}

// matchAcceptLanguage returns the first language, by preference, that
// Sesame speaks: exactly, or by its primary subtag (es-MX is es, en-GB is
// en; zh, zh-CN, zh-SG and zh-Hans are Simplified Chinese).
func matchAcceptLanguage(header string) (string, bool) {
	type pref struct {
		tag string
		q   float64
		i   int
	}
	var prefs []pref
	for i, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag = strings.TrimSpace(tag)
		if tag == "" || tag == "*" {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			name, value, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(name), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
				if err != nil || f < 0 || f > 1 {
					f = 0
				}
				q = f
			}
		}
		if q > 0 {
			prefs = append(prefs, pref{tag: tag, q: q, i: i})
		}
		if len(prefs) > 32 {
			break // a longer header is not a browser's
		}
	}
	sort.SliceStable(prefs, func(a, b int) bool { return prefs[a].q > prefs[b].q })
	for _, p := range prefs {
		if t, ok := Supported(p.tag); ok {
			return t, true
		}
		lower := strings.ToLower(p.tag)
		primary, rest, _ := strings.Cut(lower, "-")
		switch primary {
		case "en", "es":
			return primary, true
		case "zh":
			if rest == "" || rest == "cn" || rest == "sg" || rest == "hans" || strings.HasPrefix(rest, "hans-") {
				return "zh-CN", true
			}
		}
	}
	return "", false
}

// Locale is the language of one page. Views of localized pages embed it,
// so that templates call {{.T "key" "name" value}} and read {{.Lang}}.
type Locale struct {
	// Lang is the page's language tag, for <html lang>.
	Lang    string
	bundle  string
	catalog *Catalog
}

// T returns the string of key with its {name} placeholders replaced by
// the following name, value pairs. A key missing from the language falls
// back to English, then to the key itself (the locale tests catch both).
func (l Locale) T(key string, args ...any) string {
	s := key
	if l.catalog != nil {
		if v, ok := l.catalog.langs[l.Lang][key]; ok {
			s = v
		} else if v, ok := l.catalog.langs[DefaultLanguage][key]; ok {
			s = v
		}
	}
	if len(args) == 0 {
		return s
	}
	vars := make(map[string]string, len(args)/2)
	for i := 0; i+1 < len(args); i += 2 {
		name, _ := args[i].(string)
		vars[name] = fmt.Sprint(args[i+1])
	}
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := vars[m[1:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

// IsZero reports whether l is the zero Locale, one no catalog made: a
// view whose caller chose no language.
func (l Locale) IsZero() bool { return l.catalog == nil }

// Strings is the JSON object of the page's strings that /static/i18n.js
// reads from the page.
func (l Locale) Strings() template.JS {
	if l.catalog == nil {
		return "{}"
	}
	return l.catalog.scripts[l.Lang][l.bundle]
}

// LanguageLink is one entry of the language switcher.
type LanguageLink struct {
	Language
	Current bool
}

// Switcher lists the languages with the page's own marked.
func (l Locale) Switcher() []LanguageLink {
	out := make([]LanguageLink, len(Languages))
	for i, lang := range Languages {
		out[i] = LanguageLink{Language: lang, Current: lang.Tag == l.Lang}
	}
	return out
}
