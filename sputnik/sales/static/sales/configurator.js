/* The configurator: HTMX re-renders the panel on each click; this adds a busy state and
   keeps a request form from being sent twice. No inline script (CSP). */
(function () {
  "use strict";

  document.addEventListener("htmx:beforeRequest", function (event) {
    var panel = event.target.closest && event.target.closest("[data-configurator]");
    if (panel) {
      panel.setAttribute("aria-busy", "true");
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var panel = document.querySelector("[data-configurator]");
    if (panel) {
      panel.removeAttribute("aria-busy");
    }
  });

  // A form marked data-once disables its submit button after the first submission.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-once")) {
      return;
    }
    if (form.dataset.sent === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
    var button = form.querySelector("button[type=submit]");
    if (button) {
      button.setAttribute("disabled", "disabled");
    }
  });
})();
