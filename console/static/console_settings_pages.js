// The tenant settings pages as data: each page's title and intro, its
// groups (each one settings section), and their fields with labels,
// hints and options, in the page's language. console_settings.js draws
// them. Numbers the server checks (password lengths, limits) are not
// copied here: the server refuses a value out of range and names its rule.
import { t } from "/static/i18n.js";
import { testMessageForm } from "/static/console_settings_test_message.js";
import { logoForm, previewForm } from "/static/console_branding.js";

// The identifier kinds and sign-in methods by their API names.
export const identifierLabels = { EMAIL: t("console.settings.identifiers.EMAIL"), PHONE: t("console.settings.identifiers.PHONE"), USERNAME: t("console.settings.identifiers.USERNAME") };
export const signInWithLabels = { EMAIL: t("console.settings.sign_in_with.EMAIL"), PHONE: t("console.settings.sign_in_with.PHONE"), USERNAME: t("console.settings.sign_in_with.USERNAME") };
export const methodLabels = { PASSWORD: t("console.settings.methods.PASSWORD"), EMAIL_CODE: t("console.settings.methods.EMAIL_CODE"), SMS_CODE: t("console.settings.methods.SMS_CODE") };
// The sign-in methods that fit each identifier kind.
export const methodsFor = { EMAIL: ["PASSWORD", "EMAIL_CODE"], PHONE: ["PASSWORD", "SMS_CODE"], USERNAME: ["PASSWORD"] };

const identifierOptions = Object.entries(identifierLabels);
const outbox = ["OUTBOX", t("console.settings.providers.outbox")];

const passkeySignIn = {
  section: "passkeys", legend: t("console.settings.passkeys.sign_in_legend"),
  fields: [
    { key: "signIn", type: "bool", label: t("console.settings.passkeys.sign_in"), hint: t("console.settings.passkeys.sign_in_hint") },
    { key: "showButton", type: "bool", label: t("console.settings.passkeys.show_button"), hint: t("console.settings.passkeys.show_button_hint") },
    { key: "autofill", type: "bool", label: t("console.settings.passkeys.autofill") },
  ],
};

function rpWarning(settings) {
  const n = settings.passkeys.passkeysOnRPID;
  if (n === 0) return t("console.settings.passkeys.rp_id_unused");
  return t("console.settings.passkeys.rp_id_used", { count: n });
}

