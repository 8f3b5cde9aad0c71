// The console's calls for a tenant's team (internal/admin/team.go) and
// the caller's role in each tenant.
import { listTenants, APIError } from "/static/console_api.js";
import { t, has, lang } from "/static/i18n.js";
import { errorText } from "/static/webauthn.js";

const headers = { "Content-Type": "application/json", "X-Sesame-Request": "1" };

async function call(method, path, body) {
  let res;
  try {
    res = await fetch(path, { method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new APIError("network", t("console.errors.network"));
  }
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const e = data.error || {};
    const text = lang !== "en" && has(`errors.${e.code}`) ? t(`errors.${e.code}`) : errorText(e.code || "unknown", e.field, e.message);
    throw new APIError(e.code, text, e.field);
  }
  return data;
}

const base = (slug) => `/console/api/tenants/${encodeURIComponent(slug)}/team`;

// team returns { members, role, can_change, manages_team }.
export const team = (slug) => call("GET", base(slug));
export const inviteAdmin = (slug, email, name, role) => call("POST", base(slug), { email, name, role });
export const setRole = (slug, user, role) => call("POST", `${base(slug)}/${encodeURIComponent(user)}/role`, { role });
export const removeMember = (slug, user) => call("DELETE", `${base(slug)}/${encodeURIComponent(user)}`);

// roles caches the administrator's role in each tenant (the tenants
// API's), for the pages to hide what the role cannot do; the API refuses
// it anyway.
let roles = null;

export async function tenantRole(slug) {
  if (!roles || !roles.has(slug)) {
    const { tenants } = await listTenants();
    roles = new Map(tenants.map((tn) => [tn.slug, tn.role]));
  }
  return roles.get(slug) || "";
}

// roleName is a role in plain words.
export function roleName(role) {
  return has(`team.roles.${role}`) ? t(`team.roles.${role}`) : role;
}
