// The webhooks page: the tenant's endpoints with their delivery logs, and
// what an administrator does with them (add, rotate the secret, send a test
// event, remove). A new or rotated secret is shown once.
import { h, loading, failure, time, confirmInline } from "/static/console_dom.js";
import { gql } from "/static/console_api.js";
import { withBusy } from "/static/busy.js";
import { t } from "/static/i18n.js";

const ENDPOINTS = `{ webhookEndpoints { id url events enabled createdAt } }`;
const DELIVERIES = `query($id: ID!) { webhookDeliveries(endpointId: $id, first: 20) { nodes { id eventType status attempts responseCode error updatedAt } } }`;

function deliveryList(ds) {
  if (ds.length === 0) return h("p", { class: "muted" }, t("audit.webhooks.no_deliveries"));
  return h("ul", { class: "item-list webhook-deliveries" }, ds.map((d) => h("li", { class: "webhook-delivery", "data-status": d.status },
    t("audit.webhooks.delivery_line", { event: d.eventType, status: t(`audit.webhooks.status.${d.status}`), attempts: d.attempts, code: d.responseCode ?? t("audit.console.none") }),
    " · ", time(d.updatedAt), d.error ? h("span", { class: "muted" }, ` · ${d.error}`) : null)));
}

function secretBox(shown) {
  return h("div", { class: "secret-box", id: "new-webhook-secret", role: "status", tabindex: "-1" },
    h("p", {}, t("audit.webhooks.secret_created", { url: shown.url })),
    h("code", { id: "new-webhook-secret-value" }, shown.secret));
}

async function endpointItem(ctx, slug, ep, problem) {
  const deliveries = (await gql(slug, DELIVERIES, { id: ep.id })).webhookDeliveries.nodes;
  const again = (shown) => renderWebhooks(ctx, slug, shown);
  const fail = (err) => { problem.textContent = err.message; };
  const test = h("button", { type: "button", class: "secondary small webhook-test", "aria-label": t("audit.webhooks.test_label", { url: ep.url }) }, t("audit.webhooks.test"));
  test.addEventListener("click", () => withBusy((on) => { test.disabled = on; }, async () => {
    await gql(slug, "mutation($id: ID!) { sendTestWebhook(id: $id) { id } }", { id: ep.id });
    if (ctx.alive()) await again();
  }, fail));
  const rotate = h("button", { type: "button", class: "secondary small webhook-rotate", "aria-label": t("audit.webhooks.rotate_label", { url: ep.url }) }, t("audit.webhooks.rotate"));
  rotate.addEventListener("click", () => confirmInline(rotate, t("audit.webhooks.rotate_question"), t("audit.webhooks.rotate_yes"), async () => {
    try {
      const data = await gql(slug, "mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret endpoint { url } } }", { id: ep.id });
      if (ctx.alive()) await again({ url: data.rotateWebhookSecret.endpoint.url, secret: data.rotateWebhookSecret.secret });
    } catch (err) { fail(err); }
  }));
  const remove = h("button", { type: "button", class: "secondary small webhook-delete", "aria-label": t("audit.webhooks.delete_label", { url: ep.url }) }, t("audit.webhooks.delete"));
  remove.addEventListener("click", () => confirmInline(remove, t("audit.webhooks.delete_question"), t("audit.webhooks.delete_yes"), async () => {
    try {
      await gql(slug, "mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }", { id: ep.id });
      if (ctx.alive()) await again();
    } catch (err) { fail(err); }
  }));
  return h("li", { class: "item webhook", "data-id": ep.id },
    h("span", { class: "item-title webhook-url" }, ep.url),
    h("span", { class: "muted" }, ep.events.join(", "), ep.enabled ? "" : ` · ${t("audit.webhooks.disabled")}`),
    h("div", { class: "actions" }, test, rotate, remove),
    h("h4", {}, t("audit.webhooks.deliveries")),
    h("div", { "aria-label": t("audit.webhooks.deliveries_label", { url: ep.url }) }, deliveryList(deliveries)));
}

function createForm(ctx, slug) {
  const url = h("input", { type: "url", id: "webhook-url", name: "url", autocomplete: "off", required: true, "aria-describedby": "webhook-url-hint webhook-url-error" });
  const urlError = h("p", { class: "field-error", id: "webhook-url-error" });
  const events = h("input", { type: "text", id: "webhook-events", name: "events", value: "*", autocomplete: "off", spellcheck: "false", "aria-describedby": "webhook-events-hint" });
  const enabled = h("input", { type: "checkbox", id: "webhook-enabled", name: "enabled", checked: true });
  const button = h("button", { type: "submit", id: "create-webhook" }, t("audit.webhooks.create"));
  const form = h("form", { id: "create-webhook-form", novalidate: true },
    h("h3", {}, t("audit.webhooks.create_title")),
    h("label", { for: "webhook-url" }, t("audit.webhooks.url")), h("p", { class: "hint", id: "webhook-url-hint" }, t("audit.webhooks.url_hint")), url, urlError,
    h("label", { for: "webhook-events" }, t("audit.webhooks.events")), h("p", { class: "hint", id: "webhook-events-hint" }, t("audit.webhooks.events_hint")), events,
    h("div", { class: "check" }, enabled, h("label", { for: "webhook-enabled" }, t("audit.webhooks.enabled"))),
    button);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    urlError.textContent = "";
    url.removeAttribute("aria-invalid");
    const list = events.value.split(",").map((s) => s.trim()).filter(Boolean);
    withBusy((on) => { button.disabled = on; }, async () => {
      const data = await gql(slug, "mutation($in: WebhookEndpointInput!) { createWebhookEndpoint(input: $in) { secret endpoint { url } } }",
        { in: { url: url.value.trim(), events: list, enabled: enabled.checked } });
      if (!ctx.alive()) return;
      await renderWebhooks(ctx, slug, { url: data.createWebhookEndpoint.endpoint.url, secret: data.createWebhookEndpoint.secret });
      document.getElementById("new-webhook-secret")?.focus();
    }, (err) => {
      urlError.textContent = err.message;
      url.setAttribute("aria-invalid", "true");
      url.focus();
    });
  });
  return form;
}

// renderWebhooks draws the page; shown is a secret to show once.
export async function renderWebhooks(ctx, slug, shown) {
  const { view } = ctx;
  ctx.title(t("audit.webhooks.page_title", { tenant: ctx.tenantName }));
  const heading = h("h2", {}, t("audit.webhooks.title"));
  if (!view.querySelector("#webhooks, #webhooks-empty")) view.replaceChildren(heading, loading(t("audit.webhooks.loading")));
  const problem = h("p", { class: "form-problem", id: "webhook-problem", role: "alert" });
  let items;
  try {
    const eps = (await gql(slug, ENDPOINTS)).webhookEndpoints;
    items = await Promise.all(eps.map((ep) => endpointItem(ctx, slug, ep, problem)));
  } catch (err) {
    if (ctx.alive()) view.replaceChildren(heading, failure(err, () => renderWebhooks(ctx, slug)));
    return;
  }
  if (!ctx.alive()) return;
  const list = items.length === 0 ? h("p", { id: "webhooks-empty" }, t("audit.webhooks.empty")) : h("ul", { class: "item-list", id: "webhooks" }, items);
  view.replaceChildren(...[heading, h("p", { class: "intro" }, t("audit.webhooks.intro", { tenant: ctx.tenantName })),
    shown ? secretBox(shown) : null, problem, list, createForm(ctx, slug)].filter(Boolean));
}
