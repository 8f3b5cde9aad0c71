import { supported, create, Flow, explain } from "/static/webauthn.js";
import { t, lang, formatDate } from "/static/i18n.js";
import { buttonsBusy, withBusy } from "/static/busy.js";
import { limits } from "/static/limits.js";
import { screens, fieldError, clearErrors, identity, Store, peek, Resend, resuming, keepOnLanguage, aboutInput } from "/static/screens.js";

// The recovery page ("Lost your passkey?"), one screen per task:
// identify → proof → code | backup → mfa → passkey → review, and expired
// ("Start again"). An administrator's recovery link opens it as
// /recover#link=TOKEN, straight on the new passkey. The flow's token, the
// identifier and the screen are kept in the tab (Store), so a reload
// resumes where the flow stands (peek). The rules are the server's
// (flows/recovery); the page only shows what the flow allows.

const $ = (id) => document.getElementById(id);
const root = $("recovery");
const ui = screens(root);
const store = new Store("recovery");
const message = $("message");
const identifier = $("identifier");
const codeResend = new Resend($("code-resend"));
const CODE_MINUTES = new Intl.NumberFormat(lang).format(limits.code_minutes);

let flow = new Flow("recovery");

function say(text) {
  message.textContent = text || "";
}

const busy = buttonsBusy(root, (on) => {
  if (!on && codeResend.cooling) codeResend.button.disabled = true;
  if (!on && !supported()) $("create-passkey").disabled = true;
});

// attempt runs fn with the page busy; an error is said next to field when
// it is about the input, else in the page's message; a flow that expired
// shows "Start again".
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
  });
}

// go shows screen and remembers it; the identifier shows as text with
// "Change" on the proof screens.
function go(screen, opts) {
  const kept = store.save({ screen });
  const shown = ["proof", "code", "backup", "expired"].includes(screen) ? kept.identifier || "" : "";
  identity(shown, change);
  ui.show(screen, opts);
}

function change() {
  say("");
  identifier.value = store.load().identifier || identifier.value;
  forget();
  go("identify", { focus: false });
  identifier.focus();
  identifier.select();
}

function forget() {
  flow = new Flow("recovery");
  store.save({ token: "", proof: null, code: null, mfa: null, passkey: null, review: null });
}

function expired() {
  forget();
  go("expired");
}

// showProof offers the ways to prove the account; then says the address
// is still to prove (after a backup code, for a user with 2 steps).
function showProof(proof) {
  store.save({ proof });
  const dest = store.load().identifier || "";
  const sms = proof.channel === "sms";
  $("proof-text").textContent = proof.then
    ? t("recovery.proof.then_code", { destination: dest })
    : t(sms ? "recovery.proof.text_sms" : "recovery.proof.text_email", { destination: dest });
  $("send-code").textContent = t(sms ? "recovery.proof.send_sms" : "recovery.proof.send_email");
  $("use-backup").hidden = proof.then || !(proof.methods || []).includes("backup_code");
  go("proof");
}

function showCode(sent, readyAt) {
  const key = sent.channel === "sms" ? "recovery.code.sent_sms" : "recovery.code.sent_email";
  $("code-sent").textContent = t(key, { destination: sent.sent_to, minutes: CODE_MINUTES });
  $("code").value = "";
  store.save({ code: sent, codeReadyAt: codeResend.start(readyAt) });
  go("code");
}

// MFA_LABELS are the field labels and switch texts of the second proofs.
const MFA_LABELS = {
  totp: ["recovery.mfa.totp_label", "recovery.mfa.use_totp"],
  backup_code: ["recovery.mfa.backup_label", "recovery.mfa.use_backup"],
  sms: ["recovery.mfa.sms_label", "recovery.mfa.use_sms"],
};
const MFA_ACTIONS = { totp: "mfa.totp", backup_code: "mfa.backup_code", sms: "mfa.sms.verify" };