// settingsPages are the settings pages by their path under the tenant.
export const settingsPages = {
  "sign-in": {
    title: t("console.settings.sign_in.title"),
    intro: t("console.settings.sign_in.intro"),
    groups: [
      {
        section: "general", legend: t("console.settings.general.legend"),
        fields: [{ key: "defaultLocale", type: "select", label: t("console.settings.general.default_locale"),
          hint: t("console.settings.general.default_locale_hint"),
          // Each language is named in itself.
          options: [["en", "English"], ["es", "Español"], ["zh-CN", "简体中文"]] }],
      },
      {
        section: "signUp", legend: t("console.settings.sign_up.legend"),
        fields: [
          { key: "identifiers", type: "set", label: t("console.settings.sign_up.identifiers"), options: identifierOptions },
          { key: "required", type: "set", label: t("console.settings.sign_up.required"), options: identifierOptions },
          { key: "verifyIdentifiers", type: "bool", label: t("console.settings.sign_up.verify_identifiers") },
          { key: "password", type: "bool", label: t("console.settings.sign_up.password") },
          { key: "passkeyPrompt", type: "bool", label: t("console.settings.sign_up.passkey_prompt") },
        ],
      },
      {
        section: "signIn", legend: t("console.settings.sign_in.methods_legend"),
        intro: t("console.settings.sign_in.methods_intro"),
        fields: [{ key: "methods", type: "methods" }],
      },
      passkeySignIn,
      {
        section: "password", legend: t("console.settings.password.legend"),
        fields: [
          { key: "minLength", type: "int", label: t("console.settings.password.min_length") },
          { key: "maxLength", type: "int", label: t("console.settings.password.max_length") },
          { key: "rejectCommon", type: "bool", label: t("console.settings.password.reject_common") },
        ],
      },
      {
        section: "account", legend: t("console.account_settings.legend"),
        fields: [{ key: "deletionGraceDays", type: "int", label: t("console.account_settings.deletion_grace_days"),
          hint: t("console.account_settings.deletion_grace_days_hint") }],
      },
      {
        section: "account", legend: t("console.new_sign_in_notice.legend"),
        fields: [{ key: "newSignInNotice", type: "bool", label: t("console.new_sign_in_notice.label"),
          hint: t("console.new_sign_in_notice.hint") }],
      },
    ],
  },
  mfa: {
    title: t("console.settings.mfa.title"),
    intro: t("console.settings.mfa.intro"),
    groups: [{
      section: "mfa", legend: t("console.settings.mfa.legend"),
      fields: [
        { key: "factors", type: "set", label: t("console.settings.mfa.factors"), options: [
          ["WEBAUTHN", t("console.settings.mfa.factor.WEBAUTHN")], ["TOTP", t("console.settings.mfa.factor.TOTP")], ["SMS", t("console.settings.mfa.factor.SMS")], ["BACKUP_CODES", t("console.settings.mfa.factor.BACKUP_CODES")]] },
        { key: "policy", type: "radio", label: t("console.settings.mfa.policy"), options: [
          ["USER_CONTROLLED", t("console.settings.mfa.user_controlled")],
          ["MANDATORY", t("console.settings.mfa.mandatory")]] },
        { key: "promptAtSignUp", type: "bool", label: t("console.settings.mfa.prompt_at_sign_up") },
      ],
    }],
  },
  passkeys: {
    title: t("console.settings.passkeys.title"),
    intro: t("console.settings.passkeys.intro"),
    groups: [
      passkeySignIn,
      {
        section: "passkeys", legend: t("console.settings.passkeys.registration_legend"),
        fields: [
          { key: "allowRegistration", type: "bool", label: t("console.settings.passkeys.allow_registration") },
          { key: "userVerification", type: "select", label: t("console.settings.passkeys.user_verification"), options: [
            ["REQUIRED", t("console.settings.passkeys.uv.REQUIRED")], ["PREFERRED", t("console.settings.passkeys.uv.PREFERRED")], ["DISCOURAGED", t("console.settings.passkeys.uv.DISCOURAGED")]] },
          { key: "attestation", type: "select", label: t("console.settings.passkeys.attestation"), options: [
            ["NONE", t("console.settings.passkeys.att.NONE")], ["INDIRECT", t("console.settings.passkeys.att.INDIRECT")], ["DIRECT", t("console.settings.passkeys.att.DIRECT")]] },
          { key: "attachment", type: "select", label: t("console.settings.passkeys.attachment"), options: [
            ["ANY", t("console.settings.passkeys.attach.ANY")], ["PLATFORM", t("console.settings.passkeys.attach.PLATFORM")], ["CROSS_PLATFORM", t("console.settings.passkeys.attach.CROSS_PLATFORM")]] },
          { key: "counterPolicy", type: "select", label: t("console.settings.passkeys.counter_policy"), options: [
            ["REJECT", t("console.settings.passkeys.counter.REJECT")], ["FLAG", t("console.settings.passkeys.counter.FLAG")]] },
        ],
      },
      {
        section: "passkeyOffers", legend: t("passkey_life.console.legend"),
        fields: [
          { key: "upgrade", type: "bool", label: t("passkey_life.console.upgrade"), hint: t("passkey_life.console.upgrade_hint") },
          { key: "prompt", type: "bool", label: t("passkey_life.console.prompt") },
          { key: "promptIntervalDays", type: "int", min: 1, label: t("passkey_life.console.interval"), hint: t("passkey_life.console.interval_hint") },
        ],
      },
      {
        section: "authenticatorPolicy", legend: t("passkey_life.console.policy_legend"),
        fields: [
          { key: "mode", type: "select", label: t("passkey_life.console.mode"), options: [
            ["ANY", t("passkey_life.console.mode_any")], ["ALLOW", t("passkey_life.console.mode_allow")], ["DENY", t("passkey_life.console.mode_deny")]] },
          { key: "authenticators", type: "lines", label: t("passkey_life.console.authenticators"), hint: t("passkey_life.console.authenticators_hint") },
          { key: "requireAttestation", type: "bool", label: t("passkey_life.console.require_attestation") },
          { key: "deviceBoundOnly", type: "bool", label: t("passkey_life.console.device_bound") },
        ],
      },
      {
        section: "passkeys", legend: t("console.settings.passkeys.rp_legend"),
        fields: [
          { key: "rpId", type: "text", label: t("console.settings.passkeys.rp_id"), hint: t("console.settings.passkeys.rp_id_hint"), warn: rpWarning },
          { key: "rpName", type: "text", label: t("console.settings.passkeys.rp_name"), hint: t("console.settings.passkeys.rp_name_hint") },
          { key: "origins", type: "lines", label: t("console.settings.passkeys.origins"), hint: t("console.settings.passkeys.origins_hint") },
        ],
      },
    ],
  },
  captcha: {
    title: t("console.settings.captcha.title"),
    intro: t("console.settings.captcha.intro"),
    groups: [{
      section: "captcha", legend: t("console.settings.captcha.legend"),
      fields: [
        { key: "provider", type: "radio", label: t("console.settings.captcha.provider"), options: [
          ["OFF", t("console.settings.captcha.off")], ["TURNSTILE", "Cloudflare Turnstile"], ["RECAPTCHA", "Google reCAPTCHA"], ["HCAPTCHA", "hCaptcha"]] },
        { key: "siteKey", type: "text", label: t("console.settings.captcha.site_key") },
        { key: "secret", type: "secret", label: t("console.settings.captcha.secret"), hint: (st) => (st.captcha.secretSet ? t("console.settings.secrets.secret_stored") : t("console.settings.secrets.secret_none")) },
      ],
    }],
  },
  providers: {
    title: t("console.settings.providers.title"),
    intro: t("console.settings.providers.intro"),
    groups: [
      {
        section: "providersSms", legend: t("console.settings.providers.sms_legend"),
        fields: [
          { key: "provider", type: "radio", label: t("console.settings.providers.provider"), options: [outbox, ["TWILIO", "Twilio"]] },
          { key: "accountSid", type: "text", label: t("console.settings.providers.account_sid"), optional: true },
          { key: "authToken", type: "secret", label: t("console.settings.providers.auth_token"), hint: (st) => (st.providers.sms.authTokenSet ? t("console.settings.secrets.token_stored") : t("console.settings.secrets.token_none")) },
          { key: "from", type: "text", label: t("console.settings.providers.sms_from"), hint: t("console.settings.providers.sms_from_hint"), optional: true },
          { key: "messagingServiceSid", type: "text", label: t("console.settings.providers.messaging_service_sid"), optional: true },
        ],
      },
      {
        section: "providersEmail", legend: t("console.settings.providers.email_legend"),
        fields: [
          { key: "provider", type: "radio", label: t("console.settings.providers.provider"), options: [outbox, ["SMTP", t("console.settings.providers.smtp")]] },
          { key: "host", type: "text", label: t("console.settings.providers.smtp_host"), optional: true },
          { key: "port", type: "int", label: t("console.settings.providers.smtp_port"), optional: true, min: 1 },
          { key: "tls", type: "select", label: t("console.settings.providers.tls"), options: [
            ["STARTTLS", "STARTTLS"], ["IMPLICIT", t("console.settings.providers.tls_implicit")], ["NONE", t("console.settings.providers.tls_none")]] },
          { key: "username", type: "text", label: t("console.settings.providers.smtp_username"), optional: true },
          { key: "password", type: "secret", label: t("console.settings.providers.smtp_password"), hint: (st) => (st.providers.email.passwordSet ? t("console.settings.secrets.password_stored") : t("console.settings.secrets.password_none")) },
          { key: "from", type: "text", label: t("console.settings.providers.email_from"), hint: t("console.settings.providers.email_from_hint"), optional: true },
        ],
      },
    ],
    extra: testMessageForm,
  },
  limits: {
    title: t("console.settings.limits.title"),
    intro: t("console.settings.limits.intro"),
    groups: [
      {
        section: "limits", legend: t("console.settings.limits.legend"),
        fields: [{ key: "codeSendsPerHour", type: "int", label: t("console.settings.limits.code_sends_per_hour") }],
      },
      {
        section: "sms", legend: t("console.settings.limits.sms_legend"),
        fields: [{ key: "allowedCallingCodes", type: "words", label: t("console.settings.limits.allowed_calling_codes"), hint: t("console.settings.limits.allowed_calling_codes_hint") }],
      },
    ],
  },
  branding: {
    title: t("branding.console.title"),
    intro: t("branding.console.intro"),
    groups: [
      {
        section: "branding", legend: t("branding.console.look_legend"),
        fields: [
          { key: "primaryColor", type: "text", label: t("branding.console.primary_color"), hint: t("branding.console.primary_color_hint") },
          { key: "theme", type: "radio", label: t("branding.console.theme"), options: [
            ["AUTO", t("branding.console.theme_auto")], ["LIGHT", t("branding.console.theme_light")], ["DARK", t("branding.console.theme_dark")]] },
          { key: "customCss", type: "textarea", label: t("branding.console.custom_css"), hint: t("branding.console.custom_css_hint") },
        ],
      },
      {
        section: "branding", legend: t("branding.console.texts_legend"), intro: t("branding.console.texts_intro"),
        fields: [{ key: "texts", type: "perLanguage", fields: [
          { key: "signInHeading", label: t("branding.console.sign_in_heading") },
          { key: "signUpHeading", label: t("branding.console.sign_up_heading") },
          { key: "termsUrl", label: t("branding.console.terms_url") },
          { key: "privacyUrl", label: t("branding.console.privacy_url") },
        ] }],
      },
    ],
    extra: logoForm,
  },
  messages: {
    title: t("branding.console.messages.title"),
    intro: t("branding.console.messages.intro", { code: "{code}", minutes: "{minutes}", tenant: "{tenant}" }),
    groups: [{
      section: "messages", legend: t("branding.console.messages.legend"),
      fields: [{ key: "templates", type: "perLanguage", fields: [
        { key: "emailSubject", label: t("branding.console.messages.email_subject") },
        { key: "emailBody", label: t("branding.console.messages.email_body"), multiline: true },
        { key: "sms", label: t("branding.console.messages.sms"), multiline: true },
      ] }],
    }],
    extra: previewForm,
  },
};
