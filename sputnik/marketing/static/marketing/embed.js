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

  function run() {
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
