import { supported, conditionalSupported, get, Flow, explain } from "/static/webauthn.js";
import { t, has, lang } from "/static/i18n.js";
import { buttonsBusy, withBusy } from "/static/busy.js";
import { finishURL, withAuthRequest } from "/static/done.js";
import { unknownCredential, acceptedCredentialsOfSession, settle } from "/static/signal.js";
import { upgrade, prompt, created } from "/static/passkey_offer.js";
import { limits } from "/static/limits.js";
import { screens, fieldError, clearErrors, identity, Store, peek, Resend, resuming, keepOnLanguage, aboutInput } from "/static/screens.js";
import { button as connectorButton, wire as wireConnectors, returned } from "/static/federation.js";
import { enrolment, SERVER_STATES as ENROL_STATES } from "/static/sign_in_enrol.js";

// The sign-in page, one screen per task: identify → passkey | methods →
// password | code → mfa (the second factor) or, with none set up where the
// tenant requires one, enrol (sign_in_enrol.js), and expired ("Start
// again").
// The flow's token, the identifier and the screen are kept in the tab
// (Store), so a reload resumes on the same screen once the server says the
// flow still stands there (peek).

const $ = (id) => document.getElementById(id);

// A sign-up started from an application's request returns to it too; the
// application's login_hint fills the identifier field.
{
  const link = $("sign-up-link");
  if (link) link.href = withAuthRequest("/sign-up");
  const params = new URLSearchParams(window.location.search);
  const hint = params.get("login_hint");
  if (params.get("authRequest") && hint) $("identifier").value = hint;
}

// CODE_MINUTES is how long a one-time code works (the server's
// flows.CodeTTL), written in the page's language.
const CODE_MINUTES = new Intl.NumberFormat(lang).format(limits.code_minutes);

const root = $("sign-in");
const cfg = {
  passkey: root.dataset.passkeySignIn === "true",
  button: root.dataset.showButton === "true",
  autofill: root.dataset.autofill === "true",
  // An application asked for a passkey (acr_values): no other method.
  passkeyOnly: root.dataset.passkeyOnly === "true",
};
const identifier = $("identifier");
const message = $("message");
const canPasskey = cfg.passkey && supported();
const ui = screens(root);
const store = new Store("sign-in");
const codeResend = new Resend($("code-resend"));
const smsResend = new Resend($("mfa-sms-resend"));

let flow = new Flow("sign-in");
let state = "identify"; // the server's state of flow
let autofill = null; // AbortController of the pending conditional request

function say(text) {
  message.textContent = text || "";
}

// busy disables the page's buttons during a request; a "Send a new code"
// still cooling down stays disabled after it.
const busy = buttonsBusy(root, (on) => {
  if (on) return;
  for (const r of [codeResend, smsResend]) if (r.cooling) r.button.disabled = true;
});

// attempt clears the messages and runs fn with the page busy. An error is
// said next to field when given, else in the page's message; a flow that
// expired shows the "Start again" screen.
function attempt(fn, field) {
  say("");
  clearErrors(root);
  return withBusy(busy, fn, (err) => {
    if (err && err.code === "flow_not_found") {
      expired();
      return;
    }
    const text = explain(err);
    if (!(field && aboutInput(err) && fieldError(field, text))) say(text);
    // An SSO account: the button to the organization's sign-in.
    if (err && err.connector) message.append(" ", connectorButton(err.connector, (fn) => attempt(fn)));
  });
}

// go shows screen and remembers it for a reload; the identifier shows as
// text with "Change" on every screen after the first.
function go(screen, opts) {
  cancelAutofillUnless(screen === "identify");
  const id = store.save({ screen }).identifier || "";
  identity(screen === "identify" ? "" : id, change);
  ui.show(screen, opts);
}

function change() {
  say("");
  clearErrors(root);
  identifier.value = store.load().identifier || identifier.value;
  if (state === "mfa" || state in ENROL_STATES) {
    // Nothing leads back from the second factor: a new flow.
    forget();
  }
  go("identify", { focus: false });
  identifier.focus();
  identifier.select();
  startAutofill();
}

// forget drops the flow, keeping the identifier.
function forget() {
  flow = new Flow("sign-in");
  state = "identify";
  store.save({ token: "", methods: null, code: null, mfa: null, sms: null, enrol: null, enrolScreen: null, enrolTOTP: null, enrolSMS: null, enrolCodes: null });
}

