// The audit log page: the tenant's events, newest first, filtered by type,
// user and time, one page at a time ("Show older events" follows the
// API's cursor), and how long the tenant keeps them (account.auditLogDays).
import { h, loading, failure, time } from "/static/console_dom.js";
import { gql } from "/static/console_api.js";
import { withBusy, buttonsBusy } from "/static/busy.js";
import { t, has } from "/static/i18n.js";
import { browserAndOS } from "/static/user_agent.js";

const PAGE = 50;
const EVENTS = `query($first: Int!, $after: String, $f: AuditEventFilter) { auditEvents(first: $first, after: $after, filter: $f) {
  nodes { id type occurredAt userId actor method amr ip userAgent result details } pageInfo { hasNextPage endCursor } } }`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// typeLabel names an event type in the page's language.
function typeLabel(type) {
  const key = `audit.types.${type.replaceAll(".", "_")}`;
  return has(key) ? t(key) : type;
}

function eventRow(slug, e) {
  const none = t("audit.console.none");
  const user = e.userId ? h("a", { href: `/console/tenants/${slug}/users/${encodeURIComponent(e.userId)}` }, h("code", {}, e.userId.slice(0, 8))) : none;
  const { browser, os } = browserAndOS(e.userAgent || "");
  const client = [e.ip, [browser, os].filter(Boolean).join(" · ")].filter(Boolean).join(" · ") || none;
  const method = [e.method, e.amr.length ? `(${e.amr.join(", ")})` : ""].filter(Boolean).join(" ") || none;
  const details = e.details && e.details !== "{}" ? h("code", { class: "audit-details" }, e.details) : none;
  return h("tr", { class: "audit-event", "data-type": e.type },
    h("td", {}, time(e.occurredAt)),
    h("td", { class: "audit-type" }, typeLabel(e.type)),
    h("td", {}, user),
    h("td", {}, h("code", {}, e.actor)),
    h("td", {}, method),
    h("td", {}, client),
    h("td", { class: "audit-result" }, e.result === "success" ? t("audit.console.success") : h("code", {}, e.result)),
    h("td", {}, details));
}

function table() {
  const c = (k) => h("th", { scope: "col" }, t(`audit.console.columns.${k}`));
  return h("table", { class: "audit-table", id: "audit-events" },
    h("thead", {}, h("tr", {}, c("time"), c("event"), c("user"), c("actor"), c("method"), c("client"), c("result"), c("details"))),
    h("tbody", {}));
}

// localInstant turns a datetime-local value into RFC 3339, "" into null.
function localInstant(v) {
  return v ? new Date(v).toISOString() : null;
}

function filterForm(types) {
  const type = h("select", { id: "audit-type", name: "type" },
    h("option", { value: "" }, t("audit.console.all_types")),
    types.map((ty) => h("option", { value: ty }, typeLabel(ty))));
  const user = h("input", { type: "text", id: "audit-user", name: "user", autocomplete: "off", spellcheck: "false", "aria-describedby": "audit-user-hint audit-user-error" });
  const userError = h("p", { class: "field-error", id: "audit-user-error" });
  const since = h("input", { type: "datetime-local", id: "audit-since", name: "since" });
  const until = h("input", { type: "datetime-local", id: "audit-until", name: "until" });
  const form = h("form", { id: "audit-filter", novalidate: true },
    h("fieldset", {}, h("legend", {}, t("audit.console.filter_legend")),
      h("label", { for: "audit-type" }, t("audit.console.type")), type,
      h("label", { for: "audit-user" }, t("audit.console.user")),
      h("p", { class: "hint", id: "audit-user-hint" }, t("audit.console.user_hint")), user, userError,
      h("label", { for: "audit-since" }, t("audit.console.since")), since,
      h("label", { for: "audit-until" }, t("audit.console.until")), until,
      h("button", { type: "submit", id: "audit-apply" }, t("audit.console.apply"))));
  // filter returns the API's filter, or null (with the field marked) when
  // the user ID is not one.
  form.filter = () => {
    userError.textContent = "";
    user.removeAttribute("aria-invalid");
    const id = user.value.trim();
    if (id && !UUID.test(id)) {
      userError.textContent = t("audit.console.bad_user");
      user.setAttribute("aria-invalid", "true");
      user.focus();
      return null;
    }
    return { types: type.value ? [type.value] : null, userId: id || null, since: localInstant(since.value), until: localInstant(until.value) };
  };
  return form;
}

