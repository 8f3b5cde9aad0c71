// The "Invite users" page: an administrator enters an email address (and
// a name); Sesame creates the user and emails them a link, valid once,
// with which they create a passkey (the management API's inviteUser).
import { h } from "/static/console_dom.js";
import { gql } from "/static/console_api.js";
import { t } from "/static/i18n.js";

export function renderInviteUser(ctx, slug, notice) {
  const { view } = ctx;
  ctx.title(t("team.invite_user.title"));
  const email = h("input", { type: "email", id: "invite-email", name: "email", required: true, autocomplete: "off", "aria-describedby": "invite-email-error" });
  const name = h("input", { type: "text", id: "invite-name", name: "name", autocomplete: "off" });
  const error = h("p", { class: "field-error", id: "invite-email-error" });
  const status = h("p", { class: "form-status", role: "status", id: "invite-status" }, notice || "");
  const button = h("button", { type: "submit", id: "invite-user" }, t("team.invite_user.button"));
  const form = h("form", { id: "invite-user-form", novalidate: true },
    h("label", { for: "invite-email" }, t("team.invite_user.email")), email, error,
    h("label", { for: "invite-name" }, t("team.invite_user.name")), name, button, status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    email.removeAttribute("aria-invalid");
    if (email.value.trim() === "") {
      error.textContent = t("team.invite_user.email_missing");
      email.setAttribute("aria-invalid", "true");
      email.focus();
      return;
    }
    button.disabled = true;
    try {
      const to = email.value.trim();
      await gql(slug, "mutation($email: String!, $name: String) { inviteUser(email: $email, name: $name) { id } }", { email: to, name: name.value.trim() || null });
      if (!ctx.alive()) return;
      renderInviteUser(ctx, slug, t("team.invite_user.sent", { email: to }));
      document.getElementById("invite-email")?.focus();
    } catch (err) {
      button.disabled = false;
      error.textContent = err.message;
      email.setAttribute("aria-invalid", "true");
      email.focus();
    }
  });
  view.replaceChildren(h("h2", {}, t("team.invite_user.title")), h("p", { class: "intro" }, t("team.invite_user.intro")), form);
}
