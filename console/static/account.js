// The account center of a tenant host (/account).
//
// The server renders a read-only shell (name and passkeys) and redirects a
// signed-out visitor to the sign-in page. This module loads `me` from the
// GraphQL account API (graphql.js: POST /graphql with the session cookie and
// the X-Sesame-Request header) and renders, in #account: the profile, the
// passkeys (add, rename, remove after a confirmation), 2-step verification
// (the on/off switch where the policy lets the user choose, the
// authenticator app, SMS, backup codes) and the sessions (revoke others).
// After every change it loads `me` again and renders from it, so the page
// shows what the server holds.
//
// Re-verification. Adding or removing a sign-in method or a second factor
// (and the 2-step switch, backup codes) needs a session that proved a factor
// within the last 10 minutes; otherwise a mutation answers
// `reverification_required`. The page then keeps the action, explains why,
// and offers "Verify with a passkey": a passkey sign-in through the flow API
// as the hosted sign-in page does it (POST /api/flows/sign-in, `identify`
// with the user's own identifier so that only their passkeys are offered,
// or `passkey.begin` for a user without one; then navigator.credentials.get
// and `passkey.finish`). The server answers with a fresh session cookie; the
// page checks that it belongs to the same user, revokes the session it
// replaced, and runs the kept action again.
//
// Words: everything the page shows comes from STRINGS below ({name}
// placeholders are filled by t() and nodes()); server sentences are shown
// only for codes STRINGS.errors does not know.

import { supported, create, get, Flow, FlowError } from "/static/webauthn.js";
import { gql, GraphQLError } from "/static/graphql.js";

