// The applications page: the tenant's OpenID Connect clients, the issuer
// and discovery URL they use, and set-up code for each. A secret is shown
// once, right after the application is created or its secret rotated, and
// never again; the rules (types, redirect URIs, secrets) are the server's
// (flows/apps).
import { h, loading, failure, time, confirmInline } from "/static/console_dom.js";
import { gql } from "/static/console_api.js";
import { t, parts } from "/static/i18n.js";
import { snippets } from "/static/console_apps_snippets.js";

const APP = "id clientId name type redirectUris postLogoutRedirectUris firstParty secretSet previousSecretExpiresAt createdAt backchannelLogoutUri";
const TYPES = ["WEB", "SPA", "NATIVE", "M2M"];

// renderApplications draws the page; shown is the application whose
// secret was just made ({ kind: "created" | "rotated", application, secret }).
export async function renderApplications(ctx, slug, shown) {
  const { view } = ctx;
  ctx.title(t("console.apps.page_title", { tenant: ctx.tenantName }));
  const heading = h("h2", {}, t("console.apps.title"));
  view.replaceChildren(heading, loading(t("console.loading.applications")));
  let data;
  try {
    data = await gql(slug, `{ tenant { oidc { issuer discoveryUrl } } applications { ${APP} } }`);
  } catch (err) {
    if (ctx.alive()) view.replaceChildren(heading, failure(err, () => renderApplications(ctx, slug)));
    return;
  }
  if (!ctx.alive()) return;
  const { issuer, discoveryUrl } = data.tenant.oidc;
  const status = h("p", { class: "form-status", id: "apps-status", role: "status" });
  const problem = h("p", { class: "form-problem", id: "apps-problem", role: "alert" });
  const copy = copier(status);
  const again = (next) => renderApplications(ctx, slug, next);
  view.replaceChildren(heading,
    h("p", { class: "intro" }, t("console.apps.intro")),
    providerSummary(issuer, discoveryUrl, copy),
    shown ? secretBox(shown, copy) : null,
    status, problem,
    appList(ctx, slug, issuer, data.applications, copy, problem, again),
    createForm(ctx, slug, again));
}

// copier returns a function that makes copy buttons; each says in status
// whether the text reached the clipboard.
function copier(status) {
  return (getText, what, id) => {
    const button = h("button", { type: "button", class: "secondary small copy", id }, t("console.apps.copy"));
    button.setAttribute("aria-label", t("console.apps.copy_label", { what }));
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(getText());
        status.textContent = t("console.apps.copied", { what });
      } catch {
        status.textContent = t("console.apps.copy_failed");
      }
    });
    return button;
  };
}

function providerSummary(issuer, discoveryUrl, copy) {
  return h("section", { "aria-labelledby": "oidc-heading" },
    h("h3", { id: "oidc-heading" }, t("console.apps.provider_title")),
    h("dl", { class: "summary" },
      h("dt", {}, t("console.apps.issuer")),
      h("dd", {}, h("code", { id: "oidc-issuer" }, issuer), " ", copy(() => issuer, t("console.apps.issuer"))),
      h("dt", {}, t("console.apps.discovery_url")),
      h("dd", {}, h("code", { id: "oidc-discovery-url" }, discoveryUrl), " ", copy(() => discoveryUrl, t("console.apps.discovery_url")))));
}

// secretBox shows a new application's client id and, once, its secret.
function secretBox(shown, copy) {
  const app = shown.application;
  const lines = [h("p", {}, shown.kind === "rotated"
    ? t("console.apps.rotated", { name: app.name })
    : t("console.apps.created", { name: app.name }))];
  lines.push(h("dl", { class: "summary" },
    h("dt", {}, t("console.apps.client_id")), h("dd", {}, h("code", { id: "new-app-client-id" }, app.clientId))));
  if (shown.secret) {
    lines.push(h("p", {}, t("console.apps.secret_once")),
      h("code", { id: "new-app-secret" }, shown.secret),
      copy(() => shown.secret, t("console.apps.secret"), "copy-app-secret"));
    if (app.previousSecretExpiresAt) {
      lines.push(h("p", {}, parts("console.apps.previous_secret", { time: time(app.previousSecretExpiresAt) })));
    }
  } else {
    lines.push(h("p", {}, t("console.apps.no_secret")));
  }
  return h("div", { class: "secret-box", id: "new-application", role: "status", tabindex: "-1" }, lines);
}

