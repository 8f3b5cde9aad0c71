// The tenant settings pages: one form per page, each made of groups of
// fields that belong to one settings section. Save sends updateSettings
// with every section the page shows (a section is replaced whole, so the
// fields of a section that the page does not show are sent back as read)
// and the settings version read, so that a change made meanwhile by
// someone else is refused instead of overwritten.
import { h, loading, failure } from "/static/console_dom.js";
import { gql } from "/static/console_api.js";

const SETTINGS = `settingsVersion host settings {
  defaultLocale
  signUp { identifiers required verifyIdentifiers password passkeyPrompt }
  signIn { methods { identifier methods } }
  password { minLength maxLength rejectCommon }
  passkeys { signIn showButton autofill allowRegistration userVerification attestation attachment counterPolicy rpId rpName origins passkeysOnRPID }
  mfa { factors policy promptAtSignUp }
  captcha { provider siteKey secretSet }
  sms { allowedCallingCodes }
  limits { codeSendsPerHour }
  providers {
    sms { provider accountSid authTokenSet from messagingServiceSid }
    email { provider host port tls username passwordSet from }
  }
}`;

const READ = `{ tenant { ${SETTINGS} } }`;
const UPDATE = `mutation($input: UpdateSettingsInput!) { updateSettings(input: $input) { ${SETTINGS} } }`;

// What the server calls each section in extensions.field.
const serverSection = {
  signUp: "sign_up", signIn: "sign_in", password: "password", passkeys: "passkeys",
  mfa: "mfa", captcha: "captcha", sms: "sms", limits: "limits",
  providersSms: "providers.sms", providersEmail: "providers.email",
  general: "",
};

// sectionValue returns a section of the settings as read; the providers
// are two sections nested under "providers".
function sectionValue(settings, section) {
  if (section === "general") return { defaultLocale: settings.defaultLocale };
  if (section === "providersSms") return settings.providers.sms;
  if (section === "providersEmail") return settings.providers.email;
  return settings[section];
}

const snake = (s) => s.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());

const identifierLabels = { EMAIL: "Email address", PHONE: "Phone number", USERNAME: "Username" };
const methodLabels = { PASSWORD: "Password", EMAIL_CODE: "Code sent by email", SMS_CODE: "Code sent by SMS" };
// The sign-in methods that fit each identifier kind.
const methodsFor = { EMAIL: ["PASSWORD", "EMAIL_CODE"], PHONE: ["PASSWORD", "SMS_CODE"], USERNAME: ["PASSWORD"] };

const identifierOptions = Object.entries(identifierLabels);

const passkeySignIn = {
  section: "passkeys", legend: "Passkey sign-in",
  fields: [
    { key: "signIn", type: "bool", label: "Allow sign-in with a passkey", hint: "Off, passkeys still work as a second factor." },
    { key: "showButton", type: "bool", label: "Show the \"Continue with passkey\" button", hint: "Off, the first screen asks for the identifier first." },
    { key: "autofill", type: "bool", label: "Offer passkeys in the identifier field's autofill" },
  ],
};

