import { supported, create, Flow, FlowError, explain } from "/static/webauthn.js";
import { t } from "/static/i18n.js";
import { buttonsBusy, withBusy } from "/static/busy.js";
import { finishURL } from "/static/done.js";
import { limits, codePattern } from "/static/limits.js";
import { codesActions, keyCopyButton } from "/static/keep.js";
import { screens, fieldError, clearErrors, identity, Store, peek, Resend, resuming, keepOnLanguage, aboutInput } from "/static/screens.js";
import { wire as wireConnectors } from "/static/federation.js";

// The sign-up page, one screen per task (the form, the code, the password,
// then once the account exists: "Create a passkey?", "Turn on 2-step
// verification", the factor, the backup codes), and "Start again" for a
// flow that expired. The flow's token, what was typed and the screen are
// kept in the tab (Store), so a reload resumes on the same screen once the
// server says the flow still stands there (peek). The backup codes stay
// there only until the person says they saved them.


const $ = (id) => document.getElementById(id);

const root = $("sign-up");
const form = $("sign-up-form");
const message = $("message");
const passkeyButton = $("create-passkey");
const verifyForm = $("verify-form");
const passwordForm = $("password-form");
const prompt = $("passkey-prompt");
const twoStep = $("two-step");
const choose = $("mfa-choose");
const sms = $("sms-setup");
const setup = $("totp-setup");
const backup = $("backup-codes");
const fields = [...form.querySelectorAll("input[data-kind]")];

let flow = null;
const ui = screens(root);
const store = new Store("sign-up");
const verifyResend = new Resend($("verify-resend"));
const smsResend = new Resend($("sms-resend"));
// The states after the account exists: the identifier can no longer
// change, and an expired flow leaves a signed-in account.
const afterAccount = ["passkey_prompt", "two_step", "mfa_choose", "totp_setup", "sms_verify", "backup_codes"];
// The last choice of factors the server offered (mfa_choose).
let choice = { factors: [], bound: [], required: false };
// The phone number this sign-up proved by a text message, if any: setting
// up SMS 2-step verification offers it instead of asking again.
let provedPhone = "";

function say(text) {
  message.textContent = text || "";
}

// busy disables the page's buttons during a request; the passkey buttons
// stay disabled afterwards in a browser without passkeys.
const busy = buttonsBusy(root, (on) => {
  if (!on && passkeyButton && !supported()) passkeyButton.disabled = true;
  if (!on && !supported()) $("prompt-create").disabled = true;
  if (!on) for (const r of [verifyResend, smsResend]) if (r.cooling) r.button.disabled = true;
});

// show displays one screen of the page, moves focus to its heading and
// remembers it for a reload. The identifier shows as text with "Change"
// between the form and the account; "Sign in" only on the form.
function show(section, opts) {
  const screen = section.dataset.screen;
  store.save({ screen });
  const typed = screen === "form" || afterAccount.includes(screen) || screen === "expired" ? "" : Object.values(store.load().fields || {}).join(", ");
  identity(typed, backToForm);
  $("sign-in-footer").hidden = screen !== "form";
  ui.show(screen, opts);
}

function backToForm() {
  say("");
  clearErrors(root);
  provedPhone = "";
  show(form, { focus: false });
  fields[0].focus();
}

function done(res) {
  store.clear();
  window.location.assign(finishURL(res));
}

// fail shows the error in the page's language (explain) next to the field
// at fault when there is one, else in the page's message; a flow that
// expired shows "Start again".
function fail(err) {
  if (err && err.code === "flow_not_found") {
    expired();
    return;
  }
  const text = explain(err);
  const named = err instanceof FlowError && err.field
    ? [...root.querySelectorAll(`input[name="${CSS.escape(err.field)}"]`)].find((el) => el.checkVisibility())
    : null;
  const visible = [...root.querySelectorAll(".screen:not([hidden]) input")].filter((el) => el.checkVisibility());
  // An error naming a field of another screen (an address found taken
  // once its code is proved) is said in the page's message.
  const input = named || (visible.length === 1 && !err.field && aboutInput(err) ? visible[0] : null);
  if (!(input && fieldError(input, text))) say(text);
}

