package federation

// Presets are the defaults of the providers people know, as generic
// OpenID Connect (or, for GitHub, OAuth 2.0 with its user API); "" is a
// generic OpenID Provider. A person gives the client id and secret, and
// for Microsoft Entra ID the issuer of their directory
// (https://login.microsoftonline.com/{tenant id}/v2.0).
var Presets = map[string]Settings{
	"": {Scopes: []string{"openid", "email", "profile"}, PKCE: true},
	"google": {
		Issuer: "https://accounts.google.com", Scopes: []string{"openid", "email", "profile"},
		PKCE: true, TrustEmailVerified: true,
	},
	// Entra ID's email claim is not verified by Microsoft: it is never
	// trusted by default.
	"microsoft": {Scopes: []string{"openid", "email", "profile"}, PKCE: true},
	// Apple answers with form_post whenever the email scope is asked for.
	"apple": {
		Issuer: "https://appleid.apple.com", Scopes: []string{"openid", "email"},
		PKCE: true, TrustEmailVerified: true, ResponseMode: ResponseModeFormPost,
	},
	"github": {
		AuthURL:  "https://github.com/login/oauth/authorize",
		TokenURL: "https://github.com/login/oauth/access_token",
		UserURL:  "https://api.github.com/user",
		Scopes:   []string{"read:user", "user:email"}, PKCE: true, TrustEmailVerified: true,
	},
}
