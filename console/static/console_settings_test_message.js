// The "Send a test message" form of the SMS and email settings page: it
// sends a message through the tenant's saved provider settings.
import { h } from "/static/console_dom.js";
import { gql } from "/static/console_api.js";
import { t, parts } from "/static/i18n.js";
import { withBusy } from "/static/busy.js";

// testMessageForm returns the form for the tenant slug.
export function testMessageForm(slug) {
  const channel = h("select", { id: "test-channel", name: "channel" },
    h("option", { value: "EMAIL" }, t("console.test_message.email")), h("option", { value: "SMS" }, t("console.test_message.sms")));
  const to = h("input", { type: "text", id: "test-to", name: "to", autocomplete: "off", spellcheck: "false", "aria-describedby": "test-to-hint test-to-error" });
  const error = h("p", { class: "field-error", id: "test-to-error" });
  const status = h("p", { class: "form-status", id: "test-status", role: "status" });
  const button = h("button", { type: "submit", id: "send-test" }, t("console.test_message.title"));
  const form = h("form", { id: "test-message-form", novalidate: true },
    h("h3", {}, t("console.test_message.title")),
    h("p", { class: "hint" }, t("console.test_message.intro")),
    h("label", { for: "test-channel" }, t("console.test_message.channel")), channel,
    h("label", { for: "test-to" }, t("console.test_message.to")),
    h("p", { class: "hint", id: "test-to-hint" }, t("console.test_message.to_hint")),
    to, error, button, status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    to.removeAttribute("aria-invalid");
    status.textContent = t("console.test_message.sending");
    await withBusy((on) => { button.disabled = on; }, async () => {
      const data = await gql(slug, "mutation($c: Channel!, $to: String!) { sendTestMessage(channel: $c, to: $to) { messageId } }",
        { c: channel.value, to: to.value.trim() });
      status.replaceChildren(h("span", { id: "test-sent" }, t("console.test_message.sent")), " ",
        ...parts("console.test_message.message_id", { id: h("code", { id: "test-message-id" }, data.sendTestMessage.messageId) }));
    }, (err) => {
      status.textContent = "";
      error.textContent = err.message;
      to.setAttribute("aria-invalid", "true");
      to.focus();
    });
  });
  return form;
}
