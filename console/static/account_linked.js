// The linked sign-ins part of the account center: the accounts at other
// providers (federation connectors) that sign the user in here, and
// unlinking one while another way to sign in remains (the server says
// when it is the last one).

import { gql } from "/static/graphql.js";
import { t } from "/static/i18n.js";
import { h, section } from "/static/account_html.js";
import { act } from "/static/account_page.js";

export function linkedSection(me) {
  const list = me.linkedIdentities || [];
  if (list.length === 0) return null;
  return section("linked", t("federation.account.title"),
    h("p", { class: "muted" }, t("federation.account.intro")),
    h("ul", { id: "linked-list", class: "sessions" }, list.map((l) =>
      h("li", { class: "session linked-identity", "data-id": l.id },
        h("span", { class: "session-device linked-name" }, l.connector),
        l.email ? h("span", { class: "session-meta" }, l.email) : null,
        h("div", { class: "actions" },
          h("button", { type: "button", class: "secondary linked-unlink",
            "aria-label": t("federation.account.unlink_named", { name: l.connector }),
            onclick: () => unlink(l) }, t("federation.account.unlink")))))));
}

function unlink(l) {
  act(async () => {
    await gql("mutation($id: ID!) { unlinkIdentity(id: $id) }", { id: l.id });
    return "#linked-title";
  }, t("federation.account.unlinked", { name: l.connector }));
}
