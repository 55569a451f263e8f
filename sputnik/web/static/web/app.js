/* Sputnik CRM behaviours. All script lives here (CSP: script-src 'self', no inline code). */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.content) {
      return meta.content;
    }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // Every HTMX request carries the CSRF token.
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });

  // Filter forms: a changed select or checkbox re-runs the search.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLElement)) {
      return;
    }
    var form = target.closest("form[data-autosubmit]");
    if (!form || target.name === "q") {
      return;
    }
    if (window.htmx) {
      window.htmx.trigger(form, "submit");
    } else {
      form.requestSubmit();
    }
  });

  // Autocomplete: a suggestion button fills the hidden id and the visible text.
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLElement)) {
      return;
    }
    var pick = target.closest("[data-pick-value]");
    if (pick) {
      event.preventDefault();
      var box = pick.closest("[data-autocomplete]");
      if (box) {
        var hidden = box.querySelector("input[data-autocomplete-value]");
        var text = box.querySelector("input[data-autocomplete-text]");
        var list = box.querySelector("[data-autocomplete-results]");
        if (hidden) {
          hidden.value = pick.getAttribute("data-pick-value");
        }
        if (text) {
          text.value = pick.getAttribute("data-pick-label");
        }
        if (list) {
          list.replaceChildren();
        }
      }
      return;
    }
    // Buttons that need a confirmation outside HTMX (plain POST forms).
    var confirmer = target.closest("[data-confirm]");
    if (confirmer && !window.confirm(confirmer.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  // Typing in an autocomplete box forgets the previously picked id.
  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target instanceof HTMLInputElement && target.hasAttribute("data-autocomplete-text")) {
      var box = target.closest("[data-autocomplete]");
      var hidden = box && box.querySelector("input[data-autocomplete-value]");
      if (hidden) {
        hidden.value = "";
      }
    }
  });

  // After a successful quick note or call, clear the form that was just submitted.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (
      form instanceof HTMLFormElement &&
      form.hasAttribute("data-reset-on-success") &&
      event.detail.successful &&
      !event.detail.xhr.getResponseHeader("HX-Retarget")
    ) {
      form.reset();
    }
  });
})();
