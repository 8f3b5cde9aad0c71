// The users pages: a searchable list, and one user with their passkeys,
// sessions and connected apps, and the actions an administrator takes on
// them.
import { h, loading, failure, time, confirmInline } from "/static/console_dom.js";
import { gql } from "/static/console_api.js";
import { t, has, parts } from "/static/i18n.js";
import { browserAndOS } from "/static/user_agent.js";
import { recoveryLink } from "/static/console_recovery.js";
import { LINKED, linkedList } from "/static/console_connectors.js";

// device is a session's "Browser on OS", from its user agent.
function device(ua) {
  const { browser, os } = browserAndOS(ua);
  if (browser && os) return t("console.user.device_line", { browser, os });
  return browser || os || t("console.user.unknown_browser");
}

// signInWords names the ways a session was signed in ("passkey, password").
function signInWords(amr) {
  if (!amr || amr.length === 0) return "";
  return t("console.user.signed_in_with", { methods: amr.map((a) => (has(`console.user.amr.${a}`) ? t(`console.user.amr.${a}`) : a)).join(t("console.user.list_separator")) });
}

const USER = `id displayName disabled mfaEnabled sso createdAt avatar { dataURL }
  identifiers { kind value verified }
  passkeys { id name authenticatorName createdAt lastUsedAt synced backupEligible transports fitsPolicy }
  sessions { id createdAt expiresAt userAgent ip amr }
  appGrants { application { id name clientId } scopes grantedAt }
  ${LINKED}`;

// renderUsers draws the users list with its search form.
export async function renderUsers(ctx, slug) {
  const { view } = ctx;
  ctx.title(t("console.users.page_title", { tenant: ctx.tenantName }));
  const params = new URLSearchParams(window.location.search);
  const search = h("input", { type: "search", id: "user-search", name: "q", value: params.get("q") || "", autocomplete: "off", spellcheck: "false" });
  const form = h("form", { id: "user-search-form", role: "search" },
    h("label", { for: "user-search" }, t("console.users.search_label")),
    h("p", { class: "hint" }, t("console.users.search_hint")),
    h("div", { class: "inline" }, search, h("button", { type: "submit", id: "user-search-button" }, t("console.users.search"))));
  const results = h("div", { id: "user-results", "aria-live": "polite" });
  view.replaceChildren(h("h2", {}, t("console.users.title")), form, results);

  // Only the newest request draws: an older answer that arrives late (the
  // first list, while a search already runs) is dropped.
  let latest = 0;
  const load = async (after, list) => {
    const seq = ++latest;
    const q = search.value.trim();
    results.setAttribute("aria-busy", "true");
    if (!after) results.replaceChildren(loading(t("console.loading.users")));
    let data;
    try {
      data = await gql(slug, `query($search: String, $after: String) { users(first: 20, after: $after, search: $search) {
        nodes { id displayName disabled mfaEnabled createdAt identifiers { kind value } passkeys { id } }
        pageInfo { hasNextPage endCursor } } }`, { search: q || null, after: after || null });
    } catch (err) {
      if (ctx.alive() && seq === latest) {
        results.replaceChildren(failure(err, () => load(after, list)));
        results.setAttribute("aria-busy", "false");
      }
      return;
    }
    if (!ctx.alive() || seq !== latest) return;
    const { nodes, pageInfo } = data.users;
    if (!list) {
      list = h("ul", { class: "item-list", id: "users" });
      results.replaceChildren(nodes.length === 0
        ? h("p", { id: "users-empty" }, q ? t("console.users.no_match", { query: q }) : t("console.users.empty"))
        : list);
    }
    for (const u of nodes) {
      list.append(h("li", { class: "item user" },
        h("a", { href: `/console/tenants/${slug}/users/${encodeURIComponent(u.id)}`, class: "item-title" }, u.displayName || u.identifiers.map((i) => i.value).join(", ") || u.id),
        h("span", { class: "muted" }, [
          u.identifiers.map((i) => i.value).join(" · "),
          t("console.users.passkey_count", { count: u.passkeys.length }),
          u.mfaEnabled ? t("console.users.two_step_on") : null,
          u.disabled ? t("console.user.disabled") : null,
        ].filter(Boolean).join(" · "))));
    }
    results.querySelector("#users-more")?.remove();
    if (pageInfo.hasNextPage) {
      const more = h("button", { type: "button", class: "secondary", id: "users-more" }, t("console.users.more"));
      more.addEventListener("click", () => { more.disabled = true; load(pageInfo.endCursor, list); });
      results.append(more);
    }
    // The query these results answer, for whoever waits on them.
    results.dataset.query = q;
    results.setAttribute("aria-busy", "false");
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const q = search.value.trim();
    history.replaceState(null, "", window.location.pathname + (q ? `?q=${encodeURIComponent(q)}` : ""));
    load(null, null);
  });
  await load(null, null);
}