const STRINGS = {
  title: "Your {tenant} account",
  loading: "Loading your account…",
  loadFailed: "Your account could not be loaded.",
  retry: "Try again",
  signedOut: "Your session has ended. Sign in again to manage your account.",
  signInAgain: "Sign in again",
  signOut: "Sign out",
  working: "Working…",

  profile: "Profile",
  signedInAs: "Signed in as {name}.",
  displayName: "Name",
  identifiers: "Sign-in identifiers",
  identifierKinds: { EMAIL: "Email", PHONE: "Phone", USERNAME: "Username" },
  identifierLine: "{kind}: {value}",
  verified: "verified",
  notVerified: "not verified",

  passkeys: "Passkeys",
  noPasskeys: "You have no passkeys yet.",
  created: "Created {date}",
  lastUsed: "Last used {date}",
  notUsed: "Not used yet",
  synced: "Synced",
  canSync: "Can be synced",
  deviceOnly: "This device only",
  transports: "Connects by: {list}",
  transportNames: { internal: "this device", hybrid: "phone or tablet", usb: "USB", nfc: "NFC", ble: "Bluetooth", "smart-card": "smart card" },
  rename: "Rename",
  renameLabel: "Rename {name}",
  newName: "New name for {name}",
  save: "Save",
  cancel: "Cancel",
  nameEmpty: "Enter a name for the passkey.",
  renamed: "Passkey renamed.",
  remove: "Remove",
  removeLabel: "Remove {name}",
  removeConfirm: "Remove “{name}”? You will no longer be able to sign in with it. It stays on its device until you delete it there too.",
  removeYes: "Remove passkey",
  keep: "Keep it",
  removed: "Passkey removed.",
  addName: "Name for the new passkey (optional)",
  addPlaceholder: "e.g. Work laptop",
  add: "Add a passkey",
  added: "Passkey added.",
  noWebAuthn: "This browser can't create passkeys.",

  twoStep: "2-step verification",
  twoStepIntro: "When you sign in with a password or a code, ask for a second step.",
  twoStepSwitch: "Use 2-step verification",
  twoStepOn: "2-step verification is on.",
  twoStepOff: "2-step verification is off.",
  twoStepRequired: "Your organization requires 2-step verification, so it can't be turned off.",
  twoStepTurnedOn: "2-step verification turned on.",
  twoStepTurnedOff: "2-step verification turned off.",
  totp: "Authenticator app",
  totpOn: "An authenticator app is set up.",
  totpOff: "Use an app such as a password manager to get a new code every 30 seconds.",
  totpSetup: "Set up an authenticator app",
  totpScan: "Scan this QR code with your authenticator app.",
  totpQRAlt: "QR code for your authenticator app",
  totpKey: "Can't scan it? Enter this key in the app:",
  totpCode: "6-digit code from the app",
  confirm: "Confirm",
  codeEmpty: "Enter the code.",
  totpAdded: "Authenticator app set up.",
  totpRemoved: "Authenticator app removed.",
  removeTOTP: "Remove the authenticator app",
  sms: "Text message (SMS)",
  smsOn: "Codes go to {phone}.",
  smsOff: "Get a code by text message.",
  smsSetup: "Set up text messages",
  smsPhone: "Phone number, in international form (e.g. +14155550123)",
  smsSend: "Send code",
  phoneEmpty: "Enter a phone number.",
  smsCode: "Code sent to {phone}",
  smsAdded: "Phone number set up.",
  smsRemoved: "Phone number removed.",
  removeSMS: "Remove the phone number",
  backup: "Backup codes",
  backupIntro: "Use a backup code when you can't use your other ways to verify. Each works once.",
  backupLeftOne: "1 backup code left.",
  backupLeftOther: "{count} backup codes left.",
  backupNone: "You have no backup codes.",
  backupRegenerate: "Get new backup codes",
  backupShown: "Your new backup codes. Save them somewhere safe now: they are shown only this once, and your old codes no longer work.",
  backupDone: "I saved them",

  sessions: "Sessions",
  sessionsIntro: "Where your account is signed in.",
  thisSession: "This session",
  sessionSignedIn: "Signed in {date}",
  sessionExpires: "Ends {date}",
  sessionFrom: "From {ip}",
  sessionBy: "With {methods}",
  amr: { webauthn: "passkey", pwd: "password", otp: "authenticator app", sms: "text message", mfa: "2-step verification", email: "email code" },
  unknownDevice: "Unknown browser",
  deviceLine: "{browser} on {os}",
  revoke: "Sign out",
  revokeLabel: "Sign out the session {device}, signed in {date}",
  revoked: "Session signed out.",

  reverifyTitle: "Verify it's you",
  reverifyText: "Changes to how you sign in need a recent verification: more than 10 minutes have passed since you signed in. Verify with a passkey, and the change goes through.",
  reverifyButton: "Verify with a passkey",
  reverifyNoWebAuthn: "This browser can't use passkeys. Sign out and sign in again, then make the change within 10 minutes.",
  reverified: "Verified.",

  passkeyErrors: {
    NotAllowedError: "The passkey request was cancelled or timed out. Try again.",
    InvalidStateError: "This device already has a passkey for this account.",
    SecurityError: "Passkeys can't be used on this address.",
    AbortError: "",
    other: "Something went wrong with the passkey. Try again.",
  },
  errors: {
    network: "Could not reach the server. Check your connection and try again.",
    internal: "Something went wrong on our side. Try again in a moment.",
    error: "Something went wrong. Try again.",
    last_sign_in_method: "This is your last way to sign in. Add another one before removing it.",
    mfa_required_by_policy: "2-step verification is required here: keep at least one way to verify.",
    invalid_code: "That code is not right. Check it and try again.",
    code_expired: "That code has expired. Send a new one.",
    factor_exists: "This is already set up. Remove it first to set it up again.",
    no_passkey_here: "No passkey can verify this account here. Sign out and sign in again, then make the change within 10 minutes.",
  },
};

// t returns the string key with its {placeholders} filled.
function t(key, params) {
  return fill(STRINGS[key], params);
}

function fill(text, params) {
  return String(text).replace(/\{(\w+)\}/g, (_, k) => (params && k in params ? String(params[k]) : ""));
}

// nodes returns the string key as nodes, with placeholders filled by
// strings or elements.
function nodes(key, params) {
  const out = [];
  const parts = String(STRINGS[key]).split(/(\{\w+\})/);
  for (const part of parts) {
    const m = /^\{(\w+)\}$/.exec(part);
    if (!m) {
      if (part) out.push(part);
      continue;
    }
    const v = params ? params[m[1]] : "";
    out.push(v instanceof Node ? v : String(v ?? ""));
  }
  return out;
}

// h builds an element: attributes (on* are listeners, booleans toggle) and
// children (strings, nodes, arrays, null).
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  const add = (c) => {
    if (c === null || c === undefined || c === false) return;
    if (Array.isArray(c)) c.forEach(add);
    else el.append(c instanceof Node ? c : String(c));
  };
  children.forEach(add);
  return el;
}

