// The Team page: who manages the tenant in the console and as what
// (owner, admin, viewer). Only owners see the controls to invite, change
// roles and remove; the team API refuses everyone else anyway.
import { h, loading, failure, confirmInline } from "/static/console_dom.js";
import { team, inviteAdmin, setRole, removeMember, roleName } from "/static/console_team_api.js";
import { t } from "/static/i18n.js";

const roles = ["owner", "admin", "viewer"];

function roleSelect(id, value) {
  return h("select", { id, name: "role" }, roles.map((r) => h("option", { value: r, selected: r === value }, roleName(r))));
}

export async function renderTeam(ctx, slug, notice) {
  const { view } = ctx;
  ctx.title(t("team.page.title"));
  const heading = h("h2", {}, t("team.page.title"));
  view.replaceChildren(heading, loading(t("team.page.loading")));
  let data;
  try {
    data = await team(slug);
  } catch (err) {
    if (!ctx.alive()) return;
    view.replaceChildren(heading, failure(err, () => renderTeam(ctx, slug)));
    return;
  }
  if (!ctx.alive()) return;
  const status = h("p", { class: "form-status", role: "status", id: "team-status" }, notice || "");
  const list = h("ul", { class: "item-list", id: "team" }, data.members.map((m) => memberItem(ctx, slug, m, data.manages_team, status)));
  const parts = [heading, h("p", { class: "intro" }, t("team.page.intro", { tenant: ctx.tenantName })),
    h("p", { id: "team-your-role" }, t("team.page.your_role", { role: roleName(data.role) })), list, status];
  if (data.manages_team) parts.push(inviteForm(ctx, slug));
  else parts.push(h("p", { class: "hint", id: "team-owners-only" }, t("team.page.owners_only")));
  view.replaceChildren(...parts);
}

function memberItem(ctx, slug, m, manages, status) {
  const who = m.name && m.name !== m.email ? `${m.name} · ${m.email}` : m.email;
  const item = h("li", { class: "item team-member", "data-email": m.email },
    h("span", { class: "item-title" }, who),
    h("span", { class: "muted member-role" }, roleName(m.role), m.pending ? ` · ${t("team.page.pending")}` : ""));
  if (!manages) return item;
  const select = roleSelect(`role-${m.user_id}`, m.role);
  select.setAttribute("aria-label", t("team.page.role_of", { name: m.email }));
  const change = h("button", { type: "button", class: "secondary small change-role" }, t("team.page.change_role"));
  const remove = h("button", { type: "button", class: "secondary small remove-member" }, t("team.page.remove"));
  const fail = (err) => { status.textContent = err.message; status.classList.add("error"); };
  change.addEventListener("click", async () => {
    status.classList.remove("error");
    change.disabled = true;
    try {
      await setRole(slug, m.user_id, select.value);
      if (ctx.alive()) await renderTeam(ctx, slug, t("team.page.role_changed", { name: m.email, role: roleName(select.value) }));
    } catch (err) {
      change.disabled = false;
      fail(err);
    }
  });
  remove.addEventListener("click", () => confirmInline(remove, t("team.page.remove_confirm", { name: m.email }), t("team.page.remove"), async (box) => {
    try {
      await removeMember(slug, m.user_id);
      if (ctx.alive()) await renderTeam(ctx, slug, t("team.page.removed", { name: m.email }));
    } catch (err) {
      box.replaceWith(remove);
      fail(err);
    }
  }));
  item.append(h("span", { class: "inline" }, select, change, remove));
  return item;
}

function inviteForm(ctx, slug) {
  const email = h("input", { type: "email", id: "team-email", name: "email", required: true, autocomplete: "off", "aria-describedby": "team-email-error" });
  const name = h("input", { type: "text", id: "team-name", name: "name", autocomplete: "off" });
  const role = roleSelect("team-role", "admin");
  const error = h("p", { class: "field-error", id: "team-email-error" });
  const button = h("button", { type: "submit", id: "team-invite" }, t("team.page.invite_button"));
  const form = h("form", { id: "team-invite-form", novalidate: true, "aria-labelledby": "team-invite-heading" },
    h("h3", { id: "team-invite-heading" }, t("team.page.invite_title")),
    h("p", { class: "hint" }, t("team.page.invite_hint")),
    h("label", { for: "team-email" }, t("team.page.email")), email, error,
    h("label", { for: "team-name" }, t("team.page.name")), name,
    h("label", { for: "team-role" }, t("team.page.role")), role,
    h("p", { class: "hint" }, t("team.page.roles_hint")), button);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    email.removeAttribute("aria-invalid");
    button.disabled = true;
    try {
      await inviteAdmin(slug, email.value.trim(), name.value.trim(), role.value);
      if (ctx.alive()) await renderTeam(ctx, slug, t("team.page.invited", { email: email.value.trim() }));
    } catch (err) {
      button.disabled = false;
      error.textContent = err.message;
      email.setAttribute("aria-invalid", "true");
      email.focus();
    }
  });
  return form;
}
