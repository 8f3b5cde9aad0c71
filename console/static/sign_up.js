import { supported, create, Flow, FlowError, explain } from "/static/webauthn.js";
import { t } from "/static/i18n.js";
import { buttonsBusy, withBusy } from "/static/busy.js";
import { doneURL, goOn } from "/static/done.js";
import { limits, codePattern } from "/static/limits.js";
import { codesActions, keyCopyButton } from "/static/keep.js";


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
const sections = [form, verifyForm, passwordForm, prompt, twoStep, choose, sms, setup, backup];
const fields = [...form.querySelectorAll("input[data-kind]")];

let flow = null;
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
});

// show displays one section of the page and moves focus to its heading.
function show(section) {
  for (const s of sections) s.hidden = s !== section;
  const heading = section.querySelector("h2");
  if (heading) heading.focus();
}

function done() {
  window.location.assign(doneURL());
}

// fail shows the error in the page's language (explain) and focuses the
// field at fault.
function fail(err) {
  say(explain(err));
  if (!(err instanceof FlowError) || !err.field) return;
  const input = [...root.querySelectorAll(`input[name="${CSS.escape(err.field)}"]`)].find((el) => el.checkVisibility());
  if (input) {
    input.setAttribute("aria-invalid", "true");
    input.focus();
  }
}

function showVerify(sent) {
  if (sent.channel === "sms") provedPhone = sent.sent_to;
  const key = sent.channel === "sms" ? "sign_up.verify.sent_sms" : "sign_up.verify.sent_email";
  $("verify-sent").textContent = t(key, { to: sent.sent_to, minutes: limits.code_minutes });
  $("verify-code").value = "";
  show(verifyForm);
  $("verify-code").focus();
}

function showPassword(need) {
  $("new-password-hint").textContent = t("sign_up.password.hint", { min: need.min_length });
  $("new-password").value = "";
  show(passwordForm);
  $("new-password").focus();
}

function showPrompt() {
  show(prompt);
  if (!supported()) {
    $("prompt-create").disabled = true;
    say(t("sign_up.prompt.unsupported", { skip: t("sign_up.prompt.skip") }));
    $("prompt-skip").focus();
  }
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
  show(choose);
}

function showSMS(sent) {
  $("sms-back").hidden = (choice.factors || []).length < 2;
  if (sent) {
    $("sms-sent").textContent = t("sign_up.sms.sent", { to: sent.sent_to, minutes: limits.code_minutes });
    $("sms-code").value = "";
    $("sms-phone-form").hidden = true;
    $("sms-code-form").hidden = false;
    show(sms);
    $("sms-code").focus();
    return;
  }
  $("sms-phone-form").hidden = false;
  $("sms-code-form").hidden = true;
  const phone = $("sms-phone");
  if (provedPhone && !phone.value) phone.value = provedPhone;
  show(sms);
  // With the proved number already there, one press sends the code.
  (phone.value && phone.value === provedPhone ? $("sms-send") : phone).focus();
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
  $("totp-code").focus();
}

function showBackupCodes(codes) {
  shownCodes = codes;
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
    show(form);
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
      $("two-step-enable").focus();
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
      goOn(res);
  }
}

// attempt runs fn with the page busy and the message cleared, reporting
// its error on the page (fail).
function attempt(fn) {
  say("");
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
    say(t(`sign_up.missing.${missing.dataset.kind}`));
    missing.setAttribute("aria-invalid", "true");
    missing.focus();
    return false;
  }
  return true;
}

async function signUpByForm() {
  const input = details();
  if (!requireFields(input)) return;
  flow = new Flow("sign-up");
  await attempt(async () => after(await flow.begin("sign_up", input)));
}

// signUpByPasskey is passkey first: one identifier, proved by a code when
// the site asks for it (the verify screen), then the passkey creates the
// account.
async function signUpByPasskey() {
  const input = details();
  const value = Object.values(input)[0];
  if (!value) {
    say(t("sign_up.missing.details"));
    fields[0].focus();
    return;
  }
  flow = new Flow("sign-up");
  await attempt(async () => after(await flow.begin("identify", { identifier: value })));
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
    if (!codePattern().test(code)) {
      say(missing());
      input.focus();
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
$("verify-back").addEventListener("click", () => {
  say("");
  provedPhone = "";
  show(form);
  fields[0].focus();
});

passwordForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const password = $("new-password").value;
  if (!password) {
    say(t("sign_up.password.missing"));
    $("new-password").focus();
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
$("mfa-later").addEventListener("click", done);

$("sms-phone-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const phone = $("sms-phone").value.trim();
  if (!phone) {
    say(t("sign_up.sms.missing_phone"));
    $("sms-phone").focus();
    return;
  }
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
