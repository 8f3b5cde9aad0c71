import { supported, conditionalSupported, get, Flow, explain } from "/static/webauthn.js";

const root = document.getElementById("sign-in");
const cfg = {
  passkey: root.dataset.passkeySignIn === "true",
  button: root.dataset.showButton === "true",
  autofill: root.dataset.autofill === "true",
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

function busy(on) {
  for (const b of root.querySelectorAll("button")) b.disabled = on;
  root.setAttribute("aria-busy", on ? "true" : "false");
}

function cancelAutofill() {
  if (autofill) {
    autofill.abort();
    autofill = null;
  }
}

async function finish(flow, credential) {
  await flow.step("passkey.finish", { credential });
  say("Signed in.");
  window.location.assign("/account");
}

// Continue with passkey: a discoverable credential, picked in the prompt.
async function passkeyButton() {
  cancelAutofill();
  say("");
  busy(true);
  const flow = new Flow("sign-in");
  try {
    const res = await flow.begin("passkey.begin", {});
    const credential = await get(res.result.passkey.publicKey);
    await finish(flow, credential);
  } catch (err) {
    say(explain(err));
    startAutofill();
  } finally {
    busy(false);
  }
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
    text.textContent = "This account signs in with your organization's single sign-on. Use your organization's sign-in page.";
    return;
  }
  const names = { password: "Password", email_code: "Email verification code", sms_code: "SMS verification code" };
  const others = list.filter((m) => m !== "passkey");
  if (others.length === 0) {
    if (!supported()) {
      text.textContent = "No other way to sign in is available, and this browser can't use passkeys. Try a browser or device that supports passkeys.";
    } else if (!cfg.passkey) {
      text.textContent = "No other way to sign in is available here.";
    } else {
      text.textContent = "No other way to sign in is available. Use your passkey, or create an account.";
    }
    return;
  }
  text.textContent = "Choose how to sign in:";
  for (const m of others) {
    const li = document.createElement("li");
    li.textContent = names[m] || m;
    li.dataset.method = m;
    ul.append(li);
  }
}

// Verify via passkey: identifier first, with the user's own credentials.
async function verifyPasskey(options) {
  verify.hidden = false;
  methods.hidden = true;
  try {
    const credential = await get(options);
    busy(true);
    await finish(identifyFlow, credential);
  } catch (err) {
    say(explain(err));
  } finally {
    busy(false);
  }
}

async function identify(event) {
  event.preventDefault();
  cancelAutofill();
  say("");
  const value = identifier.value.trim();
  if (!value) {
    say("Enter your email, phone number or username.");
    identifier.focus();
    return;
  }
  busy(true);
  try {
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
  } catch (err) {
    if (err.code === "flow_not_found") identifyFlow = null;
    say(explain(err));
  } finally {
    busy(false);
  }
}

async function otherMethod() {
  say("");
  busy(true);
  try {
    const res = await identifyFlow.step("choose_method", {});
    showMethods(res.result.methods);
  } catch (err) {
    say(explain(err));
  } finally {
    busy(false);
  }
}

if (!canPasskey) {
  // Removed, not hidden: the stylesheet's display rules (.divider) win over
  // the hidden attribute.
  for (const el of document.querySelectorAll("[data-needs-webauthn]")) el.remove();
}
form.addEventListener("submit", identify);
document.getElementById("passkey-button")?.addEventListener("click", passkeyButton);
document.getElementById("other-method").addEventListener("click", otherMethod);
document.getElementById("verify-passkey-button").addEventListener("click", () => {
  form.requestSubmit();
});
startAutofill();
