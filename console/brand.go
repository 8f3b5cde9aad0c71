package console

// BrandView is a tenant's branding on a hosted page (sign-in, sign-up,
// account). Every part is optional: the zero value is Sesame's own look.
// The page links the stylesheet (never an inline style, which the pages'
// Content-Security-Policy forbids) and the logo by URLs of the tenant
// host that carry their version.
type BrandView struct {
	// StyleURL is the tenant's stylesheet (its colour, theme and custom
	// CSS), linked after Sesame's own.
	StyleURL string
	// LogoURL is the tenant's logo, shown above the page's heading.
	LogoURL string
	// SignInHeading and SignUpHeading replace the pages' headings.
	SignInHeading string
	SignUpHeading string
	// TermsURL and PrivacyURL are linked at the foot of the page.
	TermsURL   string
	PrivacyURL string
}