function expired() {
  forget();
  go("expired");
}

// done ends a sign-in: the browser hears which passkeys the account
// holds (signal.js), then the page goes on.
async function done(res) {
  store.clear();
  say(t("sign_in.signed_in"));
  await settle([acceptedCredentialsOfSession()], 1500);
  const offer = res.passkey_offer;
  if (await upgrade(offer)) {
    say(created());
  } else if (offer && offer.prompt && supported()) {
    // After the busy state ends, so that the prompt's buttons work.
    setTimeout(async () => {
      say("");
      if (await prompt(offer, (s) => ui.show(s), say)) say(created());
      window.location.assign(finishURL(res));
    });
    return;
  }
  window.location.assign(finishURL(res));
}

function cancelAutofillUnless(keep) {
  if (autofill && !keep) {
    autofill.abort();
    autofill = null;
  }
}

// finishPasskey sends the browser's answer; a passkey the server does not
// know (removed here) is reported to the browser, which may forget it.
async function finishPasskey(f, credential, options) {
  let res;
  try {
    res = await f.step("passkey.finish", { credential });
  } catch (err) {
    if (err.code === "passkey_unknown") await settle([unknownCredential(options && options.rpId, credential.id)]);
    throw err;
  }
  await done(res);
}

// Continue with passkey: a discoverable credential, picked in the prompt.
async function passkeyButton() {
  cancelAutofillUnless(false);
  const f = new Flow("sign-in");
  await attempt(async () => {
    const res = await f.begin("passkey.begin", {});
    const credential = await get(res.result.passkey.publicKey);
    await finishPasskey(f, credential, res.result.passkey.publicKey);
  });
  if (ui.current === "identify") startAutofill();
}

// Autofill: a conditional request waiting on the identifier field.
async function startAutofill() {
  if (!canPasskey || !cfg.autofill || autofill || !(await conditionalSupported())) return;
  const controller = new AbortController();
  autofill = controller;
  const f = new Flow("sign-in");
  try {
    const res = await f.begin("passkey.begin", { mediation: "conditional" });
    const credential = await get(res.result.passkey.publicKey, "conditional", controller.signal);
    autofill = null;
    busy(true);
    await finishPasskey(f, credential, res.result.passkey.publicKey);
  } catch (err) {
    if (autofill === controller) autofill = null;
    if (controller.signal.aborted) return;
    // The browser ends a conditional request by itself when it has no
    // passkey to offer or its time runs out: the person did nothing, so the
    // page says nothing.
    if (err && err.name === "NotAllowedError") return;
    say(explain(err));
    busy(false);
  }
}

// methodName is the button text of a first-factor method; a method this
// page does not know shows as its name.
function methodName(method) {
  const key = `sign_in.methods.${method}`;
  return has(key) ? t(key) : method;
}

// methodsText is what the methods screen says under its heading ("Choose
// how to sign in"): "" when the list of ways only follows it, since the
// heading says it already.
function methodsText(list, others, connector) {
  if (list.includes("sso") && connector) return t("federation.sso_continue", { name: connector.name });
  if (list.includes("sso")) return t("sign_in.methods.sso");
  if (others.length > 0) return "";
  if (cfg.passkeyOnly) return t("sign_in.passkey_required");
  if (!supported()) return t("sign_in.methods.none_unsupported");
  if (!cfg.passkey) return t("sign_in.methods.none_here");
  return t("sign_in.methods.none");
}

// showMethods is the methods screen: the ways to go on, as buttons of
// equal weight; back leads to the passkey screen when the user came from
// it, else to the identifier.
function showMethods(list, from, connector) {
  state = "choose_method";
  store.save({ methods: list, from, connector: connector || null });
  const others = cfg.passkeyOnly || list.includes("sso") ? [] : list.filter((m) => m !== "passkey");
  const text = methodsText(list, others, connector);
  $("methods-text").textContent = text;
  $("methods-text").hidden = !text;
  const sso = list.includes("sso") && connector ? [connectorButton(connector, (fn) => attempt(fn), () => flow)] : [];
  $("method-list").replaceChildren(...sso.map((b) => {
    const li = document.createElement("li");
    li.append(b);
    return li;
  }), ...others.map((m) => {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.textContent = methodName(m);
    button.dataset.method = m;
    button.addEventListener("click", () => chooseMethod(m));
    li.append(button);
    return li;
  }));
  go("methods");
}