function appList(ctx, slug, issuer, applications, copy, problem, again) {
  if (applications.length === 0) return h("p", { id: "applications-empty" }, t("console.apps.empty"));
  return h("ul", { class: "item-list", id: "applications" }, applications.map((app) => {
    // act runs mutation after a confirmation (box, which replaced button)
    // and draws the page again with next(data).
    const act = async (mutation, box, button, next) => {
      problem.textContent = "";
      try {
        const data = await gql(slug, mutation, { id: app.id });
        if (ctx.alive()) await again(next(data));
        document.getElementById("new-application")?.focus();
      } catch (err) {
        if (box.isConnected) box.replaceWith(button);
        problem.textContent = err.message;
      }
    };
    const actions = h("div", { class: "actions" });
    if (app.secretSet) {
      const rotate = h("button", { type: "button", class: "secondary small rotate-secret" }, t("console.apps.rotate"));
      rotate.setAttribute("aria-label", t("console.apps.rotate_label", { name: app.name }));
      rotate.addEventListener("click", () => confirmInline(rotate, t("console.apps.rotate_confirm", { name: app.name }), t("console.apps.rotate_yes"),
        (box) => act(`mutation($id: ID!) { rotateApplicationSecret(id: $id) { secret application { ${APP} } } }`, box, rotate,
          (d) => ({ kind: "rotated", ...d.rotateApplicationSecret }))));
      actions.append(rotate);
    }
    const del = h("button", { type: "button", class: "secondary small delete-application" }, t("console.apps.delete"));
    del.setAttribute("aria-label", t("console.apps.delete_label", { name: app.name }));
    del.addEventListener("click", () => confirmInline(del, t("console.apps.delete_confirm", { name: app.name }), t("console.apps.delete_yes"),
      (box) => act("mutation($id: ID!) { deleteApplication(id: $id) }", box, del, () => undefined)));
    actions.append(del);
    return h("li", { class: "item application", "data-client-id": app.clientId },
      h("span", { class: "item-title application-name" }, app.name),
      h("span", { class: "muted application-type" }, [t(`console.apps.types.${app.type}`),
        app.firstParty ? t("console.apps.first_party") : null].filter(Boolean).join(" · ")),
      h("span", {}, t("console.apps.client_id"), ": ", h("code", { class: "application-client-id" }, app.clientId)),
      app.redirectUris.length > 0 ? h("span", {}, t("console.apps.redirect_uris"), ": ", app.redirectUris.join(", ")) : null,
      app.backchannelLogoutUri ? h("span", { class: "application-backchannel" }, t("console.apps.backchannel"), ": ", h("code", {}, app.backchannelLogoutUri)) : null,
      h("span", { class: "muted" }, parts("console.apps.created_at", { created: time(app.createdAt) })),
      app.previousSecretExpiresAt ? h("span", { class: "muted previous-secret" }, parts("console.apps.previous_secret", { time: time(app.previousSecretExpiresAt) })) : null,
      actions,
      snippets(issuer, app, copy));
  }));
}

// lines splits a textarea into its non-empty lines.
function lines(value) {
  return value.split("\n").map((s) => s.trim()).filter(Boolean);
}

function field(id, label, hint, control) {
  const error = h("p", { class: "field-error", id: `${id}-error` });
  control.setAttribute("aria-describedby", [hint ? `${id}-hint` : "", `${id}-error`].filter(Boolean).join(" "));
  const box = h("div", { class: "field" }, h("label", { for: id }, label), hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null, control, error);
  return { box, control, error };
}