const ME = `query Me { me {
  id displayName identifiers { kind value verified }
  mfaEnabled mfaOptional availableFactors totp smsPhone backupCodesLeft
  passkeys { id name authenticatorName createdAt lastUsedAt synced backupEligible transports }
  sessions { id createdAt expiresAt userAgent ip amr current }
} }`;

const root = document.getElementById("account");
const message = document.getElementById("message");
const status = document.getElementById("status");
const signOutButton = document.getElementById("sign-out");

const state = {
  tenant: root.dataset.tenantName || "",
  allowRegistration: root.dataset.allowRegistration === "true",
  me: null,
  // What is open on the page, kept across renders.
  ui: { renameId: null, removeId: null, totp: null, smsForm: false, sms: null, backupCodes: null },
  // The action to run again once the user verified (re-verification).
  retry: null,
};

const lang = document.documentElement.lang || undefined;
const dayFormat = new Intl.DateTimeFormat(lang, { dateStyle: "medium" });
const timeFormat = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });

function timeEl(iso, withTime) {
  const d = new Date(iso);
  return h("time", { datetime: iso }, (withTime ? timeFormat : dayFormat).format(d));
}

function sayError(text) {
  message.textContent = text || "";
}

function sayStatus(text) {
  status.textContent = text || "";
}

function clearMessages() {
  sayError("");
  sayStatus("");
}

// explain turns any error into a sentence for the page.
function explain(err) {
  if (err instanceof GraphQLError || err instanceof FlowError) {
    return STRINGS.errors[err.code] || err.serverMessage || err.message || STRINGS.errors.error;
  }
  if (err && err.name in STRINGS.passkeyErrors) return STRINGS.passkeyErrors[err.name];
  if (err instanceof DOMException) return STRINGS.passkeyErrors.other;
  return STRINGS.errors.error;
}

// busy disables the page's controls during a request, and gives them back
// (with the focus) afterwards.
let disabledByBusy = [];
let focusBeforeBusy = null;
function busy(on) {
  root.setAttribute("aria-busy", on ? "true" : "false");
  if (on) {
    focusBeforeBusy = document.activeElement;
    disabledByBusy = [...root.querySelectorAll("button, input")].filter((el) => !el.disabled);
    for (const el of disabledByBusy) el.disabled = true;
    if (!status.textContent) sayStatus(STRINGS.working);
    return;
  }
  for (const el of disabledByBusy) el.disabled = false;
  disabledByBusy = [];
  if (status.textContent === STRINGS.working) sayStatus("");
  if (focusBeforeBusy && focusBeforeBusy.isConnected && document.activeElement === document.body) {
    focusBeforeBusy.focus();
  }
  focusBeforeBusy = null;
}

async function load() {
  const data = await gql(ME);
  state.me = data.me;
}

// act runs a change: on success it reloads `me`, renders, says done and
// focuses what `run` returns (a selector); a reverification_required
// answer keeps the action for after "Verify with a passkey".
async function act(run, done) {
  clearMessages();
  busy(true);
  let focus = null;
  try {
    focus = await run();
    await load();
  } catch (err) {
    busy(false);
    if (err.code === "reverification_required") {
      askToReverify(() => act(run, done));
      return;
    }
    if (err.code === "unauthenticated") {
      showSignedOut();
      return;
    }
    const text = explain(err);
    sayError(text);
    return;
  }
  busy(false);
  render(focus);
  sayStatus(typeof done === "function" ? done() : done || "");
}

function askToReverify(retry) {
  state.retry = retry;
  render("#reverify-button");
}

// signInAgain proves a passkey through the sign-in flow; the response sets
// a fresh session cookie. It returns false when the page had to reload (the
// passkey was another user's).
async function signInAgain() {
  const before = state.me;
  const old = before.sessions.find((s) => s.current);
  const ident = ["EMAIL", "PHONE", "USERNAME"].map((k) => before.identifiers.find((i) => i.kind === k)).find(Boolean);
  const flow = new Flow("sign-in");
  let options;
  if (ident) {
    const res = await flow.begin("identify", { identifier: ident.value });
    if (res.flow.state !== "passkey" || !res.result.passkey) throw new FlowError("no_passkey_here", "");
    options = res.result.passkey.publicKey;
  } else {
    const res = await flow.begin("passkey.begin", {});
    options = res.result.passkey.publicKey;
  }
  const credential = await get(options);
  await flow.step("passkey.finish", { credential });
  const fresh = (await gql(ME)).me;
  if (fresh.id !== before.id) {
    window.location.reload();
    return false;
  }
  if (old) {
    // The session the fresh one replaces: no browser holds its cookie now.
    await gql("mutation($id: ID!) { revokeSession(id: $id) }", { id: old.id }).catch(() => {});
  }
  state.me = fresh;
  return true;
}