function chooseMethod(method) {
  say("");
  if (method === "password") {
    $("password").value = "";
    go("password");
  } else if (method === "email_code" || method === "sms_code") {
    sendCode();
  }
}

function showCode(sent, readyAt) {
  state = "code";
  const key = sent.channel === "sms" ? "sign_in.code.sent_sms" : "sign_in.code.sent_email";
  $("code-sent").textContent = t(key, { destination: sent.sent_to, minutes: CODE_MINUTES });
  $("code").value = "";
  store.save({ code: sent, codeReadyAt: codeResend.start(readyAt) });
  go("code");
}

// One-time codes by email or SMS: the server sends the code, the person
// types it.
async function sendCode() {
  await attempt(async () => {
    const res = await flow.step("code.send", {});
    showCode({ channel: res.result.channel, sent_to: res.result.sent_to });
  }, ui.current === "code" ? $("code") : null);
}

// after goes on from a first factor: the second factor, setting one up,
// or signed in.
function after(res) {
  if (res.flow.state === "mfa") {
    showSecondFactor(res.result);
  } else if (res.flow.state === "mfa_enroll") {
    startEnrol(res.result);
  } else {
    return done(res);
  }
}

async function verifyCode(event) {
  event.preventDefault();
  clearErrors(root);
  const field = $("code");
  const code = field.value.trim();
  if (!code) {
    fieldError(field, t("sign_in.code.missing"));
    return;
  }
  await attempt(async () => {
    const res = await flow.step("code.verify", { code });
    field.value = "";
    after(res);
  }, field);
}

async function signInWithPassword(event) {
  event.preventDefault();
  clearErrors(root);
  const field = $("password");
  if (!field.value) {
    fieldError(field, t("sign_in.password.missing"));
    return;
  }
  await attempt(async () => {
    const res = await flow.step("password", { password: field.value });
    field.value = "";
    after(res);
  }, field);
}

// The second factor: the passkey first when the user has one, the others
// behind "Try another method to verify", in the order the server lists
// them (authenticator app, SMS code, backup code).
const factorPanels = { webauthn: "mfa-webauthn", totp: "mfa-totp", sms: "mfa-sms", backup_code: "mfa-backup" };
let factors = [];
let smsPhone = ""; // the SMS factor's number, masked by the server

function factorName(factor) {
  const key = `sign_in.mfa.factors.${factor}`;
  return has(key) ? t(key, { phone: smsPhone }) : factor;
}

function showFactor(factor, opts = {}) {
  store.save({ factor });
  for (const [f, id] of Object.entries(factorPanels)) $(id).hidden = f !== factor;
  $("mfa-other").hidden = factors.length < 2;
  $("mfa-other").setAttribute("aria-expanded", "false");
  $("mfa-choices").hidden = true;
  $("mfa-choices-back").hidden = true;
  if (factor === "sms") showSMS(store.load().sms);
  if (opts.focus === false) return;
  const sent = !$("mfa-sms-form").hidden;
  const el = factor === "sms" ? $(sent ? "sms-code" : "mfa-sms-send") : document.querySelector(`#${factorPanels[factor]} input`);
  if (el) el.focus();
}

// showSMS shows the SMS factor before (send) or after a code was sent.
function showSMS(sms) {
  const sent = !!(sms && sms.sent_to);
  const send = $("mfa-sms-send");
  send.textContent = smsPhone ? t("sign_in.mfa.sms_send_to", { phone: smsPhone }) : t("sign_in.mfa.sms_send");
  send.hidden = sent;
  $("mfa-sms-intro").hidden = sent;
  $("mfa-sms-form").hidden = !sent;
  $("mfa-sms-resend").parentElement.hidden = !sent;
  if (sent) {
    $("mfa-sms-sent").textContent = t("sign_in.mfa.sms_sent", { phone: sms.sent_to, minutes: CODE_MINUTES });
    smsResend.start(sms.readyAt);
  }
}

// sendSMSCode asks for a code to the SMS factor's phone; the server picks
// the number, the page only ever sees it masked.
async function sendSMSCode() {
  await attempt(async () => {
    const res = await flow.step("mfa.sms.send", {});
    const sms = { sent_to: res.result.sent_to, readyAt: Date.now() + Number(limits.resend_seconds || 30) * 1000 };
    store.save({ sms });
    showSMS(sms);
    const field = $("sms-code");
    field.value = "";
    field.focus();
  }, $("mfa-sms-form").hidden ? null : $("sms-code"));
}

