// The invitation page of a tenant host: the token is in the URL fragment
// (#token), which browsers never send to a server. One click spends it
// (POST /api/invitation, which sets the session cookie) and creates the
// passkey through the add-passkey flow, then opens the account page.
import { supported, create, Flow, explain, errorText } from "/static/webauthn.js";
import { t } from "/static/i18n.js";

const button = document.getElementById("invitation-passkey");
const message = document.getElementById("message");
const token = window.location.hash.slice(1);
// Keep the token out of the history and of anything that reads the URL.
history.replaceState(null, "", window.location.pathname);

function say(text) {
  message.textContent = text || "";
}

if (!supported()) {
  button.disabled = true;
  say(t("team.invitation.unsupported"));
} else if (!token) {
  button.disabled = true;
  say(t("team.invitation.incomplete"));
}

let signedIn = false;

button.addEventListener("click", async () => {
  say("");
  button.disabled = true;
  try {
    if (!signedIn) {
      const res = await fetch("/api/invitation", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ token }),
        credentials: "same-origin",
      });
      if (!res.ok) {
        const data = await res.json().catch(() => ({}));
        const e = data.error || {};
        // A spent invitation is an invitation, not a "setup link", to
        // the person who opens it.
        if (e.code === "setup_link_invalid") say(t("team.invitation_link.used"));
        else say(e.code ? errorText(e.code, e.field, e.message) : t("team.invitation.failed"));
        return;
      }
      signedIn = true;
    }
    const flow = new Flow("add-passkey");
    const begun = await flow.begin("passkey.begin", {});
    const credential = await create(begun.result.passkey.publicKey);
    await flow.step("passkey.finish", { credential, name: "" });
    window.location.assign("/account");
  } catch (err) {
    say(explain(err));
    button.disabled = false;
  }
});
