// The console's calls to the admin host: the tenants API and each tenant's
// GraphQL management API. Every request carries the X-Sesame-Request
// header (the console API refuses requests without it) and goes to the
// page's own origin only.

const headers = { "Content-Type": "application/json", "X-Sesame-Request": "1" };

// APIError is a refusal from the server: a stable code, a sentence for a
// person, and the input field at fault when there is one.
export class APIError extends Error {
  constructor(code, message, field) {
    super(message || "The request failed.");
    this.code = code || "error";
    this.field = field || "";
  }
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
    throw new APIError("network", "The server could not be reached. Check your connection and try again.");
  }
  if (res.status === 401) {
    throw new APIError("unauthenticated", "Your session has ended. Reload the page to sign in again.");
  }
  const data = await res.json().catch(() => null);
  if (data === null) {
    throw new APIError("bad_response", `The server answered ${res.status} without a readable body.`);
  }
  return { res, data };
}

function restError(data) {
  const e = (data && data.error) || {};
  return new APIError(e.code, e.message, e.field);
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
    throw new APIError(ext.code, first.message, ext.field);
  }
  return data.data;
}
