// The "Add a connector" form of the sign-in connectors page: kind and
// protocol; for OpenID Connect the provider preset (its issuer, scopes and
// trust of verified addresses as defaults), issuer, client id and secret,
// scopes, the response mode, the claim mapping and whether the provider's amr stands for the
// tenant's 2-step verification; for SAML the IdP's metadata; the email
// domains. The rules are the management API's (createConnector).
import { h } from "/static/console_dom.js";
import { gql } from "/static/console_api.js";
import { withBusy } from "/static/busy.js";
import { t } from "/static/i18n.js";

const CREATE = `mutation($in: CreateConnectorInput!) { createConnector(input: $in) { id name } }`;

// PRESETS are the presets createConnector knows, "" the generic provider,
// with whether each trusts the provider's verified addresses by default
// and its response mode (flows/federation/presets.go).
const PRESETS = [["", false, "query"], ["google", true, "query"], ["microsoft", false, "query"], ["apple", true, "form_post"], ["github", true, "query"]];

// CLAIMS are the claim mapping's fields: the API's name, the input's id
// suffix, the label's key.
const CLAIMS = [["subject", "subject", "claim_subject"], ["email", "email", "claim_email"],
  ["emailVerified", "email-verified", "claim_email_verified"], ["name", "name", "claim_name"]];

function field(id, label, input, hint) {
  return [h("label", { for: id }, label), hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null, input];
}

function input(id, type, attrs) {
  return h(type === "textarea" ? "textarea" : "input", { id, name: id, type: type === "textarea" ? null : type, autocomplete: "off", spellcheck: "false", ...(attrs || {}) });
}

function check(id, label) {
  const box = h("input", { type: "checkbox", id, name: id });
  return [box, h("div", { class: "check" }, box, h("label", { for: id }, label))];
}

// oidcFields are the OpenID Connect inputs and a function reading them
// into a createConnector input.
function oidcFields(trust) {
  const preset = h("select", { id: "connector-preset", name: "preset" },
    PRESETS.map(([p]) => h("option", { value: p }, t(`connectors.console.preset_${p || "generic"}`))));
  const issuer = input("connector-issuer", "url");
  const clientId = input("connector-client-id", "text");
  const secret = input("connector-client-secret", "password", { autocomplete: "new-password" });
  const scopes = input("connector-scopes", "text");
  const claims = CLAIMS.map(([key, id, label]) => [key, input(`connector-claim-${id}`, "text"), label]);
  const [amr, amrRow] = check("connector-trust-amr", t("connectors.console.trust_amr"));
  const mode = h("select", { id: "connector-response-mode", name: "response-mode" },
    ["query", "form_post"].map((m) => h("option", { value: m }, t(`connectors.console.response_mode_${m}`))));
  preset.addEventListener("change", () => {
    const [, trusts, answers] = PRESETS.find(([p]) => p === preset.value);
    trust.checked = trusts;
    mode.value = answers;
  });
  const el = h("div", { id: "connector-oidc-fields" },
    field("connector-preset", t("connectors.console.preset"), preset, t("connectors.console.preset_hint")),
    field("connector-issuer", t("connectors.console.issuer"), issuer, t("connectors.console.issuer_hint")),
    field("connector-client-id", t("connectors.console.client_id"), clientId),
    field("connector-client-secret", t("connectors.console.client_secret"), secret, t("connectors.console.client_secret_hint")),
    field("connector-scopes", t("connectors.console.scopes"), scopes, t("connectors.console.scopes_hint")),
    field("connector-response-mode", t("connectors.console.response_mode"), mode, t("connectors.console.response_mode_hint")),
    h("fieldset", { id: "connector-claims" }, h("legend", {}, t("connectors.console.claims_title")),
      h("p", { class: "hint" }, t("connectors.console.claims_hint")),
      claims.map(([, el, label]) => field(el.id, t(`connectors.console.${label}`), el))),
    amrRow);
  const val = (e) => e.value.trim() || null;
  const read = () => {
    const mapping = {};
    for (const [key, el] of claims) if (val(el)) mapping[key] = val(el);
    const words = scopes.value.split(/[\s,]+/).filter(Boolean);
    return { preset: preset.value || null, issuer: val(issuer), clientId: val(clientId), clientSecret: val(secret),
      scopes: words.length ? words : null, claims: Object.keys(mapping).length ? mapping : null, trustUpstreamAmr: amr.checked,
      responseMode: mode.value };
  };
  return { el, read };
}

// createForm is the form; onCreated(name) runs once the connector exists.
export function createForm(onCreated, slug) {
  const name = input("connector-name", "text", { required: true });
  const kind = h("select", { id: "connector-kind", name: "kind" },
    h("option", { value: "SOCIAL" }, t("connectors.console.social")), h("option", { value: "ENTERPRISE" }, t("connectors.console.enterprise")));
  const type = h("select", { id: "connector-type", name: "type" },
    h("option", { value: "OIDC" }, t("connectors.console.type_oidc")), h("option", { value: "SAML" }, t("connectors.console.type_saml")));
  const domains = input("connector-domains", "text");
  const [trust, trustRow] = check("connector-trust-email", t("connectors.console.trust_email"));
  const oidc = oidcFields(trust);
  const metaURL = input("connector-metadata-url", "url");
  const metaXML = input("connector-metadata-xml", "textarea", { rows: 4 });
  const saml = h("div", { id: "connector-saml-fields", hidden: true },
    h("p", { class: "hint" }, t("connectors.console.metadata_hint")),
    field("connector-metadata-url", t("connectors.console.metadata_url_label"), metaURL),
    field("connector-metadata-xml", t("connectors.console.metadata_xml_label"), metaXML));
  type.addEventListener("change", () => { oidc.el.hidden = type.value !== "OIDC"; saml.hidden = type.value !== "SAML"; });
  const error = h("p", { class: "field-error", id: "connector-error", role: "alert" });
  const button = h("button", { type: "submit", id: "create-connector" }, t("connectors.console.create"));
  const form = h("form", { id: "create-connector-form", novalidate: true },
    h("h3", {}, t("connectors.console.create_title")),
    field("connector-name", t("connectors.console.name"), name, t("connectors.console.name_hint")),
    field("connector-kind", t("connectors.console.kind"), kind), field("connector-type", t("connectors.console.type"), type),
    oidc.el, saml,
    field("connector-domains", t("connectors.console.domains_label"), domains, t("connectors.console.domains_hint")),
    trustRow, error, button);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.textContent = "";
    const val = (el) => el.value.trim() || null;
    const spec = { name: name.value.trim(), kind: kind.value, type: type.value, trustEmailVerified: trust.checked,
      domains: domains.value.split(",").map((s) => s.trim()).filter(Boolean) };
    if (type.value === "OIDC") Object.assign(spec, oidc.read());
    else Object.assign(spec, { metadataUrl: val(metaURL), metadataXml: val(metaXML) });
    withBusy((on) => { button.disabled = on; }, async () => {
      const data = await gql(slug, CREATE, { in: spec });
      await onCreated(data.createConnector.name);
    }, (err) => { error.textContent = err.message; });
  });
  return form;
}
