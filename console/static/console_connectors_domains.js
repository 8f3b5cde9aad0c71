// An enterprise connector's email domains on the sign-in connectors page:
// each one's state, and for a pending one the TXT record to publish with a
// "Check now" button (the management API's verifyConnectorDomain; the
// rule is flows/federation's).
import { h } from "/static/console_dom.js";
import { gql } from "/static/console_api.js";
import { withBusy } from "/static/busy.js";
import { t } from "/static/i18n.js";

const VERIFY = `mutation($id: ID!, $domain: String!) { verifyConnectorDomain(connectorId: $id, domain: $domain) { domain verified } }`;

// domainList shows c's domains. copyButton(text, what) makes a copy
// button; onVerified(domain) runs after a successful check, onError(err)
// after a refused one.
export function domainList(slug, c, copyButton, onVerified, onError) {
  if (!c.domainStates || c.domainStates.length === 0) return null;
  return h("ul", { class: "connector-domains" }, c.domainStates.map((d) => {
    if (d.verified) {
      return h("li", { class: "connector-domain verified", "data-domain": d.domain }, t("connectors.console.domain_verified", { domain: d.domain }));
    }
    const nameLabel = t("connectors.console.record_name");
    const valueLabel = t("connectors.console.record_value");
    const button = h("button", { type: "button", class: "secondary small domain-check", "aria-label": t("connectors.console.check_label", { domain: d.domain }) },
      t("connectors.console.check_now"));
    button.addEventListener("click", () => withBusy((on) => { button.disabled = on; }, async () => {
      await gql(slug, VERIFY, { id: c.id, domain: d.domain });
      await onVerified(d.domain);
    }, onError));
    return h("li", { class: "connector-domain pending", "data-domain": d.domain },
      h("span", { class: "domain-state" }, t("connectors.console.domain_pending", { domain: d.domain })),
      h("p", { class: "hint" }, t("connectors.console.domain_record_intro", { domain: d.domain })),
      h("dl", { class: "summary" },
        h("dt", {}, nameLabel), h("dd", {}, h("code", { class: "domain-record-name" }, d.recordName), " ", copyButton(d.recordName, nameLabel)),
        h("dt", {}, valueLabel), h("dd", {}, h("code", { class: "domain-record-value" }, d.recordValue), " ", copyButton(d.recordValue, valueLabel))),
      button);
  }));
}