function expired() {
  const kept = store.load();
  flow = null;
  store.save({ token: "" });
  if (afterAccount.includes(kept.screen)) {
    // The account exists and is signed in: nothing to start again.
    done();
    return;
  }
  show($("screen-expired"));
}

// startAgain starts a new flow the way the last one began, with what was
// typed.
function startAgain() {
  const kept = store.load();
  restoreFields(kept.fields);
  if (kept.path === "passkey") signUpByPasskey();
  else signUpByForm();
}

function restoreFields(values) {
  for (const f of fields) if (values && values[f.dataset.kind] !== undefined && !f.value) f.value = values[f.dataset.kind];
}

function showVerify(sent, readyAt) {
  if (sent.channel === "sms") provedPhone = sent.sent_to;
  const key = sent.channel === "sms" ? "sign_up.verify.sent_sms" : "sign_up.verify.sent_email";
  $("verify-sent").textContent = t(key, { to: sent.sent_to, minutes: limits.code_minutes });
  $("verify-code").value = "";
  store.save({ verify: sent, verifyReadyAt: verifyResend.start(readyAt) });
  show(verifyForm);
}

function showPassword(need) {
  $("new-password-hint").textContent = t("sign_up.password.hint", { min: need.min_length });
  $("new-password").value = "";
  store.save({ password: need });
  show(passwordForm);
}

// showPrompt is "Create a passkey?". A browser without WebAuthn is offered
// no passkey (journey J12): it goes past the screen, as "Not now" does.
// Where the site needs a passkey to finish (the server refuses the skip),
// the screen stays, its button disabled, and says why.
function showPrompt() {
  if (supported()) {
    show(prompt);
    return;
  }
  attempt(async () => {
    try {
      await after(await flow.step("passkey_prompt.skip"));
    } catch (err) {
      show(prompt);
      $("prompt-create").disabled = true;
      throw err;
    }
  });
}

function showChoose(c) {
  choice = c;
  const factors = c.factors || [];
  const bound = c.bound || [];
  $("mfa-required").hidden = !c.required;
  $("mfa-bound").hidden = bound.length === 0;
  $("mfa-pick").hidden = factors.length === 0;
  $("choose-totp").hidden = !factors.includes("totp");
  $("choose-sms").hidden = !factors.includes("sms");
  $("mfa-finish").hidden = bound.length === 0;
  $("mfa-later").hidden = c.required || bound.length > 0;
  store.save({ choice: c });
  show(choose);
}

function showSMS(sent, readyAt) {
  $("sms-back").hidden = (choice.factors || []).length < 2;
  store.save({ sms: sent || null, choice });
  if (sent) {
    store.save({ smsReadyAt: smsResend.start(readyAt) });
    $("sms-sent").textContent = t("sign_up.sms.sent", { to: sent.sent_to, minutes: limits.code_minutes });
    $("sms-code").value = "";
    $("sms-phone-form").hidden = true;
    $("sms-code-form").hidden = false;
    show(sms);
    return;
  }
  $("sms-phone-form").hidden = false;
  $("sms-code-form").hidden = true;
  const phone = $("sms-phone");
  if (provedPhone && !phone.value) phone.value = provedPhone;
  show(sms);
  // With the proved number already there, one press sends the code.
  if (phone.value && phone.value === provedPhone) $("sms-send").focus();
}

// keptIn reports what copy, download or print did in the status line el,
// next to the buttons (a failure goes to the page's alert).
const keptIn = (el) => (ok, text) => {
  el.textContent = ok ? text : "";
  say(ok ? "" : text);
};
let shownCodes = [];
$("totp-kept").before(keyCopyButton("totp-secret-copy", () => $("totp-secret").textContent, keptIn($("totp-kept"))));
$("backup-kept").before(codesActions("backup-codes", root.dataset.tenantName || "", () => shownCodes, "#backup-codes", keptIn($("backup-kept"))));

function showSetup(totp, required) {
  $("totp-kept").textContent = "";
  $("totp-qr").src = totp.qr_code;
  $("totp-secret").textContent = totp.secret;
  $("totp-required").hidden = !required;
  $("totp-back").hidden = (choice.factors || []).length < 2;
  $("totp-code").value = "";
  show(setup);
}

function showBackupCodes(codes) {
  shownCodes = codes;
  store.save({ codes });
  $("backup-kept").textContent = "";
  $("backup-code-list").replaceChildren(...codes.map((c) => {
    const li = document.createElement("li");
    li.className = "backup-code";
    li.textContent = c;
    return li;
  }));
  show(backup);
}

