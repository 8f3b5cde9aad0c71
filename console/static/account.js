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

import { supported, create, get, FlowError, errorText } from "/static/webauthn.js";
import { gql, GraphQLError } from "/static/graphql.js";
import { t, parts, has, lang, formatDate } from "/static/i18n.js";

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
  reverificationFactors
} }`;

const root = document.getElementById("account");
const message = document.getElementById("message");
const status = document.getElementById("status");

const state = {
  tenant: root.dataset.tenantName || "",
  allowRegistration: root.dataset.allowRegistration === "true",
  me: null,
  // What is open on the page, kept across renders.
  ui: { renameId: null, removeId: null, totp: null, smsForm: false, sms: null, backupCodes: null, reverifyCode: null },
  // The action to run again once the user verified (re-verification).
  retry: null,
};

// Dates are written in the page's language: a day by formatDate
// (i18n.js), a moment with its time by timeFormat.
const timeFormat = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });

function timeEl(iso, withTime) {
  const d = new Date(iso);
  return h("time", { datetime: iso }, withTime ? timeFormat.format(d) : formatDate(d));
}

// word returns the name of a value in a group of names (account.amr,
// account.transportNames, account.identifierKinds), the value itself when
// the group lacks it.
function word(group, value) {
  return has(`${group}.${value}`) ? t(`${group}.${value}`) : value;
}

// joinWords joins words with the language's separator.
function joinWords(words) {
  return words.join(t("account.listSeparator"));
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

// explain turns any error into a sentence for the page: the account
// center's own sentence for a code it knows (account.errors.*), else the
// one errorText (webauthn.js) gives: the server's sentence on an English
// page, errors.<code> in another language, errors.unknown at worst.
function explain(err) {
  if (err instanceof GraphQLError || err instanceof FlowError) {
    if (has(`account.errors.${err.code}`)) return t(`account.errors.${err.code}`);
    return errorText(err.code, err.field, err instanceof GraphQLError ? err.serverMessage : err.message);
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
function busy(on) {
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
  state.ui.reverifyCode = null;
  render("#reverify-button");
  // Without a passkey to use, the focus goes to the panel's title.
  if (!root.querySelector("#reverify-button")) root.querySelector("#reverify-title").focus();
}

// reverifyByPasskey proves one of the user's passkeys for this session.
async function reverifyByPasskey() {
  const begun = (await gql("mutation { beginReverification(factor: PASSKEY) { ceremony options } }")).beginReverification;
  const credential = await get(JSON.parse(begun.options).publicKey);
  await gql("mutation($c: String!, $r: String!) { finishReverification(ceremony: $c, response: $r) { id } }",
    { c: begun.ceremony, r: JSON.stringify(credential) });
}

// beginCodeReverification starts re-verifying with a code factor (TOTP,
// SMS: a code is sent now, BACKUP_CODE) and opens the field for the code.
async function beginCodeReverification(factor) {
  clearMessages();
  busy(true);
  try {
    const begun = (await gql("mutation($f: ReverificationFactor!) { beginReverification(factor: $f) { ceremony factor sentTo } }", { f: factor })).beginReverification;
    state.ui.reverifyCode = begun;
  } catch (err) {
    busy(false);
    sayError(explain(err));
    return;
  }
  busy(false);
  render("#reverify-code");
}

// reverifyByCode finishes a code re-verification with the code typed.
async function reverifyByCode() {
  const code = root.querySelector("#reverify-code").value.trim();
  await gql("mutation($c: String!, $code: String!) { finishReverification(ceremony: $c, code: $code) { id } }",
    { c: state.ui.reverifyCode.ceremony, code });
}

// reverify runs one way of re-verifying (prove), then the kept action.
async function reverify(prove) {
  clearMessages();
  busy(true);
  try {
    await prove();
    await load();
  } catch (err) {
    busy(false);
    if (err.code === "unauthenticated") {
      showSignedOut();
      return;
    }
    sayError(explain(err));
    return;
  }
  busy(false);
  const retry = state.retry;
  state.retry = null;
  state.ui.reverifyCode = null;
  // The panel goes at once: the kept action may fail for its own reasons.
  render();
  sayStatus(t("account.reverified"));
  if (retry) await retry();
}

function showSignedOut() {
  root.replaceChildren(
    h("h1", {}, t("account.title", { tenant: state.tenant })),
    h("p", {}, t("account.signedOut")),
    h("p", {}, h("a", { href: "/", id: "sign-in-again" }, t("account.signInAgain"))),
  );
  root.setAttribute("aria-busy", "false");
}

// ---- Rendering -------------------------------------------------------

function render(focus) {
  const me = state.me;
  const page = [
    h("h1", {}, t("account.title", { tenant: state.tenant })),
    h("p", {}, parts("account.signedInAs", { name: h("strong", { id: "user-name" }, me.displayName) })),
    state.retry ? reverifyPanel() : null,
    profileSection(me),
    passkeysSection(me),
    twoStepSection(me),
    sessionsSection(me),
  ];
  root.replaceChildren(...page.filter(Boolean));
  root.setAttribute("aria-busy", "false");
  if (focus) {
    const el = root.querySelector(focus);
    if (el) el.focus();
    // A name to change is selected, so typing replaces it.
    if (el && el.classList.contains("rename-input")) el.select();
  }
}

// reverifyWays are the code factors the panel offers, with their words.
const reverifyWays = [
  { factor: "TOTP", button: "account.reverifyTOTP", label: "account.reverifyCodeTOTP" },
  { factor: "SMS", button: "account.reverifySMS", label: "account.reverifyCodeSMS" },
  { factor: "BACKUP_CODE", button: "account.reverifyBackupCode", label: "account.reverifyCodeBackupCode" },
];

function reverifyPanel() {
  const factors = state.me.reverificationFactors || [];
  const passkey = factors.includes("PASSKEY") && supported();
  const ways = reverifyWays.filter((w) => factors.includes(w.factor));
  const open = state.ui.reverifyCode;
  let text = t("account.reverifyText");
  if (!passkey && !ways.length) text = factors.includes("PASSKEY") ? t("account.reverifyNoWebAuthn") : t("account.reverifyNone");
  const cancel = () => { state.retry = null; state.ui.reverifyCode = null; clearMessages(); render(); };
  let codeForm = null;
  if (open) {
    const way = reverifyWays.find((w) => w.factor === open.factor);
    codeForm = h("form", { id: "reverify-code-form", onsubmit: (ev) => { ev.preventDefault(); reverify(reverifyByCode); } },
      h("label", { for: "reverify-code" }, t(way.label, { phone: open.sentTo || "" })),
      h("input", { id: "reverify-code", name: "code", type: "text", autocomplete: "one-time-code", maxlength: "20", required: true }),
      h("button", { type: "submit", id: "reverify-code-submit" }, t("account.reverifyCodeSubmit")));
  }
  return h("section", { id: "reverify", class: "panel notice", "aria-labelledby": "reverify-title" },
    h("h2", { id: "reverify-title", tabindex: "-1" }, t("account.reverifyTitle")),
    h("p", { id: "reverify-text" }, text),
    codeForm,
    h("div", { class: "actions" },
      passkey ? h("button", { type: "button", id: "reverify-button", onclick: () => reverify(reverifyByPasskey) }, t("account.reverifyButton")) : null,
      ways.map((w) => h("button", { type: "button", class: "secondary", id: `reverify-${w.factor.toLowerCase().replace("_", "-")}`, onclick: () => beginCodeReverification(w.factor) }, t(w.button))),
      h("button", { type: "button", class: "secondary", id: "reverify-cancel", onclick: cancel }, t("account.cancel"))));
}

function section(id, title, ...children) {
  return h("section", { id, "aria-labelledby": `${id}-title` }, h("h2", { id: `${id}-title`, tabindex: "-1" }, title), ...children);
}

function profileSection(me) {
  return section("profile", t("account.profile"),
    h("dl", { class: "facts" },
      h("dt", {}, t("account.displayName")), h("dd", { id: "profile-name" }, me.displayName),
      h("dt", {}, t("account.identifiers")),
      h("dd", {}, h("ul", { id: "identifiers", class: "plain" }, me.identifiers.map((i) =>
        h("li", { class: "identifier" },
          parts("account.identifierLine", {
            kind: word("account.identifierKinds", i.kind),
            value: i.value,
            status: h("span", { class: "muted" }, t("account.identifierStatus", { status: i.verified ? t("account.verified") : t("account.notVerified") })),
          })))))));
}

function syncText(p) {
  if (p.synced) return t("account.synced");
  if (p.backupEligible) return t("account.canSync");
  return t("account.deviceOnly");
}

function passkeyItem(p) {
  const ui = state.ui;
  const details = [
    h("span", { class: "passkey-name" }, p.name),
    p.authenticatorName && p.authenticatorName !== p.name ? h("span", { class: "passkey-authenticator" }, p.authenticatorName) : null,
    h("span", { class: "passkey-meta" },
      parts("account.created", { date: timeEl(p.createdAt) }), " · ",
      p.lastUsedAt ? parts("account.lastUsed", { date: timeEl(p.lastUsedAt) }) : t("account.notUsed"), " · ",
      h("span", { class: "passkey-sync" }, syncText(p))),
    p.transports.length > 0
      ? h("span", { class: "passkey-transports" }, t("account.transports", { list: joinWords(p.transports.map((x) => word("account.transportNames", x))) }))
      : null,
  ];
  let tail;
  if (ui.renameId === p.id) {
    const inputId = `rename-${p.id}`;
    tail = h("form", { class: "inline-form rename-form", novalidate: true, onsubmit: (e) => { e.preventDefault(); renamePasskey(p, e.target.elements.name); } },
      h("label", { for: inputId }, t("account.newName", { name: p.name })),
      h("input", { id: inputId, name: "name", type: "text", maxlength: "100", value: p.name, autocomplete: "off", class: "rename-input" }),
      h("div", { class: "actions" },
        h("button", { type: "submit", class: "rename-save" }, t("account.save")),
        h("button", { type: "button", class: "secondary rename-cancel", onclick: () => { ui.renameId = null; clearMessages(); render(`li[data-id="${p.id}"] .passkey-rename`); } }, t("account.cancel"))));
  } else if (ui.removeId === p.id) {
    tail = h("div", { class: "confirm", role: "group", "aria-labelledby": `remove-text-${p.id}` },
      h("p", { id: `remove-text-${p.id}`, class: "remove-text" }, t("account.removeConfirm", { name: p.name })),
      h("div", { class: "actions" },
        h("button", { type: "button", class: "danger passkey-remove-confirm", onclick: () => removePasskey(p) }, t("account.removeYes")),
        h("button", { type: "button", class: "secondary passkey-remove-cancel", onclick: () => { ui.removeId = null; clearMessages(); render(`li[data-id="${p.id}"] .passkey-remove`); } }, t("account.keep"))));
  } else {
    tail = h("div", { class: "actions" },
      h("button", { type: "button", class: "secondary passkey-rename", "aria-label": t("account.renameLabel", { name: p.name }),
        onclick: () => { ui.renameId = p.id; ui.removeId = null; clearMessages(); render(`#rename-${CSS.escape(p.id)}`); } }, t("account.rename")),
      h("button", { type: "button", class: "secondary passkey-remove", "aria-label": t("account.removeLabel", { name: p.name }),
        onclick: () => { ui.removeId = p.id; ui.renameId = null; clearMessages(); render(`li[data-id="${p.id}"] .passkey-remove-cancel`); } }, t("account.remove")));
  }
  return h("li", { class: "passkey", "data-id": p.id }, details, tail);
}