// renderUser draws one user.
export async function renderUser(ctx, slug, id) {
  const { view } = ctx;
  const back = h("p", {}, h("a", { href: `/console/tenants/${slug}/users` }, t("console.user.back")));
  view.replaceChildren(back, h("h2", {}, t("console.user.title")), loading(t("console.loading.user")));
  const data = await gql(slug, `query($id: ID!) { user(id: $id) { ${USER} } }`, { id });
  if (!ctx.alive()) return;
  if (!data.user) {
    ctx.title(t("console.user.not_found"));
    view.replaceChildren(back, h("h2", {}, t("console.user.not_found")), h("p", {}, t("console.user.not_found_text")));
    return;
  }
  drawUser(ctx, slug, data.user, "");
}

function drawUser(ctx, slug, u, note) {
  const { view } = ctx;
  const name = u.displayName || (u.identifiers[0] && u.identifiers[0].value) || u.id;
  ctx.title(t("console.user.page_title", { name, tenant: ctx.tenantName }));
  const status = h("p", { class: "form-status", id: "user-status", role: "status", tabindex: "-1" }, note);
  const problem = h("p", { class: "form-problem", id: "user-problem", role: "alert" });
  const run = async (mutation, variables, done) => {
    problem.textContent = "";
    status.textContent = t("common.working");
    try {
      await gql(slug, mutation, variables);
      const fresh = await gql(slug, `query($id: ID!) { user(id: $id) { ${USER} } }`, { id: u.id });
      if (!ctx.alive()) return;
      if (!fresh.user) {
        ctx.navigate(`/console/tenants/${slug}/users`);
        return;
      }
      drawUser(ctx, slug, fresh.user, done);
      document.getElementById("user-status").focus();
    } catch (err) {
      status.textContent = "";
      problem.textContent = err.message;
    }
  };

  const passkeys = u.passkeys.length === 0
    ? h("p", { id: "user-passkeys-empty" }, t("console.user.no_passkeys"))
    : h("ul", { class: "item-list", id: "user-passkeys" }, u.passkeys.map((p) => {
      const remove = h("button", { type: "button", class: "secondary small" }, t("console.user.remove"));
      remove.setAttribute("aria-label", t("console.user.remove_passkey_label", { name: p.name }));
      remove.addEventListener("click", () => confirmInline(remove, t("console.user.remove_passkey_confirm", { name: p.name }), t("console.user.remove_passkey"),
        () => run("mutation($u: ID!, $p: ID!) { removeUserPasskey(userId: $u, passkeyId: $p) }", { u: u.id, p: p.id }, t("console.user.passkey_removed"))));
      return h("li", { class: "item passkey-item" },
        h("span", { class: "item-title passkey-name" }, p.name),
        p.authenticatorName ? h("span", { class: "muted passkey-authenticator" }, p.authenticatorName) : null,
        h("span", { class: "badge passkey-sync" }, p.synced ? t("console.user.synced") : t("console.user.device_only")),
        p.fitsPolicy === false ? h("span", { class: "badge passkey-policy" }, t("passkey_life.console.outside_policy")) : null,
        h("span", { class: "muted passkey-dates" }, parts("console.user.passkey_dates", { created: time(p.createdAt), used: time(p.lastUsedAt) })),
        remove);
    }));

  const sessions = u.sessions.length === 0
    ? h("p", { id: "user-sessions-empty" }, t("console.user.no_sessions"))
    : h("ul", { class: "item-list", id: "user-sessions" }, u.sessions.map((s) => {
      const revoke = h("button", { type: "button", class: "secondary small" }, t("console.user.revoke"));
      revoke.addEventListener("click", () => run("mutation($u: ID!, $s: ID!) { revokeUserSession(userId: $u, sessionId: $s) }", { u: u.id, s: s.id }, t("console.user.revoked")));
      return h("li", { class: "item session-item" },
        h("span", { class: "item-title session-device", title: s.userAgent || null }, device(s.userAgent)),
        h("span", { class: "muted session-meta" }, [s.ip, signInWords(s.amr)].filter(Boolean).join(" · ")),
        h("span", { class: "muted" }, parts("console.user.session_dates", { started: time(s.createdAt), expires: time(s.expiresAt) })),
        revoke);
    }));

  const disable = h("button", { type: "button", class: "secondary", id: "user-disable" }, u.disabled ? t("console.user.enable") : t("console.user.disable"));
  disable.addEventListener("click", () => run("mutation($id: ID!, $d: Boolean!) { setUserDisabled(id: $id, disabled: $d) { id } }",
    { id: u.id, d: !u.disabled }, u.disabled ? t("console.user.enabled_done") : t("console.user.disabled_done")));
  const resetMFA = h("button", { type: "button", class: "secondary", id: "user-reset-mfa" }, t("console.user.reset_mfa"));
  resetMFA.addEventListener("click", () => confirmInline(resetMFA, t("console.user.reset_mfa_confirm"), t("console.user.reset"),
    () => run("mutation($id: ID!) { resetUserMFA(id: $id) { id } }", { id: u.id }, t("console.user.reset_mfa_done"))));
  const del = h("button", { type: "button", class: "danger", id: "user-delete" }, t("console.user.delete"));
  del.addEventListener("click", () => confirmInline(del, t("console.user.delete_confirm", { name }), t("console.user.delete"),
    () => run("mutation($id: ID!) { deleteUser(id: $id) }", { id: u.id }, "")));

  const recovery = recoveryLink(slug, u, name);
  view.replaceChildren(
    h("p", {}, h("a", { href: `/console/tenants/${slug}/users` }, t("console.user.back"))),
    h("h2", { id: "user-name" }, name),
    u.avatar && u.avatar.dataURL ? h("img", { id: "user-avatar", class: "avatar", src: u.avatar.dataURL, alt: t("console.user_avatar.alt", { name }) }) : null,
    h("dl", { class: "summary" },
      u.identifiers.map((i) => [h("dt", {}, kindName(i.kind)), h("dd", {}, i.value, " ", i.verified ? t("console.user.verified") : t("console.user.not_verified"))]),
      h("dt", {}, t("console.user.status")), h("dd", { id: "user-state" }, u.disabled ? t("console.user.disabled") : t("console.user.active")),
      h("dt", {}, t("console.user.two_step")), h("dd", { id: "user-mfa" }, u.mfaEnabled ? t("console.user.on") : t("console.user.off")),
      u.sso ? [h("dt", {}, t("console.user.sign_in")), h("dd", {}, t("console.user.sso"))] : null,
      h("dt", {}, t("console.user.created")), h("dd", {}, time(u.createdAt))),
    status, problem,
    h("h3", {}, t("console.user.passkeys")), passkeys,
    h("h3", {}, t("console.user.sessions")), sessions,
    h("h3", {}, t("console.user.apps")), grantList(u, run),
    h("h3", {}, t("connectors.console.linked_title")), linkedList(u),
    h("h3", {}, t("console.user.actions")), h("div", { class: "actions" }, recovery[0], recovery[2], disable, resetMFA, del), recovery[1]);
}

