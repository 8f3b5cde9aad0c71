package tenants

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/sesame-id/sesame/internal/text"
)

// Themes of the hosted pages.
const (
	ThemeAuto  = "auto"
	ThemeLight = "light"
	ThemeDark  = "dark"
)

// Branding limits.
const (
	// CustomCSSMax is the longest custom stylesheet accepted, in bytes.
	CustomCSSMax = 32 << 10
	// HeadingMax is the longest custom heading, in characters.
	HeadingMax = 120
	// LegalURLMax is the longest terms or privacy address, in bytes.
	LegalURLMax = 2048
	// MinContrast is the least contrast ratio (WCAG 2) the primary colour
	// must have against the white text of the pages' buttons.
	MinContrast = 4.5
)

// Branding is how a tenant's hosted pages look: its logo is stored apart
// (db.LogoStore, through Service.SetLogo), the rest is here.
type Branding struct {
	// PrimaryColor is "#rrggbb", the buttons' and links' colour, or empty
	// for Sesame's. Buttons write white on it, so it must be dark enough
	// (MinContrast).
	PrimaryColor string `json:"primary_color,omitempty"`
	// Theme is auto (the browser's preference), light or dark. Default auto.
	Theme string `json:"theme"`
	// CustomCSS is served as the tenant host's /branding/style.css, never
	// inlined; it may not load anything from another host (no @import, no
	// url() but same-host paths and data:), and the pages' CSP would block
	// it anyway.
	CustomCSS string `json:"custom_css,omitempty"`
	// Texts are the custom words per language (a key of Locales); a
	// language without texts, or an empty text, shows Sesame's own.
	Texts map[string]BrandTexts `json:"texts,omitempty"`
}

// BrandTexts are one language's custom words and legal links.
type BrandTexts struct {
	SignInHeading string `json:"sign_in_heading,omitempty"`
	SignUpHeading string `json:"sign_up_heading,omitempty"`
	// TermsURL and PrivacyURL are https addresses, linked at the foot of
	// the hosted pages.
	TermsURL   string `json:"terms_url,omitempty"`
	PrivacyURL string `json:"privacy_url,omitempty"`
}

// DefaultBranding returns the branding of a new tenant: Sesame's look.
func DefaultBranding() Branding { return Branding{Theme: ThemeAuto} }

// TextsFor returns the texts of lang, empty when the tenant set none.
func (b Branding) TextsFor(lang string) BrandTexts { return b.Texts[lang] }

// Validate checks the branding.
func (b Branding) Validate() error {
	if b.PrimaryColor != "" {
		if err := checkColor(b.PrimaryColor); err != nil {
			return err
		}
	}
	if !slices.Contains([]string{ThemeAuto, ThemeLight, ThemeDark}, b.Theme) {
		return &InputError{Field: "branding.theme", Problem: fmt.Sprintf("%q is not one of auto, light, dark", b.Theme)}
	}
	if err := CheckCSS(b.CustomCSS); err != nil {
		return err
	}
	for lang, t := range b.Texts {
		if !slices.Contains(Locales, lang) {
			return &InputError{Field: "branding.texts", Problem: fmt.Sprintf("%q is not a supported language; use one of %v", lang, Locales)}
		}
		if err := t.validate("branding.texts." + lang); err != nil {
			return err
		}
	}
	return nil
}

func (t BrandTexts) validate(field string) error {
	for _, h := range []struct{ name, v string }{{"sign_in_heading", t.SignInHeading}, {"sign_up_heading", t.SignUpHeading}} {
		clean, err := text.Line(h.v, HeadingMax)
		if err != nil {
			return &InputError{Field: field + "." + h.name, Problem: err.Error()}
		}
		if clean != h.v {
			return &InputError{Field: field + "." + h.name, Problem: "starts or ends with white space; remove it"}
		}
	}
	for _, u := range []struct{ name, v string }{{"terms_url", t.TermsURL}, {"privacy_url", t.PrivacyURL}} {
		if err := checkLegalURL(u.v); err != nil {
			return &InputError{Field: field + "." + u.name, Problem: err.Error()}
		}
	}
	return nil
}

// checkLegalURL accepts an empty address or an absolute https one.
func checkLegalURL(s string) error {
	if s == "" {
		return nil
	}
	if len(s) > LegalURLMax {
		return fmt.Errorf("is longer than %d characters", LegalURLMax)
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || strings.ContainsAny(s, " \t\r\n\\") {
		return fmt.Errorf("%q is not an https address such as https://example.com/terms", s)
	}
	return nil
}

// checkColor accepts "#rrggbb" dark enough for white text.
func checkColor(c string) error {
	const field = "branding.primary_color"
	if len(c) != 7 || c[0] != '#' || strings.Trim(strings.ToLower(c[1:]), "0123456789abcdef") != "" {
		return &InputError{Field: field, Problem: fmt.Sprintf("%q is not a colour written #rrggbb, such as #3a4fd6", c)}
	}
	if r := ContrastWithWhite(c); r < MinContrast {
		return &InputError{Field: field, Problem: fmt.Sprintf("%s has a contrast of %.1f:1 with the buttons' white text; it needs at least %.1f:1, so choose a darker colour", c, r, MinContrast)}
	}
	return nil
}

// ContrastWithWhite returns the WCAG 2 contrast ratio of the colour
// "#rrggbb" with white.
func ContrastWithWhite(c string) float64 {
	lum := 0.0
	for i, w := range []float64{0.2126, 0.7152, 0.0722} {
		v, _ := strconv.ParseUint(c[1+2*i:3+2*i], 16, 8)
		s := float64(v) / 255
		if s <= 0.03928 {
			s /= 12.92
		} else {
			s = math.Pow((s+0.055)/1.055, 2.4)
		}
		lum += w * s
	}
	return 1.05 / (lum + 0.05)
}
