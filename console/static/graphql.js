// A small client for Sesame's GraphQL endpoint, for the tenant's own pages.
//
// It posts JSON to /graphql on the page's own host with the session cookie
// and the X-Sesame-Request header (which the server requires of a request
// signed in by cookie: a cross-site form cannot send it). Errors come back
// as GraphQLError with the server's stable code (extensions.code), its
// field when it names one, and its sentence; a failure to reach the server
// is the code "network". This module holds no words of its own: pages turn
// codes into what they show.

// GraphQLError is an error answered by the server, or "network" when it
// could not be reached.
export class GraphQLError extends Error {
  constructor(code, message, field, params) {
    super(message || code);
    this.name = "GraphQLError";
    this.code = code;
    this.field = field || "";
    this.params = params || null;
    this.serverMessage = message || "";
  }
}

// gql runs one query or mutation and returns its data.
export async function gql(query, variables) {
  let res;
  try {
    res = await fetch("/graphql", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-Sesame-Request": "1" },
      body: JSON.stringify({ query, variables: variables || {} }),
    });
  } catch {
    throw new GraphQLError("network", "");
  }
  const body = await res.json().catch(() => null);
  if (!body) throw new GraphQLError(res.ok ? "error" : `http_${res.status}`, "");
  const errors = body.errors || [];
  if (errors.length > 0) {
    const e = errors[0];
    const ext = e.extensions || {};
    throw new GraphQLError(ext.code || "error", e.message, ext.field, ext.params);
  }
  if (!res.ok || !body.data) throw new GraphQLError(`http_${res.status}`, "");
  return body.data;
}
