// The console's calls to the admin host: the tenants API and each tenant's
// GraphQL management API. Every request carries the X-Sesame-Request
// header (the console API refuses requests without it) and goes to the
// page's own origin only.

import { t, has, lang } from "/static/i18n.js";
import { errorText } from "/static/webauthn.js";

const headers = { "Content-Type": "application/json", "X-Sesame-Request": "1" };

// APIError is a refusal from the server: a stable code, a sentence for a
// person in the page's language, and the input field at fault when there
// is one.
export class APIError extends Error {
  constructor(code, message, field) {
    super(message || t("console.errors.error"));
    this.code = code || "error";
    this.field = field || "";
  }
}

// sentence is the text of a server error on the page: on an English page
// the server's own sentence (the most specific, it may name a rule);
// otherwise the rule the server named in params (console.setting_rules.*,
// with its values), else the console's sentence for the code
// (console.errors.*), else the hosted pages' one (errorText, errors.*).
function sentence(code, field, serverMessage, params) {
  if (lang !== "en" && params && params.reason && has(`console.setting_rules.${params.reason}`)) return t(`console.setting_rules.${params.reason}`, params);
  if (lang !== "en" && has(`console.errors.${code}`)) return t(`console.errors.${code}`);
  return errorText(code || "unknown", field, serverMessage, params);
}

async function send(method, path, body) {
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch {
    throw new APIError("network", t("console.errors.network"));
  }
  if (res.status === 401) {
    throw new APIError("unauthenticated", t("console.errors.session_ended"));
  }
  const data = await res.json().catch(() => null);
  if (data === null) {
    throw new APIError("bad_response", t("console.errors.bad_response", { status: res.status }));
  }
  return { res, data };
}

function restError(data) {
  const e = (data && data.error) || {};
  return new APIError(e.code, sentence(e.code, e.field, e.message, e.params), e.field);
}

// listTenants returns the tenants the administrator manages and whether
// their role lets them create tenants ({ tenants, canCreate }).
export async function listTenants() {
  const { res, data } = await send("GET", "/console/api/tenants");
  if (!res.ok) throw restError(data);
  return { tenants: data.tenants || [], canCreate: data.can_create_tenants === true };
}

// createTenant creates a tenant the administrator will own.
export async function createTenant(slug, name) {
  const { res, data } = await send("POST", "/console/api/tenants", { slug, name });
  if (!res.ok) throw restError(data);
  return data.tenant;
}

// listOutbox returns the development outbox, newest first.
export async function listOutbox() {
  const { res, data } = await send("GET", "/console/api/outbox");
  if (!res.ok) throw restError(data);
  return data.messages || [];
}

// gql runs a query or mutation against the tenant's management API and
// returns its data, or throws the first error as an APIError.
export async function gql(slug, query, variables) {
  const { data } = await send("POST", `/console/tenants/${encodeURIComponent(slug)}/graphql`, { query, variables: variables || {} });
  if (data.error) throw restError(data);
  if (data.errors && data.errors.length > 0) {
    const first = data.errors[0];
    const ext = first.extensions || {};
    throw new APIError(ext.code, sentence(ext.code, ext.field, first.message, ext.params), ext.field);
  }
  return data.data;
}
