// The CAPTCHA widget of a tenant that has one on: loads the provider's
// script (Turnstile, reCAPTCHA or hCaptcha, which share one explicit-render
// API), renders the widget in #captcha, and hands its token to the flow API
// calls of the actions the server guards (see useCaptcha in webauthn.js).

import { useCaptcha } from "/static/webauthn.js";

// The global each provider's script defines.
const globals = { turnstile: "turnstile", recaptcha: "grecaptcha", hcaptcha: "hcaptcha" };

const box = document.getElementById("captcha");
if (box && globals[box.dataset.provider]) {
  const actions = new Set((box.dataset.actions || "").split(" ").filter(Boolean));
  let api = null;
  let widget = null;

  window.sesameCaptchaLoaded = () => {
    api = window[globals[box.dataset.provider]];
    widget = api.render(box, { sitekey: box.dataset.siteKey });
  };

  useCaptcha({
    guards: (action) => actions.has(action),
    token: () => (api !== null && widget !== null ? api.getResponse(widget) || "" : ""),
    reset: () => {
      if (api !== null && widget !== null) api.reset(widget);
    },
  });

  const url = new URL(box.dataset.script);
  url.searchParams.set("render", "explicit");
  url.searchParams.set("onload", "sesameCaptchaLoaded");
  const script = document.createElement("script");
  script.src = url.href;
  script.async = true;
  document.head.appendChild(script);
}
