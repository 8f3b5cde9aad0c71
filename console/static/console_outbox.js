// The development outbox: the SMS and email messages Sesame would have
// sent, newest first. Only a development server lists it.
import { h, loading, failure, time } from "/static/console_dom.js";
import { listOutbox } from "/static/console_api.js";

export async function renderOutbox(ctx) {
  const { view } = ctx;
  ctx.title("Outbox");
  const heading = h("h2", {}, "Outbox");
  const intro = h("p", { class: "intro" }, "Messages Sesame would have sent by SMS or email, newest first. This page exists only in development.");
  view.replaceChildren(heading, intro, loading("the outbox"));
  let messages;
  try {
    messages = await listOutbox();
  } catch (err) {
    if (ctx.alive()) view.replaceChildren(heading, intro, failure(err, () => renderOutbox(ctx)));
    return;
  }
  if (!ctx.alive()) return;
  const refresh = h("button", { type: "button", class: "secondary", id: "outbox-refresh" }, "Refresh");
  refresh.addEventListener("click", () => renderOutbox(ctx));
  view.replaceChildren(heading, intro, refresh, messages.length === 0
    ? h("p", { id: "outbox-empty" }, "Nothing sent yet.")
    : h("ul", { class: "item-list", id: "outbox" }, messages.map((m) => h("li", { class: "item" },
      h("span", { class: "item-title" }, `${m.kind} to ${m.to}`),
      m.subject ? h("span", { class: "muted" }, m.subject) : null,
      h("span", { class: "outbox-body" }, m.body),
      h("span", { class: "muted" }, time(m.sent_at))))));
}
