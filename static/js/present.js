// The presentation view's keyboard: arrows move between stages, Escape or O shows the
// overview, F toggles full screen. The arrows follow the page's own prev/next links,
// which work without JavaScript too.
(function () {
  "use strict";

  function follow(selector) {
    var link = document.querySelector(selector);
    if (link) window.location.assign(link.href);
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.target.closest("input, textarea, select")) return;
    if (event.key === "ArrowRight" || event.key === "PageDown") {
      event.preventDefault();
      follow("#presentation a[rel=next]");
    } else if (event.key === "ArrowLeft" || event.key === "PageUp") {
      event.preventDefault();
      follow("#presentation a[rel=prev]");
    } else if (event.key === "Escape" || event.key === "o" || event.key === "O") {
      follow("#presentation a.to-overview");
    } else if (event.key === "f" || event.key === "F") {
      if (document.fullscreenElement) document.exitFullscreen();
      else if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen();
    }
  });

  // Live changes arrive as `changed` events (id: the map's revision). A changed card this page shows, still
  // at the same stage, is replaced in place from the event's `present` form of it (#p-card-<pk>): no request.
  // Anything else (a card this page does not show, a move, a stage, the vote or timer, a missed revision or
  // a reconnect's catch-up) re-reads the presentation, once.
  function presentation() { return document.getElementById("presentation"); }

  function onChanged(event) {
    var change = JSON.parse(event.data), root = presentation();
    if (!root) return;
    var shown = parseInt(root.dataset.revision, 10) || 0;
    if (change.revision <= shown) return;
    var fresh = document.createElement("template");
    fresh.innerHTML = change.present || "";
    var cards = Array.prototype.slice.call(fresh.content.children);
    var inPlace = change.revision === shown + 1 && !change.reload && cards.length > 0 && !root.querySelector(".p-card-focus") &&
      cards.every(function (card) {
        var current = document.getElementById(card.id);
        return current && current.dataset.stage === card.dataset.stage;
      });
    if (!inPlace) { htmx.trigger(root, "journeymap:stale"); return; }
    cards.forEach(function (card) {
      var current = document.getElementById(card.id);
      current.replaceWith(card);
    });
    root.dataset.revision = change.revision;
  }

  document.addEventListener("htmx:sseOpen", function (event) {
    var source = event.detail.source;
    if (source.journeymapListening) return;
    source.journeymapListening = true;
    source.addEventListener("changed", onChanged);
  });

  // A live re-fetch that answers 404 means the map, or the share link, is gone: say so
  // instead of leaving the last picture up.
  document.addEventListener("htmx:responseError", function (event) {
    if (event.detail.elt.id !== "presentation" || event.detail.xhr.status !== 404) return;
    var notice = document.createElement("p");
    notice.className = "present-gone";
    notice.setAttribute("role", "alert");
    notice.textContent = "This presentation is no longer available.";
    event.detail.elt.replaceChildren(notice);
  });
})();
