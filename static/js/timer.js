// The workshop timer: counts down to the end time the server sent, on every page that shows one.
// The server's clock is the reference: the offset to it is measured once per render, so a
// projector whose clock is a few minutes off still shows the same time as the facilitator's laptop.
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function render(element) {
    var remaining = Math.max(0, Math.round((element.endsAt - (Date.now() + element.clockOffset)) / 1000));
    element.textContent = remaining ? Math.floor(remaining / 60) + ":" + pad(remaining % 60) : "Time’s up";
    element.classList.toggle("ending", remaining > 0 && remaining <= 60);
    element.classList.toggle("done", remaining === 0);
  }

  function start() {
    document.querySelectorAll(".countdown[data-ends-at]").forEach(function (element) {
      if (element.endsAt) return;
      element.endsAt = Date.parse(element.dataset.endsAt);
      element.clockOffset = Date.parse(element.dataset.serverNow) - Date.now();
      render(element);
    });
  }

  window.setInterval(function () {
    document.querySelectorAll(".countdown[data-ends-at]").forEach(function (element) {
      if (element.endsAt) render(element);
    });
  }, 1000);
  document.addEventListener("DOMContentLoaded", start);
  document.addEventListener("htmx:afterSettle", start);
})();
