package console

import "net/http"

// Reasons an application's request is refused on Sesame's own page.
const (
	AppErrorUnknownClient   = "unknown_client"
	AppErrorUnknownRedirect = "unknown_redirect"
	AppErrorExpired         = "expired"
	AppErrorOtherBrowser    = "other_browser"
)

// AppErrorView is the page shown instead of answering an application's
// authorization request when Sesame cannot trust the place the answer
// would go (an unknown client or redirect URI: never redirect there), or
// the request can no longer be answered.
type AppErrorView struct {
	Locale
	TenantName string
	// Reason is one of the AppError… constants.
	Reason string
}

// AppError renders the application error page with status 400.
func (p *Pages) AppError(w http.ResponseWriter, r *http.Request, v AppErrorView) {
	if v.Locale.IsZero() {
		v.Locale = p.Locale(DefaultLanguage, "sign_in")
	}
	p.render(w, r, http.StatusBadRequest, "app_error", v)
}
