// The sign-in connectors page: the tenant's upstream identity providers
// (OpenID Connect and SAML), the URLs to register with each, each email
// domain's proof by DNS (console_connectors_domains.js), adding one
// (console_connectors_form.js), editing one (console_connectors_edit.js)
// and deleting one; and the linked sign-ins of a user (console_users.js).
// The rules are the management API's (createConnector, updateConnector,
// verifyConnectorDomain, deleteConnector).
import { h, loading, failure, time, confirmInline } from "/static/console_dom.js";
import { gql } from "/static/console_api.js";
import { t, parts } from "/static/i18n.js";
import { createForm } from "/static/console_connectors_form.js";
import { domainList } from "/static/console_connectors_domains.js";
import { editForm } from "/static/console_connectors_edit.js";

const LIST = `{ connectors { id name kind type domains callbackUrl acsUrl metadataUrl scopes responseMode trustEmailVerified trustUpstreamAmr
  claims { subject email emailVerified name } domainStates { domain verified recordName recordValue } } }`;

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
  const copy = (text, what) => copyButton(status, text, what);
  const verified = async (domain) => {
    if (ctx.alive()) await renderConnectors(ctx, slug, t("connectors.console.domain_now_verified", { domain, name: c.name }));
  };
  const edit = h("button", { type: "button", class: "secondary small connector-edit", "aria-label": t("connectors.console.edit_label", { name: c.name }) }, t("connectors.console.edit"));
  const actions = h("div", { class: "actions" }, edit, remove);
  edit.addEventListener("click", () => {
    const form = editForm(slug, c, async (name) => {
      if (ctx.alive()) await renderConnectors(ctx, slug, t("connectors.console.saved", { name }));
    }, () => { form.replaceWith(actions); edit.focus(); });
    actions.replaceWith(form);
    form.querySelector("input").focus();
  });
  return h("li", { class: "item connector", "data-id": c.id },
    h("span", { class: "item-title connector-name" }, c.name),
    h("span", { class: "muted" }, [kind, type, domains].join(" · ")),
    urlRows(c, status),
    domainList(slug, c, copy, verified, (err) => { problem.textContent = err.message; }),
    actions);
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
    status, problem, items, createForm(async (name) => {
      if (ctx.alive()) await renderConnectors(ctx, slug, t("connectors.console.created", { name }));
    }, slug));
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