// settingsPages are the settings pages by their path under the tenant.
export const settingsPages = {
  "sign-in": {
    title: "Sign-in experience",
    intro: "What people enter to create an account and to sign in on the tenant's hosted pages.",
    groups: [
      {
        section: "general", legend: "Language",
        fields: [{ key: "defaultLocale", type: "select", label: "Language of the hosted pages",
          hint: "Used when the browser asks for none of these. People can switch language on every page.",
          options: [["en", "English"], ["es", "Español"], ["zh-CN", "简体中文"]] }],
      },
      {
        section: "signUp", legend: "Sign-up",
        fields: [
          { key: "identifiers", type: "set", label: "Identifiers a new account can have", options: identifierOptions },
          { key: "required", type: "set", label: "Identifiers a new account must have", options: identifierOptions },
          { key: "verifyIdentifiers", type: "bool", label: "Verify email addresses and phone numbers with a code" },
          { key: "password", type: "bool", label: "Ask for a password at sign-up" },
          { key: "passkeyPrompt", type: "bool", label: "Offer to create a passkey after sign-up" },
        ],
      },
      {
        section: "signIn", legend: "Sign-in methods",
        intro: "For each identifier, the ways to sign in besides a passkey. An identifier left unchecked cannot be used to sign in.",
        fields: [{ key: "methods", type: "methods" }],
      },
      passkeySignIn,
      {
        section: "password", legend: "Password policy",
        fields: [
          { key: "minLength", type: "int", label: "Minimum length", min: 8 },
          { key: "maxLength", type: "int", label: "Maximum length", min: 64 },
          { key: "rejectCommon", type: "bool", label: "Refuse common passwords" },
        ],
      },
    ],
  },
  mfa: {
    title: "Multi-factor authentication",
    intro: "The second factors people can use after signing in with a password or a code. Signing in with a passkey needs no second factor.",
    groups: [{
      section: "mfa", legend: "2-step verification",
      fields: [
        { key: "factors", type: "set", label: "Factors", options: [
          ["WEBAUTHN", "Passkeys (WebAuthn)"], ["TOTP", "Authenticator app (TOTP)"], ["SMS", "Code sent by SMS"], ["BACKUP_CODES", "Backup codes"]] },
        { key: "policy", type: "radio", label: "Policy", options: [
          ["USER_CONTROLLED", "User-controlled: each person chooses to turn on 2-step verification"],
          ["MANDATORY", "Mandatory: everyone must set up a second factor"]] },
        { key: "promptAtSignUp", type: "bool", label: "Offer \"Turn on 2-step verification\" after sign-up" },
      ],
    }],
  },
  passkeys: {
    title: "Passkeys",
    intro: "How the tenant's pages use passkeys (WebAuthn).",
    groups: [
      passkeySignIn,
      {
        section: "passkeys", legend: "Registration and verification",
        fields: [
          { key: "allowRegistration", type: "bool", label: "Let people create passkeys (at sign-up and in their account)" },
          { key: "userVerification", type: "select", label: "User verification", options: [
            ["REQUIRED", "Required (PIN, fingerprint or face)"], ["PREFERRED", "Preferred"], ["DISCOURAGED", "Discouraged"]] },
          { key: "attestation", type: "select", label: "Attestation", options: [
            ["NONE", "None"], ["INDIRECT", "Indirect"], ["DIRECT", "Direct (refuse passkeys without an attestation statement)"]] },
          { key: "attachment", type: "select", label: "Authenticator types", options: [
            ["ANY", "Any"], ["PLATFORM", "Built into the device (platform)"], ["CROSS_PLATFORM", "Security keys and phones (cross-platform)"]] },
          { key: "counterPolicy", type: "select", label: "When a passkey's signature counter goes backwards", options: [
            ["REJECT", "Refuse the sign-in"], ["FLAG", "Allow it and flag the passkey"]] },
        ],
      },
      {
        section: "passkeys", legend: "Relying party",
        fields: [
          { key: "rpId", type: "text", label: "Relying-party ID (RP ID)", hint: "The domain passkeys are bound to: the tenant's host or a parent domain of it.", warn: rpWarning },
          { key: "rpName", type: "text", label: "Display name", hint: "Shown by the browser when a passkey is created." },
          { key: "origins", type: "lines", label: "Allowed origins", hint: "One origin a line, e.g. https://login.example.com." },
        ],
      },
    ],
  },
  captcha: {
    title: "CAPTCHA",
    intro: "A CAPTCHA guards password and code submissions. Passkey sign-in never shows it.",
    groups: [{
      section: "captcha", legend: "CAPTCHA",
      fields: [
        { key: "provider", type: "radio", label: "Provider", options: [
          ["OFF", "Off"], ["TURNSTILE", "Cloudflare Turnstile"], ["RECAPTCHA", "Google reCAPTCHA"], ["HCAPTCHA", "hCaptcha"]] },
        { key: "siteKey", type: "text", label: "Site key" },
        { key: "secret", type: "secret", label: "Secret", hint: (s) => (s.captcha.secretSet ? "A secret is stored. Leave empty to keep it." : "No secret is stored.") },
      ],
    }],
  },
  providers: {
    title: "SMS and email",
    intro: "How the tenant's codes are delivered. Secrets are write-only: leave a secret empty to keep the stored one.",
    groups: [
      {
        section: "providersSms", legend: "SMS provider",
        fields: [
          { key: "provider", type: "radio", label: "Provider", options: [["OUTBOX", "Development outbox (nothing is sent)"], ["TWILIO", "Twilio"]] },
          { key: "accountSid", type: "text", label: "Twilio account SID", optional: true },
          { key: "authToken", type: "secret", label: "Twilio auth token", hint: (s) => (s.providers.sms.authTokenSet ? "A token is stored. Leave empty to keep it." : "No token is stored.") },
          { key: "from", type: "text", label: "Sender phone number", hint: "E.164, e.g. +15551234567; or use a messaging service.", optional: true },
          { key: "messagingServiceSid", type: "text", label: "Twilio messaging service SID", optional: true },
        ],
      },
      {
        section: "providersEmail", legend: "Email provider",
        fields: [
          { key: "provider", type: "radio", label: "Provider", options: [["OUTBOX", "Development outbox (nothing is sent)"], ["SMTP", "SMTP server"]] },
          { key: "host", type: "text", label: "SMTP host", optional: true },
          { key: "port", type: "int", label: "SMTP port", optional: true, min: 1 },
          { key: "tls", type: "select", label: "TLS", options: [["STARTTLS", "STARTTLS"], ["IMPLICIT", "Implicit TLS"], ["NONE", "None (local relays only)"]] },
          { key: "username", type: "text", label: "SMTP user name", optional: true },
          { key: "password", type: "secret", label: "SMTP password", hint: (s) => (s.providers.email.passwordSet ? "A password is stored. Leave empty to keep it." : "No password is stored.") },
          { key: "from", type: "text", label: "Sender address", hint: "e.g. Acme <no-reply@acme.example>", optional: true },
        ],
      },
    ],
    extra: testMessageForm,
  },
  limits: {
    title: "Limits",
    intro: "Limits on the codes sent by SMS and email.",
    groups: [
      {
        section: "limits", legend: "Code sending",
        fields: [{ key: "codeSendsPerHour", type: "int", label: "Codes a person may be sent per hour", min: 1 }],
      },
      {
        section: "sms", legend: "SMS destinations",
        fields: [{ key: "allowedCallingCodes", type: "words", label: "Country calling codes SMS may go to", hint: "Separated by spaces or commas, e.g. 1 44 34. Empty allows every country." }],
      },
    ],
  },
};

