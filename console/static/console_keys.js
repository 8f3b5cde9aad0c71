// The API keys page: management API keys for the tenant. A new key's
// secret is shown once, right after it is created, and never again.
import { h, loading, failure, time } from "/static/console_dom.js";
import { gql } from "/static/console_api.js";
import { t, parts } from "/static/i18n.js";

export async function renderAPIKeys(ctx, slug, created) {
  const { view } = ctx;
  ctx.title(t("console.api_keys.page_title", { tenant: ctx.tenantName }));
  const heading = h("h2", {}, t("console.api_keys.title"));
  view.replaceChildren(heading, loading(t("console.loading.api_keys")));
  let keys;
  try {
    keys = (await gql(slug, "{ apiKeys { id name prefix createdAt lastUsedAt } }")).apiKeys;
  } catch (err) {
    if (ctx.alive()) view.replaceChildren(heading, failure(err, () => renderAPIKeys(ctx, slug)));
    return;
  }
  if (!ctx.alive()) return;
  const problem = h("p", { class: "form-problem", id: "api-key-problem", role: "alert" });
  const list = keys.length === 0
    ? h("p", { id: "api-keys-empty" }, t("console.api_keys.empty"))
    : h("ul", { class: "item-list", id: "api-keys" }, keys.map((k) => {
      const revoke = h("button", { type: "button", class: "secondary small" }, t("console.api_keys.revoke"));
      revoke.setAttribute("aria-label", t("console.api_keys.revoke_label", { name: k.name }));
      revoke.addEventListener("click", async () => {
        revoke.disabled = true;
        try {
          await gql(slug, "mutation($id: ID!) { revokeAPIKey(id: $id) }", { id: k.id });
          if (ctx.alive()) await renderAPIKeys(ctx, slug);
        } catch (err) {
          revoke.disabled = false;
          problem.textContent = err.message;
        }
      });
      return h("li", { class: "item api-key" },
        h("span", { class: "item-title api-key-name" }, k.name),
        h("span", { class: "muted" }, h("code", {}, `${k.prefix}…`), " · ", parts("console.api_keys.dates", { created: time(k.createdAt), used: time(k.lastUsedAt) })),
        revoke);
    }));

  const secret = created
    ? h("div", { class: "secret-box", id: "new-api-key", role: "status", tabindex: "-1" },
      h("p", {}, t("console.api_keys.created", { name: created.apiKey.name })),
      h("code", { id: "new-api-key-secret" }, created.secret))
    : null;

  const name = h("input", { type: "text", id: "api-key-name", name: "name", autocomplete: "off", required: true, "aria-describedby": "api-key-name-error" });
  const nameError = h("p", { class: "field-error", id: "api-key-name-error" });
  const button = h("button", { type: "submit", id: "create-api-key" }, t("console.api_keys.create"));
  const form = h("form", { id: "create-api-key-form", novalidate: true },
    h("h3", {}, t("console.api_keys.create_title")),
    h("label", { for: "api-key-name" }, t("console.api_keys.name")),
    h("p", { class: "hint" }, t("console.api_keys.name_hint")),
    name, nameError, button);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    nameError.textContent = "";
    name.removeAttribute("aria-invalid");
    if (name.value.trim() === "") {
      nameError.textContent = t("console.api_keys.name_missing");
      name.setAttribute("aria-invalid", "true");
      name.focus();
      return;
    }
    button.disabled = true;
    try {
      const data = await gql(slug, "mutation($name: String!) { createAPIKey(name: $name) { secret apiKey { id name } } }", { name: name.value.trim() });
      if (!ctx.alive()) return;
      await renderAPIKeys(ctx, slug, data.createAPIKey);
      document.getElementById("new-api-key")?.focus();
    } catch (err) {
      button.disabled = false;
      nameError.textContent = err.message;
      name.setAttribute("aria-invalid", "true");
    }
  });
  // replaceChildren turns null into the text "null", so the absent secret box is left out.
  view.replaceChildren(...[heading,
    h("p", { class: "intro" }, t("console.api_keys.intro")),
    secret, problem, list, form].filter(Boolean));
}