function showSecondFactor(result, factor) {
  state = "mfa";
  smsPhone = result.phone || "";
  factors = result.factors.filter((f) => f in factorPanels && (f !== "webauthn" || supported()));
  store.save({ mfa: { factors: result.factors, phone: smsPhone } });
  go("mfa");
  if (factors.length === 0) {
    say(t("sign_in.mfa.none"));
    return;
  }
  showFactor(factors.includes(factor) ? factor : factors[0], { focus: false });
}

async function secondFactor(action, input, field) {
  await attempt(async () => done(await flow.step(action, input)), field);
}

async function mfaPasskey() {
  await attempt(async () => {
    const res = await flow.step("mfa.passkey.begin", {});
    const credential = await get(res.result.passkey.publicKey);
    await done(await flow.step("mfa.passkey.finish", { credential }));
  });
}

function codeForm(id, action) {
  $(id).addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(root);
    const input = event.target.querySelector("input");
    const code = input.value.trim();
    if (!code) {
      fieldError(input, t("sign_in.code.missing"));
      return;
    }
    input.value = "";
    secondFactor(action, { code }, input);
  });
}

function showChoices() {
  const current = factors.find((f) => !$(factorPanels[f]).hidden);
  const list = $("mfa-choices");
  list.replaceChildren(...factors.filter((f) => f !== current).map((f) => {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.dataset.factor = f;
    button.textContent = factorName(f);
    button.addEventListener("click", () => {
      say("");
      showFactor(f);
    });
    li.append(button);
    return li;
  }));
  for (const id of Object.values(factorPanels)) $(id).hidden = true;
  $("mfa-other").hidden = true;
  $("mfa-other").setAttribute("aria-expanded", "true");
  list.hidden = false;
  const back = $("mfa-choices-back");
  back.hidden = false;
  back.onclick = () => showFactor(current);
  list.querySelector("button")?.focus();
}

// Verify via passkey: identifier first, with the user's own credentials.
async function verifyPasskey(options) {
  // The page stays usable while the browser asks for the passkey.
  let credential;
  try {
    credential = await get(options);
  } catch (err) {
    say(explain(err));
    return;
  }
  await attempt(() => finishPasskey(flow, credential, options));
}

// identify sends the identifier on the flow (a new one when there is
// none, or when the one kept has expired) and goes on to the user's
// passkey or methods. prompt says whether the passkey prompt may open at
// once (after a click, not after a reload).
async function identify(value, prompt) {
  let res;
  if (flow.token) {
    try {
      res = await flow.step("identify", { identifier: value });
    } catch (err) {
      if (err.code !== "flow_not_found") throw err;
      flow = new Flow("sign-in");
    }
  }
  if (!res) {
    flow = new Flow("sign-in");
    res = await flow.begin("identify", { identifier: value });
  }
  store.save({ token: flow.token, identifier: value, code: null, mfa: null, sms: null });
  state = res.flow.state;
  if (state === "passkey" && canPasskey) {
    go("passkey");
    if (!prompt) return;
    busy(false);
    await verifyPasskey(res.result.passkey.publicKey);
  } else if (state === "passkey") {
    const other = await flow.step("choose_method", {});
    showMethods(other.result.methods, "identify");
  } else {
    showMethods(res.result.methods, "identify", res.result.connector);
  }
}

async function identifyForm(event) {
  event.preventDefault();
  cancelAutofillUnless(false);
  clearErrors(root);
  say("");
  const value = identifier.value.trim();
  if (!value) {
    fieldError(identifier, t("sign_in.identifier.missing"));
    return;
  }
  await attempt(() => identify(value, true), identifier);
}

async function otherMethod() {
  await attempt(async () => {
    const res = await flow.step("choose_method", {});
    showMethods(res.result.methods, "passkey");
  });
}

async function startAgain() {
  const value = store.load().identifier || "";
  if (!value) {
    go("identify");
    return;
  }
  await attempt(() => identify(value, true));
}

// resume puts the page back where the tab's flow stands after a reload:
// the screen kept, when the server's state still fits it; "Start again"
// when the flow expired; the identifier kept in any case.
async function resume() {
  const kept = store.load();
  if (!resuming(store)) {
    // Opened afresh: a new sign-in, nothing carried over.
    store.clear();
    return false;
  }
  if (kept.identifier && !identifier.value) identifier.value = kept.identifier;
  if (!kept.token) {
    if (kept.screen === "expired") go("expired");
    return false;
  }
  let now;
  try {
    now = await peek("sign-in", kept.token);
  } catch {
    return false;
  }
  if (!now) {
    expired();
    return true;
  }
  flow.token = kept.token;
  state = now.state;
  return resumeOn(kept, now.state);
}