// showMFA asks for the second proof: the authenticator app, a backup code
// or a code by SMS (sent on request), with a switch to the next one when
// the user has several.
function showMFA(mfa) {
  const factors = (mfa.factors || []).filter((f) => f in MFA_LABELS);
  const factor = factors.includes(mfa.current) ? mfa.current : factors[0];
  store.save({ mfa: { ...mfa, current: factor } });
  const [label] = MFA_LABELS[factor] || ["", ""];
  $("mfa-label").textContent = t(label);
  $("mfa-code").inputMode = factor === "backup_code" ? "text" : "numeric";
  $("mfa-code").value = "";
  const sms = factor === "sms";
  const sent = sms && mfa.smsSent;
  $("mfa-sms-send").hidden = !sms || !!sent;
  $("mfa-sms-send").textContent = t("recovery.mfa.sms_send", { phone: mfa.phone || "" });
  $("mfa-sms-sent").hidden = !sent;
  if (sent) $("mfa-sms-sent").textContent = t("recovery.mfa.sms_sent", { phone: sent, minutes: CODE_MINUTES });
  $("mfa-form").hidden = sms && !sent;
  const other = factors.length > 1 ? factors[(factors.indexOf(factor) + 1) % factors.length] : null;
  const sw = $("mfa-switch");
  sw.hidden = !other;
  if (other) {
    sw.textContent = t(MFA_LABELS[other][1]);
    sw.onclick = () => {
      say("");
      showMFA({ ...store.load().mfa, current: other });
      ($("mfa-form").hidden ? $("mfa-sms-send") : $("mfa-code")).focus();
    };
  }
  go("mfa");
}

async function sendSMS() {
  await attempt(async () => {
    const res = await flow.step("mfa.sms.send", {});
    showMFA({ ...store.load().mfa, smsSent: res.result.sent_to });
    $("mfa-code").focus();
  });
}

function showPasskey(p) {
  store.save({ passkey: p });
  $("skip-passkey").hidden = !p.may_skip;
  go("passkey");
  if (!supported()) say(t("recovery.unsupported"));
}

function showReview(list) {
  store.save({ review: list });
  $("passkey-list").replaceChildren(...list.map((p) => {
    const li = document.createElement("li");
    li.className = "passkey";
    const name = document.createElement("span");
    name.className = "passkey-name";
    name.textContent = p.new ? `${p.name} · ${t("recovery.review.new")}` : p.name;
    const meta = document.createElement("span");
    meta.className = "passkey-meta";
    meta.textContent = t("recovery.review.added", { date: formatDate(p.created_at) });
    li.append(name, meta);
    if (!p.new) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "secondary";
      b.textContent = t("recovery.review.remove");
      b.setAttribute("aria-label", t("recovery.review.remove_label", { name: p.name }));
      b.dataset.remove = p.id;
      b.addEventListener("click", () => remove(p));
      li.append(b);
    }
    return li;
  }));
  go("review");
}

// after goes on from a proof, as the server's answer says.
function after(res) {
  const r = res.result || {};
  switch (res.flow.state) {
    case "mfa":
      showMFA({ factors: r.factors || [], phone: r.phone || "" });
      break;
    case "proof":
      showProof({ ...(store.load().proof || {}), then: true });
      break;
    case "passkey":
      showPasskey(r);
      break;
    default:
      say("");
  }
}

async function identifyForm(event) {
  event.preventDefault();
  clearErrors(root);
  const value = identifier.value.trim();
  if (!value) {
    fieldError(identifier, t("recovery.identify.missing"));
    return;
  }
  await attempt(async () => {
    flow = new Flow("recovery");
    const res = await flow.begin("identify", { identifier: value });
    store.save({ token: flow.token, identifier: value });
    showProof(res.result);
  }, identifier);
}

async function sendCode() {
  await attempt(async () => {
    const res = await flow.step("code.send", {});
    showCode(res.result);
  }, ui.current === "code" ? $("code") : null);
}

