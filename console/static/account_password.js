// The password part of the account center: set one, or change it, under
// the tenant's policy (its least length shown; the server checks it all),
// optionally signing out every other session. It needs a recent
// verification, which act() asks for when the server wants it.

import { gql } from "/static/graphql.js";
import { t } from "/static/i18n.js";
import { h, section } from "/static/account_html.js";
import { act } from "/static/account_page.js";

export function passwordSection(me) {
  return section("password", t("account_manage.password"),
    h("p", { id: "password-state", class: "muted" }, me.hasPassword ? t("account_manage.passwordSet") : t("account_manage.passwordNone")),
    h("form", { id: "password-form", novalidate: true,
      onsubmit: (e) => { e.preventDefault(); setPassword(e.target.elements.password.value, e.target.elements.endOthers.checked); } },
      h("label", { for: "new-password" }, t("account_manage.newPasswordLabel")),
      h("input", { id: "new-password", name: "password", type: "password", autocomplete: "new-password",
        minlength: me.passwordMinLength, maxlength: me.passwordMaxLength, "aria-describedby": "password-help" }),
      h("p", { id: "password-help", class: "muted" }, t("account_manage.passwordHelp", { min: me.passwordMinLength })),
      h("div", { class: "switch-row" },
        h("input", { id: "end-other-sessions", name: "endOthers", type: "checkbox" }),
        h("label", { for: "end-other-sessions" }, t("account_manage.endOthers"))),
      h("div", { class: "actions" },
        h("button", { type: "submit", id: "set-password" }, me.hasPassword ? t("account_manage.changePassword") : t("account_manage.setPassword")))));
}

function setPassword(password, endOthers) {
  act(async () => {
    await gql("mutation($p: String!, $e: Boolean) { setPassword(password: $p, endOtherSessions: $e) { id } }", { p: password, e: endOthers });
    return "#password-title";
  }, t("account_manage.passwordSaved"), ["#password-form", "#password"]);
}
