import { supported, conditionalSupported, get, Flow, explain } from "/static/webauthn.js";
import { t, has, lang } from "/static/i18n.js";
import { buttonsBusy, withBusy } from "/static/busy.js";
import { goOn, withAuthRequest } from "/static/done.js";
import { limits } from "/static/limits.js";

// A sign-up started from an application's request returns to it too; the
// application's login_hint fills the identifier field.
{
  const link = document.getElementById("sign-up-link");
  if (link) link.href = withAuthRequest("/sign-up");
  const params = new URLSearchParams(window.location.search);
  const hint = params.get("login_hint");
  if (params.get("authRequest") && hint) document.getElementById("identifier").value = hint;
}

// CODE_MINUTES is how long a one-time code works (the server's
// flows.CodeTTL), written in the page's language.
const CODE_MINUTES = new Intl.NumberFormat(lang).format(limits.code_minutes);

const root = document.getElementById("sign-in");
const cfg = {
  passkey: root.dataset.passkeySignIn === "true",
  button: root.dataset.showButton === "true",
  autofill: root.dataset.autofill === "true",
  // An application asked for a passkey (acr_values): no other method.
  passkeyOnly: root.dataset.passkeyOnly === "true",
};
const form = document.getElementById("identify-form");
const identifier = document.getElementById("identifier");
const message = document.getElementById("message");
const verify = document.getElementById("verify-passkey");
const methods = document.getElementById("methods");
const canPasskey = cfg.passkey && supported();

let identifyFlow = null;
let autofill = null; // AbortController of the pending conditional request

function say(text) {
  message.textContent = text || "";
}

const busy = buttonsBusy(root);

// attempt clears the message and runs fn with the page busy; an error is
// said on the page, then handed to onError when given.
function attempt(fn, onError) {
  say("");
  return withBusy(busy, fn, (err) => {
    say(explain(err));
    if (onError) onError(err);
  });
}

function cancelAutofill() {
  if (autofill) {
    autofill.abort();
    autofill = null;
  }
}

async function finish(flow, credential) {
  const res = await flow.step("passkey.finish", { credential });
  say(t("sign_in.signed_in"));
  goOn(res);
}

// Continue with passkey: a discoverable credential, picked in the prompt.
async function passkeyButton() {
  cancelAutofill();
  const flow = new Flow("sign-in");
  await attempt(async () => {
    const res = await flow.begin("passkey.begin", {});
    const credential = await get(res.result.passkey.publicKey);
    await finish(flow, credential);
  }, () => startAutofill());
}

