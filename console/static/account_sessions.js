// The sessions part of the account center: every session of the user,
// this one first, and revoking the others.

import { gql } from "/static/graphql.js";
import { t, parts } from "/static/i18n.js";
import { h, section, timeEl, timeFormat, word, joinWords } from "/static/account_html.js";
import { act } from "/static/account_page.js";
import { browserAndOS } from "/static/user_agent.js";

// device names the browser and system of a user agent, roughly.
function device(ua) {
  const { browser, os } = browserAndOS(ua);
  if (browser && os) return t("account.deviceLine", { browser, os });
  return browser || os || t("account.unknownDevice");
}

export function sessionsSection(me) {
  const list = [...me.sessions].sort((a, b) => (b.current ? 1 : 0) - (a.current ? 1 : 0) || b.createdAt.localeCompare(a.createdAt));
  return section("sessions", t("account.sessions"),
    h("p", { class: "muted" }, t("account.sessionsIntro")),
    h("ul", { id: "session-list", class: "sessions" }, list.map((s) => {
      const name = device(s.userAgent);
      return h("li", { class: s.current ? "session current" : "session", "data-id": s.id },
        h("span", { class: "session-device", title: s.userAgent }, name),
        s.current ? h("span", { class: "badge session-current" }, t("account.thisSession")) : null,
        h("span", { class: "session-meta" },
          parts("account.sessionSignedIn", { date: timeEl(s.createdAt, true) }), " · ",
          parts("account.sessionExpires", { date: timeEl(s.expiresAt, true) })),
        h("span", { class: "session-meta" },
          s.ip ? t("account.sessionFrom", { ip: s.ip }) : null,
          s.ip && s.amr.length > 0 ? " · " : null,
          s.amr.length > 0 ? t("account.sessionBy", { methods: joinWords(s.amr.map((a) => word("account.amr", a))) }) : null),
        s.current ? null : h("div", { class: "actions" },
          h("button", { type: "button", class: "secondary session-revoke",
            "aria-label": t("account.revokeLabel", { device: name, date: timeFormat.format(new Date(s.createdAt)) }),
            onclick: () => revokeSession(s) }, t("account.revoke"))));
    })));
}


function revokeSession(s) {
  act(async () => {
    await gql("mutation($id: ID!) { revokeSession(id: $id) }", { id: s.id });
    return "#sessions-title";
  }, t("account.revoked"));
}

