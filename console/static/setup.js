// The setup link page: the token is in the URL fragment (#token), which
// browsers never send to a server. One click spends it (POST
// /api/setup, which sets the session cookie) and creates the first
// passkey through the add-passkey flow, then opens the console.
// The page speaks the console's language; its words and errorText's and
// explain's sentences come from the page's strings (the console bundle).
import { supported, create, Flow, explain, errorText } from "/static/webauthn.js";
import { t } from "/static/i18n.js";

const button = document.getElementById("setup-passkey");
const message = document.getElementById("message");
const token = window.location.hash.slice(1);
// Keep the token out of the history and of anything that reads the URL.
history.replaceState(null, "", window.location.pathname);

function say(text) {
  message.textContent = text || "";
}

if (!supported()) {
  button.disabled = true;
  say(t("console.setup.unsupported"));
} else if (!token) {
  button.disabled = true;
  say(t("console.setup.incomplete"));
}

let signedIn = false;

button.addEventListener("click", async () => {
  say("");
  button.disabled = true;
  try {
    if (!signedIn) {
      const res = await fetch("/api/setup", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ token }),
        credentials: "same-origin",
      });
      if (!res.ok) {
        const data = await res.json().catch(() => ({}));
        const e = data.error || {};
        say(e.message ? errorText(e.code || "unknown", e.field, e.message) : t("console.setup.failed"));
        return;
      }
      signedIn = true;
    }
    const flow = new Flow("add-passkey");
    const begun = await flow.begin("passkey.begin", {});
    const credential = await create(begun.result.passkey.publicKey);
    await flow.step("passkey.finish", { credential, name: "" });
    window.location.assign("/console");
  } catch (err) {
    say(explain(err));
    button.disabled = false;
  }
});