async function reverify() {
  clearMessages();
  busy(true);
  let ok = false;
  try {
    ok = await signInAgain();
  } catch (err) {
    busy(false);
    sayError(explain(err));
    return;
  }
  busy(false);
  if (!ok) return;
  const retry = state.retry;
  state.retry = null;
  sayStatus(STRINGS.reverified);
  if (retry) await retry();
  else render();
}

function showSignedOut() {
  root.replaceChildren(
    h("h1", {}, t("title", { tenant: state.tenant })),
    h("p", {}, STRINGS.signedOut),
    h("p", {}, h("a", { href: "/", id: "sign-in-again" }, STRINGS.signInAgain)),
  );
  root.setAttribute("aria-busy", "false");
}

// ---- Rendering -------------------------------------------------------

function render(focus) {
  const me = state.me;
  const parts = [
    h("h1", {}, t("title", { tenant: state.tenant })),
    h("p", {}, nodes("signedInAs", { name: h("strong", { id: "user-name" }, me.displayName) })),
    state.retry ? reverifyPanel() : null,
    profileSection(me),
    passkeysSection(me),
    twoStepSection(me),
    sessionsSection(me),
  ];
  root.replaceChildren(...parts.filter(Boolean));
  root.setAttribute("aria-busy", "false");
  if (focus) {
    const el = root.querySelector(focus);
    if (el) el.focus();
    // A name to change is selected, so typing replaces it.
    if (el && el.classList.contains("rename-input")) el.select();
  }
}

function reverifyPanel() {
  const can = supported();
  return h("section", { id: "reverify", class: "panel notice", "aria-labelledby": "reverify-title" },
    h("h2", { id: "reverify-title", tabindex: "-1" }, STRINGS.reverifyTitle),
    h("p", { id: "reverify-text" }, can ? STRINGS.reverifyText : STRINGS.reverifyNoWebAuthn),
    h("div", { class: "actions" },
      can ? h("button", { type: "button", id: "reverify-button", onclick: reverify }, STRINGS.reverifyButton) : null,
      h("button", { type: "button", class: "secondary", id: "reverify-cancel", onclick: () => { state.retry = null; clearMessages(); render(); } }, STRINGS.cancel)));
}

function section(id, title, ...children) {
  return h("section", { id, "aria-labelledby": `${id}-title` }, h("h2", { id: `${id}-title`, tabindex: "-1" }, title), ...children);
}

function profileSection(me) {
  return section("profile", STRINGS.profile,
    h("dl", { class: "facts" },
      h("dt", {}, STRINGS.displayName), h("dd", { id: "profile-name" }, me.displayName),
      h("dt", {}, STRINGS.identifiers),
      h("dd", {}, h("ul", { id: "identifiers", class: "plain" }, me.identifiers.map((i) =>
        h("li", { class: "identifier" },
          t("identifierLine", { kind: STRINGS.identifierKinds[i.kind] || i.kind, value: i.value }),
          " ", h("span", { class: "muted" }, `(${i.verified ? STRINGS.verified : STRINGS.notVerified})`)))))));
}

function syncText(p) {
  if (p.synced) return STRINGS.synced;
  if (p.backupEligible) return STRINGS.canSync;
  return STRINGS.deviceOnly;
}