// finishPasskey creates the passkey that creates the account (passkey
// first), with the options the flow issued once the address was proved.
async function finishPasskey(options) {
  let credential;
  try {
    credential = await create(options.passkey.publicKey);
  } catch (err) {
    // No passkey, no account: back to the form, where "Create a passkey"
    // starts again.
    show(form, { focus: false });
    throw err;
  }
  await after(await flow.step("passkey.finish", { credential }));
}

// after handles a step's response: the next screen, or the account page.
async function after(res) {
  const r = res.result || {};
  switch (res.flow.state) {
    case "passkey":
      say("");
      await finishPasskey(r);
      return;
    case "verify":
      say("");
      showVerify(r);
      return;
    case "password":
      say("");
      showPassword(r);
      return;
    case "passkey_prompt":
      say("");
      showPrompt();
      return;
    case "two_step":
      say("");
      show(twoStep);
      return;
    case "mfa_choose":
      say("");
      showChoose(r.mfa || r);
      return;
    case "totp_setup":
      say("");
      if (r.mfa) choice = r.mfa;
      showSetup(r.totp || r, r.two_step ? r.two_step.required : choice.required);
      return;
    case "sms_verify":
      say("");
      showSMS(r);
      return;
    case "backup_codes":
      say("");
      showBackupCodes(r.backup_codes);
      return;
    default:
      say("");
      done(res);
  }
}

// attempt runs fn with the page busy and the message cleared, reporting
// its error on the page (fail).
function attempt(fn) {
  say("");
  clearErrors(root);
  return withBusy(busy, fn, fail);
}

// act runs one step of the flow, reporting its error on the page.
function act(action, input) {
  return attempt(async () => after(await flow.step(action, input)));
}

// details reads the form: each identifier field by its kind.
function details() {
  const out = {};
  for (const f of fields) {
    f.removeAttribute("aria-invalid");
    const v = f.value.trim();
    if (v) out[f.dataset.kind] = v;
  }
  return out;
}

function requireFields(input) {
  const missing = fields.find((f) => f.required && !input[f.dataset.kind]);
  if (missing) {
    fieldError(missing, t(`sign_up.missing.${missing.dataset.kind}`));
    return false;
  }
  return true;
}

// begin starts a new flow with its first action, keeping the token, what
// was typed and the path taken for a reload or "Start again".
async function begin(action, input, path, typed) {
  flow = new Flow("sign-up");
  await attempt(async () => {
    const res = await flow.begin(action, input);
    store.save({ token: flow.token, fields: typed, path, verify: null, password: null, choice: null, sms: null, codes: null });
    await after(res);
  });
}

async function signUpByForm() {
  clearErrors(root);
  const input = details();
  if (!requireFields(input)) return;
  await begin("sign_up", input, "form", input);
}

// signUpByPasskey is passkey first: one identifier, proved by a code when
// the site asks for it (the verify screen), then the passkey creates the
// account.
async function signUpByPasskey() {
  clearErrors(root);
  const input = details();
  const value = Object.values(input)[0];
  if (!value) {
    fieldError(fields[0], t("sign_up.missing.details"));
    return;
  }
  await begin("identify", { identifier: value }, "passkey", input);
}

// A browser without passkeys is simply not offered one: the form works
// without it, so nothing alarming shows on load.
if (!supported()) {
  if (passkeyButton) passkeyButton.disabled = true;
  for (const el of document.querySelectorAll("[data-needs-webauthn]")) el.hidden = true;
}

// codeForm sends the code typed in input with action when the form el is
// submitted; a code of the wrong shape is refused on the page with the
// sentence missing() returns.
function codeForm(el, input, missing, action) {
  el.addEventListener("submit", (event) => {
    event.preventDefault();
    const code = input.value.replace(/\s/g, "");
    clearErrors(root);
    if (!codePattern().test(code)) {
      fieldError(input, missing());
      return;
    }
    act(action, { code });
  });
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  if (passkeyButton && event.submitter === passkeyButton) {
    signUpByPasskey();
  } else {
    signUpByForm();
  }
});

