// Where a finished sign-in or sign-up goes: back to the application's
// authorization request when the page was opened for one (?authRequest=ID,
// see flows/provider), else the account page.

export const authRequest = new URLSearchParams(window.location.search).get("authRequest");

export function doneURL() {
  return authRequest ? "/oidc/login?id=" + encodeURIComponent(authRequest) : "/account";
}

// goOn leaves the page after the step that signed in (its answer res):
// for the application's request, the server answered it in that step and
// says where to go ("redirect": the application itself, or its consent
// page); otherwise, or when it could not answer it, doneURL.
export function goOn(res) {
  window.location.assign((res && res.redirect) || doneURL());
}

// withAuthRequest carries the application's request over to another
// hosted page (sign-in ↔ sign-up), so that page returns to it too.
export function withAuthRequest(path) {
  return authRequest ? path + "?authRequest=" + encodeURIComponent(authRequest) : path;
}

// Switching the page's language keeps the application's request (and its
// login_hint): the language links carry the page's own query.
if (authRequest) {
  for (const a of document.querySelectorAll("nav.languages a[hreflang]")) {
    const query = new URLSearchParams(window.location.search);
    query.set("lang", a.hreflang);
    a.search = query.toString();
  }
}
