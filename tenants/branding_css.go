package tenants

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/sesame-id/sesame/internal/text"
)

// CheckCSS is the rule for a tenant's custom stylesheet: text of at most
// CustomCSSMax bytes that loads nothing from another host. It reads the
// stylesheet as a browser would, with comments removed and escapes
// decoded (u\72l( is url(), so neither hides a load), and refuses
// @import and any url(), image-set() or src() whose address is not a
// path on the tenant's own host or a data: URL. The pages' CSP
// (style-src, img-src, font-src 'self') blocks such loads anyway; this
// check says so when the stylesheet is saved, naming the field.
func CheckCSS(css string) error {
	const field = "branding.custom_css"
	if len(css) > CustomCSSMax {
		return &InputError{Field: field, Problem: fmt.Sprintf("is %d bytes; custom CSS may have at most %d", len(css), CustomCSSMax)}
	}
	if err := text.Check(css); err != nil {
		return &InputError{Field: field, Problem: err.Error()}
	}
	plain := strings.ToLower(decodeCSS(cssComment.ReplaceAllString(css, " ")))
	if strings.Contains(plain, "@import") {
		return &InputError{Field: field, Problem: "uses @import; put the rules in the custom CSS itself, nothing is loaded from another address"}
	}
	if strings.Contains(plain, "</style") {
		return &InputError{Field: field, Problem: "contains </style; custom CSS is a stylesheet, not HTML"}
	}
	for _, m := range cssLoad.FindAllStringSubmatchIndex(plain, -1) {
		arg := strings.TrimLeft(plain[m[1]:], " \t\r\n\f\"'")
		if !sameHost(arg) {
			end := min(len(arg), 60)
			return &InputError{Field: field, Problem: fmt.Sprintf("loads %s(%s…) from another host; custom CSS may use only paths on this host (url(/…)) or data: URLs", plain[m[2]:m[3]], arg[:end])}
		}
	}
	return nil
}

var (
	cssComment = regexp.MustCompile(`(?s)/\*.*?(\*/|$)`)
	// cssLoad finds the functions that load an address, at the start of
	// their argument.
	cssLoad   = regexp.MustCompile(`(url|image-set|-webkit-image-set|image|src|cross-fade|element)\s*\(`)
	cssEscape = regexp.MustCompile(`\\([0-9a-fA-F]{1,6})[ \t\r\n\f]?|\\(.)`)
)

// sameHost reports whether a url() argument stays on the page's host: a
// path, absolute or relative, but not "//host"; or a data: URL. Anything
// with a scheme before its first "/", "?" or "#" names another origin. An
// image-set() argument that is itself url(...) is checked when the scan
// reaches that url(.
func sameHost(arg string) bool {
	if strings.HasPrefix(arg, "url(") || strings.HasPrefix(arg, "image-set(") || strings.HasPrefix(arg, "-webkit-image-set(") {
		return true
	}
	end := strings.IndexAny(arg, ")\"'")
	if end < 0 {
		end = len(arg)
	}
	a := strings.TrimSpace(arg[:end])
	if strings.HasPrefix(a, "data:") {
		return true
	}
	if strings.HasPrefix(a, "//") || strings.HasPrefix(a, "/\\") || strings.HasPrefix(a, "\\") {
		return false
	}
	if i := strings.IndexAny(a, ":/?#"); i >= 0 && a[i] == ':' {
		return false
	}
	return a != ""
}

// decodeCSS resolves CSS escapes: a hex escape ("\72 ") to its character,
// any other escaped character to itself.
func decodeCSS(s string) string {
	return cssEscape.ReplaceAllStringFunc(s, func(m string) string {
		sub := cssEscape.FindStringSubmatch(m)
		if sub[1] != "" {
			n, err := strconv.ParseUint(sub[1], 16, 32)
			if err != nil || n == 0 || n > 0x10FFFF {
				return "\uFFFD"
			}
			return string(rune(n))
		}
		return sub[2]
	})
}
