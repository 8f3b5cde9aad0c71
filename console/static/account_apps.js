// The connected apps part of the account center: the applications the
// user let use their account, what each may have, and taking that access
// back.

import { gql } from "/static/graphql.js";
import { t, parts } from "/static/i18n.js";
import { h, section, timeEl, word, joinWords } from "/static/account_html.js";
import { act } from "/static/account_page.js";

export function appsSection(me) {
  const grants = me.connectedApps || [];
  return section("apps", t("account.apps"),
    h("p", { class: "muted" }, t("account.appsIntro")),
    grants.length === 0 ? h("p", { id: "apps-none" }, t("account.appsNone")) :
      h("ul", { id: "app-list", class: "sessions" }, grants.map((g) => {
        const name = g.application.name;
        return h("li", { class: "session app-grant", "data-id": g.application.id },
          h("span", { class: "session-device app-name" }, name),
          h("span", { class: "session-meta" }, parts("account.appAllowed", { date: timeEl(g.grantedAt, false) })),
          h("span", { class: "session-meta app-scopes" },
            t("account.appMay", { scopes: joinWords(g.scopes.map((s) => word("account.appScope", s))) })),
          h("div", { class: "actions" },
            h("button", { type: "button", class: "secondary app-revoke",
              "aria-label": t("account.appRevokeLabel", { app: name }),
              onclick: () => revokeApp(g) }, t("account.appRevoke"))));
      })));
}

function revokeApp(g) {
  act(async () => {
    await gql("mutation($id: ID!) { revokeAppAccess(applicationId: $id) }", { id: g.application.id });
    return "#apps-title";
  }, t("account.appRevoked", { app: g.application.name }));
}
