import { supported, create, Flow, explain } from "/static/webauthn.js";

const form = document.getElementById("sign-up-form");
const identifier = document.getElementById("identifier");
const message = document.getElementById("message");
const button = document.getElementById("create-passkey");
const twoStep = document.getElementById("two-step");
const enable = document.getElementById("two-step-enable");
const skip = document.getElementById("two-step-skip");
const setup = document.getElementById("totp-setup");
const totpForm = document.getElementById("totp-form");
const totpCode = document.getElementById("totp-code");
const backup = document.getElementById("backup-codes");
const saved = document.getElementById("backup-codes-saved");

let flow = null;

function say(text) {
  message.textContent = text || "";
}

// show displays one section of the page and moves focus to its heading.
function show(section) {
  for (const s of [form, twoStep, setup, backup]) s.hidden = s !== section;
  const heading = section.querySelector("h2");
  if (heading) heading.focus();
}

function done() {
  window.location.assign("/account");
}

function showSetup(totp, required) {
  document.getElementById("totp-qr").src = totp.qr_code;
  document.getElementById("totp-secret").textContent = totp.secret;
  document.getElementById("totp-required").hidden = !required;
  totpCode.value = "";
  show(setup);
  totpCode.focus();
}

function showBackupCodes(codes) {
  const list = document.getElementById("backup-code-list");
  list.replaceChildren(...codes.map((c) => {
    const li = document.createElement("li");
    li.className = "backup-code";
    li.textContent = c;
    return li;
  }));
  show(backup);
}

// after handles a step's response: the next screen, or the account page.
function after(res) {
  switch (res.flow.state) {
    case "two_step":
      say("Account created.");
      show(twoStep);
      enable.focus();
      return;
    case "totp_setup":
      say("");
      showSetup(res.result.totp || res.result, res.result.two_step ? res.result.two_step.required : false);
      return;
    case "backup_codes":
      say("");
      showBackupCodes(res.result.backup_codes);
      return;
    default:
      say("Account created.");
      done();
  }
}

async function act(control, action, input) {
  control.disabled = true;
  say("");
  try {
    after(await flow.step(action, input));
  } catch (err) {
    say(explain(err));
  } finally {
    control.disabled = false;
  }
}

if (!supported()) {
  button.disabled = true;
  say("This browser can't create passkeys. Use a browser that supports passkeys to create an account.");
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  say("");
  const value = identifier.value.trim();
  if (!value) {
    say("Enter your email, phone number or username.");
    identifier.focus();
    return;
  }
  button.disabled = true;
  flow = new Flow("sign-up");
  try {
    const res = await flow.begin("identify", { identifier: value });
    const credential = await create(res.result.passkey.publicKey);
    after(await flow.step("passkey.finish", { credential }));
  } catch (err) {
    say(explain(err));
    button.disabled = false;
  }
});

enable.addEventListener("click", () => act(enable, "two_step.enable"));
skip.addEventListener("click", () => act(skip, "two_step.skip"));

totpForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const code = totpCode.value.replace(/\s/g, "");
  if (!/^\d{6}$/.test(code)) {
    say("Enter the 6-digit code your authenticator app shows.");
    totpCode.focus();
    return;
  }
  act(document.getElementById("totp-confirm"), "totp.confirm", { code });
});

saved.addEventListener("click", () => act(saved, "backup_codes.ack"));
