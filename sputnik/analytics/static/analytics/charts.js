// Draws every <canvas data-chart='{Chart.js config}'> on the page (the server builds the
// configurations; nothing inline under the CSP). Numbers get the page language's format.
(function () {
  "use strict";
  function draw(root) {
    if (typeof window.Chart === "undefined") return;
    var locale = document.documentElement.lang || "ru";
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) return;
      var config;
      try { config = JSON.parse(canvas.dataset.chart); } catch (e) { return; }
      config.options = config.options || {};
      config.options.locale = locale;
      config.options.responsive = true;
      config.options.maintainAspectRatio = false;
      config.options.animation = false;
      new window.Chart(canvas, config);
      canvas.dataset.drawn = "1";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
})();
