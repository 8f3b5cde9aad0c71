package locale

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Spanish addresses the reader as tú, and Chinese as 您 and calls an account 账号,
// in every namespace: the hosted pages, the messages, the errors and the
// console. The rule is tested here, once, over the whole catalog.
//
// Most usted forms are also third-person forms, and third persons are
// real in these texts: the console speaks of a user's passkeys ("sus
// usuarios", "con su dirección de correo electrónico"), the API errors of
// a query's syntax ("Revisa su sintaxis"), and any page of an account or a
// browser ("Esta cuenta no tiene…", "Este navegador no puede…"). So the
// test does not ban su, tiene or puede everywhere; it checks the usted
// forms the texts once used where they cannot be third person:
//
//   - ustedAnywhere: "usted" itself and imperatives with an attached
//     pronoun (inténtelo, guárdelos): only usted is spoken to so.
//   - ustedImperatives: the usted imperatives, which share their spelling
//     with the third-person subjunctive ("elija": "choose" to usted, or
//     "that she choose"). The subjunctive follows "que"; the imperative
//     opens a sentence or clause. So these count at the start of the
//     text, after punctuation, or after the conjunctions y, o, e, u,
//     optionally negated ("No use…").
//   - ustedOwnPages: su, sus and le in the namespaces a person reads about
//     their own account (sign-in, sign-up, account, messages, common).
//     Nobody else is spoken of there, so a su is the reader's: usted.
var (
	ustedAnywhere = []string{
		"usted", "ustedes",
		"inténtelo", "revíselo", "revíselas", "quítelo", "guárdelos", "guárdelas", "complételo", "cópiela",
		"le invite",
	}
	ustedImperatives = []string{
		"inicie", "introduzca", "confirme", "elija", "use", "pruebe", "escanee", "reciba", "verifique",
		"vuelva", "haga", "revise", "espere", "pida", "envíe", "compruebe", "complete", "añada",
		"recargue", "corrija", "escriba", "copie", "abra", "cree", "cierre sesión", "ha iniciado",
		"le queda", "le quedan", "le enviaremos", "se le pedirá",
	}
	ustedOwnPages     = []string{"su", "sus", "le", "les", "suyo", "suya", "suyos", "suyas"}
	ownPageNamespaces = []string{"sign_in", "sign_up", "screens", "account", "messages", "common", "passkey_life"}
	notZhanghao       = []string{"账户", "帐户", "帐号"}
)

// words is a case-insensitive pattern of the forms as whole words (RE2's
// \b knows no accented letters, hence \p{L}), after the prefix pattern.
func words(prefix string, forms []string) *regexp.Regexp {
	alts := make([]string, len(forms))
	for i, f := range forms {
		alts[i] = strings.ReplaceAll(regexp.QuoteMeta(f), " ", `\s+`)
	}
	return regexp.MustCompile(`(?i)` + prefix + `(` + strings.Join(alts, "|") + `)(?:$|[^\p{L}])`)
}

var (
	ustedAnywhereRe    = words(`(?:^|[^\p{L}])`, ustedAnywhere)
	ustedImperativesRe = words(`(?:^|[.:;,¿?¡!«(—]\s*|(?:^|[^\p{L}])[yoeu]\s+)(?:no\s+)?`, ustedImperatives)
	ustedOwnPagesRe    = words(`(?:^|[^\p{L}])`, ustedOwnPages)
)

// ustedForm returns the first usted form in a Spanish text of namespace
// ns, or "".
func ustedForm(ns, text string) string {
	res := []*regexp.Regexp{ustedAnywhereRe, ustedImperativesRe}
	for _, own := range ownPageNamespaces {
		if ns == own {
			res = append(res, ustedOwnPagesRe)
		}
	}
	for _, re := range res {
		if m := re.FindStringSubmatch(text); m != nil {
			return m[1]
		}
	}
	return ""
}

func TestWords_SpanishSaysTuAndChineseSaysZhanghao(t *testing.T) {
	t.Parallel()
	c, err := LoadCatalog()
	require.NoError(t, err)
	namespaces := map[string]bool{}
	for _, key := range c.Keys("es") {
		ns, _, _ := strings.Cut(key, ".")
		namespaces[ns] = true
		require.Empty(t, ustedForm(ns, c.langs["es"][key]), "es %s says usted: %q", key, c.langs["es"][key])
	}
	for _, key := range c.Keys("zh-CN") {
		for _, w := range notZhanghao {
			require.NotContains(t, c.langs["zh-CN"][key], w, "zh-CN %s: an account is 账号", key)
		}
		// One register: the reader is 您 everywhere, never the familiar 你.
		require.NotContains(t, c.langs["zh-CN"][key], "你", "zh-CN %s: the reader is 您", key)
	}
	for _, ns := range append(ownPageNamespaces, "errors", "console") {
		require.True(t, namespaces[ns], "the catalog has no %s namespace to check", ns)
	}
}

// The check finds the usted forms the texts once used, and lets the
// third persons and tú forms the texts use now through.
func TestWords_UstedFormsAreFoundAndThirdPersonsAreNot(t *testing.T) {
	t.Parallel()
	usted := map[string]string{
		"Confirme que es usted":                                        "usted",
		"Algo salió mal. Inténtelo de nuevo.":                          "Inténtelo",
		"Introduzca su contraseña.":                                    "Introduzca",
		"No hay otra forma. Use su llave de acceso o cree una cuenta.": "Use",
		"Usa tu llave de acceso o cree una cuenta.":                    "cree",
		"Cierra sesión y vuelva a iniciarla.":                          "vuelva",
		"Vuelve a iniciarla, y haga el cambio.":                        "haga",
		"Aquí se exige: conserve al menos una. No use esta.":           "use",
		"Al iniciar sesión, se le pedirá un segundo paso.":             "se le pedirá",
		"Le quedan {count} códigos de respaldo.":                       "Le quedan",
		"¿No puede escanearlo? Escanee este código.":                   "Escanee",
		"Ha iniciado sesión como {name}.":                              "Ha iniciado",
		"Pida ayuda a tu administrador.":                               "Pida",
		"Pide a un administrador que le invite.":                       "le invite",
	}
	for text, want := range usted {
		require.Equal(t, want, ustedForm("console", text), text)
	}
	require.Equal(t, "su", ustedForm("account", "Seguirá en su dispositivo."))
	require.Equal(t, "Su", ustedForm("messages", "Su código de {tenant}"))

	tu := []string{
		"Revisa su sintaxis.",
		"Iniciar sesión con su dirección de correo electrónico",
		"Si lo cambias, dejarán de funcionar: sus usuarios ya no podrán iniciar sesión con ellas.",
		"Usuario deshabilitado: no puede iniciar sesión y sus sesiones dejan de funcionar.",
		"Pide a un administrador que te invite.",
		"Esta cuenta no tiene configurado ningún segundo factor que puedas usar aquí.",
		"No se encontró. Puede que se haya eliminado.",
		"Para que cada persona elija su idioma.",
		"El cierre de sesión es inmediato.",
		"Usa una aplicación. Inténtalo de nuevo, o elige otra forma.",
		"Confirma que eres tú con tu llave de acceso.",
	}
	for _, text := range tu {
		require.Empty(t, ustedForm("console", text), text)
	}
	require.Empty(t, ustedForm("account", "Te quedan {count} códigos de respaldo. Guárdalos en tu dispositivo."))
}