export async function renderAuditLog(ctx, slug) {
  const { view } = ctx;
  ctx.title(t("audit.console.page_title", { tenant: ctx.tenantName }));
  const heading = h("h2", {}, t("audit.console.title"));
  view.replaceChildren(heading, loading(t("audit.console.loading")));
  let types, tenant;
  try {
    const data = await gql(slug, "{ auditEventTypes tenant { settingsVersion settings { account { deletionGraceDays auditLogDays } } } }");
    types = data.auditEventTypes;
    tenant = data.tenant;
  } catch (err) {
    if (ctx.alive()) view.replaceChildren(heading, failure(err, () => renderAuditLog(ctx, slug)));
    return;
  }
  if (!ctx.alive()) return;
  const form = filterForm(types);
  const results = h("div", { id: "audit-results", "aria-live": "polite" });
  view.replaceChildren(heading, h("p", { class: "intro" }, t("audit.console.intro", { tenant: ctx.tenantName })),
    form, results, retentionForm(slug, tenant));

  let latest = 0;
  const load = async (filter, after, rows) => {
    const seq = ++latest;
    if (!after) results.replaceChildren(loading(t("audit.console.loading")));
    let page;
    try {
      page = (await gql(slug, EVENTS, { first: PAGE, after: after || null, f: filter })).auditEvents;
    } catch (err) {
      if (ctx.alive() && seq === latest) results.replaceChildren(failure(err, () => load(filter, after, rows)));
      return;
    }
    if (!ctx.alive() || seq !== latest) return;
    if (!after) {
      if (page.nodes.length === 0) {
        results.replaceChildren(h("p", { id: "audit-empty" }, t("audit.console.empty")));
        return;
      }
      const tbl = table();
      rows = tbl.querySelector("tbody");
      results.replaceChildren(h("div", { class: "table-scroll" }, tbl));
    }
    rows.append(...page.nodes.map((e) => eventRow(slug, e)));
    results.querySelector("#audit-more")?.remove();
    if (page.pageInfo.hasNextPage) {
      const more = h("button", { type: "button", class: "secondary", id: "audit-more" }, t("audit.console.more"));
      more.addEventListener("click", () => withBusy((on) => { more.disabled = on; }, () => load(filter, page.pageInfo.endCursor, rows)));
      results.append(more);
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const f = form.filter();
    if (f) withBusy(buttonsBusy(form), () => load(f));
  });
  await load({});
}

// retentionForm sets how many days the tenant keeps each event.
function retentionForm(slug, tenant) {
  const account = tenant.settings.account;
  let version = tenant.settingsVersion;
  const days = h("input", { type: "number", id: "audit-days", name: "days", min: "1", max: "3650", required: true, value: String(account.auditLogDays), "aria-describedby": "audit-days-hint audit-days-error" });
  const error = h("p", { class: "field-error", id: "audit-days-error" });
  const status = h("p", { role: "status", id: "audit-days-status" });
  const form = h("form", { id: "audit-retention", novalidate: true },
    h("fieldset", {}, h("legend", {}, t("audit.console.retention.legend")),
      h("label", { for: "audit-days" }, t("audit.console.retention.days")),
      h("p", { class: "hint", id: "audit-days-hint" }, t("audit.console.retention.hint")),
      days, error, h("button", { type: "submit", id: "audit-days-save" }, t("audit.console.retention.save")), status));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.textContent = "";
    status.textContent = "";
    days.removeAttribute("aria-invalid");
    withBusy(buttonsBusy(form), async () => {
      const data = await gql(slug, `mutation($in: UpdateSettingsInput!) { updateSettings(input: $in) { settingsVersion settings { account { auditLogDays } } } }`,
        { in: { version, account: { deletionGraceDays: account.deletionGraceDays, auditLogDays: Number(days.value) } } });
      version = data.updateSettings.settingsVersion;
      status.textContent = t("audit.console.retention.saved", { days: data.updateSettings.settings.account.auditLogDays });
    }, (err) => {
      error.textContent = err.message;
      days.setAttribute("aria-invalid", "true");
      days.focus();
    });
  });
  return form;
}
