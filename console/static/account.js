// The account center of a tenant host (/account).
//
// The server renders a read-only shell (name and passkeys) and redirects a
// signed-out visitor to the sign-in page. This module loads `me` from the
// GraphQL account API (graphql.js: POST /graphql with the session cookie and
// the X-Sesame-Request header) and renders, in #account: the profile (the
// name, changed in place, and the email addresses and phone numbers, added
// by a code or removed), the passkeys (add, rename, remove after a
// confirmation), the password (set or change), 2-step verification
// (the on/off switch where the policy lets the user choose, the
// authenticator app, SMS, backup codes), the sessions (revoke others) and
// the connected apps (remove an app's access), and deleting the account
// (with, while it is pending deletion, "Keep my account" at the top).
// After every change it loads `me` again and renders from it, so the page
// shows what the server holds.
//
// Re-verification. Adding or removing a sign-in method or a second factor
// (and the 2-step switch, backup codes) needs a session that proved a factor
// within the last 10 minutes; otherwise a mutation answers
// `reverification_required`. The page then keeps the action, explains why,
// and offers the factors `me.reverificationFactors` lists: "Verify with a
// passkey" (beginReverification(PASSKEY), navigator.credentials.get with
// the user's own passkeys, finishReverification), and a code from the
// authenticator app, a text message or a backup code (beginReverification,
// then finishReverification with the code typed). The server moves this
// session's verification time to now: the session, its cookie and the
// other sessions stay as they were. The page then runs the kept action
// again.
//
// Words: everything the page shows comes from the page's strings
// (i18n.js; the account.* keys of internal/locale/locales/*/account.json, plus
// common.*), in the page's language: t() fills a sentence's {name}
// placeholders, parts() fills them with elements too. An error's sentence
// is account.errors.<code> when there is one, else errorText's (webauthn.js):
// the server's own sentence on an English page, errors.<code> otherwise.
//
// Messages: the alert (#message) and status (#status) lines sit together
// in #notes, which account_page.js moves next to what they are about: the
// form, passkey, factor or section the person last acted on.
//
// The page is split by job: account_page.js (state, messages, busy, load,
// act, render), account_html.js (building elements), and one module per
// part of the page with its actions: account_reverify.js,
// account_profile.js, account_passkeys.js, account_password.js,
// account_two_step.js, account_sessions.js, account_apps.js, account_linked.js,
// account_delete.js. Their words are account.* and account_manage.*.

import { h } from "/static/account_html.js";
import { t } from "/static/i18n.js";
import { message, load, render, explain, sayError, sayStatus, showSignedOut, root } from "/static/account_page.js";

async function start() {
  sayStatus(t("account.loading"));
  try {
    await load();
  } catch (err) {
    root.setAttribute("aria-busy", "false");
    if (err.code === "unauthenticated") {
      sayStatus("");
      showSignedOut();
      return;
    }
    sayStatus("");
    sayError(t("account.loadFailed", { reason: explain(err) }).trim());
    const again = h("button", { type: "button", id: "retry-load", class: "secondary", onclick: () => { again.remove(); start(); } }, t("account.retry"));
    message.after(again);
    again.focus();
    return;
  }
  sayStatus("");
  render();
}

start();