function rpWarning(s) {
  const n = s.passkeys.passkeysOnRPID;
  if (n === 0) return "No passkey uses this RP ID yet.";
  return `${n} passkey(s) use this RP ID. Changing it stops them from working: their users can no longer sign in with them.`;
}

// toInput turns a section as read into its input form.
function toInput(section, value) {
  switch (section) {
    case "signIn":
      return { methods: value.methods.map((m) => ({ identifier: m.identifier, methods: [...m.methods] })) };
    case "passkeys": {
      const { passkeysOnRPID, ...rest } = value;
      return { ...rest, origins: [...rest.origins] };
    }
    case "captcha":
      return { provider: value.provider, siteKey: value.siteKey || "" };
    case "providersSms": {
      const { authTokenSet, ...rest } = value;
      return rest;
    }
    case "providersEmail": {
      const { passwordSet, ...rest } = value;
      return rest;
    }
    default:
      return structuredClone(value);
  }
}

let fieldSeq = 0;

// buildField returns the field's elements and a reader of its value.
function buildField(group, field, settings) {
  const section = group.section;
  // Top-level settings (the "general" group) have no section in the
  // server's field names.
  const server = serverSection[section] ? `${serverSection[section]}.${snake(field.key)}` : snake(field.key);
  const id = `f-${section}-${field.key}`;
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const value = field.type === "methods" ? settings.signIn.methods : sectionValue(settings, section)[field.key];
  const hintText = typeof field.hint === "function" ? field.hint(settings) : field.hint;
  const warnText = field.warn ? field.warn(settings) : "";
  const described = [hintText ? hintId : "", warnText ? `${id}-warn` : "", errorId].filter(Boolean).join(" ");
  const hint = hintText ? h("p", { class: "hint", id: hintId }, hintText) : null;
  const warn = warnText ? h("p", { class: "warning", id: `${id}-warn` }, warnText) : null;
  const error = h("p", { class: "field-error", id: errorId });
  const wrap = (control, read) => ({ el: h("div", { class: "field", "data-field": server }, control), read, error, control, server, section, type: field.type });

  switch (field.type) {
    case "bool": {
      const input = h("input", { type: "checkbox", id, checked: Boolean(value), "aria-describedby": described });
      const f = wrap(h("div", { class: "check" }, input, h("label", { for: id }, field.label)), () => input.checked);
      f.el.append(hint || "", error);
      f.focusable = input;
      return f;
    }
    case "int":
    case "text":
    case "secret": {
      const attrs = { id, name: id, "aria-describedby": described, autocomplete: "off" };
      let input;
      if (field.type === "int") input = h("input", { ...attrs, type: "number", inputmode: "numeric", min: field.min, step: 1, value: String(value) });
      else if (field.type === "secret") input = h("input", { ...attrs, type: "password", autocomplete: "new-password", value: "" });
      else input = h("input", { ...attrs, type: "text", spellcheck: "false", value: value || "" });
      if (field.type === "int" && (value === null || value === undefined)) input.value = "";
      const read = () => {
        if (field.type === "int") {
          if (field.optional && input.value.trim() === "") return null;
          const n = Number(input.value);
          return input.value.trim() === "" || !Number.isInteger(n) ? NaN : n;
        }
        return input.value.trim();
      };
      const f = wrap([h("label", { for: id }, field.label), hint, warn, input], read);
      f.el.append(error);
      f.focusable = input;
      f.validate = () => (field.type === "int" && Number.isNaN(read()) ? "Enter a whole number." : "");
      return f;
    }
    case "lines":
    case "words": {
      const joined = (value || []).join(field.type === "lines" ? "\n" : " ");
      const input = field.type === "lines"
        ? h("textarea", { id, name: id, rows: 3, spellcheck: "false", "aria-describedby": described })
        : h("input", { id, name: id, type: "text", spellcheck: "false", "aria-describedby": described, value: joined });
      if (field.type === "lines") input.value = joined;
      const read = () => input.value.split(field.type === "lines" ? /\s*\n\s*/ : /[\s,]+/).map((v) => v.trim()).filter(Boolean);
      const f = wrap([h("label", { for: id }, field.label), hint, input], read);
      f.el.append(error);
      f.focusable = input;
      return f;
    }
    case "select": {
      const select = h("select", { id, name: id, "aria-describedby": described },
        field.options.map(([v, label]) => h("option", { value: v, selected: v === value }, label)));
      const f = wrap([h("label", { for: id }, field.label), hint, select], () => select.value);
      f.el.append(error);
      f.focusable = select;
      return f;
    }
    case "radio":
    case "set": {
      const name = `${id}-${++fieldSeq}`;
      const inputs = field.options.map(([v]) => h("input", {
        type: field.type === "radio" ? "radio" : "checkbox", name, value: v, id: `${id}-${v.toLowerCase()}`,
        checked: field.type === "radio" ? v === value : (value || []).includes(v),
      }));
      const fs = h("fieldset", { class: "choices", "aria-describedby": described },
        h("legend", {}, field.label), hint,
        field.options.map(([v, label], i) => h("div", { class: "check" }, inputs[i], h("label", { for: inputs[i].id }, label))),
        error);
      const read = field.type === "radio"
        ? () => (inputs.find((i) => i.checked) || {}).value || ""
        : () => inputs.filter((i) => i.checked).map((i) => i.value);
      const f = wrap(fs, read);
      f.focusable = inputs[0];
      return f;
    }
    case "methods": {
      const byKind = new Map(value.map((m) => [m.identifier, m.methods]));
      const rows = Object.keys(methodsFor).map((kind) => {
        const on = h("input", { type: "checkbox", id: `${id}-${kind.toLowerCase()}`, checked: byKind.has(kind) });
        const methods = methodsFor[kind].map((m) => h("input", {
          type: "checkbox", id: `${id}-${kind.toLowerCase()}-${m.toLowerCase()}`, value: m,
          checked: (byKind.get(kind) || []).includes(m),
        }));
        const fs = h("fieldset", { class: "choices", "data-field": `${server}.${kind.toLowerCase()}` },
          h("legend", {}, identifierLabels[kind]),
          h("div", { class: "check" }, on, h("label", { for: on.id }, `Sign in with their ${identifierLabels[kind].toLowerCase()}`)),
          methodsFor[kind].map((m, i) => h("div", { class: "check nested" }, methods[i], h("label", { for: methods[i].id }, methodLabels[m]))));
        return { kind, on, methods, fs };
      });
      const read = () => rows.filter((r) => r.on.checked).map((r) => ({ identifier: r.kind, methods: r.methods.filter((m) => m.checked).map((m) => m.value) }));
      const f = wrap([rows.map((r) => r.fs), error], read);
      f.focusable = rows[0].on;
      return f;
    }
    default:
      throw new Error(`unknown field type ${field.type}`);
  }
}

