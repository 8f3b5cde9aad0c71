// The development outbox: the SMS and email messages Sesame would have
// sent, newest first. Only a development server lists it.
import { h, loading, failure, time } from "/static/console_dom.js";
import { listOutbox } from "/static/console_api.js";
import { t } from "/static/i18n.js";

export async function renderOutbox(ctx) {
  const { view } = ctx;
  ctx.title(t("console.outbox.title"));
  const heading = h("h2", {}, t("console.outbox.title"));
  const intro = h("p", { class: "intro" }, t("console.outbox.intro"));
  view.replaceChildren(heading, intro, loading(t("console.loading.outbox")));
  let messages;
  try {
    messages = await listOutbox();
  } catch (err) {
    if (ctx.alive()) view.replaceChildren(heading, intro, failure(err, () => renderOutbox(ctx)));
    return;
  }
  if (!ctx.alive()) return;
  const refresh = h("button", { type: "button", class: "secondary", id: "outbox-refresh" }, t("console.outbox.refresh"));
  refresh.addEventListener("click", () => renderOutbox(ctx));
  view.replaceChildren(heading, intro, refresh, messages.length === 0
    ? h("p", { id: "outbox-empty" }, t("console.outbox.empty"))
    : h("ul", { class: "item-list", id: "outbox" }, messages.map((m) => h("li", { class: "item" },
      h("span", { class: "item-title" }, t("console.outbox.to", { kind: m.kind, to: m.to })),
      m.subject ? h("span", { class: "muted" }, m.subject) : null,
      h("span", { class: "outbox-body" }, m.body),
      h("span", { class: "muted" }, time(m.sent_at))))));
}
