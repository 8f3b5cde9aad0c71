import { supported, create, Flow, explain } from "/static/webauthn.js";

const form = document.getElementById("sign-up-form");
const identifier = document.getElementById("identifier");
const message = document.getElementById("message");
const button = document.getElementById("create-passkey");

function say(text) {
  message.textContent = text || "";
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
  const flow = new Flow("sign-up");
  try {
    const res = await flow.begin("identify", { identifier: value });
    const credential = await create(res.result.passkey.publicKey);
    await flow.step("passkey.finish", { credential });
    say("Account created.");
    window.location.assign("/account");
  } catch (err) {
    say(explain(err));
    button.disabled = false;
  }
});
