// Deleting the account: the section that asks (after a confirmation, and a
// recent verification when the server wants one), and the notice an
// account pending deletion shows at the top with "Keep my account". The
// tenant's grace period decides when the account goes; every session ends
// at once, this one too, so the page then says when and offers nothing
// else.

import { gql } from "/static/graphql.js";
import { t } from "/static/i18n.js";
import { withBusy } from "/static/busy.js";
import { h, section, timeFormat } from "/static/account_html.js";
import { state, act, render, clearMessages, busy, explain, sayError } from "/static/account_page.js";
import { askToReverify } from "/static/account_reverify.js";

export function pendingNotice(me) {
  if (!me.deletionScheduledAt) return null;
  return h("div", { id: "deletion-pending", class: "notice", role: "group", "aria-labelledby": "deletion-pending-text" },
    h("p", { id: "deletion-pending-text" }, t("account_manage.pending", { date: timeFormat.format(new Date(me.deletionScheduledAt)) })),
    h("div", { class: "actions" },
      h("button", { type: "button", id: "keep-account", onclick: keepAccount }, t("account_manage.keep"))));
}

export function deleteSection(me) {
  if (me.deletionScheduledAt) return null;
  const ui = state.ui;
  const intro = me.deletionGraceDays > 0
    ? t("account_manage.deleteIntroLater", { days: me.deletionGraceDays })
    : t("account_manage.deleteIntroNow");
  return section("delete", t("account_manage.delete"),
    h("p", { class: "muted" }, intro),
    ui.confirmDelete
      ? h("div", { class: "confirm", id: "delete-confirm", role: "group", "aria-labelledby": "delete-confirm-text" },
        h("p", { id: "delete-confirm-text" }, t("account_manage.deleteConfirm")),
        h("div", { class: "actions" },
          h("button", { type: "button", class: "danger", id: "delete-account-confirm", onclick: deleteAccount }, t("account_manage.deleteConfirmButton")),
          h("button", { type: "button", class: "secondary", id: "delete-account-cancel",
            onclick: () => { ui.confirmDelete = false; clearMessages(); render("#delete-account"); } }, t("account_manage.cancel"))))
      : h("div", { class: "actions" },
        h("button", { type: "button", class: "danger", id: "delete-account",
          onclick: () => { ui.confirmDelete = true; clearMessages(); render("#delete-account-cancel"); } }, t("account_manage.deleteButton"))));
}

function keepAccount() {
  act(async () => {
    await gql("mutation { cancelAccountDeletion { id } }");
    return "#profile-title";
  }, t("account_manage.kept"), ["#account"]);
}

// deleteAccount does not reload `me`: the session has ended. The page says
// when the account goes, in place of the account center.
async function deleteAccount() {
  clearMessages();
  let due;
  try {
    due = await withBusy(busy, async () => (await gql("mutation { requestAccountDeletion { deleteAfter } }")).requestAccountDeletion.deleteAfter);
  } catch (err) {
    if (err.code === "reverification_required") {
      askToReverify(deleteAccount);
      return;
    }
    sayError(explain(err));
    return;
  }
  const now = state.me.deletionGraceDays === 0;
  const root = document.getElementById("account");
  root.replaceChildren(
    h("h1", {}, t("account.title", { tenant: state.tenant })),
    h("p", { id: "deleted", tabindex: "-1" }, now ? t("account_manage.deletedNow") : t("account_manage.deleted", { date: timeFormat.format(new Date(due)) })),
    h("p", {}, h("a", { href: "/", id: "sign-in-again" }, t("account.signInAgain"))));
  root.setAttribute("aria-busy", "false");
  document.getElementById("deleted").focus();
}