function resumeOn(kept, s) {
  const pre = ["passkey", "choose_method"].includes(s);
  if (s === "upstream_exchanging") {
    // A callback claimed the provider's answer and its exchange failed
    // (or is under way): this flow signs in nobody; start again.
    expired();
  } else if (s === "mfa" && kept.mfa) {
    showSecondFactor(kept.mfa, kept.factor);
  } else if (s in ENROL_STATES) {
    if (!enrol.resume(kept, s)) expired();
  } else if (s === "code" && kept.code && (kept.screen === "code" || !kept.screen)) {
    showCode(kept.code, kept.codeReadyAt);
  } else if (s === "choose_method" && kept.methods && ["methods", "password"].includes(kept.screen)) {
    showMethods(kept.methods, kept.from, kept.connector);
    if (kept.screen === "password") go("password");
  } else if (pre && kept.screen === "passkey" && canPasskey) {
    go("passkey");
  } else if (s !== "identify" && s !== "mfa" && kept.identifier) {
    // The screen kept no longer fits: ask the server again.
    attempt(() => identify(kept.identifier, false));
  } else if (s === "mfa") {
    expired();
  } else {
    return false;
  }
  return true;
}

// Setting up a second factor (sign_in_enrol.js): the flow's state follows
// the server's; "Change" then starts a new flow.
const enrol = enrolment({ root, store, go, attempt, say, done, flow: () => flow });
function startEnrol(result) {
  state = "mfa_enroll";
  enrol.start(result);
}

if (!canPasskey) {
  // Removed, not hidden: the stylesheet's display rules (.divider) win over
  // the hidden attribute.
  for (const el of document.querySelectorAll("[data-needs-webauthn]")) el.remove();
}
if (cfg.passkeyOnly) $("other-method").hidden = true;
$("identify-form").addEventListener("submit", identifyForm);
$("password-form").addEventListener("submit", signInWithPassword);
$("code-form").addEventListener("submit", verifyCode);
$("code-resend").addEventListener("click", sendCode);
$("code-back").addEventListener("click", otherMethod);
$("password-back").addEventListener("click", () => {
  say("");
  go("methods");
});
$("methods-back").addEventListener("click", () => {
  say("");
  if (store.load().from === "passkey" && canPasskey) go("passkey");
  else change();
});
$("mfa-passkey-button").addEventListener("click", mfaPasskey);
$("mfa-other").addEventListener("click", showChoices);
$("mfa-sms-send").addEventListener("click", sendSMSCode);
$("mfa-sms-resend").addEventListener("click", sendSMSCode);
codeForm("mfa-sms-form", "mfa.sms.verify");
codeForm("mfa-totp", "mfa.totp");
codeForm("mfa-backup", "mfa.backup_code");
$("passkey-button")?.addEventListener("click", passkeyButton);
$("other-method").addEventListener("click", otherMethod);
$("verify-passkey-button").addEventListener("click", () => attempt(() => identify(store.load().identifier || identifier.value.trim(), true)));
$("start-again").addEventListener("click", startAgain);

// back goes on from the answer of a provider that sent the browser back
// here (federation.js returned): the second factor, or the account that
// holds the provider's address, to sign in to before the link is made.
function back(res) {
  flow.token = store.load().token || null;
  state = res.flow.state;
  const link = res.result && res.result.link;
  if (link) store.save({ identifier: link.email });
  if (state === "mfa") {
    showSecondFactor(res.result);
  } else if (state === "mfa_enroll") {
    startEnrol(res.result);
  } else if (state === "passkey" && canPasskey) {
    go("passkey");
  } else if (res.result && res.result.methods) {
    showMethods(res.result.methods, "identify", res.result.connector);
  }
  if (link) say(t("federation.link.intro", { email: link.email, name: link.name }));
}

wireConnectors(root, (fn) => attempt(fn));
keepOnLanguage(store);
ui.show("identify", { focus: false });
const fromProvider = returned();
if (fromProvider) {
  back(fromProvider);
} else {
  resume().then((resumed) => {
    if (!resumed) startAutofill();
  });
}
