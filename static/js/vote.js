// The dot vote keeps the voter's place: a swap of the vote panel would drop focus on the page's
// body, so focus goes back to the same button (or, once it is disabled, its card's other button),
// and the dots left are read out from a live region that the swap does not replace.
(function () {
  "use strict";

  var focusedId = null;

  // Live changes (`changed` events): the panel is this person's own (their dots left), so it cannot come
  // rendered in the event; it is read again only when a change can touch it: the vote or the timer (an event
  // with no cards), a card of the kind voted on, or a missed revision. Other card edits leave it alone.
  function onChanged(event) {
    var change = JSON.parse(event.data), panel = document.getElementById("vote");
    if (!panel) return;
    var shown = parseInt(panel.dataset.revision, 10) || 0;
    if (change.revision <= shown) return;
    var cards = document.createElement("template");
    cards.innerHTML = change.present || "";
    var kind = panel.dataset.kind;
    var touches = change.reload || change.revision !== shown + 1 || !cards.content.children.length ||
      (kind && cards.content.querySelector(".card-" + kind));
    if (touches) htmx.trigger(panel, "journeymap:stale");
    else panel.dataset.revision = change.revision;
  }

  document.addEventListener("htmx:sseOpen", function (event) {
    var source = event.detail.source;
    if (source.journeymapListening) return;
    source.journeymapListening = true;
    source.addEventListener("changed", onChanged);
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var active = document.activeElement;
    focusedId = active && active.id && event.detail.target.id === "vote" && event.detail.target.contains(active)
      ? active.id : null;
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.target.id !== "vote" && !(event.detail.elt && event.detail.elt.id === "vote")) return;
    var panel = document.getElementById("vote");
    var left = panel && panel.querySelector(".dots-left");
    var announce = document.getElementById("vote-announce");
    if (announce && left && focusedId) announce.textContent = left.textContent;
    if (!focusedId || (document.activeElement && document.activeElement !== document.body)) return;
    var button = document.getElementById(focusedId);
    if (button && button.disabled) {
      var other = focusedId.indexOf("dot-add-") === 0 ? focusedId.replace("dot-add-", "dot-remove-") : focusedId.replace("dot-remove-", "dot-add-");
      button = document.getElementById(other);
    }
    if (!button || button.disabled) button = panel && panel.querySelector("h2");
    if (button) {
      if (button.tagName === "H2") button.setAttribute("tabindex", "-1");
      button.focus();
    }
    focusedId = null;
  });
})();
