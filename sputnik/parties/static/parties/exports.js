/* Export links carry the list's filter as it is now: the filter form changes the list by
   HTMX without reloading the page, so the link's server-rendered query may be stale. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLElement)) {
      return;
    }
    var link = target.closest("a[data-export-form]");
    if (!link) {
      return;
    }
    var form = document.querySelector('main form[role="search"]');
    if (!form) {
      return;
    }
    var url = new URL(link.href, window.location.href);
    var format = url.searchParams.get("format") || "csv";
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (typeof value === "string" && value !== "" && key !== "cursor") {
        params.append(key, value);
      }
    });
    params.set("format", format);
    url.search = params.toString();
    link.href = url.toString();
  });
})();
