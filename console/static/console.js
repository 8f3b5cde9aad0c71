// The Sesame console: a small single-page app on the admin host, routed by
// location.pathname under /console. Every link is a real link (it works
// from the keyboard, in a new tab and on reload); the router only saves
// the page load. All data comes from the admin host itself: the tenants
// API and each tenant's GraphQL management API (console_api.js).
import { h, loading, failure } from "/static/console_dom.js";
import { listTenants, createTenant, gql } from "/static/console_api.js";
import { settingsPages, renderSettingsPage } from "/static/console_settings.js";
import { renderUsers, renderUser } from "/static/console_users.js";
import { renderAPIKeys } from "/static/console_keys.js";
import { renderAuditLog } from "/static/console_audit.js";
import { renderWebhooks } from "/static/console_webhooks.js";
import { renderApplications } from "/static/console_apps.js";
import { renderOutbox } from "/static/console_outbox.js";
import { renderOverview } from "/static/console_overview.js";
import { renderTeam } from "/static/console_team.js";
import { renderInviteUser } from "/static/console_invite.js";
import { renderConnectors } from "/static/console_connectors.js";
import { tenantRole } from "/static/console_team_api.js";
import { t, has, parts } from "/static/i18n.js";

const root = document.getElementById("console");
const development = root.dataset.development === "true";

// The tenant pages, in the order of the tenant navigation.
const tenantSections = [
  ["", t("console.nav.overview")],
  ["/sign-in", t("console.settings.sign_in.title")],
  ["/mfa", t("console.settings.mfa.title")],
  ["/passkeys", t("console.settings.passkeys.title")],
  ["/captcha", t("console.settings.captcha.title")],
  ["/providers", t("console.settings.providers.title")],
  ["/limits", t("console.settings.limits.title")],
  ["/branding", t("branding.console.title")],
  ["/messages", t("branding.console.messages.title")],
  ["/users", t("console.users.title")],
  ["/invite", t("team.invite_user.title")],
  ["/applications", t("console.apps.title")],
  ["/connectors", t("connectors.console.title")],
  ["/api-keys", t("console.api_keys.title")],
  ["/team", t("team.page.title")],
  ["/audit-log", t("audit.console.title")],
  ["/webhooks", t("audit.webhooks.title")],
];

// Each navigation gets a number; a page that finishes loading after the
// person moved on must not draw over the new page.
let generation = 0;

function route(path) {
  const p = path.replace(/\/+$/, "") || "/console";
  if (p === "/console") return { page: "tenants" };
  if (p === "/console/outbox" && development) return { page: "outbox" };
  const m = p.match(/^\/console\/tenants\/([a-z0-9-]+)(\/.*)?$/);
  if (!m) return { page: "not-found" };
  const slug = m[1];
  const rest = m[2] || "";
  if (rest === "") return { page: "overview", slug };
  const sub = rest.slice(1);
  if (Object.hasOwn(settingsPages, sub)) return { page: "settings", slug, section: sub };
  if (sub === "users") return { page: "users", slug };
  const user = sub.match(/^users\/([^/]+)$/);
  if (user) return { page: "user", slug, userId: decodeURIComponent(user[1]) };
  if (sub === "api-keys") return { page: "api-keys", slug };
  if (sub === "applications") return { page: "applications", slug };
  if (sub === "connectors") return { page: "connectors", slug };
  if (sub === "team") return { page: "team", slug };
  if (sub === "invite") return { page: "invite", slug };
  if (sub === "audit-log") return { page: "audit-log", slug };
  if (sub === "webhooks") return { page: "webhooks", slug };
  return { page: "not-found" };
}

// navigate shows path as a new history entry.
export function navigate(path) {
  history.pushState(null, "", path);
  render({ focus: true });
}

document.addEventListener("click", (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const a = event.target.closest("a[href]");
  if (!a || a.target || a.hasAttribute("download")) return;
  const url = new URL(a.href, window.location.href);
  if (url.origin !== window.location.origin || !url.pathname.startsWith("/console")) return;
  event.preventDefault();
  history.pushState(null, "", url.pathname + url.search);
  render({ focus: true });
});

window.addEventListener("popstate", () => render({ focus: true }));

// tenantNames caches the name of each tenant for the navigation.
const tenantNames = new Map();

async function tenantName(slug) {
  if (!tenantNames.has(slug)) {
    const data = await gql(slug, "{ tenant { name } }");
    tenantNames.set(slug, data.tenant.name);
  }
  return tenantNames.get(slug);
}

