// The tenant settings pages: one form per page, each made of groups of
// fields that belong to one settings section. Save sends updateSettings
// with every section the page shows (a section is replaced whole, so the
// fields of a section that the page does not show are sent back as read)
// and the settings version read, so that a change made meanwhile by
// someone else is refused instead of overwritten.
//
// The pages as data are in console_settings_pages.js, the fields in
// console_settings_fields.js, the test message form in
// console_settings_test_message.js.
import { h, loading, failure } from "/static/console_dom.js";
import { gql } from "/static/console_api.js";
import { t } from "/static/i18n.js";
import { settingsPages } from "/static/console_settings_pages.js";
import { serverSection, sectionValue, toInput, buildField } from "/static/console_settings_fields.js";
import { plainWords } from "/static/console_field_names.js";

export { settingsPages };

const SETTINGS = `settingsVersion host settings {
  defaultLocale
  signUp { identifiers required verifyIdentifiers password passkeyPrompt }
  signIn { methods { identifier methods } }
  password { minLength maxLength rejectCommon }
  passkeys { signIn showButton autofill allowRegistration userVerification attestation attachment counterPolicy rpId rpName origins passkeysOnRPID }
  passkeyOffers { upgrade prompt promptIntervalDays }
  authenticatorPolicy { mode authenticators requireAttestation deviceBoundOnly }
  mfa { factors policy promptAtSignUp }
  captcha { provider siteKey secretSet }
  sms { allowedCallingCodes }
  limits { codeSendsPerHour }
  account { deletionGraceDays auditLogDays newSignInNotice }
  branding { primaryColor theme customCss texts { locale signInHeading signUpHeading termsUrl privacyUrl } }
  messages { templates { locale emailSubject emailBody sms } }
  providers {
    sms { provider accountSid authTokenSet from messagingServiceSid }
    email { provider host port tls username passwordSet from }
  }
}`;

const READ = `{ tenant { ${SETTINGS} } }`;
const UPDATE = `mutation($input: UpdateSettingsInput!) { updateSettings(input: $input) { ${SETTINGS} } }`;

// renderSettingsPage draws the settings page `name` of the tenant.
export async function renderSettingsPage(ctx, slug, name) {
  const page = settingsPages[name];
  const { view } = ctx;
  ctx.title(t("console.settings.page_title", { page: page.title, tenant: ctx.tenantName }));
  const heading = h("h2", {}, page.title);
  view.replaceChildren(heading, loading(t("console.loading.settings")));
  let tenant;
  try {
    tenant = (await gql(slug, READ)).tenant;
  } catch (err) {
    if (!ctx.alive()) return;
    view.replaceChildren(heading, failure(err, () => renderSettingsPage(ctx, slug, name)));
    return;
  }
  if (!ctx.alive()) return;
  drawForm(ctx, slug, page, heading, tenant, "");
}