// grantList is the applications the user consented to, each with
// "Remove access".
function grantList(u, run) {
  if (u.appGrants.length === 0) return h("p", { id: "user-apps-empty" }, t("console.user.no_apps"));
  return h("ul", { class: "item-list", id: "user-apps" }, u.appGrants.map((g) => {
    const app = g.application;
    const revoke = h("button", { type: "button", class: "secondary small" }, t("console.user.revoke_app"));
    revoke.setAttribute("aria-label", t("console.user.revoke_app_label", { name: app.name }));
    revoke.addEventListener("click", () => confirmInline(revoke, t("console.user.revoke_app_confirm", { name: app.name }), t("console.user.revoke_app"),
      () => run("mutation($u: ID!, $a: ID!) { revokeUserAppGrant(userId: $u, applicationId: $a) }", { u: u.id, a: app.id }, t("console.user.app_revoked", { name: app.name }))));
    return h("li", { class: "item app-grant-item" },
      h("span", { class: "item-title" }, app.name),
      h("span", { class: "muted" }, `${app.clientId} · ${g.scopes.join(" ")}`),
      h("span", { class: "muted" }, parts("console.user.app_granted", { date: time(g.grantedAt) })),
      revoke);
  }));
}

// kindName is an identifier kind (EMAIL, PHONE, USERNAME) in the page's
// language, the kind itself when the page has no word for it.
function kindName(kind) {
  const key = `console.identifier_kinds.${kind}`;
  return has(key) ? t(key) : kind.charAt(0) + kind.slice(1).toLowerCase();
}
