package locale

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// term is one key concept in one language: the word the texts use for it
// and the variants a translator might reach for instead. A page that says
// "log in" beside "sign in", or 帐户 beside 账号, makes a reader wonder
// whether two things are meant; so each concept has one word per
// language, across every namespace.
type term struct {
	concept  string
	use      string // a pattern for the word the catalog uses
	variants []string
}

// terms lists, per language, the words for account, passkey, sign in and
// code. Patterns are case-insensitive and match whole words (Chinese has
// no word boundaries, so its patterns match anywhere).
var terms = map[string][]term{
	"en": {
		{"account", `accounts?`, []string{`acct`, `user profile`}},
		{"passkey", `passkeys?`, []string{`pass[ -]keys?`}},
		{"sign in", `sign(?:s|ed|ing)?[ -]in`, []string{`log(?:s|ged|ging)?[ -]?(?:in|on)`, `sign(?:s|ed|ing)?[ -]on`}},
		{"code", `codes?`, []string{`one-time passwords?`, `otps?`, `passcodes?`}},
	},
	"es": {
		{"account", `cuentas?`, []string{`perfil de usuario`}},
		{"passkey", `llaves? de acceso`, []string{`claves? de acceso`, `passkeys?`, `llaves? de paso`, `claves? de paso`}},
		{"sign in", `(?:inicia|iniciar|inicio|iniciado|iniciaste|inicias|iniciarla|iniciarás) (?:de )?sesión`,
			[]string{`acceder`, `ingresar`, `entrar`, `loguear(?:se|te)?`}},
		{"code", `códigos?`, []string{`claves? temporal(?:es)?`, `contraseñas? de un solo uso`}},
	},
	"zh-CN": {
		{"account", `账号`, []string{`账户`, `帐户`, `帐号`}},
		{"passkey", `通行密钥`, []string{`通行秘钥`, `万能钥匙`, `密码钥匙`, `登录密钥`}},
		{"sign in", `登录`, []string{`登入`, `登陆`, `签入`}},
		{"code", `验证码`, []string{`校验码`, `动态码`, `一次性密码`}},
	},
}

// termRe compiles a term pattern: whole words in alphabetic languages.
func termRe(lang, pattern string) *regexp.Regexp {
	if lang == "zh-CN" {
		return regexp.MustCompile(pattern)
	}
	return regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:` + pattern + `)(?:$|[^\p{L}])`)
}

// names are not the concepts' words: an address such as
// https://login.example.com names a host, "single sign-on" the technology
// (as SSO does), a {placeholder} a value and `add-passkey` an API name.
var names = regexp.MustCompile("(?i)\\S+://\\S+|single sign-on|\\{[a-z_]+\\}|`[^`]*`")

// termUses returns the catalog's keys whose text in lang matches pattern.
func termUses(c *Catalog, lang, pattern string) []string {
	re := termRe(lang, pattern)
	var keys []string
	for _, key := range c.Keys(lang) {
		if re.MatchString(names.ReplaceAllString(c.langs[lang][key], " ")) {
			keys = append(keys, key)
		}
	}
	return keys
}

func TestTerms_OneWordPerConceptInEachLanguage(t *testing.T) {
	t.Parallel()
	c, err := LoadCatalog()
	require.NoError(t, err)
	for _, lang := range Languages {
		for _, tm := range terms[lang.Tag] {
			used := termUses(c, lang.Tag, tm.use)
			require.NotEmpty(t, used, "%s: no text says %q for %s", lang.Tag, tm.use, tm.concept)
			t.Logf("%s %s: %q (%d texts)", lang.Tag, tm.concept, tm.use, len(used))
			for _, v := range tm.variants {
				keys := termUses(c, lang.Tag, v)
				require.Empty(t, keys, "%s calls %s %q in %s, elsewhere %q: one word per concept",
					lang.Tag, tm.concept, v, strings.Join(keys, ", "), tm.use)
			}
		}
	}
}

// The patterns find the variants they name and pass the words in use.
func TestTerms_PatternsFindSecondVariants(t *testing.T) {
	t.Parallel()
	found := map[string][]string{
		"en":    {"Log in with your passkey", "You are logged in", "Enter the OTP", "Add a pass key"},
		"es":    {"Usa tu clave de acceso", "Vuelve a ingresar", "Tu passkey"},
		"zh-CN": {"您的账户", "请登入", "输入校验码"},
	}
	for lang, texts := range found {
		for _, text := range texts {
			hit := false
			for _, tm := range terms[lang] {
				for _, v := range tm.variants {
					hit = hit || termRe(lang, v).MatchString(text)
				}
			}
			require.True(t, hit, "%s: %q should count as a second variant", lang, text)
		}
	}
	passed := map[string][]string{
		"en":    {"Sign in with a passkey", "Signed in on {device}", "Send a code", "Your account"},
		"es":    {"Inicia sesión con tu llave de acceso", "Te enviamos un código", "Tu cuenta"},
		"zh-CN": {"使用通行密钥登录", "输入验证码", "您的账号"},
	}
	for lang, texts := range passed {
		for _, text := range texts {
			for _, tm := range terms[lang] {
				for _, v := range tm.variants {
					require.False(t, termRe(lang, v).MatchString(text), "%s: %q is not a variant (%s)", lang, text, v)
				}
			}
		}
	}
}
