import { supported, create, Flow, explain } from "/static/webauthn.js";

const form = document.getElementById("add-passkey-form");
const nameInput = document.getElementById("passkey-name");
const message = document.getElementById("message");
const button = document.getElementById("add-passkey");

function say(text) {
  message.textContent = text || "";
}

if (!supported()) {
  button.disabled = true;
  say("This browser can't create passkeys.");
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  say("");
  button.disabled = true;
  const flow = new Flow("add-passkey");
  try {
    const res = await flow.begin("passkey.begin", {});
    const credential = await create(res.result.passkey.publicKey);
    await flow.step("passkey.finish", { credential, name: nameInput.value.trim() });
    window.location.reload();
  } catch (err) {
    say(explain(err));
    button.disabled = false;
  }
});
