// The sign-in connectors page: the tenant's upstream identity providers
// (OpenID Connect and SAML), the URLs to register with each, adding one
// and deleting one; and the linked sign-ins of a user (console_users.js).
// The rules are the management API's (createConnector, deleteConnector).
import { h, loading, failure, time, confirmInline } from "/static/console_dom.js";
import { gql } from "/static/console_api.js";
import { withBusy } from "/static/busy.js";
import { t, parts } from "/static/i18n.js";

const LIST = `{ connectors { id name kind type domains callbackUrl acsUrl metadataUrl } }`;
const CREATE = `mutation($in: CreateConnectorInput!) { createConnector(input: $in) { id name } }`;

// copyButton copies text, saying in status whether it reached the clipboard.
function copyButton(status, text, what) {
  const button = h("button", { type: "button", class: "secondary small copy", "aria-label": t("connectors.console.copy_label", { what }) }, t("connectors.console.copy"));
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(text);
      status.textContent = t("connectors.console.copied", { what });
    } catch {
      status.textContent = t("connectors.console.copy_failed");
    }
  });
  return button;
}

function urlRows(c, status) {
  const rows = c.type === "SAML"
    ? [["acs_url", c.acsUrl, "connector-acs-url"], ["metadata_url", c.metadataUrl, "connector-metadata-url"]]
    : [["callback_url", c.callbackUrl, "connector-callback-url"]];
  return h("dl", { class: "summary" }, rows.map(([key, url, cls]) => {
    const what = t(`connectors.console.${key}`);
    return [h("dt", {}, what), h("dd", {}, h("code", { class: cls }, url), " ", copyButton(status, url, what))];
  }));
}

function connectorItem(ctx, slug, c, status, problem) {
  const remove = h("button", { type: "button", class: "secondary small connector-delete", "aria-label": t("connectors.console.delete_label", { name: c.name }) }, t("connectors.console.delete"));
  remove.addEventListener("click", () => confirmInline(remove, t("connectors.console.delete_question"), t("connectors.console.delete_yes"), async () => {
    try {
      await gql(slug, "mutation($id: ID!) { deleteConnector(id: $id) }", { id: c.id });
      if (ctx.alive()) await renderConnectors(ctx, slug);
    } catch (err) { problem.textContent = err.message; }
  }));
  const kind = c.kind === "SOCIAL" ? t("connectors.console.social") : t("connectors.console.enterprise");
  const type = c.type === "SAML" ? t("connectors.console.type_saml") : t("connectors.console.type_oidc");
  const domains = c.domains.length ? t("connectors.console.domains", { domains: c.domains.join(", ") }) : t("connectors.console.no_domains");
  return h("li", { class: "item connector", "data-id": c.id },
    h("span", { class: "item-title connector-name" }, c.name),
    h("span", { class: "muted" }, [kind, type, domains].join(" · ")),
    urlRows(c, status),
    h("div", { class: "actions" }, remove));
}

function field(id, label, input, hint) {
  return [h("label", { for: id }, label), hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null, input];
}