function link(href, text, attrs) {
  const current = window.location.pathname.replace(/\/+$/, "") === href;
  return h("a", { href, "aria-current": current ? "page" : null, ...(attrs || {}) }, text);
}

function shellNav(r) {
  const items = [h("li", {}, link("/console", t("console.tenants.title")))];
  if (development) items.push(h("li", {}, link("/console/outbox", t("console.outbox.title"))));
  return h("nav", { class: "console-nav", "aria-label": t("console.nav.label") }, h("ul", {}, items));
}

function tenantNav(slug, name) {
  const base = `/console/tenants/${slug}`;
  return h("nav", { class: "tenant-nav", "aria-label": t("console.nav.tenant", { name }) },
    h("p", { class: "tenant-nav-title" }, name, " ", h("span", { class: "muted" }, `(${slug})`)),
    h("ul", {}, tenantSections.map(([suffix, label]) => {
      const href = base + suffix;
      const here = window.location.pathname.replace(/\/+$/, "");
      const current = here === href || (suffix === "/users" && here.startsWith(href + "/"));
      return h("li", {}, h("a", { href, "aria-current": current ? "page" : null }, label));
    })));
}

// page gives a page function what it needs: the element to draw in, a
// check that the person is still on the page, and the page title setter.
function pageContext(view, gen) {
  return {
    view,
    alive: () => gen === generation,
    title(text) {
      document.title = t("console.page_title", { page: text });
    },
    navigate,
  };
}

export async function render(opts) {
  const gen = ++generation;
  const r = route(window.location.pathname);
  const view = h("div", { class: "console-page" });
  const children = [shellNav(r)];
  const layout = h("div", { class: "console-layout" });
  root.replaceChildren(...children, layout);
  layout.append(view);
  const ctx = pageContext(view, gen);
  if (r.slug) {
    const navSlot = h("div", { class: "tenant-nav-slot" });
    layout.prepend(navSlot);
    view.replaceChildren(loading(t("console.loading.tenant")));
    try {
      const [name, role] = await Promise.all([tenantName(r.slug), tenantRole(r.slug)]);
      if (!ctx.alive()) return;
      // A viewer sees every page without the controls that change
      // anything (console.css); the API refuses their changes anyway.
      root.toggleAttribute("data-read-only", role === "viewer");
      navSlot.replaceChildren(tenantNav(r.slug, name),
        role === "viewer" ? h("p", { class: "read-only-note", id: "read-only-note", role: "note" }, t("team.read_only")) : "");
      ctx.tenantName = name;
    } catch (err) {
      if (!ctx.alive()) return;
      ctx.title(t("console.tenant_not_found.title"));
      view.replaceChildren(h("h2", { tabindex: "-1" }, t("console.tenant_not_found.title")), failure(err, () => render({ focus: true })),
        h("p", {}, h("a", { href: "/console" }, t("console.tenant_not_found.back"))));
      focusHeading(view, opts);
      return;
    }
  }
  try {
    switch (r.page) {
      case "tenants":
        await renderTenants(ctx);
        break;
      case "overview":
        await renderOverview(ctx, r.slug);
        break;
      case "settings":
        await renderSettingsPage(ctx, r.slug, r.section);
        break;
      case "users":
        await renderUsers(ctx, r.slug);
        break;
      case "user":
        await renderUser(ctx, r.slug, r.userId);
        break;
      case "api-keys":
        await renderAPIKeys(ctx, r.slug);
        break;
      case "applications":
        await renderApplications(ctx, r.slug);
        break;
      case "connectors":
        await renderConnectors(ctx, r.slug);
        break;
      case "team":
        await renderTeam(ctx, r.slug);
        break;
      case "invite":
        renderInviteUser(ctx, r.slug);
        break;
      case "audit-log":
        await renderAuditLog(ctx, r.slug);
        break;
      case "webhooks":
        await renderWebhooks(ctx, r.slug);
        break;
      case "outbox":
        await renderOutbox(ctx);
        break;
      default:
        ctx.title(t("console.not_found.title"));
        view.replaceChildren(h("h2", { tabindex: "-1" }, t("console.not_found.title")),
          h("p", {}, parts("console.not_found.text", { link: h("a", { href: "/console" }, t("console.not_found.link")) })));
    }
  } catch (err) {
    if (!ctx.alive()) return;
    view.replaceChildren(failure(err, () => render({ focus: true })));
  }
  if (ctx.alive()) focusHeading(view, opts);
}

