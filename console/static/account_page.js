// The account center's page: what it holds (state), what it says
// (messages), its busy state, loading `me`, running a change (act) and
// drawing the page from `me` (render). The parts of the page live in
// their own modules and call back here.

import { FlowError, errorText } from "/static/webauthn.js";
import { gql, GraphQLError } from "/static/graphql.js";
import { t, parts, has } from "/static/i18n.js";
import { withBusy } from "/static/busy.js";
import { acceptedCredentials, currentUserDetails } from "/static/signal.js";
import { h } from "/static/account_html.js";
import { askToReverify, reverifyPanel } from "/static/account_reverify.js";
import { passkeysSection } from "/static/account_passkeys.js";
import { twoStepSection } from "/static/account_two_step.js";
import { sessionsSection } from "/static/account_sessions.js";
import { appsSection } from "/static/account_apps.js";
import { linkedSection } from "/static/account_linked.js";
import { profileSection } from "/static/account_profile.js";
import { passwordSection } from "/static/account_password.js";
import { pendingNotice, deleteSection } from "/static/account_delete.js";

const ME = `query Me { me {
  id displayName locale avatar { url } identifiers { id kind value verified }
  hasPassword passwordMinLength passwordMaxLength deletionScheduledAt deletionGraceDays
  mfaEnabled mfaOptional availableFactors totp smsPhone backupCodesLeft
  passkeys { id name authenticatorName createdAt lastUsedAt synced backupEligible transports fitsPolicy }
  sessions { id createdAt expiresAt userAgent ip amr current }
  connectedApps { id application { id name clientId } scopes grantedAt updatedAt }
  linkedIdentities { id connector connectorId email createdAt lastUsedAt }
  reverificationFactors
  passkeySignals { rpId userId name displayName credentialIds }
} }`;

export const root = document.getElementById("account");
export const message = document.getElementById("message");
const status = document.getElementById("status");
// The messages (#message, an alert, and #status) sit together in #notes,
// which moves next to what they are about: into the form, passkey, factor
// or section the user last acted on (see placeNotes).
const notes = document.getElementById("notes");
const home = { parent: notes.parentElement, next: notes.nextSibling };

export const state = {
  tenant: root.dataset.tenantName || "",
  allowRegistration: root.dataset.allowRegistration === "true",
  me: null,
  // What is open on the page, kept across renders.
  ui: { renameId: null, removeId: null, totp: null, smsForm: false, sms: null, backupCodes: null, reverifyCode: null },
  // The action to run again once the user verified (re-verification).
  retry: null,
};

// Where the messages go: selectors of the element the user last acted on
// and its containers, innermost first. Kept as selectors because render
// rebuilds the page.
let anchors = [];
const placeable = "form, .factor, li, .confirm, .notice, section";

function anchorsOf(el) {
  const found = [];
  for (let n = el; n && n !== root && n instanceof Element; n = n.parentElement) {
    if (!n.matches(placeable)) continue;
    if (n.id) found.push(`#${CSS.escape(n.id)}`);
    else if (n.dataset.id) found.push(`${n.tagName.toLowerCase()}[data-id="${CSS.escape(n.dataset.id)}"]`);
  }
  return found;
}

for (const kind of ["click", "submit", "change"]) {
  root.addEventListener(kind, (e) => { anchors = anchorsOf(e.target); }, true);
}

// placeNotes puts the messages at the end of the innermost element still on
// the page that the user last acted on, or back under the page.
export function placeNotes() {
  for (const sel of anchors) {
    const el = root.querySelector(sel);
    if (!el) continue;
    if (notes.parentElement !== el || el.lastElementChild !== notes) el.append(notes);
    return;
  }
  if (notes.parentElement !== home.parent) home.parent.insertBefore(notes, home.next);
}

export function sayError(text) {
  if (text) placeNotes();
  message.textContent = text || "";
}

export function sayStatus(text) {
  if (text) placeNotes();
  status.textContent = text || "";
}

export function clearMessages() {
  sayError("");
  sayStatus("");
}

