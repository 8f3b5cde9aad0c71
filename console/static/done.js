// Where a finished sign-in or sign-up goes: back to the application's
// authorization request when the page was opened for one (?authRequest=ID,
// see flows/provider), else the account page.

export const authRequest = new URLSearchParams(window.location.search).get("authRequest");

export function doneURL() {
  return authRequest ? "/oidc/login?id=" + encodeURIComponent(authRequest) : "/account";
}

// finishURL is where to go after the step answered res: the address the
// server names (a "redirect" or "location" field, at the top or in the
// result: the application's redirect once the provider finished its
// request), else doneURL. An address that would run a script instead of
// loading a page is never followed.
export function finishURL(res) {
  const r = (res && res.result) || {};
  for (const v of [res && res.redirect, res && res.location, r.redirect, r.location]) {
    if (typeof v !== "string" || !v) continue;
    let u;
    try {
      u = new URL(v, window.location.href);
    } catch {
      continue;
    }
    if (!["javascript:", "data:", "vbscript:", "blob:"].includes(u.protocol)) return u.href;
  }
  return doneURL();
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
