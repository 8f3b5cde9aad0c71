// Copy-paste code that connects an application to the tenant, filled with
// its issuer, client id and first redirect URI. The code itself is not
// translated; what surrounds it is. The secret never appears: the code
// reads it from the environment.
import { h } from "/static/console_dom.js";
import { t } from "/static/i18n.js";

// tokenPath is the provider's token endpoint (flows/provider.TokenPath),
// also listed in the discovery document.
const tokenPath = "/oidc/token";

// genericConfig is what any OpenID Connect library asks for.
function genericConfig(issuer, app) {
  const lines = [`issuer: ${issuer}`, `discovery: ${issuer}/.well-known/openid-configuration`, `client_id: ${app.clientId}`];
  if (app.secretSet) {
    lines.push("client_secret: $SESAME_CLIENT_SECRET", "token_endpoint_auth_method: client_secret_basic");
  } else {
    lines.push("token_endpoint_auth_method: none");
  }
  if (app.type === "M2M") {
    lines.push("grant_type: client_credentials");
  } else {
    lines.push(`redirect_uri: ${app.redirectUris[0] || ""}`, "response_type: code", "code_challenge_method: S256", "scope: openid profile email");
  }
  if (app.postLogoutRedirectUris.length > 0) lines.push(`post_logout_redirect_uri: ${app.postLogoutRedirectUris[0]}`);
  return lines.join("\n");
}

// goWeb is a server-side Go application with go-oidc and x/oauth2: the
// authorization code flow with PKCE and a nonce.
function goWeb(issuer, app) {
  return `import (
	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

provider, err := oidc.NewProvider(ctx, "${issuer}")
if err != nil {
	return err
}
conf := oauth2.Config{
	ClientID:     "${app.clientId}",
	ClientSecret: os.Getenv("SESAME_CLIENT_SECRET"),
	Endpoint:     provider.Endpoint(),
	RedirectURL:  "${app.redirectUris[0] || ""}",
	Scopes:       []string{oidc.ScopeOpenID, "profile", "email"},
}
verifier := provider.Verifier(&oidc.Config{ClientID: conf.ClientID})

// sign-in: state, nonce and pkce are random and kept in the session
pkce := oauth2.GenerateVerifier()
url := conf.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(pkce))
http.Redirect(w, r, url, http.StatusFound)

// callback: compare r.FormValue("state") with the session's state first
tok, err := conf.Exchange(ctx, r.FormValue("code"), oauth2.VerifierOption(pkce))
if err != nil {
	return err
}
idToken, err := verifier.Verify(ctx, tok.Extra("id_token").(string))
if err != nil || idToken.Nonce != nonce {
	return errors.New("sign-in failed")
}
var claims struct {
	Email string \`json:"email"\`
}
err = idToken.Claims(&claims)`;
}

// browserPKCE is a single-page application with oidc-client-ts, which
// uses the authorization code flow with PKCE (S256).
function browserPKCE(issuer, app) {
  const after = app.postLogoutRedirectUris[0] || new URL(app.redirectUris[0] || issuer).origin + "/";
  return `import { UserManager } from "oidc-client-ts";

const auth = new UserManager({
  authority: "${issuer}",
  client_id: "${app.clientId}",
  redirect_uri: "${app.redirectUris[0] || ""}",
  post_logout_redirect_uri: "${after}",
  response_type: "code",
  scope: "openid profile email",
});

// sign-in button
await auth.signinRedirect();

// on the redirect URI's page
const user = await auth.signinRedirectCallback();
console.log(user.profile.sub, user.profile.email);

// sign-out button
await auth.signoutRedirect();`;
}

// machine asks for an access token with the client credentials grant.
function machine(issuer, app) {
  return `curl -s -u "${app.clientId}:$SESAME_CLIENT_SECRET" \\
  -d grant_type=client_credentials \\
  ${issuer}${tokenPath}`;
}

// snippet is one titled block of code with its copy button.
function snippet(id, title, hint, code, copy) {
  const pre = h("pre", { class: "snippet", id, tabindex: "0" }, h("code", {}, code));
  return h("div", { class: "snippet-block" },
    h("h4", {}, title),
    hint ? h("p", { class: "hint" }, hint) : null,
    pre,
    copy(() => code, title));
}

// snippets returns the set-up code of app, in a disclosure; copy makes a
// copy button (copy(getText, what)).
export function snippets(issuer, app, copy) {
  const id = (kind) => `snippet-${kind}-${app.clientId}`;
  const blocks = [];
  if (app.type === "WEB") {
    blocks.push(snippet(id("go"), t("console.apps.snippet_go"), t("console.apps.snippet_go_hint"), goWeb(issuer, app), copy));
  } else if (app.type === "SPA") {
    blocks.push(snippet(id("spa"), t("console.apps.snippet_spa"), t("console.apps.snippet_spa_hint"), browserPKCE(issuer, app), copy));
  } else if (app.type === "M2M") {
    blocks.push(snippet(id("m2m"), t("console.apps.snippet_m2m"), null, machine(issuer, app), copy));
  }
  blocks.push(snippet(id("config"), t("console.apps.snippet_generic"), null, genericConfig(issuer, app), copy));
  return h("details", { class: "snippets" }, h("summary", {}, t("console.apps.snippets")), blocks);
}