// Autofill: a conditional request waiting on the identifier field.
async function startAutofill() {
  if (!canPasskey || !cfg.autofill || autofill || !(await conditionalSupported())) return;
  const controller = new AbortController();
  autofill = controller;
  const flow = new Flow("sign-in");
  try {
    const res = await flow.begin("passkey.begin", { mediation: "conditional" });
    const credential = await get(res.result.passkey.publicKey, "conditional", controller.signal);
    autofill = null;
    busy(true);
    await finish(flow, credential);
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

function showMethods(list) {
  verify.hidden = true;
  methods.hidden = false;
  const ul = document.getElementById("method-list");
  ul.replaceChildren();
  const text = document.getElementById("methods-text");
  if (list.includes("sso")) {
    text.textContent = t("sign_in.methods.sso");
    return;
  }
  const others = cfg.passkeyOnly ? [] : list.filter((m) => m !== "passkey");
  if (others.length === 0) {
    if (cfg.passkeyOnly) {
      text.textContent = t("sign_in.passkey_required");
    } else if (!supported()) {
      text.textContent = t("sign_in.methods.none_unsupported");
    } else if (!cfg.passkey) {
      text.textContent = t("sign_in.methods.none_here");
    } else {
      text.textContent = t("sign_in.methods.none");
    }
    return;
  }
  text.textContent = t("sign_in.methods.choose");
  for (const m of others) {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.textContent = methodName(m);
    button.dataset.method = m;
    button.addEventListener("click", () => chooseMethod(m));
    li.append(button);
    ul.append(li);
  }
}

// methodName is the button text of a first-factor method; a method this
// page does not know shows as its name.
function methodName(method) {
  const key = `sign_in.methods.${method}`;
  return has(key) ? t(key) : method;
}

function chooseMethod(method) {
  say("");
  document.getElementById("password-form").hidden = method !== "password";
  document.getElementById("code-form").hidden = true;
  if (method === "password") {
    document.getElementById("password").focus();
  } else if (method === "email_code" || method === "sms_code") {
    sendCode();
  }
}

// One-time codes by email or SMS: the server sends the code, the person
// types it.
async function sendCode() {
  await attempt(async () => {
    const res = await identifyFlow.step("code.send", {});
    const key = res.result.channel === "sms" ? "sign_in.code.sent_sms" : "sign_in.code.sent_email";
    document.getElementById("code-sent").textContent = t(key, { destination: res.result.sent_to, minutes: CODE_MINUTES });
    document.getElementById("code-form").hidden = false;
    document.getElementById("code").focus();
  });
}

async function verifyCode(event) {
  event.preventDefault();
  say("");
  const field = document.getElementById("code");
  const code = field.value.trim();
  if (!code) {
    say(t("sign_in.code.missing"));
    field.focus();
    return;
  }
  await attempt(async () => {
    const res = await identifyFlow.step("code.verify", { code });
    field.value = "";
    if (res.flow.state === "mfa") {
      document.getElementById("code-form").hidden = true;
      showSecondFactor(res.result);
    } else {
      goOn(res);
    }
  }, () => field.select());
}

async function signInWithPassword(event) {
  event.preventDefault();
  say("");
  const field = document.getElementById("password");
  if (!field.value) {
    say(t("sign_in.password.missing"));
    field.focus();
    return;
  }
  await attempt(async () => {
    const res = await identifyFlow.step("password", { password: field.value });
    field.value = "";
    if (res.flow.state === "mfa") {
      showSecondFactor(res.result);
    } else {
      goOn(res);
    }
  }, () => field.select());
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

function showFactor(factor) {
  for (const [f, id] of Object.entries(factorPanels)) {
    document.getElementById(id).hidden = f !== factor;
  }
  const other = document.getElementById("mfa-other");
  other.hidden = factors.length < 2;
  other.setAttribute("aria-expanded", "false");
  document.getElementById("mfa-choices").hidden = true;
  if (factor === "sms") {
    const form = document.getElementById("mfa-sms-form");
    const send = document.getElementById("mfa-sms-send");
    send.textContent = smsPhone ? t("sign_in.mfa.sms_send_to", { phone: smsPhone }) : t("sign_in.mfa.sms_send");
    send.hidden = !form.hidden;
    document.getElementById("mfa-sms-intro").hidden = !form.hidden;
    (form.hidden ? send : document.getElementById("sms-code")).focus();
    return;
  }
  const input = document.querySelector(`#${factorPanels[factor]} input`);
  if (input) input.focus();
}

// sendSMSCode asks for a code to the SMS factor's phone; the server picks
// the number, the page only ever sees it masked.
async function sendSMSCode() {
  await attempt(async () => {
    const res = await identifyFlow.step("mfa.sms.send", {});
    document.getElementById("mfa-sms-sent").textContent = t("sign_in.mfa.sms_sent", { phone: res.result.sent_to, minutes: CODE_MINUTES });
    document.getElementById("mfa-sms-send").hidden = true;
    document.getElementById("mfa-sms-intro").hidden = true;
    document.getElementById("mfa-sms-form").hidden = false;
    const field = document.getElementById("sms-code");
    field.value = "";
    field.focus();
  });
}

function showSecondFactor(result) {
  smsPhone = result.phone || "";
  factors = result.factors.filter((f) => f in factorPanels && (f !== "webauthn" || supported()));
  methods.hidden = true;
  verify.hidden = true;
  form.hidden = true;
  document.getElementById("password-form").hidden = true;
  document.getElementById("code-form").hidden = true;
  for (const el of document.querySelectorAll("[data-needs-webauthn]")) el.hidden = true;
  document.getElementById("mfa").hidden = false;
  if (factors.length === 0) {
    say(t("sign_in.mfa.none"));
    return;
  }
  showFactor(factors[0]);
}

async function secondFactor(action, input, field) {
  await attempt(async () => {
    goOn(await identifyFlow.step(action, input));
  }, () => {
    if (field) field.focus();
  });
}

async function mfaPasskey() {
  await attempt(async () => {
    const res = await identifyFlow.step("mfa.passkey.begin", {});
    const credential = await get(res.result.passkey.publicKey);
    goOn(await identifyFlow.step("mfa.passkey.finish", { credential }));
  });
}

function codeForm(id, action) {
  document.getElementById(id).addEventListener("submit", (event) => {
    event.preventDefault();
    const input = event.target.querySelector("input");
    const code = input.value.trim();
    if (!code) {
      say(t("sign_in.code.missing"));
      input.focus();
      return;
    }
    input.value = "";
    secondFactor(action, { code }, input);
  });
}

// Verify via passkey: identifier first, with the user's own credentials.
async function verifyPasskey(options) {
  verify.hidden = false;
  methods.hidden = true;
  // The page stays usable while the browser asks for the passkey.
  let credential;
  try {
    credential = await get(options);
  } catch (err) {
    say(explain(err));
    return;
  }
  await attempt(() => finish(identifyFlow, credential));
}

async function identify(event) {
  event.preventDefault();
  cancelAutofill();
  say("");
  const value = identifier.value.trim();
  if (!value) {
    say(t("sign_in.identifier.missing"));
    identifier.focus();
    return;
  }
  await attempt(async () => {
    let res;
    if (identifyFlow && identifyFlow.token) {
      res = await identifyFlow.step("identify", { identifier: value });
    } else {
      identifyFlow = new Flow("sign-in");
      res = await identifyFlow.begin("identify", { identifier: value });
    }
    const result = res.result;
    if (res.flow.state === "passkey" && canPasskey) {
      busy(false);
      await verifyPasskey(result.passkey.publicKey);
    } else if (res.flow.state === "passkey") {
      const other = await identifyFlow.step("choose_method", {});
      showMethods(other.result.methods);
    } else {
      showMethods(result.methods);
    }
  }, (err) => {
    if (err.code === "flow_not_found") identifyFlow = null;
  });
}

async function otherMethod() {
  await attempt(async () => {
    const res = await identifyFlow.step("choose_method", {});
    showMethods(res.result.methods);
  });
}

if (!canPasskey) {
  // Removed, not hidden: the stylesheet's display rules (.divider) win over
  // the hidden attribute.
  for (const el of document.querySelectorAll("[data-needs-webauthn]")) el.remove();
}
if (cfg.passkeyOnly) document.getElementById("other-method").hidden = true;
form.addEventListener("submit", identify);
document.getElementById("password-form").addEventListener("submit", signInWithPassword);
document.getElementById("code-form").addEventListener("submit", verifyCode);
document.getElementById("code-resend").addEventListener("click", sendCode);
document.getElementById("mfa-passkey-button").addEventListener("click", mfaPasskey);
document.getElementById("mfa-other").addEventListener("click", (event) => {
  const current = factors.find((f) => !document.getElementById(factorPanels[f]).hidden);
  const list = document.getElementById("mfa-choices");
  list.replaceChildren();
  for (const f of factors.filter((f) => f !== current)) {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.dataset.factor = f;
    button.textContent = factorName(f);
    button.addEventListener("click", () => {
      say("");
      list.hidden = true;
      showFactor(f);
    });
    li.append(button);
    list.append(li);
  }
  list.hidden = false;
  event.currentTarget.setAttribute("aria-expanded", "true");
  list.querySelector("button")?.focus();
});
document.getElementById("mfa-sms-send").addEventListener("click", sendSMSCode);
document.getElementById("mfa-sms-resend").addEventListener("click", sendSMSCode);
codeForm("mfa-sms-form", "mfa.sms.verify");
codeForm("mfa-totp", "mfa.totp");
codeForm("mfa-backup", "mfa.backup_code");
document.getElementById("passkey-button")?.addEventListener("click", passkeyButton);
document.getElementById("other-method").addEventListener("click", otherMethod);
document.getElementById("verify-passkey-button").addEventListener("click", () => {
  form.requestSubmit();
});
startAutofill();
