// The users pages: a searchable list, and one user with their passkeys
// and sessions, and the actions an administrator takes on them.
import { h, loading, failure, time } from "/static/console_dom.js";
import { gql } from "/static/console_api.js";

const USER = `id displayName disabled mfaEnabled sso createdAt
  identifiers { kind value verified }
  passkeys { id name authenticatorName createdAt lastUsedAt synced backupEligible transports }
  sessions { id createdAt expiresAt userAgent ip amr }`;

// renderUsers draws the users list with its search form.
export async function renderUsers(ctx, slug) {
  const { view } = ctx;
  ctx.title(`Users – ${ctx.tenantName}`);
  const params = new URLSearchParams(window.location.search);
  const search = h("input", { type: "search", id: "user-search", name: "q", value: params.get("q") || "", autocomplete: "off", spellcheck: "false" });
  const form = h("form", { id: "user-search-form", role: "search" },
    h("label", { for: "user-search" }, "Search users"),
    h("p", { class: "hint" }, "The start of an email address, phone number or username."),
    h("div", { class: "inline" }, search, h("button", { type: "submit", id: "user-search-button" }, "Search")));
  const results = h("div", { id: "user-results", "aria-live": "polite" });
  view.replaceChildren(h("h2", {}, "Users"), form, results);

  const load = async (after, list) => {
    const q = search.value.trim();
    results.setAttribute("aria-busy", "true");
    if (!after) results.replaceChildren(loading("users"));
    let data;
    try {
      data = await gql(slug, `query($search: String, $after: String) { users(first: 20, after: $after, search: $search) {
        nodes { id displayName disabled mfaEnabled createdAt identifiers { kind value } passkeys { id } }
        pageInfo { hasNextPage endCursor } } }`, { search: q || null, after: after || null });
    } catch (err) {
      if (ctx.alive()) {
        results.replaceChildren(failure(err, () => load(after, list)));
        results.setAttribute("aria-busy", "false");
      }
      return;
    }
    if (!ctx.alive()) return;
    const { nodes, pageInfo } = data.users;
    if (!list) {
      list = h("ul", { class: "item-list", id: "users" });
      results.replaceChildren(nodes.length === 0
        ? h("p", { id: "users-empty" }, q ? `No user matches "${q}".` : "This tenant has no users yet.")
        : list);
    }
    for (const u of nodes) {
      list.append(h("li", { class: "item user" },
        h("a", { href: `/console/tenants/${slug}/users/${encodeURIComponent(u.id)}`, class: "item-title" }, u.displayName || u.identifiers.map((i) => i.value).join(", ") || u.id),
        h("span", { class: "muted" }, [
          u.identifiers.map((i) => i.value).join(" · "),
          `${u.passkeys.length} passkey(s)`,
          u.mfaEnabled ? "2-step on" : null,
          u.disabled ? "Disabled" : null,
        ].filter(Boolean).join(" · "))));
    }
    results.querySelector("#users-more")?.remove();
    if (pageInfo.hasNextPage) {
      const more = h("button", { type: "button", class: "secondary", id: "users-more" }, "Show more");
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

// confirmInline replaces the button with a question and two buttons, so
// that a destructive action needs a second, deliberate press.
function confirmInline(button, question, yesLabel, action) {
  const box = h("div", { class: "confirm", role: "group", "aria-label": question });
  const yes = h("button", { type: "button", class: "danger" }, yesLabel);
  const no = h("button", { type: "button", class: "secondary" }, "Cancel");
  box.append(h("p", {}, question), h("div", { class: "actions" }, yes, no));
  no.addEventListener("click", () => { box.replaceWith(button); button.focus(); });
  yes.addEventListener("click", async () => {
    yes.disabled = true;
    no.disabled = true;
    await action(box);
  });
  button.replaceWith(box);
  yes.focus();
}

// renderUser draws one user.
export async function renderUser(ctx, slug, id) {
  const { view } = ctx;
  const back = h("p", {}, h("a", { href: `/console/tenants/${slug}/users` }, "← All users"));
  view.replaceChildren(back, h("h2", {}, "User"), loading("the user"));
  const data = await gql(slug, `query($id: ID!) { user(id: $id) { ${USER} } }`, { id });
  if (!ctx.alive()) return;
  if (!data.user) {
    ctx.title("User not found");
    view.replaceChildren(back, h("h2", {}, "User not found"), h("p", {}, "This tenant has no such user. They may have been deleted."));
    return;
  }
  drawUser(ctx, slug, data.user, "");
}

function drawUser(ctx, slug, u, note) {
  const { view } = ctx;
  const name = u.displayName || (u.identifiers[0] && u.identifiers[0].value) || u.id;
  ctx.title(`${name} – Users – ${ctx.tenantName}`);
  const status = h("p", { class: "form-status", id: "user-status", role: "status", tabindex: "-1" }, note);
  const problem = h("p", { class: "form-problem", id: "user-problem", role: "alert" });
  const run = async (mutation, variables, done) => {
    problem.textContent = "";
    status.textContent = "Working…";
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
    ? h("p", { id: "user-passkeys-empty" }, "No passkeys.")
    : h("ul", { class: "item-list", id: "user-passkeys" }, u.passkeys.map((p) => {
      const remove = h("button", { type: "button", class: "secondary small" }, "Remove");
      remove.setAttribute("aria-label", `Remove the passkey ${p.name}`);
      remove.addEventListener("click", () => confirmInline(remove, `Remove the passkey "${p.name}"? It stops working at once.`, "Remove passkey",
        () => run("mutation($u: ID!, $p: ID!) { removeUserPasskey(userId: $u, passkeyId: $p) }", { u: u.id, p: p.id }, "Passkey removed.")));
      return h("li", { class: "item passkey-item" },
        h("span", { class: "item-title passkey-name" }, p.name),
        p.authenticatorName ? h("span", { class: "muted passkey-authenticator" }, p.authenticatorName) : null,
        h("span", { class: "badge passkey-sync" }, p.synced ? "Synced" : "This device only"),
        h("span", { class: "muted passkey-dates" }, "Created ", time(p.createdAt), " · Last used ", time(p.lastUsedAt)),
        remove);
    }));

  const sessions = u.sessions.length === 0
    ? h("p", { id: "user-sessions-empty" }, "No active sessions.")
    : h("ul", { class: "item-list", id: "user-sessions" }, u.sessions.map((s) => {
      const revoke = h("button", { type: "button", class: "secondary small" }, "Sign out this session");
      revoke.addEventListener("click", () => run("mutation($u: ID!, $s: ID!) { revokeUserSession(userId: $u, sessionId: $s) }", { u: u.id, s: s.id }, "Session ended."));
      return h("li", { class: "item session-item" },
        h("span", { class: "item-title" }, s.userAgent || "Unknown browser"),
        h("span", { class: "muted" }, `${s.ip} · ${s.amr.join(", ")}`),
        h("span", { class: "muted" }, "Started ", time(s.createdAt), " · Expires ", time(s.expiresAt)),
        revoke);
    }));

  const disable = h("button", { type: "button", class: "secondary", id: "user-disable" }, u.disabled ? "Enable user" : "Disable user");
  disable.addEventListener("click", () => run("mutation($id: ID!, $d: Boolean!) { setUserDisabled(id: $id, disabled: $d) { id } }",
    { id: u.id, d: !u.disabled }, u.disabled ? "User enabled." : "User disabled: they cannot sign in, and their sessions stop working."));
  const resetMFA = h("button", { type: "button", class: "secondary", id: "user-reset-mfa" }, "Reset 2-step verification");
  resetMFA.addEventListener("click", () => confirmInline(resetMFA, "Turn off 2-step verification and remove this user's authenticator app, SMS factor and backup codes?", "Reset",
    () => run("mutation($id: ID!) { resetUserMFA(id: $id) { id } }", { id: u.id }, "2-step verification reset.")));
  const del = h("button", { type: "button", class: "danger", id: "user-delete" }, "Delete user");
  del.addEventListener("click", () => confirmInline(del, `Delete ${name}? This cannot be undone.`, "Delete user",
    () => run("mutation($id: ID!) { deleteUser(id: $id) }", { id: u.id }, "")));

  view.replaceChildren(
    h("p", {}, h("a", { href: `/console/tenants/${slug}/users` }, "← All users")),
    h("h2", { id: "user-name" }, name),
    h("dl", { class: "summary" },
      u.identifiers.map((i) => [h("dt", {}, i.kind.charAt(0) + i.kind.slice(1).toLowerCase()), h("dd", {}, i.value, i.verified ? " (verified)" : " (not verified)")]),
      h("dt", {}, "Status"), h("dd", { id: "user-state" }, u.disabled ? "Disabled" : "Active"),
      h("dt", {}, "2-step verification"), h("dd", { id: "user-mfa" }, u.mfaEnabled ? "On" : "Off"),
      u.sso ? [h("dt", {}, "Sign-in"), h("dd", {}, "Organization single sign-on")] : null,
      h("dt", {}, "Created"), h("dd", {}, time(u.createdAt))),
    status, problem,
    h("h3", {}, "Passkeys"), passkeys,
    h("h3", {}, "Sessions"), sessions,
    h("h3", {}, "Actions"), h("div", { class: "actions" }, disable, resetMFA, del));
}