function passkeyItem(p) {
  const ui = state.ui;
  const details = [
    h("span", { class: "passkey-name" }, p.name),
    p.authenticatorName && p.authenticatorName !== p.name ? h("span", { class: "passkey-authenticator" }, p.authenticatorName) : null,
    h("span", { class: "passkey-meta" },
      nodes("created", { date: timeEl(p.createdAt) }), " · ",
      p.lastUsedAt ? nodes("lastUsed", { date: timeEl(p.lastUsedAt) }) : STRINGS.notUsed, " · ",
      h("span", { class: "passkey-sync" }, syncText(p))),
    p.transports.length > 0
      ? h("span", { class: "passkey-transports" }, t("transports", { list: p.transports.map((x) => STRINGS.transportNames[x] || x).join(", ") }))
      : null,
  ];
  let tail;
  if (ui.renameId === p.id) {
    const inputId = `rename-${p.id}`;
    tail = h("form", { class: "inline-form rename-form", novalidate: true, onsubmit: (e) => { e.preventDefault(); renamePasskey(p, e.target.elements.name); } },
      h("label", { for: inputId }, t("newName", { name: p.name })),
      h("input", { id: inputId, name: "name", type: "text", maxlength: "100", value: p.name, autocomplete: "off", class: "rename-input" }),
      h("div", { class: "actions" },
        h("button", { type: "submit", class: "rename-save" }, STRINGS.save),
        h("button", { type: "button", class: "secondary rename-cancel", onclick: () => { ui.renameId = null; clearMessages(); render(`li[data-id="${p.id}"] .passkey-rename`); } }, STRINGS.cancel)));
  } else if (ui.removeId === p.id) {
    tail = h("div", { class: "confirm", role: "group", "aria-labelledby": `remove-text-${p.id}` },
      h("p", { id: `remove-text-${p.id}`, class: "remove-text" }, t("removeConfirm", { name: p.name })),
      h("div", { class: "actions" },
        h("button", { type: "button", class: "danger passkey-remove-confirm", onclick: () => removePasskey(p) }, STRINGS.removeYes),
        h("button", { type: "button", class: "secondary passkey-remove-cancel", onclick: () => { ui.removeId = null; clearMessages(); render(`li[data-id="${p.id}"] .passkey-remove`); } }, STRINGS.keep)));
  } else {
    tail = h("div", { class: "actions" },
      h("button", { type: "button", class: "secondary passkey-rename", "aria-label": t("renameLabel", { name: p.name }),
        onclick: () => { ui.renameId = p.id; ui.removeId = null; clearMessages(); render(`#rename-${CSS.escape(p.id)}`); } }, STRINGS.rename),
      h("button", { type: "button", class: "secondary passkey-remove", "aria-label": t("removeLabel", { name: p.name }),
        onclick: () => { ui.removeId = p.id; ui.renameId = null; clearMessages(); render(`li[data-id="${p.id}"] .passkey-remove-cancel`); } }, STRINGS.remove));
  }
  return h("li", { class: "passkey", "data-id": p.id }, details, tail);
}

function passkeysSection(me) {
  let add = null;
  if (state.allowRegistration && !supported()) {
    add = h("p", { id: "no-webauthn" }, STRINGS.noWebAuthn);
  } else if (state.allowRegistration) {
    add = h("form", { id: "add-passkey-form", novalidate: true, onsubmit: (e) => { e.preventDefault(); addPasskey(e.target.elements.name.value.trim()); } },
      h("label", { for: "passkey-name" }, STRINGS.addName),
      h("input", { id: "passkey-name", name: "name", type: "text", maxlength: "100", placeholder: STRINGS.addPlaceholder, autocomplete: "off" }),
      h("button", { type: "submit", id: "add-passkey" }, STRINGS.add));
  }
  return section("passkeys-section", STRINGS.passkeys,
    h("ul", { id: "passkeys", class: "passkeys" },
      me.passkeys.length > 0 ? me.passkeys.map(passkeyItem) : h("li", { id: "no-passkeys" }, STRINGS.noPasskeys)),
    add);
}

