// Behaviour shared by every page. No inline handlers, no eval: the page's CSP allows neither.
(function () {
  "use strict";

  // A request htmx does not swap (a 400, 403, 404 or 500) still tells the person why.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var flash = document.getElementById("flash");
    if (!flash) return;
    var text = (xhr.responseText || "").replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim();
    flash.textContent = text.length && text.length < 300 ? text : "That did not work (" + xhr.status + "). Reload the page and try again.";
    flash.classList.add("visible");
    window.setTimeout(function () { flash.classList.remove("visible"); }, 6000);
  });
  document.addEventListener("htmx:sendError", function () {
    var flash = document.getElementById("flash");
    if (flash) { flash.textContent = "The server could not be reached. Your change was not saved."; flash.classList.add("visible"); }
  });

  // Close open menus when clicking elsewhere or pressing Escape.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.menu[open]").forEach(function (menu) { menu.removeAttribute("open"); });
    var dialog = document.getElementById("dialog");
    if (dialog && dialog.children.length) dialog.replaceChildren();
  });
  document.addEventListener("click", function (event) {
    var close = event.target.closest(".dialog-slot .dialog-close");
    if (!close) return;
    event.preventDefault();
    document.getElementById("dialog").replaceChildren();
  });
})();