// focusHeading moves the focus to the new page's heading after a
// navigation, so that keyboard and screen-reader users start there.
function focusHeading(view, opts) {
  if (!opts || !opts.focus) return;
  const heading = view.querySelector("h2");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: false });
  }
}

async function renderTenants(ctx) {
  const { view } = ctx;
  ctx.title(t("console.tenants.title"));
  view.replaceChildren(h("h2", {}, t("console.tenants.title")), loading(t("console.loading.tenants")));
  let tenants, canCreate;
  try {
    ({ tenants, canCreate } = await listTenants());
  } catch (err) {
    if (!ctx.alive()) return;
    view.replaceChildren(h("h2", {}, t("console.tenants.title")), failure(err, () => renderTenants(ctx)));
    return;
  }
  if (!ctx.alive()) return;
  for (const tn of tenants) tenantNames.set(tn.slug, tn.name);
  const list = tenants.length === 0
    ? h("p", { id: "tenants-empty" }, canCreate ? t("console.tenants.empty_create") : t("console.tenants.empty_ask"))
    : h("ul", { class: "item-list", id: "tenants" }, tenants.map((tn) =>
      h("li", { class: "item" },
        h("a", { href: `/console/tenants/${tn.slug}`, class: "item-title" }, tn.name),
        h("span", { class: "muted" }, `${tn.host} · ${roleName(tn.role)}`))));
  // Only a platform owner may create tenants; the API refuses the others.
  view.replaceChildren(h("h2", {}, t("console.tenants.title")), list, ...(canCreate ? [createTenantForm(ctx)] : []));
}

// roleName is an administrator's role in the page's language, the role
// itself when the page has no word for it.
function roleName(role) {
  return has(`console.roles.${role}`) ? t(`console.roles.${role}`) : role;
}

function slugFrom(name) {
  return name.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").replace(/^[^a-z]+/, "").slice(0, 40);
}

function createTenantForm(ctx) {
  const name = h("input", { type: "text", id: "tenant-name", name: "name", required: true, autocomplete: "off", "aria-describedby": "tenant-name-error" });
  const slug = h("input", { type: "text", id: "tenant-slug", name: "slug", required: true, autocomplete: "off", spellcheck: "false", "aria-describedby": "tenant-slug-hint tenant-slug-error" });
  const nameError = h("p", { class: "field-error", id: "tenant-name-error" });
  const slugError = h("p", { class: "field-error", id: "tenant-slug-error" });
  const status = h("p", { class: "form-status", role: "status", id: "create-tenant-status" });
  const button = h("button", { type: "submit", id: "create-tenant" }, t("console.create_tenant.button"));
  let slugEdited = false;
  name.addEventListener("input", () => {
    if (!slugEdited) slug.value = slugFrom(name.value);
  });
  slug.addEventListener("input", () => { slugEdited = slug.value !== ""; });
  const form = h("form", { id: "create-tenant-form", novalidate: true, "aria-labelledby": "create-tenant-heading" },
    h("h3", { id: "create-tenant-heading" }, t("console.create_tenant.title")),
    h("label", { for: "tenant-name" }, t("console.create_tenant.name")), name, nameError,
    h("label", { for: "tenant-slug" }, t("console.create_tenant.slug")),
    h("p", { class: "hint", id: "tenant-slug-hint" }, t("console.create_tenant.slug_hint", { domain: root.dataset.baseDomain || "" })),
    slug, slugError, button, status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    for (const [input, err] of [[name, nameError], [slug, slugError]]) {
      input.removeAttribute("aria-invalid");
      err.textContent = "";
    }
    status.textContent = t("console.create_tenant.creating");
    status.classList.remove("error");
    button.disabled = true;
    try {
      const tn = await createTenant(slug.value.trim(), name.value.trim());
      tenantNames.set(tn.slug, tn.name);
      navigate(`/console/tenants/${tn.slug}`);
    } catch (err) {
      button.disabled = false;
      const target = err.field === "slug" ? [slug, slugError] : err.field === "name" ? [name, nameError] : null;
      if (target) {
        status.textContent = "";
        target[0].setAttribute("aria-invalid", "true");
        target[1].textContent = err.message;
        target[0].focus();
      } else {
        status.textContent = err.message;
        status.classList.add("error");
      }
    }
  });
  return form;
}

render({ focus: false });