// renderSettingsPage draws the settings page `name` of the tenant.
export async function renderSettingsPage(ctx, slug, name) {
  const page = settingsPages[name];
  const { view } = ctx;
  ctx.title(`${page.title} – ${ctx.tenantName}`);
  const heading = h("h2", {}, page.title);
  view.replaceChildren(heading, loading("the settings"));
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
  const save = h("button", { type: "submit", id: "save-settings" }, "Save");
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
      status.textContent = "Fix the fields marked above, then save again.";
      return;
    }
    if (confirmRPIDChange) input.confirmRPIDChange = true;
    save.disabled = true;
    status.textContent = "Saving…";
    try {
      const data = await gql(slug, UPDATE, { input });
      if (!ctx.alive()) return;
      drawForm(ctx, slug, page, heading, data.updateSettings, "Settings saved.");
      document.getElementById("settings-status").focus();
    } catch (err) {
      if (!ctx.alive()) return;
      save.disabled = false;
      status.textContent = "";
      if (err.code === "settings_changed") {
        const reload = h("button", { type: "button", id: "reload-settings", class: "secondary" }, "Reload");
        reload.addEventListener("click", async () => {
          reload.disabled = true;
          try {
            const fresh = (await gql(slug, READ)).tenant;
            if (ctx.alive()) drawForm(ctx, slug, page, heading, fresh, "Reloaded the latest settings.");
          } catch (e) {
            reload.disabled = false;
            problem.append(h("p", {}, e.message));
          }
        });
        problem.replaceChildren(h("p", { id: "settings-conflict" }, "Someone else changed these settings. Reload to see their changes."), reload);
        reload.focus();
      } else if (err.code === "rp_id_change_needs_confirmation") {
        const yes = h("button", { type: "button", id: "confirm-rp-id", class: "danger" }, "Change the RP ID anyway");
        const no = h("button", { type: "button", class: "secondary", id: "cancel-rp-id" }, "Cancel");
        yes.addEventListener("click", () => submit(true));
        no.addEventListener("click", () => { problem.replaceChildren(); save.focus(); });
        problem.replaceChildren(h("p", { id: "rp-id-confirm-text" }, err.message), h("div", { class: "actions" }, yes, no));
        yes.focus();
      } else if (err.code === "invalid_input" && err.field && showFieldError(err.field, err.message)) {
        status.textContent = "Nothing was saved: fix the field marked above.";
      } else {
        problem.replaceChildren(h("p", {}, err.message));
      }
    }
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(false);
  });
}