function drawForm(ctx, slug, page, heading, tenant, saved) {
  const { view } = ctx;
  const settings = tenant.settings;
  const fields = [];
  const groups = page.groups.map((g) => {
    const built = g.fields.map((f) => buildField(g, f, settings));
    fields.push(...built);
    return h("fieldset", { class: "group", "data-field": serverSection[g.section] },
      h("legend", {}, g.legend), g.intro ? h("p", { class: "hint" }, g.intro) : null, built.map((f) => f.el));
  });
  const status = h("p", { class: "form-status", id: "settings-status", role: "status", tabindex: "-1" }, saved);
  const problem = h("div", { class: "form-problem", id: "settings-problem", role: "alert" });
  const save = h("button", { type: "submit", id: "save-settings" }, t("console.settings.save"));
  const form = h("form", { id: "settings-form", novalidate: true, "aria-labelledby": "settings-heading" },
    page.intro ? h("p", { class: "intro" }, page.intro) : null,
    groups, problem, h("div", { class: "actions" }, save), status);
  heading.id = "settings-heading";
  view.replaceChildren(heading, form);
  if (page.extra) view.append(page.extra(slug));

  const clearErrors = () => {
    problem.replaceChildren();
    status.textContent = "";
    for (const f of fields) {
      f.error.textContent = "";
      if (f.focusable) f.focusable.removeAttribute("aria-invalid");
    }
  };

  const showFieldError = (fieldName, message) => {
    // The field named, or the closest field or group above it.
    let best = null;
    for (const f of fields) {
      if (fieldName === f.server || fieldName.startsWith(f.server + ".")) {
        if (!best || f.server.length > best.server.length) best = f;
      }
    }
    if (!best) {
      const section = Object.keys(serverSection).find((k) => serverSection[k] && serverSection[k] === fieldName.split(".")[0]);
      best = fields.find((f) => f.section === section) || null;
    }
    if (!best) return false;
    best.error.textContent = message;
    if (best.focusable) {
      best.focusable.setAttribute("aria-invalid", "true");
      best.focusable.focus();
    }
    return true;
  };

  const submit = async (confirmRPIDChange) => {
    clearErrors();
    const input = { version: tenant.settingsVersion };
    for (const g of page.groups) {
      if (!input[g.section]) input[g.section] = toInput(g.section, sectionValue(settings, g.section));
    }
    let invalid = false;
    for (const f of fields) {
      const msg = f.validate ? f.validate() : "";
      if (msg) {
        if (!invalid) showFieldError(f.server, msg);
        else f.error.textContent = msg;
        invalid = true;
        continue;
      }
      const key = f.server.split(".").pop();
      const camel = key.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
      const v = f.read();
      if (f.type === "secret" && v === "") continue; // omitted: keep the stored secret
      input[f.section][camel] = v;
    }
    if (input.general) {
      input.defaultLocale = input.general.defaultLocale;
      delete input.general;
    }
    for (const [section, key] of [["providersSms", "sms"], ["providersEmail", "email"]]) {
      if (input[section]) {
        input.providers = { ...(input.providers || {}), [key]: input[section] };
        delete input[section];
      }
    }
    if (invalid) {
      status.textContent = t("console.settings.fix_fields");
      return;
    }
    if (confirmRPIDChange) input.confirmRPIDChange = true;
    save.disabled = true;
    status.textContent = t("console.settings.saving");
    try {
      const data = await gql(slug, UPDATE, { input });
      if (!ctx.alive()) return;
      drawForm(ctx, slug, page, heading, data.updateSettings, t("console.settings.saved"));
      document.getElementById("settings-status").focus();
    } catch (err) {
      if (!ctx.alive()) return;
      save.disabled = false;
      status.textContent = "";
      if (err.code === "settings_changed") {
        const reload = h("button", { type: "button", id: "reload-settings", class: "secondary" }, t("console.settings.reload"));
        reload.addEventListener("click", async () => {
          reload.disabled = true;
          try {
            const fresh = (await gql(slug, READ)).tenant;
            if (ctx.alive()) drawForm(ctx, slug, page, heading, fresh, t("console.settings.reloaded"));
          } catch (e) {
            reload.disabled = false;
            problem.append(h("p", {}, e.message));
          }
        });
        problem.replaceChildren(h("p", { id: "settings-conflict" }, t("console.settings.conflict")), reload);
        reload.focus();
      } else if (err.code === "rp_id_change_needs_confirmation") {
        const yes = h("button", { type: "button", id: "confirm-rp-id", class: "danger" }, t("console.settings.rp_id_confirm"));
        const no = h("button", { type: "button", class: "secondary", id: "cancel-rp-id" }, t("console.cancel"));
        yes.addEventListener("click", () => submit(true));
        no.addEventListener("click", () => { problem.replaceChildren(); save.focus(); });
        const question = t("console.settings.rp_id_confirm_text", { count: settings.passkeys.passkeysOnRPID, confirm: t("console.settings.rp_id_confirm"), cancel: t("console.cancel") });
        problem.replaceChildren(h("p", { id: "rp-id-confirm-text" }, question), h("div", { class: "actions" }, yes, no));
        yes.focus();
      } else if (err.code === "invalid_input" && err.field && showFieldError(err.field, plainWords(err.message, err.field))) {
        status.textContent = t("console.settings.nothing_saved");
      } else {
        problem.replaceChildren(h("p", {}, plainWords(err.message, err.field)));
      }
    }
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(false);
  });
}
