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
    if (dialog && dialog.children.length) closeDialog(dialog);
  });
  document.addEventListener("click", function (event) {
    var close = event.target.closest(".dialog-slot .dialog-close");
    if (!close) return;
    event.preventDefault();
    closeDialog(document.getElementById("dialog"));
  });

  // A findings popover opened near the window's right edge slides left until it fits.
  document.addEventListener("toggle", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches(".findings-box") || !box.open) return;
    var list = box.querySelector(".findings");
    if (!list) return;
    list.style.left = "";
    var rect = list.getBoundingClientRect(), gap = 16;
    var over = rect.right - (document.documentElement.clientWidth - gap);
    if (over > 0) list.style.left = -Math.min(over, Math.max(0, rect.left - gap)) + "px";
  }, true);

  // The health panel refreshes itself every 30 s; not while someone reads its findings or has
  // focus in it, which the swap would collapse and drop.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var panel = event.detail.elt;
    if (!panel || panel.id !== "health-panel") return;
    if (panel.querySelector("details[open]") || panel.contains(document.activeElement)) event.preventDefault();
  });

  // A dialog or panel that opens in a dialog slot takes focus (its first field, else the dialog
  // itself, so its name is read out) and gives it back to what opened it when it closes.
  var opener = null, openerId = null;

  function returnFocus() {
    var back = opener && document.contains(opener) ? opener : (openerId && document.getElementById(openerId));
    opener = openerId = null;
    if (back) back.focus();
  }

  function closeDialog(slot) {
    slot.replaceChildren();
    returnFocus();
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    if (!target || !target.classList || !target.classList.contains("dialog-slot")) return;
    var active = document.activeElement;
    if (active && active !== document.body && !target.contains(active)) {
      opener = active;
      openerId = active.id || (active.closest("[id]") || {}).id || null;
    }
  });

  function firstVisibleField(dialog) {
    var fields = dialog.querySelectorAll("[aria-invalid=true], textarea, input:not([type=hidden]), select");
    for (var i = 0; i < fields.length; i++) {
      // checkVisibility: a field inside a closed <details> still has boxes, but cannot take focus.
      var shown = fields[i].checkVisibility ? fields[i].checkVisibility() : fields[i].getClientRects().length > 0;
      if (shown && !fields[i].disabled) return fields[i];
    }
    return null;
  }

  // Also after a swap inside an open dialog (a comment posted, a form sent back with errors),
  // which would otherwise drop focus on the page's body.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    var slot = target && target.isConnected && target.closest ? target.closest(".dialog-slot") : null;
    // An outerHTML swap leaves `target` detached: then the open dialog, if focus fell to the body.
    var lost = !document.activeElement || document.activeElement === document.body;
    if (!slot && lost) slot = document.querySelector(".dialog-slot:not(:empty)");
    if (!slot) return;
    var dialog = slot.querySelector("[role=dialog]");
    if (!dialog) return;
    if (dialog.contains(document.activeElement)) return;
    var first = firstVisibleField(dialog);
    if (first) { first.focus(); return; }
    if (!dialog.hasAttribute("tabindex")) dialog.setAttribute("tabindex", "-1");
    dialog.focus();
  });
  // A save that empties the slot out of band (the board's dialogs) also gives focus back.
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    var slot = event.detail.target;
    if (!slot || !slot.classList || !slot.classList.contains("dialog-slot")) return;
    var now = (slot.id && document.getElementById(slot.id)) || slot;  // the target may be the node replaced
    if (!now.children.length && opener) window.setTimeout(returnFocus, 0);
  });
})();
