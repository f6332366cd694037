// Draws the diagnostics charts. Each figure's data sits in a <script type="application/json">
// element next to its placeholder; no inline script, no eval (the page's CSP allows neither).
(function () {
  "use strict";
  var CONFIG = { responsive: true, displaylogo: false, displayModeBar: false };

  function draw(root) {
    if (typeof window.Plotly === "undefined") return;
    (root || document).querySelectorAll("[data-figure]:not([data-drawn])").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-figure"));
      if (!source) return;
      var figure;
      try { figure = JSON.parse(source.textContent); } catch (e) { return; }
      el.setAttribute("data-drawn", "");
      window.Plotly.newPlot(el, figure.data, figure.layout, CONFIG);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:load", function (event) { draw(event.target); });
})();