codeForm(verifyForm, $("verify-code"), () => t("sign_up.verify.missing_code", { digits: limits.code_digits }), "code.verify");
$("verify-resend").addEventListener("click", () => act("code.send"));
$("verify-back").addEventListener("click", backToForm);

passwordForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const password = $("new-password").value;
  if (!password) {
    fieldError($("new-password"), t("sign_up.password.missing"));
    return;
  }
  act("password", { password });
});

$("prompt-create").addEventListener("click", () => attempt(async () => {
  const res = await flow.step("passkey_prompt.begin");
  const credential = await create(res.result.passkey.publicKey);
  await after(await flow.step("passkey_prompt.finish", { credential }));
}));
$("prompt-skip").addEventListener("click", () => act("passkey_prompt.skip"));

$("two-step-enable").addEventListener("click", () => act("two_step.enable"));
$("two-step-skip").addEventListener("click", () => act("two_step.skip"));

$("choose-totp").addEventListener("click", () => act("totp.start"));
$("choose-sms").addEventListener("click", () => {
  say("");
  showSMS(null);
});
$("mfa-finish").addEventListener("click", () => act("mfa.finish"));
// Leaving before a factor is bound: the account stays signed in, with 2-step
// verification off (never offered with the mandatory policy).
$("mfa-later").addEventListener("click", () => done());

$("sms-phone-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const phone = $("sms-phone").value.trim();
  if (!phone) {
    fieldError($("sms-phone"), t("sign_up.sms.missing_phone"));
    return;
  }
  store.save({ phone });
  act("sms.send", { phone });
});
codeForm($("sms-code-form"), $("sms-code"), () => t("sign_up.sms.missing_code", { digits: limits.code_digits }), "sms.verify");
$("sms-resend").addEventListener("click", () => act("sms.send", { phone: $("sms-phone").value.trim() }));
$("sms-back").addEventListener("click", () => {
  say("");
  showChoose(choice);
});

codeForm($("totp-form"), $("totp-code"), () => t("sign_up.totp.missing_code", { digits: limits.code_digits }), "totp.confirm");
$("totp-back").addEventListener("click", () => {
  say("");
  showChoose(choice);
});

$("backup-codes-saved").addEventListener("click", () => act("backup_codes.ack"));

$("start-again").addEventListener("click", startAgain);

// resume puts the page back where the tab's flow stands after a reload:
// the screen kept, when the server's state still fits it; "Start again"
// when the flow expired; what was typed kept in any case.
async function resume() {
  const kept = store.load();
  if (!resuming(store)) {
    // Opened afresh: a new sign-up, nothing carried over.
    store.clear();
    return;
  }
  restoreFields(kept.fields);
  if (!kept.token) {
    if (kept.screen === "expired") show($("screen-expired"));
    return;
  }
  let now;
  try {
    now = await peek("sign-up", kept.token);
  } catch {
    return;
  }
  if (!now) {
    expired();
    return;
  }
  flow = new Flow("sign-up");
  flow.token = kept.token;
  if (kept.phone) $("sms-phone").value = kept.phone;
  if (kept.choice) choice = kept.choice;
  resumeOn(kept, now.state);
}

function resumeOn(kept, state) {
  switch (state) {
    case "verify":
      if (kept.verify) showVerify(kept.verify, kept.verifyReadyAt);
      return;
    case "password":
      if (kept.password) showPassword(kept.password);
      return;
    case "passkey_prompt":
      showPrompt();
      return;
    case "two_step":
      show(twoStep);
      return;
    case "mfa_choose":
      if (kept.choice) showChoose(kept.choice);
      return;
    case "totp_setup":
      // The secret is not kept in the tab: a new one, with its QR code.
      act("totp.start");
      return;
    case "sms_verify":
      if (kept.sms) showSMS(kept.sms, kept.smsReadyAt);
      else showSMS(null);
      return;
    case "backup_codes":
      if (kept.codes) showBackupCodes(kept.codes);
      return;
    default:
      // identify or passkey: the form, filled in; its buttons begin anew.
  }
}

keepOnLanguage(store);
ui.show("form", { focus: false });
resume();

// "Continue with NAME": the account is made (or found) through the
// provider, on a sign-in flow.
{
  const connectors = document.getElementById("sign-up-connectors");
  if (connectors) wireConnectors(connectors, attempt);
}