// testMessageForm sends a test message through the tenant's saved
// provider settings.
function testMessageForm(slug) {
  const channel = h("select", { id: "test-channel", name: "channel" },
    h("option", { value: "EMAIL" }, "Email"), h("option", { value: "SMS" }, "SMS"));
  const to = h("input", { type: "text", id: "test-to", name: "to", autocomplete: "off", spellcheck: "false", "aria-describedby": "test-to-hint test-to-error" });
  const error = h("p", { class: "field-error", id: "test-to-error" });
  const status = h("p", { class: "form-status", id: "test-status", role: "status" });
  const button = h("button", { type: "submit", id: "send-test" }, "Send a test message");
  const form = h("form", { id: "test-message-form", novalidate: true },
    h("h3", {}, "Send a test message"),
    h("p", { class: "hint" }, "Uses the saved settings above: save your changes first."),
    h("label", { for: "test-channel" }, "Channel"), channel,
    h("label", { for: "test-to" }, "To"),
    h("p", { class: "hint", id: "test-to-hint" }, "An email address, or a phone number in E.164 form (+15551234567)."),
    to, error, button, status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    to.removeAttribute("aria-invalid");
    status.textContent = "Sending…";
    button.disabled = true;
    try {
      const data = await gql(slug, "mutation($c: Channel!, $to: String!) { sendTestMessage(channel: $c, to: $to) { messageId } }",
        { c: channel.value, to: to.value.trim() });
      status.replaceChildren(h("span", { id: "test-sent" }, "Test message sent."), " Message ID: ",
        h("code", { id: "test-message-id" }, data.sendTestMessage.messageId));
    } catch (err) {
      status.textContent = "";
      error.textContent = err.message;
      to.setAttribute("aria-invalid", "true");
      to.focus();
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