function twoStepSection(me) {
  const has = (f) => me.availableFactors.includes(f);
  const ui = state.ui;
  const parts = [h("p", { class: "muted" }, STRINGS.twoStepIntro)];

  // The switch, a checkbox with the switch role; disabled where the policy
  // is mandatory.
  parts.push(h("div", { class: "switch-row" },
    h("input", { type: "checkbox", role: "switch", id: "mfa-switch", checked: me.mfaEnabled, disabled: !me.mfaOptional,
      "aria-describedby": "mfa-state", onchange: (e) => setMFA(e.target.checked) }),
    h("label", { for: "mfa-switch" }, STRINGS.twoStepSwitch)));
  parts.push(h("p", { id: "mfa-state" }, me.mfaOptional ? (me.mfaEnabled ? STRINGS.twoStepOn : STRINGS.twoStepOff) : STRINGS.twoStepRequired));

  if (has("TOTP")) {
    const box = [h("h3", { id: "totp-title", tabindex: "-1" }, STRINGS.totp)];
    if (me.totp) {
      box.push(h("p", { id: "totp-state" }, STRINGS.totpOn),
        h("button", { type: "button", class: "secondary", id: "totp-remove", onclick: removeTOTP }, STRINGS.removeTOTP));
    } else if (ui.totp) {
      box.push(h("p", {}, STRINGS.totpScan),
        h("img", { id: "totp-qr", src: ui.totp.qrCode, alt: STRINGS.totpQRAlt, width: "200", height: "200" }),
        h("p", {}, STRINGS.totpKey, " ", h("code", { id: "totp-secret" }, ui.totp.secret)),
        h("form", { id: "totp-form", novalidate: true, onsubmit: (e) => { e.preventDefault(); confirmTOTP(e.target.elements.code); } },
          h("label", { for: "totp-code" }, STRINGS.totpCode),
          h("input", { id: "totp-code", name: "code", type: "text", inputmode: "numeric", autocomplete: "one-time-code", maxlength: "10" }),
          h("div", { class: "actions" },
            h("button", { type: "submit", id: "totp-confirm" }, STRINGS.confirm),
            h("button", { type: "button", class: "secondary", id: "totp-cancel", onclick: () => { ui.totp = null; clearMessages(); render("#totp-setup"); } }, STRINGS.cancel))));
    } else {
      box.push(h("p", { id: "totp-state", class: "muted" }, STRINGS.totpOff),
        h("button", { type: "button", class: "secondary", id: "totp-setup", onclick: beginTOTP }, STRINGS.totpSetup));
    }
    parts.push(h("div", { class: "factor", id: "totp" }, box));
  }

  if (has("SMS")) {
    const box = [h("h3", { id: "sms-title", tabindex: "-1" }, STRINGS.sms)];
    if (me.smsPhone) {
      box.push(h("p", { id: "sms-state" }, t("smsOn", { phone: me.smsPhone })),
        h("button", { type: "button", class: "secondary", id: "sms-remove", onclick: removeSMS }, STRINGS.removeSMS));
    } else if (ui.sms) {
      box.push(h("form", { id: "sms-code-form", novalidate: true, onsubmit: (e) => { e.preventDefault(); confirmSMS(e.target.elements.code); } },
        h("label", { for: "sms-code" }, t("smsCode", { phone: ui.sms.sentTo })),
        h("input", { id: "sms-code", name: "code", type: "text", inputmode: "numeric", autocomplete: "one-time-code", maxlength: "10" }),
        h("div", { class: "actions" },
          h("button", { type: "submit", id: "sms-confirm" }, STRINGS.confirm),
          h("button", { type: "button", class: "secondary", id: "sms-cancel", onclick: () => { ui.sms = null; ui.smsForm = false; clearMessages(); render("#sms-setup"); } }, STRINGS.cancel))));
    } else if (ui.smsForm) {
      box.push(h("form", { id: "sms-phone-form", novalidate: true, onsubmit: (e) => { e.preventDefault(); beginSMS(e.target.elements.phone); } },
        h("label", { for: "sms-phone" }, STRINGS.smsPhone),
        h("input", { id: "sms-phone", name: "phone", type: "tel", autocomplete: "tel", maxlength: "20" }),
        h("div", { class: "actions" },
          h("button", { type: "submit", id: "sms-send" }, STRINGS.smsSend),
          h("button", { type: "button", class: "secondary", id: "sms-cancel", onclick: () => { ui.smsForm = false; clearMessages(); render("#sms-setup"); } }, STRINGS.cancel))));
    } else {
      box.push(h("p", { id: "sms-state", class: "muted" }, STRINGS.smsOff),
        h("button", { type: "button", class: "secondary", id: "sms-setup", onclick: () => { ui.smsForm = true; clearMessages(); render("#sms-phone"); } }, STRINGS.smsSetup));
    }
    parts.push(h("div", { class: "factor", id: "sms" }, box));
  }

  if (has("BACKUP_CODES")) {
    const left = me.backupCodesLeft;
    const box = [h("h3", { id: "backup-title", tabindex: "-1" }, STRINGS.backup), h("p", { class: "muted" }, STRINGS.backupIntro)];
    if (ui.backupCodes) {
      box.push(h("p", { id: "backup-codes-text" }, STRINGS.backupShown),
        h("ol", { id: "backup-codes", class: "backup-codes", "aria-labelledby": "backup-codes-text" }, ui.backupCodes.map((c) => h("li", { class: "backup-code" }, c))),
        h("button", { type: "button", id: "backup-codes-saved", onclick: () => { ui.backupCodes = null; clearMessages(); render("#backup-regenerate"); } }, STRINGS.backupDone));
    } else {
      box.push(h("p", { id: "backup-left" }, left === 0 ? STRINGS.backupNone : left === 1 ? STRINGS.backupLeftOne : t("backupLeftOther", { count: left })),
        h("button", { type: "button", class: "secondary", id: "backup-regenerate", onclick: regenerateBackupCodes }, STRINGS.backupRegenerate));
    }
    parts.push(h("div", { class: "factor", id: "backup" }, box));
  }
  return section("two-step", STRINGS.twoStep, parts);
}