function passkeysSection(me) {
  let add = null;
  if (state.allowRegistration && !supported()) {
    add = h("p", { id: "no-webauthn" }, t("account.noWebAuthn"));
  } else if (state.allowRegistration) {
    add = h("form", { id: "add-passkey-form", novalidate: true, onsubmit: (e) => { e.preventDefault(); addPasskey(e.target.elements.name.value.trim()); } },
      h("label", { for: "passkey-name" }, t("account.addName")),
      h("input", { id: "passkey-name", name: "name", type: "text", maxlength: "100", placeholder: t("account.addPlaceholder"), autocomplete: "off" }),
      h("button", { type: "submit", id: "add-passkey" }, t("account.add")));
  }
  return section("passkeys-section", t("account.passkeys"),
    h("ul", { id: "passkeys", class: "passkeys" },
      me.passkeys.length > 0 ? me.passkeys.map(passkeyItem) : h("li", { id: "no-passkeys" }, t("account.noPasskeys"))),
    add);
}

function twoStepSection(me) {
  const offers = (f) => me.availableFactors.includes(f);
  const ui = state.ui;
  const rows = [h("p", { class: "muted" }, t("account.twoStepIntro"))];

  // The switch, a checkbox with the switch role; disabled where the policy
  // is mandatory.
  rows.push(h("div", { class: "switch-row" },
    h("input", { type: "checkbox", role: "switch", id: "mfa-switch", checked: me.mfaEnabled, disabled: !me.mfaOptional,
      "aria-describedby": "mfa-state", onchange: (e) => setMFA(e.target.checked) }),
    h("label", { for: "mfa-switch" }, t("account.twoStepSwitch"))));
  rows.push(h("p", { id: "mfa-state" }, me.mfaOptional ? (me.mfaEnabled ? t("account.twoStepOn") : t("account.twoStepOff")) : t("account.twoStepRequired")));

  if (offers("TOTP")) {
    const box = [h("h3", { id: "totp-title", tabindex: "-1" }, t("account.totp"))];
    if (me.totp) {
      box.push(h("p", { id: "totp-state" }, t("account.totpOn")),
        h("button", { type: "button", class: "secondary", id: "totp-remove", onclick: removeTOTP }, t("account.removeTOTP")));
    } else if (ui.totp) {
      box.push(h("p", {}, t("account.totpScan")),
        h("img", { id: "totp-qr", src: ui.totp.qrCode, alt: t("account.totpQRAlt"), width: "200", height: "200" }),
        h("p", {}, parts("account.totpKey", { key: h("code", { id: "totp-secret" }, ui.totp.secret) })),
        h("form", { id: "totp-form", novalidate: true, onsubmit: (e) => { e.preventDefault(); confirmTOTP(e.target.elements.code); } },
          h("label", { for: "totp-code" }, t("account.totpCode")),
          h("input", { id: "totp-code", name: "code", type: "text", inputmode: "numeric", autocomplete: "one-time-code", maxlength: "10" }),
          h("div", { class: "actions" },
            h("button", { type: "submit", id: "totp-confirm" }, t("account.confirm")),
            h("button", { type: "button", class: "secondary", id: "totp-cancel", onclick: () => { ui.totp = null; clearMessages(); render("#totp-setup"); } }, t("account.cancel")))));
    } else {
      box.push(h("p", { id: "totp-state", class: "muted" }, t("account.totpOff")),
        h("button", { type: "button", class: "secondary", id: "totp-setup", onclick: beginTOTP }, t("account.totpSetup")));
    }
    rows.push(h("div", { class: "factor", id: "totp" }, box));
  }

  if (offers("SMS")) {
    const box = [h("h3", { id: "sms-title", tabindex: "-1" }, t("account.sms"))];
    if (me.smsPhone) {
      box.push(h("p", { id: "sms-state" }, t("account.smsOn", { phone: me.smsPhone })),
        h("button", { type: "button", class: "secondary", id: "sms-remove", onclick: removeSMS }, t("account.removeSMS")));
    } else if (ui.sms) {
      box.push(h("form", { id: "sms-code-form", novalidate: true, onsubmit: (e) => { e.preventDefault(); confirmSMS(e.target.elements.code); } },
        h("label", { for: "sms-code" }, t("account.smsCode", { phone: ui.sms.sentTo })),
        h("input", { id: "sms-code", name: "code", type: "text", inputmode: "numeric", autocomplete: "one-time-code", maxlength: "10" }),
        h("div", { class: "actions" },
          h("button", { type: "submit", id: "sms-confirm" }, t("account.confirm")),
          h("button", { type: "button", class: "secondary", id: "sms-cancel", onclick: () => { ui.sms = null; ui.smsForm = false; clearMessages(); render("#sms-setup"); } }, t("account.cancel")))));
    } else if (ui.smsForm) {
      box.push(h("form", { id: "sms-phone-form", novalidate: true, onsubmit: (e) => { e.preventDefault(); beginSMS(e.target.elements.phone); } },
        h("label", { for: "sms-phone" }, t("account.smsPhone")),
        h("input", { id: "sms-phone", name: "phone", type: "tel", autocomplete: "tel", maxlength: "20" }),
        h("div", { class: "actions" },
          h("button", { type: "submit", id: "sms-send" }, t("account.smsSend")),
          h("button", { type: "button", class: "secondary", id: "sms-cancel", onclick: () => { ui.smsForm = false; clearMessages(); render("#sms-setup"); } }, t("account.cancel")))));
    } else {
      box.push(h("p", { id: "sms-state", class: "muted" }, t("account.smsOff")),
        h("button", { type: "button", class: "secondary", id: "sms-setup", onclick: () => { ui.smsForm = true; clearMessages(); render("#sms-phone"); } }, t("account.smsSetup")));
    }
    rows.push(h("div", { class: "factor", id: "sms" }, box));
  }

  if (offers("BACKUP_CODES")) {
    const left = me.backupCodesLeft;
    const box = [h("h3", { id: "backup-title", tabindex: "-1" }, t("account.backup")), h("p", { class: "muted" }, t("account.backupIntro"))];
    if (ui.backupCodes) {
      box.push(h("p", { id: "backup-codes-text" }, t("account.backupShown")),
        h("ol", { id: "backup-codes", class: "backup-codes", "aria-labelledby": "backup-codes-text" }, ui.backupCodes.map((c) => h("li", { class: "backup-code" }, c))),
        h("button", { type: "button", id: "backup-codes-saved", onclick: () => { ui.backupCodes = null; clearMessages(); render("#backup-regenerate"); } }, t("account.backupDone")));
    } else {
      box.push(h("p", { id: "backup-left" }, left === 0 ? t("account.backupNone") : left === 1 ? t("account.backupLeftOne") : t("account.backupLeftOther", { count: left })),
        h("button", { type: "button", class: "secondary", id: "backup-regenerate", onclick: regenerateBackupCodes }, t("account.backupRegenerate")));
    }
    rows.push(h("div", { class: "factor", id: "backup" }, box));
  }
  return section("two-step", t("account.twoStep"), rows);
}

