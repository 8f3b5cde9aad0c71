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
import { renderOutbox } from "/static/console_outbox.js";

const root = document.getElementById("console");
const development = root.dataset.development === "true";

// The tenant pages, in the order of the tenant navigation.
const tenantSections = [
  ["", "Overview"],
  ["/sign-in", "Sign-in experience"],
  ["/mfa", "Multi-factor authentication"],
  ["/passkeys", "Passkeys"],
  ["/captcha", "CAPTCHA"],
  ["/providers", "SMS and email"],
  ["/limits", "Limits"],
  ["/users", "Users"],
  ["/api-keys", "API keys"],
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
  const items = [h("li", {}, link("/console", "Tenants"))];
  if (development) items.push(h("li", {}, link("/console/outbox", "Outbox")));
  return h("nav", { class: "console-nav", "aria-label": "Console" }, h("ul", {}, items));
}

function tenantNav(slug, name) {
  const base = `/console/tenants/${slug}`;
  return h("nav", { class: "tenant-nav", "aria-label": `Tenant ${name}` },
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
      document.title = `${text} – Sesame console`;
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
    view.replaceChildren(loading("the tenant"));
    try {
      const name = await tenantName(r.slug);
      if (!ctx.alive()) return;
      navSlot.replaceChildren(tenantNav(r.slug, name));
      ctx.tenantName = name;
    } catch (err) {
      if (!ctx.alive()) return;
      ctx.title("Tenant not found");
      view.replaceChildren(h("h2", { tabindex: "-1" }, "Tenant not found"), failure(err, () => render({ focus: true })),
        h("p", {}, h("a", { href: "/console" }, "Back to your tenants")));
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
      case "outbox":
        await renderOutbox(ctx);
        break;
      default:
        ctx.title("Page not found");
        view.replaceChildren(h("h2", { tabindex: "-1" }, "Page not found"),
          h("p", {}, "The console has no page at this address. ", h("a", { href: "/console" }, "Go to your tenants"), "."));
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
  ctx.title("Tenants");
  view.replaceChildren(h("h2", {}, "Tenants"), loading("your tenants"));
  let tenants, canCreate;
  try {
    ({ tenants, canCreate } = await listTenants());
  } catch (err) {
    if (!ctx.alive()) return;
    view.replaceChildren(h("h2", {}, "Tenants"), failure(err, () => renderTenants(ctx)));
    return;
  }
  if (!ctx.alive()) return;
  for (const t of tenants) tenantNames.set(t.slug, t.name);
  const list = tenants.length === 0
    ? h("p", { id: "tenants-empty" }, canCreate ? "You manage no tenant yet. Create one below." : "You manage no tenant yet. A platform owner can give you one.")
    : h("ul", { class: "item-list", id: "tenants" }, tenants.map((t) =>
      h("li", { class: "item" },
        h("a", { href: `/console/tenants/${t.slug}`, class: "item-title" }, t.name),
        h("span", { class: "muted" }, `${t.host} · ${t.role}`))));
  // Only a platform owner may create tenants; the API refuses the others.
  view.replaceChildren(h("h2", {}, "Tenants"), list, ...(canCreate ? [createTenantForm(ctx)] : []));
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
  const button = h("button", { type: "submit", id: "create-tenant" }, "Create tenant");
  let slugEdited = false;
  name.addEventListener("input", () => {
    if (!slugEdited) slug.value = slugFrom(name.value);
  });
  slug.addEventListener("input", () => { slugEdited = slug.value !== ""; });
  const form = h("form", { id: "create-tenant-form", novalidate: true, "aria-labelledby": "create-tenant-heading" },
    h("h3", { id: "create-tenant-heading" }, "Create a tenant"),
    h("label", { for: "tenant-name" }, "Name"), name, nameError,
    h("label", { for: "tenant-slug" }, "Slug"),
    h("p", { class: "hint", id: "tenant-slug-hint" }, "Lowercase letters, digits and hyphens; the tenant's sign-in pages live at slug.", root.dataset.baseDomain || "", "."),
    slug, slugError, button, status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    for (const [input, err] of [[name, nameError], [slug, slugError]]) {
      input.removeAttribute("aria-invalid");
      err.textContent = "";
    }
    status.textContent = "Creating the tenant…";
    status.classList.remove("error");
    button.disabled = true;
    try {
      const t = await createTenant(slug.value.trim(), name.value.trim());
      tenantNames.set(t.slug, t.name);
      navigate(`/console/tenants/${t.slug}`);
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

async function renderOverview(ctx, slug) {
  const { view } = ctx;
  ctx.title(ctx.tenantName);
  view.replaceChildren(h("h2", {}, ctx.tenantName), loading("the tenant"));
  const data = await gql(slug, `{ tenant { name slug host settingsVersion settings {
    passkeys { signIn showButton autofill rpId }
    mfa { factors policy }
    captcha { provider } } } }`);
  if (!ctx.alive()) return;
  const t = data.tenant;
  const s = t.settings;
  const signInURL = `${window.location.protocol}//${t.host}/`;
  const onOff = (v) => (v ? "on" : "off");
  const base = `/console/tenants/${slug}`;
  view.replaceChildren(
    h("h2", {}, t.name),
    h("p", {}, h("a", { href: signInURL, id: "hosted-sign-in", target: "_blank", rel: "noopener" }, "Open the hosted sign-in page"),
      " ", h("span", { class: "muted" }, `(${signInURL}, opens in a new tab)`)),
    h("dl", { class: "summary" },
      h("dt", {}, "Host"), h("dd", {}, t.host),
      h("dt", {}, "Passkey sign-in"), h("dd", {}, h("a", { href: `${base}/passkeys` },
        `${onOff(s.passkeys.signIn)} (button ${onOff(s.passkeys.showButton)}, autofill ${onOff(s.passkeys.autofill)})`)),
      h("dt", {}, "Relying-party ID"), h("dd", {}, s.passkeys.rpId),
      h("dt", {}, "2-step verification"), h("dd", {}, h("a", { href: `${base}/mfa` },
        `${s.mfa.policy === "MANDATORY" ? "Mandatory" : "User-controlled"}; ${s.mfa.factors.length} factor(s)`)),
      h("dt", {}, "CAPTCHA"), h("dd", {}, h("a", { href: `${base}/captcha` }, s.captcha.provider === "OFF" ? "Off" : s.captcha.provider.toLowerCase())),
      h("dt", {}, "Settings version"), h("dd", {}, String(t.settingsVersion))));
}

render({ focus: false });