// device names the browser and system of a user agent, roughly; product
// names need no translation.
function device(ua) {
  const browsers = [["Edg/", "Edge"], ["OPR/", "Opera"], ["Firefox/", "Firefox"], ["Chrome/", "Chrome"], ["Safari/", "Safari"]];
  const systems = [["Android", "Android"], ["iPhone", "iOS"], ["iPad", "iPadOS"], ["Windows", "Windows"], ["Mac OS X", "macOS"], ["CrOS", "ChromeOS"], ["Linux", "Linux"]];
  const b = browsers.find(([k]) => ua.includes(k));
  const o = systems.find(([k]) => ua.includes(k));
  if (!b && !o) return ua || STRINGS.unknownDevice;
  if (!o) return b[1];
  if (!b) return o[1];
  return t("deviceLine", { browser: b[1], os: o[1] });
}

function sessionsSection(me) {
  const list = [...me.sessions].sort((a, b) => (b.current ? 1 : 0) - (a.current ? 1 : 0) || b.createdAt.localeCompare(a.createdAt));
  return section("sessions", STRINGS.sessions,
    h("p", { class: "muted" }, STRINGS.sessionsIntro),
    h("ul", { id: "session-list", class: "sessions" }, list.map((s) => {
      const name = device(s.userAgent);
      return h("li", { class: s.current ? "session current" : "session", "data-id": s.id },
        h("span", { class: "session-device", title: s.userAgent }, name),
        s.current ? h("span", { class: "badge session-current" }, STRINGS.thisSession) : null,
        h("span", { class: "session-meta" },
          nodes("sessionSignedIn", { date: timeEl(s.createdAt, true) }), " · ",
          nodes("sessionExpires", { date: timeEl(s.expiresAt, true) })),
        h("span", { class: "session-meta" },
          s.ip ? t("sessionFrom", { ip: s.ip }) : null,
          s.ip && s.amr.length > 0 ? " · " : null,
          s.amr.length > 0 ? t("sessionBy", { methods: s.amr.map((a) => STRINGS.amr[a] || a).join(", ") }) : null),
        s.current ? null : h("div", { class: "actions" },
          h("button", { type: "button", class: "secondary session-revoke",
            "aria-label": t("revokeLabel", { device: name, date: timeFormat.format(new Date(s.createdAt)) }),
            onclick: () => revokeSession(s) }, STRINGS.revoke)));
    })));
}

// ---- Actions ----------------------------------------------------------

function addPasskey(name) {
  act(async () => {
    const begun = (await gql("mutation { beginAddPasskey { ceremony options } }")).beginAddPasskey;
    const options = JSON.parse(begun.options);
    const credential = await create(options.publicKey);
    await gql("mutation($c: String!, $r: String!, $n: String) { finishAddPasskey(ceremony: $c, response: $r, name: $n) { id } }",
      { c: begun.ceremony, r: JSON.stringify(credential), n: name || null });
    return "#passkeys-section-title";
  }, STRINGS.added);
}