// explain turns any error into a sentence for the page: the account
// center's own sentence for a code it knows (account.errors.*), else the
// one errorText (webauthn.js) gives: the server's sentence on an English
// page, errors.<code> in another language, errors.unknown at worst.
export function explain(err) {
  if (err instanceof GraphQLError || err instanceof FlowError) {
    if (has(`account_manage.errors.${err.code}`)) return t(`account_manage.errors.${err.code}`);
    if (has(`account.errors.${err.code}`)) return t(`account.errors.${err.code}`);
    return errorText(err.code, err.field, err instanceof GraphQLError ? err.serverMessage : err.message, err.params);
  }
  if (err && err.name === "AbortError") return "";
  if (err && typeof err.name === "string" && has(`account.passkeyErrors.${err.name}`)) return t(`account.passkeyErrors.${err.name}`);
  if (err instanceof DOMException) return t("account.passkeyErrors.other");
  return t("account.errors.error");
}

// busy disables the page's controls during a request, and gives them back
// (with the focus) afterwards.
let disabledByBusy = [];
let focusBeforeBusy = null;
export function busy(on) {
  root.setAttribute("aria-busy", on ? "true" : "false");
  if (on) {
    focusBeforeBusy = document.activeElement;
    disabledByBusy = [...root.querySelectorAll("button, input")].filter((el) => !el.disabled);
    for (const el of disabledByBusy) el.disabled = true;
    if (!status.textContent) sayStatus(t("common.working"));
    return;
  }
  for (const el of disabledByBusy) el.disabled = false;
  disabledByBusy = [];
  if (status.textContent === t("common.working")) sayStatus("");
  if (focusBeforeBusy && focusBeforeBusy.isConnected && document.activeElement === document.body) {
    focusBeforeBusy.focus();
  }
  focusBeforeBusy = null;
}

// load reads `me` and tells the browser what it says of the passkeys
// (signal.js): every passkey the account holds, and the name and primary
// identifier once they changed.
export async function load() {
  const data = await gql(ME);
  const before = state.me && state.me.passkeySignals;
  state.me = data.me;
  const now = data.me.passkeySignals;
  acceptedCredentials(now);
  if (before && (before.name !== now.name || before.displayName !== now.displayName)) currentUserDetails(now);
}

// act runs a change: on success it reloads `me`, renders, says done and
// focuses what `run` returns (a selector); a reverification_required
// answer keeps the action for after "Verify with a passkey".
export async function act(run, done, where = anchors) {
  anchors = where;
  clearMessages();
  let focus = null;
  try {
    focus = await withBusy(busy, async () => {
      const f = await run();
      await load();
      return f;
    });
  } catch (err) {
    if (err.code === "reverification_required") {
      askToReverify(() => act(run, done, where));
      return;
    }
    if (err.code === "unauthenticated") {
      showSignedOut();
      return;
    }
    sayError(explain(err));
    return;
  }
  render(focus);
  sayStatus(typeof done === "function" ? done() : done || "");
}

export function showSignedOut() {
  anchors = [];
  placeNotes();
  root.replaceChildren(
    h("h1", {}, t("account.title", { tenant: state.tenant })),
    h("p", {}, t("account.signedOut")),
    h("p", {}, h("a", { href: "/", id: "sign-in-again" }, t("account.signInAgain"))),
  );
  root.setAttribute("aria-busy", "false");
}


export function render(focus) {
  const me = state.me;
  const page = [
    h("h1", {}, t("account.title", { tenant: state.tenant })),
    h("p", {}, parts("account.signedInAs", { name: h("strong", { id: "user-name" }, me.displayName) })),
    pendingNotice(me),
    state.retry ? reverifyPanel() : null,
    profileSection(me),
    passkeysSection(me),
    passwordSection(me),
    twoStepSection(me),
    sessionsSection(me),
    appsSection(me),
    linkedSection(me),
    deleteSection(me),
  ];
  root.replaceChildren(...page.filter(Boolean));
  placeNotes();
  root.setAttribute("aria-busy", "false");
  if (focus) {
    const el = root.querySelector(focus);
    if (el) el.focus();
    // A name to change is selected, so typing replaces it.
    if (el && el.classList.contains("rename-input")) el.select();
  }
}