function createForm(ctx, slug, again) {
  const name = field("app-name", t("console.apps.name"), t("console.apps.name_hint"),
    h("input", { type: "text", id: "app-name", name: "name", autocomplete: "off", required: true }));
  const type = field("app-type", t("console.apps.type"), null,
    h("select", { id: "app-type", name: "type" }, TYPES.map((v) => h("option", { value: v }, t(`console.apps.type_options.${v}`)))));
  const redirects = field("app-redirect-uris", t("console.apps.redirect_uris"), t("console.apps.redirect_uris_hint"),
    h("textarea", { id: "app-redirect-uris", name: "redirectUris", rows: 2, spellcheck: "false", placeholder: "https://app.example.com/callback" }));
  const logout = field("app-post-logout-uris", t("console.apps.post_logout_uris"), t("console.apps.post_logout_uris_hint"),
    h("textarea", { id: "app-post-logout-uris", name: "postLogoutRedirectUris", rows: 2, spellcheck: "false" }));
  const backchannel = field("app-backchannel-uri", t("console.apps.backchannel_uri"), t("console.apps.backchannel_uri_hint"),
    h("input", { type: "url", id: "app-backchannel-uri", name: "backchannelLogoutUri", autocomplete: "off", spellcheck: "false" }));
  const backchannelSID = h("input", { type: "checkbox", id: "app-backchannel-sid", name: "backchannelLogoutSessionRequired" });
  const firstParty = h("input", { type: "checkbox", id: "app-first-party", name: "firstParty" });
  const uris = h("div", { id: "app-uris" }, redirects.box, logout.box, backchannel.box,
    h("div", { class: "check" }, backchannelSID, h("label", { for: "app-backchannel-sid" }, t("console.apps.backchannel_sid_label"))));
  type.control.addEventListener("change", () => { uris.hidden = type.control.value === "M2M"; });
  const formProblem = h("p", { class: "form-problem", id: "create-app-problem", role: "alert" });
  const button = h("button", { type: "submit", id: "create-application" }, t("console.apps.create"));
  const form = h("form", { id: "create-application-form", novalidate: true, "aria-labelledby": "create-app-heading" },
    h("h3", { id: "create-app-heading" }, t("console.apps.create_title")),
    name.box, type.box, uris,
    h("div", { class: "check" }, firstParty, h("label", { for: "app-first-party" }, t("console.apps.first_party_label"))),
    formProblem, button);
  const fields = { name, redirectUris: redirects, postLogoutRedirectUris: logout, backchannelLogoutUri: backchannel,
    backchannelLogoutSessionRequired: { control: backchannelSID, error: backchannel.error } };
  const mark = (f, message) => {
    f.control.setAttribute("aria-invalid", "true");
    f.error.textContent = message;
    f.control.focus();
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    formProblem.textContent = "";
    for (const f of Object.values(fields)) {
      f.error.textContent = "";
      f.control.removeAttribute("aria-invalid");
    }
    const m2m = type.control.value === "M2M";
    const input = {
      name: name.control.value.trim(), type: type.control.value, firstParty: firstParty.checked,
      redirectUris: m2m ? [] : lines(redirects.control.value),
      postLogoutRedirectUris: m2m ? [] : lines(logout.control.value),
      backchannelLogoutUri: m2m ? "" : backchannel.control.value.trim(),
      backchannelLogoutSessionRequired: !m2m && backchannelSID.checked,
    };
    if (input.name === "") return mark(name, t("console.apps.name_missing"));
    if (!m2m && input.redirectUris.length === 0) return mark(redirects, t("console.apps.redirect_missing"));
    button.disabled = true;
    try {
      const data = await gql(slug, `mutation($in: CreateApplicationInput!) { createApplication(input: $in) { secret application { ${APP} } } }`, { in: input });
      if (!ctx.alive()) return;
      await again({ kind: "created", ...data.createApplication });
      document.getElementById("new-application")?.focus();
    } catch (err) {
      button.disabled = false;
      const f = fields[err.field];
      if (f) mark(f, err.message);
      else formProblem.textContent = err.message;
    }
  });
  return form;
}