function renamePasskey(p, input) {
  const name = input.value.trim();
  if (!name) {
    sayError(STRINGS.nameEmpty);
    input.focus();
    return;
  }
  act(async () => {
    await gql("mutation($id: ID!, $name: String!) { renamePasskey(id: $id, name: $name) { id } }", { id: p.id, name });
    state.ui.renameId = null;
    return `li[data-id="${p.id}"] .passkey-rename`;
  }, STRINGS.renamed);
}

function removePasskey(p) {
  act(async () => {
    await gql("mutation($id: ID!) { removePasskey(id: $id) }", { id: p.id });
    state.ui.removeId = null;
    return "#passkeys-section-title";
  }, STRINGS.removed);
}

function setMFA(enabled) {
  act(async () => {
    await gql("mutation($on: Boolean!) { setMFA(enabled: $on) { id } }", { on: enabled });
    return "#mfa-switch";
  }, enabled ? STRINGS.twoStepTurnedOn : STRINGS.twoStepTurnedOff).then(() => {
    // A refused change leaves the switch where the server has it.
    const sw = document.getElementById("mfa-switch");
    if (sw && state.me) sw.checked = state.me.mfaEnabled;
  });
}

function beginTOTP() {
  act(async () => {
    state.ui.totp = (await gql("mutation { beginTOTP { secret qrCode } }")).beginTOTP;
    return "#totp-code";
  });
}

function codeOf(input) {
  const code = input.value.replace(/\s+/g, "");
  if (!code) {
    sayError(STRINGS.codeEmpty);
    input.focus();
  }
  return code;
}

// afterFirstFactor gives the user backup codes when the tenant has them and
// the user has none left, shown once.
async function afterFirstFactor() {
  const me = (await gql("query { me { availableFactors backupCodesLeft } }")).me;
  if (me.availableFactors.includes("BACKUP_CODES") && me.backupCodesLeft === 0) {
    state.ui.backupCodes = (await gql("mutation { regenerateBackupCodes { codes } }")).regenerateBackupCodes.codes;
    return "#backup-codes-text";
  }
  return null;
}

function confirmTOTP(input) {
  const code = codeOf(input);
  if (!code) return;
  act(async () => {
    await gql("mutation($code: String!) { confirmTOTP(code: $code) { id } }", { code });
    state.ui.totp = null;
    return (await afterFirstFactor()) || "#totp-title";
  }, STRINGS.totpAdded);
}

function removeTOTP() {
  act(async () => {
    await gql("mutation { removeTOTP { id } }");
    return "#totp-setup";
  }, STRINGS.totpRemoved);
}

function beginSMS(input) {
  const phone = input.value.trim();
  if (!phone) {
    sayError(STRINGS.phoneEmpty);
    input.focus();
    return;
  }
  act(async () => {
    state.ui.sms = (await gql("mutation($phone: String!) { beginSMSFactor(phone: $phone) { binding sentTo } }", { phone })).beginSMSFactor;
    return "#sms-code";
  });
}

function confirmSMS(input) {
  const code = codeOf(input);
  if (!code) return;
  act(async () => {
    await gql("mutation($b: String!, $code: String!) { confirmSMSFactor(binding: $b, code: $code) { id } }", { b: state.ui.sms.binding, code });
    state.ui.sms = null;
    state.ui.smsForm = false;
    return (await afterFirstFactor()) || "#sms-title";
  }, STRINGS.smsAdded);
}

function removeSMS() {
  act(async () => {
    await gql("mutation { removeSMSFactor { id } }");
    return "#sms-setup";
  }, STRINGS.smsRemoved);
}

function regenerateBackupCodes() {
  act(async () => {
    state.ui.backupCodes = (await gql("mutation { regenerateBackupCodes { codes } }")).regenerateBackupCodes.codes;
    return "#backup-codes-text";
  });
}

function revokeSession(s) {
  act(async () => {
    await gql("mutation($id: ID!) { revokeSession(id: $id) }", { id: s.id });
    return "#sessions-title";
  }, STRINGS.revoked);
}

// ---- Start ------------------------------------------------------------

async function start() {
  signOutButton.textContent = STRINGS.signOut;
  sayStatus(STRINGS.loading);
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
    sayError(`${STRINGS.loadFailed} ${explain(err)}`);
    const again = h("button", { type: "button", id: "retry-load", class: "secondary", onclick: () => { again.remove(); start(); } }, STRINGS.retry);
    message.after(again);
    again.focus();
    return;
  }
  sayStatus("");
  render();
}

start();
