// "Recovery link" on a user's console page: the management API makes a
// one-time link (createRecoveryLink) that opens the tenant's recovery
// page at the step that creates a new passkey. The link is shown once,
// here, for the administrator to hand over; only its hash is stored. Or
// "Email it to the user" (emailRecoveryLink): a job makes the link and
// emails it to the user's verified addresses; the page never sees it.
import { h, time } from "/static/console_dom.js";
import { gql } from "/static/console_api.js";
import { t } from "/static/i18n.js";

// recoveryLink returns the button and the place its link appears.
export function recoveryLink(slug, user, name) {
  const out = h("div", { id: "user-recovery-link", "aria-live": "polite" });
  const button = h("button", { type: "button", class: "secondary", id: "user-recovery" }, t("recovery.console.button"));
  button.addEventListener("click", async () => {
    button.disabled = true;
    out.replaceChildren(h("p", {}, t("common.working")));
    try {
      const data = await gql(slug, "mutation($u: ID!) { createRecoveryLink(userId: $u) { url expiresAt } }", { u: user.id });
      const link = data.createRecoveryLink;
      const field = h("input", { type: "text", id: "recovery-link-url", readonly: "", value: link.url, "aria-labelledby": "recovery-link-title" });
      const copy = h("button", { type: "button", class: "secondary small", id: "recovery-link-copy" }, t("recovery.console.copy"));
      const copied = h("span", { class: "muted", role: "status" });
      copy.addEventListener("click", async () => {
        field.select();
        try {
          await navigator.clipboard.writeText(link.url);
          copied.textContent = t("recovery.console.copied");
        } catch {
          copied.textContent = "";
        }
      });
      out.replaceChildren(
        h("h4", { id: "recovery-link-title" }, t("recovery.console.title", { name })),
        h("p", {}, t("recovery.console.text", { expires: time(link.expiresAt) })),
        h("div", { class: "inline" }, field, copy), copied);
      field.focus();
      field.select();
    } catch (err) {
      out.replaceChildren(h("p", { class: "form-problem", role: "alert" }, err.message));
    } finally {
      button.disabled = false;
    }
  });
  const email = h("button", { type: "button", class: "secondary", id: "user-recovery-email" }, t("recovery.console_email.button"));
  email.addEventListener("click", async () => {
    email.disabled = true;
    out.replaceChildren(h("p", {}, t("common.working")));
    try {
      const data = await gql(slug, "mutation($u: ID!) { emailRecoveryLink(userId: $u) }", { u: user.id });
      out.replaceChildren(h("p", { role: "status", id: "recovery-link-sent" }, t("recovery.console_email.sent", { to: data.emailRecoveryLink.join(", ") })));
    } catch (err) {
      out.replaceChildren(h("p", { class: "form-problem", role: "alert" }, err.message));
    } finally {
      email.disabled = false;
    }
  });
  return [button, out, email];
}
