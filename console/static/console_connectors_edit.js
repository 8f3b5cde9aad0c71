// The "Edit" form of a connector on the sign-in connectors page: its
// name, the trust of the provider's verified addresses; for OpenID
// Connect its scopes, response mode, claim mapping, the trust of the
// provider's amr and a new client secret (the current one is never shown);
// for an enterprise connector its email domains, the ones added and
// removed sent as such. The rules are the management API's
// (updateConnector).
import { h } from "/static/console_dom.js";
import { gql } from "/static/console_api.js";
import { withBusy } from "/static/busy.js";
import { t } from "/static/i18n.js";

const UPDATE = `mutation($id: ID!, $in: UpdateConnectorInput!) { updateConnector(id: $id, input: $in) { id name } }`;

// CLAIMS are the claim mapping's fields: the API's name, the input's id
// suffix, the label's key.
const CLAIMS = [["subject", "subject", "claim_subject"], ["email", "email", "claim_email"],
  ["emailVerified", "email-verified", "claim_email_verified"], ["name", "name", "claim_name"]];

function row(id, label, el, hint) {
  return [h("label", { for: id }, label), hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null, el];
}

function text(id, value, type) {
  return h("input", { id, name: id, type: type || "text", autocomplete: type === "password" ? "new-password" : "off", spellcheck: "false", value: value || "" });
}

function box(id, label, checked) {
  const el = h("input", { type: "checkbox", id, name: id });
  el.checked = checked;
  return [el, h("div", { class: "check" }, el, h("label", { for: id }, label))];
}

const list = (s, sep) => s.split(sep).map((x) => x.trim().toLowerCase()).filter(Boolean);

// oidcEdit is the OpenID Connect part of the form and its reader.
function oidcEdit(c) {
  const scopes = text("edit-connector-scopes", c.scopes.join(" "));
  const mode = h("select", { id: "edit-connector-response-mode", name: "response-mode" },
    ["query", "form_post"].map((m) => h("option", { value: m }, t(`connectors.console.response_mode_${m}`))));
  mode.value = c.responseMode || "query";
  const claims = CLAIMS.map(([key, id, label]) => [key, text(`edit-connector-claim-${id}`, c.claims[key]), label]);
  const [amr, amrRow] = box("edit-connector-trust-amr", t("connectors.console.trust_amr"), c.trustUpstreamAmr);
  const secret = text("edit-connector-client-secret", "", "password");
  const el = [
    row(scopes.id, t("connectors.console.scopes"), scopes),
    row(mode.id, t("connectors.console.response_mode"), mode, t("connectors.console.response_mode_hint")),
    h("fieldset", {}, h("legend", {}, t("connectors.console.claims_title")), h("p", { class: "hint" }, t("connectors.console.claims_hint")),
      claims.map(([, input, label]) => row(input.id, t(`connectors.console.${label}`), input))),
    amrRow,
    row(secret.id, t("connectors.console.new_secret"), secret, t("connectors.console.new_secret_hint"))];
  const read = () => {
    const mapping = {};
    for (const [key, input] of claims) mapping[key] = input.value.trim();
    const out = { scopes: scopes.value.split(/[\s,]+/).filter(Boolean), responseMode: mode.value, claims: mapping, trustUpstreamAmr: amr.checked };
    if (secret.value.trim()) out.clientSecret = secret.value.trim();
    return out;
  };
  return { el, read };
}

// editForm edits connector c (as the page's list reads it); onSaved(name)
// runs once it is saved, onCancel when the person gives up.
export function editForm(slug, c, onSaved, onCancel) {
  const name = text("edit-connector-name", c.name);
  const [trust, trustRow] = box("edit-connector-trust-email", t("connectors.console.trust_email"), c.trustEmailVerified);
  const oidc = c.type === "OIDC" ? oidcEdit(c) : null;
  const domains = c.kind === "ENTERPRISE" ? text("edit-connector-domains", c.domains.join(", ")) : null;
  const error = h("p", { class: "field-error", id: "edit-connector-error", role: "alert" });
  const save = h("button", { type: "submit", id: "save-connector" }, t("connectors.console.save"));
  const cancel = h("button", { type: "button", class: "secondary", id: "cancel-connector-edit" }, t("connectors.console.cancel"));
  cancel.addEventListener("click", onCancel);
  const form = h("form", { id: "edit-connector-form", novalidate: true },
    h("h3", {}, t("connectors.console.edit_title", { name: c.name })),
    row(name.id, t("connectors.console.name"), name, t("connectors.console.name_hint")),
    oidc ? oidc.el : null,
    domains ? row(domains.id, t("connectors.console.domains_label"), domains, t("connectors.console.edit_domains_hint")) : null,
    trustRow, error, h("div", { class: "actions" }, save, cancel));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.textContent = "";
    const change = { name: name.value.trim(), trustEmailVerified: trust.checked, ...(oidc ? oidc.read() : {}) };
    if (domains) {
      const next = list(domains.value, ","), now = c.domains;
      change.addDomains = next.filter((d) => !now.includes(d));
      change.removeDomains = now.filter((d) => !next.includes(d));
    }
    withBusy((on) => { save.disabled = on; }, async () => {
      const data = await gql(slug, UPDATE, { id: c.id, in: change });
      await onSaved(data.updateConnector.name);
    }, (err) => { error.textContent = err.message; });
  });
  return form;
}
