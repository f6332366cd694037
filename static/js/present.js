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