function createForm(ctx, slug) {
  const input = (id, type, attrs) => h(type === "textarea" ? "textarea" : "input", { id, name: id, type: type === "textarea" ? null : type, autocomplete: "off", spellcheck: "false", ...(attrs || {}) });
  const name = input("connector-name", "text", { required: true });
  const kind = h("select", { id: "connector-kind", name: "kind" },
    h("option", { value: "SOCIAL" }, t("connectors.console.social")), h("option", { value: "ENTERPRISE" }, t("connectors.console.enterprise")));
  const type = h("select", { id: "connector-type", name: "type" },
    h("option", { value: "OIDC" }, t("connectors.console.type_oidc")), h("option", { value: "SAML" }, t("connectors.console.type_saml")));
  const issuer = input("connector-issuer", "url");
  const clientId = input("connector-client-id", "text");
  const secret = input("connector-client-secret", "password", { autocomplete: "new-password" });
  const domains = input("connector-domains", "text");
  const trust = h("input", { type: "checkbox", id: "connector-trust-email", name: "trust" });
  const metaURL = input("connector-metadata-url", "url");
  const metaXML = input("connector-metadata-xml", "textarea", { rows: 4 });
  const oidc = h("div", { id: "connector-oidc-fields" },
    field("connector-issuer", t("connectors.console.issuer"), issuer, t("connectors.console.issuer_hint")),
    field("connector-client-id", t("connectors.console.client_id"), clientId),
    field("connector-client-secret", t("connectors.console.client_secret"), secret, t("connectors.console.client_secret_hint")));
  const saml = h("div", { id: "connector-saml-fields", hidden: true },
    h("p", { class: "hint" }, t("connectors.console.metadata_hint")),
    field("connector-metadata-url", t("connectors.console.metadata_url_label"), metaURL),
    field("connector-metadata-xml", t("connectors.console.metadata_xml_label"), metaXML));
  type.addEventListener("change", () => { oidc.hidden = type.value !== "OIDC"; saml.hidden = type.value !== "SAML"; });
  const error = h("p", { class: "field-error", id: "connector-error", role: "alert" });
  const button = h("button", { type: "submit", id: "create-connector" }, t("connectors.console.create"));
  const form = h("form", { id: "create-connector-form", novalidate: true },
    h("h3", {}, t("connectors.console.create_title")),
    field("connector-name", t("connectors.console.name"), name, t("connectors.console.name_hint")),
    field("connector-kind", t("connectors.console.kind"), kind), field("connector-type", t("connectors.console.type"), type),
    oidc, saml,
    field("connector-domains", t("connectors.console.domains_label"), domains, t("connectors.console.domains_hint")),
    h("div", { class: "check" }, trust, h("label", { for: "connector-trust-email" }, t("connectors.console.trust_email"))),
    error, button);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.textContent = "";
    const val = (el) => el.value.trim() || null;
    const spec = { name: name.value.trim(), kind: kind.value, type: type.value, trustEmailVerified: trust.checked,
      domains: domains.value.split(",").map((s) => s.trim()).filter(Boolean) };
    if (type.value === "OIDC") Object.assign(spec, { issuer: val(issuer), clientId: val(clientId), clientSecret: val(secret) });
    else Object.assign(spec, { metadataUrl: val(metaURL), metadataXml: val(metaXML) });
    withBusy((on) => { button.disabled = on; }, async () => {
      const data = await gql(slug, CREATE, { in: spec });
      if (ctx.alive()) await renderConnectors(ctx, slug, t("connectors.console.created", { name: data.createConnector.name }));
    }, (err) => { error.textContent = err.message; });
  });
  return form;
}

// renderConnectors draws the page; note is a sentence for the status line.
export async function renderConnectors(ctx, slug, note) {
  const { view } = ctx;
  ctx.title(t("connectors.console.page_title", { tenant: ctx.tenantName }));
  const heading = h("h2", {}, t("connectors.console.title"));
  if (!view.querySelector("#connectors, #connectors-empty")) view.replaceChildren(heading, loading(t("connectors.console.loading")));
  let list;
  try {
    list = (await gql(slug, LIST)).connectors;
  } catch (err) {
    if (ctx.alive()) view.replaceChildren(heading, failure(err, () => renderConnectors(ctx, slug)));
    return;
  }
  if (!ctx.alive()) return;
  const status = h("p", { class: "form-status", id: "connector-status", role: "status" }, note || "");
  const problem = h("p", { class: "form-problem", id: "connector-problem", role: "alert" });
  const items = list.length === 0 ? h("p", { id: "connectors-empty" }, t("connectors.console.empty"))
    : h("ul", { class: "item-list", id: "connectors" }, list.map((c) => connectorItem(ctx, slug, c, status, problem)));
  view.replaceChildren(heading, h("p", { class: "intro" }, t("connectors.console.intro", { tenant: ctx.tenantName })),
    status, problem, items, createForm(ctx, slug));
}

// LINKED is the user fields linkedList reads.
export const LINKED = "linkedIdentities { id connector email createdAt lastUsedAt }";

// linkedList is a user's linked sign-ins, for the user's page.
export function linkedList(u) {
  if (!u.linkedIdentities || u.linkedIdentities.length === 0) return h("p", { id: "user-linked-empty" }, t("connectors.console.linked_empty"));
  return h("ul", { class: "item-list", id: "user-linked" }, u.linkedIdentities.map((li) => h("li", { class: "item linked-item" },
    h("span", { class: "item-title" }, li.connector),
    h("span", { class: "muted" }, parts("connectors.console.linked_line", { email: li.email || t("connectors.console.no_email"), created: time(li.createdAt), used: time(li.lastUsedAt) })))));
}
