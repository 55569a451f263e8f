/* Inside the hosted lead form: tell the embedding page how tall the form is, so the
 * iframe grows with it (error messages, the thank-you text) instead of scrolling.
 * Only a height is sent; embed.js on the site accepts it from the CRM's origin only. */
(function () {
  "use strict";
  if (window.parent === window) {
    return;
  }
  var last = 0;

  function report() {
    // The body's own height: the document's is never less than the frame, so it could
    // only grow (the thank-you page is shorter than the form).
    var height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height !== last) {
      last = height;
      window.parent.postMessage({ sputnikFormHeight: height }, "*");
    }
  }

  window.addEventListener("load", report);
  if (window.ResizeObserver) {
    new ResizeObserver(report).observe(document.body);
  }
  report();
})();