function codeSubmit(form, input, action, empty) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(root);
    const code = input.value.trim();
    if (!code) {
      fieldError(input, t(empty));
      return;
    }
    await attempt(async () => {
      const res = await flow.step(typeof action === "function" ? action() : action, { code });
      input.value = "";
      after(res);
    }, input);
  });
}

async function createPasskey() {
  await attempt(async () => {
    const begun = await flow.step("passkey.begin", {});
    const credential = await create(begun.result.passkey.publicKey);
    const res = await flow.step("passkey.finish", { credential, name: "" });
    showReview(res.result.passkeys);
  });
}

async function remove(p) {
  await attempt(async () => {
    const res = await flow.step("passkey.remove", { id: p.id });
    showReview(res.result.passkeys);
    say(t("recovery.review.removed", { name: p.name }));
  });
  $("finish").focus();
}

async function finish() {
  await attempt(async () => {
    await flow.step("finish", {});
    store.clear();
    say(t("recovery.signed_in"));
    window.location.assign("/account");
  });
}

// useLink spends an administrator's recovery link (#link=TOKEN): the token
// leaves the address bar at once, and is posted once.
async function useLink(token) {
  history.replaceState(null, "", window.location.pathname + window.location.search);
  store.clear();
  await attempt(async () => {
    flow = new Flow("recovery");
    const res = await flow.begin("link", { token });
    store.save({ token: flow.token, identifier: "" });
    showPasskey(res.result);
  });
}

// resume puts the page back where the tab's flow stands after a reload.
async function resume() {
  const kept = store.load();
  if (!resuming(store)) {
    store.clear();
    return;
  }
  if (kept.identifier) identifier.value = kept.identifier;
  if (!kept.token) {
    if (kept.screen === "expired") go("expired");
    return;
  }
  let now;
  try {
    now = await peek("recovery", kept.token);
  } catch {
    return;
  }
  if (!now) {
    expired();
    return;
  }
  flow.token = kept.token;
  const s = now.state;
  if (s === "review" && kept.review) showReview(kept.review);
  else if (s === "passkey" && kept.passkey) showPasskey(kept.passkey);
  else if (s === "mfa" && kept.mfa) showMFA(kept.mfa);
  else if (s === "code" && kept.code && kept.screen !== "backup") showCode(kept.code, kept.codeReadyAt);
  else if ((s === "code" || s === "proof") && kept.proof) {
    showProof(kept.proof);
    if (kept.screen === "backup") go("backup");
  } else expired();
}

async function startAgain() {
  const value = store.load().identifier || "";
  go("identify");
  identifier.value = value;
  if (value) $("identify-form").requestSubmit();
}

$("identify-form").addEventListener("submit", identifyForm);
$("send-code").addEventListener("click", sendCode);
$("code-resend").addEventListener("click", sendCode);
$("use-backup").addEventListener("click", () => {
  say("");
  $("backup-code").value = "";
  go("backup");
});
$("backup-back").addEventListener("click", () => {
  say("");
  go("proof");
});
codeSubmit($("code-form"), $("code"), "code.verify", "recovery.code.missing");
codeSubmit($("backup-form"), $("backup-code"), "backup_code", "recovery.code.missing");
codeSubmit($("mfa-form"), $("mfa-code"), () => MFA_ACTIONS[(store.load().mfa || {}).current] || "mfa.totp", "recovery.code.missing");
$("mfa-sms-send").addEventListener("click", sendSMS);
$("create-passkey").addEventListener("click", createPasskey);
$("skip-passkey").addEventListener("click", finish);
$("finish").addEventListener("click", finish);
$("start-again").addEventListener("click", startAgain);

keepOnLanguage(store);
ui.show("identify", { focus: false });
const link = new URLSearchParams(window.location.hash.slice(1)).get("link");
if (link) useLink(link);
else resume();
