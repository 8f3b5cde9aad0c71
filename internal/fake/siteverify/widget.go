package fakesiteverify

import (
	"fmt"
	"net/http"
	"strings"
)

// Paths of the widget scripts, the same as the real services', so that a
// page whose script origin is the fake's URL loads the fake widget.
const (
	// TurnstileScriptPath is Cloudflare Turnstile's widget script path.
	TurnstileScriptPath = "/turnstile/v0/api.js"
	// ReCAPTCHAScriptPath is Google reCAPTCHA's widget script path.
	ReCAPTCHAScriptPath = "/recaptcha/api.js"
	// HCaptchaScriptPath is hCaptcha's widget script path.
	HCaptchaScriptPath = "/1/api.js"
	// SolvePath is where the fake widget gets a token when its box is
	// ticked: POST answers a new token that siteverify accepts once.
	SolvePath = "/fake/solve"
)

// WidgetLabel is the text next to the fake widget's checkbox.
const WidgetLabel = "I am not a robot (test widget)"

// widgetScript is the fake widget: it defines the provider's global
// (turnstile, grecaptcha or hcaptcha) with the explicit-render API the
// three share — render(container, {sitekey, callback}), getResponse(id),
// reset(id) — then calls the page's onload callback named in its URL. The
// widget is a checkbox; ticking it asks the fake for a token (a request to
// the fake's origin, like the real widgets make to theirs), then calls the
// page's callback with it.
const widgetScript = `(function () {
  "use strict";
  var base = %q;
  var widgets = [];
  var api = {
    render: function (container, opts) {
      var el = typeof container === "string" ? document.querySelector(container) : container;
      opts = opts || {};
      var label = document.createElement("label");
      label.className = "fake-captcha";
      var box = document.createElement("input");
      box.type = "checkbox";
      box.className = "fake-captcha-checkbox";
      box.dataset.sitekey = opts.sitekey || "";
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + %q));
      el.appendChild(label);
      var w = { box: box, token: "" };
      widgets.push(w);
      box.addEventListener("change", function () {
        w.token = "";
        if (!box.checked) return;
        fetch(base + %q, { method: "POST" })
          .then(function (r) { return r.text(); })
          .then(function (tok) {
            w.token = tok;
            box.dataset.solved = "true";
            if (typeof opts.callback === "function") opts.callback(tok);
          });
      });
      return widgets.length - 1;
    },
    getResponse: function (id) {
      var w = widgets[id || 0];
      return w ? w.token : "";
    },
    reset: function (id) {
      var w = widgets[id || 0];
      if (!w) return;
      w.token = "";
      w.box.checked = false;
      delete w.box.dataset.solved;
    },
  };
  window[%q] = api;
  var onload = new URL(document.currentScript.src).searchParams.get("onload");
  if (onload && typeof window[onload] === "function") window[onload]();
})();
`

// scriptHandler serves the fake widget under the global name of provider.
func (s *Server) scriptHandler(global string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.scripts++
		s.mu.Unlock()
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		fmt.Fprintf(w, widgetScript, s.URL, WidgetLabel, SolvePath, global)
	}
}

// solve answers a fresh token that siteverify accepts once (as Accept),
// to any origin: the widget asks from the page under test.
func (s *Server) solve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "405 Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	tok := "widget-" + randomHex(16)
	s.Accept(tok)
	s.mu.Lock()
	s.solved = append(s.solved, tok)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(tok))
}

// ScriptsServed returns how many times a widget script was requested.
func (s *Server) ScriptsServed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.scripts
}

// Solved returns the tokens the fake widget handed out, oldest first.
func (s *Server) Solved() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.solved...)
}

// Host returns the fake's host:port, the only host its widget loads from.
func (s *Server) Host() string { return strings.TrimPrefix(s.URL, "http://") }

// widgetGlobals maps each provider's script path to the global it defines.
var widgetGlobals = map[string]string{
	TurnstileScriptPath: "turnstile",
	ReCAPTCHAScriptPath: "grecaptcha",
	HCaptchaScriptPath:  "hcaptcha",
}
