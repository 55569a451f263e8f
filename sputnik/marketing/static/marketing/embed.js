/* Sputnik CRM lead forms on a company site: pass the page's UTM tags and address along.
 *
 * Pasted beside a form snippet (<form data-sputnik-form>) it fills the hidden fields
 * utm_*, page and return_url from the page's URL; beside an iframe snippet
 * (<iframe data-sputnik-form-frame>) it adds them to the iframe's address, where the
 * hosted form picks them up. No cookies, no other requests.
 */
(function () {
  "use strict";
  var UTM = ["utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term"];

  function pageAddress() {
    return window.location.href.split("#")[0].slice(0, 1000);
  }

  function tracking() {
    var params = new URLSearchParams(window.location.search);
    var found = {};
    UTM.forEach(function (name) {
      var value = params.get(name);
      if (value) {
        found[name] = value.slice(0, 200);
      }
    });
    return found;
  }

  function fillForm(form, tags) {
    var values = Object.assign({ page: pageAddress(), return_url: pageAddress() }, tags);
    Object.keys(values).forEach(function (name) {
      var input = form.querySelector('input[type="hidden"][name="' + name + '"]');
      if (input && !input.value) {
        input.value = values[name];
      }
    });
  }

  function fillFrame(frame, tags) {
    var url = new URL(frame.getAttribute("src"), window.location.href);
    Object.keys(tags).forEach(function (name) {
      url.searchParams.set(name, tags[name]);
    });
    url.searchParams.set("page", pageAddress());
    frame.setAttribute("src", url.toString());
  }

  // The hosted form reports its height (frame.js); only a frame of ours, from its own
  // origin, may resize itself, and only to a sane height.
  function onMessage(event) {
    var data = event.data;
    if (!data || typeof data.sputnikFormHeight !== "number") {
      return;
    }
    document.querySelectorAll("iframe[data-sputnik-form-frame]").forEach(function (frame) {
      if (frame.contentWindow !== event.source) {
        return;
      }
      if (new URL(frame.getAttribute("src"), window.location.href).origin !== event.origin) {
        return;
      }
      var height = Math.max(200, Math.min(4000, Math.round(data.sputnikFormHeight)));
      frame.setAttribute("height", String(height + 4));
    });
  }

  function run() {
    window.addEventListener("message", onMessage);
    var tags = tracking();
    document.querySelectorAll("form[data-sputnik-form]").forEach(function (form) {
      fillForm(form, tags);
    });
    document.querySelectorAll("iframe[data-sputnik-form-frame]").forEach(function (frame) {
      fillFrame(frame, tags);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", run);
  } else {
    run();
  }
})();