// device names the browser and system of a user agent, roughly; product
// names need no translation.
function device(ua) {
  const browsers = [["Edg/", "Edge"], ["OPR/", "Opera"], ["Firefox/", "Firefox"], ["Chrome/", "Chrome"], ["Safari/", "Safari"]];
  const systems = [["Android", "Android"], ["iPhone", "iOS"], ["iPad", "iPadOS"], ["Windows", "Windows"], ["Mac OS X", "macOS"], ["CrOS", "ChromeOS"], ["Linux", "Linux"]];
  const b = browsers.find(([k]) => ua.includes(k));
  const o = systems.find(([k]) => ua.includes(k));
  if (!b && !o) return ua || t("account.unknownDevice");
  if (!o) return b[1];
  if (!b) return o[1];
  return t("account.deviceLine", { browser: b[1], os: o[1] });
}

function sessionsSection(me) {
  const list = [...me.sessions].sort((a, b) => (b.current ? 1 : 0) - (a.current ? 1 : 0) || b.createdAt.localeCompare(a.createdAt));
  return section("sessions", t("account.sessions"),
    h("p", { class: "muted" }, t("account.sessionsIntro")),
    h("ul", { id: "session-list", class: "sessions" }, list.map((s) => {
      const name = device(s.userAgent);
      return h("li", { class: s.current ? "session current" : "session", "data-id": s.id },
        h("span", { class: "session-device", title: s.userAgent }, name),
        s.current ? h("span", { class: "badge session-current" }, t("account.thisSession")) : null,
        h("span", { class: "session-meta" },
          parts("account.sessionSignedIn", { date: timeEl(s.createdAt, true) }), " · ",
          parts("account.sessionExpires", { date: timeEl(s.expiresAt, true) })),
        h("span", { class: "session-meta" },
          s.ip ? t("account.sessionFrom", { ip: s.ip }) : null,
          s.ip && s.amr.length > 0 ? " · " : null,
          s.amr.length > 0 ? t("account.sessionBy", { methods: joinWords(s.amr.map((a) => word("account.amr", a))) }) : null),
        s.current ? null : h("div", { class: "actions" },
          h("button", { type: "button", class: "secondary session-revoke",
            "aria-label": t("account.revokeLabel", { device: name, date: timeFormat.format(new Date(s.createdAt)) }),
            onclick: () => revokeSession(s) }, t("account.revoke"))));
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
  }, t("account.added"));
}

function renamePasskey(p, input) {
  const name = input.value.trim();
  if (!name) {
    sayError(t("account.nameEmpty"));
    input.focus();
    return;
  }
  act(async () => {
    await gql("mutation($id: ID!, $name: String!) { renamePasskey(id: $id, name: $name) { id } }", { id: p.id, name });
    state.ui.renameId = null;
    return `li[data-id="${p.id}"] .passkey-rename`;
  }, t("account.renamed"));
}

function removePasskey(p) {
  act(async () => {
    await gql("mutation($id: ID!) { removePasskey(id: $id) }", { id: p.id });
    state.ui.removeId = null;
    return "#passkeys-section-title";
  }, t("account.removed"));
}

function setMFA(enabled) {
  act(async () => {
    await gql("mutation($on: Boolean!) { setMFA(enabled: $on) { id } }", { on: enabled });
    return "#mfa-switch";
  }, enabled ? t("account.twoStepTurnedOn") : t("account.twoStepTurnedOff")).then(() => {
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
    sayError(t("account.codeEmpty"));
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
  }, t("account.totpAdded"));
}

function removeTOTP() {
  act(async () => {
    await gql("mutation { removeTOTP { id } }");
    return "#totp-setup";
  }, t("account.totpRemoved"));
}

function beginSMS(input) {
  const phone = input.value.trim();
  if (!phone) {
    sayError(t("account.phoneEmpty"));
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
  }, t("account.smsAdded"));
}

function removeSMS() {
  act(async () => {
    await gql("mutation { removeSMSFactor { id } }");
    return "#sms-setup";
  }, t("account.smsRemoved"));
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
  }, t("account.revoked"));
}

// ---- Start ------------------------------------------------------------

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
