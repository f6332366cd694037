// The board's direct manipulation: drag cards with SortableJS, or move them with the keyboard.
// Both post to the card's move endpoint (the same one the no-JavaScript form uses)
// and swap in the board the server renders back.
(function () {
  "use strict";

  function board() { return document.getElementById("board"); }
  var dragging = false;  // a remote change waits until the card being dragged is dropped

  function moveCard(card, stageId, laneId, position) {
    var url = board().dataset.moveUrl.replace("/0/move/", "/" + card.dataset.card + "/move/");
    card.classList.add("moving");
    return htmx.ajax("POST", url, {
      source: card,
      target: "#board",
      swap: "outerHTML",
      values: { version: card.dataset.version, stage: stageId, lane: laneId, position: position },
    }).then(function () { focusCard(card.dataset.card); });
  }

  function focusCard(cardId) {
    var card = document.getElementById("card-" + cardId);
    if (card) card.focus();
  }

  function cellOf(card) { return card.closest(".cards"); }

  function enableDragging() {
    var root = board();
    if (!root || !("editable" in root.dataset) || typeof Sortable === "undefined") return;
    root.querySelectorAll(".cards").forEach(function (list) {
      if (list.dataset.sortable) return;
      list.dataset.sortable = "on";
      Sortable.create(list, {
        group: list.dataset.kind,  // a card only moves to lanes of its own kind
        animation: 120,
        draggable: ".card[data-card]",
        ghostClass: "drag-ghost",
        forceFallback: true,  // pointer events rather than native drag and drop: same on mouse, touch and pen
        fallbackTolerance: 3,
        onStart: function () { dragging = true; },
        onEnd: function (event) {
          dragging = false;
          if (refreshAgain) { refreshAgain = false; refreshBoard(); }
          if (event.from === event.to && event.oldIndex === event.newIndex) return;
          moveCard(event.item, event.to.dataset.stage, event.to.dataset.lane, event.newIndex);
        },
      });
    });
  }

  document.addEventListener("keydown", function (event) {
    var card = event.target.closest && event.target.closest(".card[data-card]");
    if (!card || event.target !== card || !("editable" in board().dataset)) return;
    if (event.key === "Enter") {
      var edit = card.querySelector(".card-edit");
      if (edit) { event.preventDefault(); edit.click(); }
      return;
    }
    if (!event.altKey) return;
    var list = cellOf(card);
    var siblings = Array.prototype.slice.call(list.querySelectorAll(".card[data-card]"));
    var index = siblings.indexOf(card);
    if (event.key === "ArrowUp" && index > 0) {
      event.preventDefault();
      moveCard(card, list.dataset.stage, list.dataset.lane, index - 1);
    } else if (event.key === "ArrowDown" && index < siblings.length - 1) {
      event.preventDefault();
      moveCard(card, list.dataset.stage, list.dataset.lane, index + 1);
    } else if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
      var cells = Array.prototype.slice.call(list.closest("tr").querySelectorAll(".cards"));
      var next = cells[cells.indexOf(list) + (event.key === "ArrowLeft" ? -1 : 1)];
      if (next) {
        event.preventDefault();
        moveCard(card, next.dataset.stage, next.dataset.lane, next.querySelectorAll(".card[data-card]").length);
      }
    }
  });

  document.addEventListener("DOMContentLoaded", enableDragging);
  document.addEventListener("htmx:afterSettle", enableDragging);

  // --- Live updates: other people's changes arrive as SSE `changed` events (id: the map's revision).
  // The board is re-read from the server and swapped in, except the card forms (and conflict views)
  // open here: those very elements move into the fresh board, so unsaved text, focus and caret survive.

  function live() { return document.getElementById("live"); }
  var refreshing = false, refreshAgain = false;

  function shownRevision() { return parseInt(board().dataset.revision, 10) || 0; }

  // Where an open form goes in the fresh board: in place of the same card, or of its cell's "+ Add" link.
  function slotFor(form, fresh) {
    var same = fresh.querySelector("#" + CSS.escape(form.id));
    if (same) return same;
    var match = /^new-card-(\d+)-(\d+)$/.exec(form.id);
    if (!match) return null;
    var cell = fresh.querySelector('.cards[data-stage="' + match[1] + '"][data-lane="' + match[2] + '"]');
    return cell && cell.parentNode.querySelector(".add-card");
  }

  function swapBoard(html) {
    var parsed = new DOMParser().parseFromString(html, "text/html").getElementById("board");
    var current = board();
    if (!parsed || !current) return;
    var fresh = document.importNode(parsed, true);
    var focused = document.activeElement, caret = null;
    if (focused && current.contains(focused) && typeof focused.selectionStart === "number") {
      caret = [focused.selectionStart, focused.selectionEnd, focused.selectionDirection];
    }
    current.querySelectorAll(".card-form, .conflict").forEach(function (form) {
      var slot = slotFor(form, fresh);
      if (slot) slot.replaceWith(form);  // a card deleted meanwhile: its form goes; saving would say so anyway
    });
    var scroll = [current.scrollLeft, current.scrollTop];
    current.replaceChildren.apply(current, Array.prototype.slice.call(fresh.childNodes));
    current.dataset.revision = fresh.dataset.revision;
    current.scrollLeft = scroll[0]; current.scrollTop = scroll[1];
    if (focused && focused !== document.activeElement && document.contains(focused)) {
      focused.focus({ preventScroll: true });
      if (caret) focused.setSelectionRange(caret[0], caret[1], caret[2]);
    }
    htmx.process(current);
    enableDragging();
    showEditing();
  }

  function refreshBoard() {
    if (refreshing || dragging) { refreshAgain = true; return; }
    refreshing = true;
    fetch(live().dataset.boardUrl, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(swapBoard)
      .catch(function () { /* the next event or reconnect tries again */ })
      .then(function () {
        refreshing = false;
        if (refreshAgain) { refreshAgain = false; refreshBoard(); }
      });
  }

  var noteTimer = null;
  function note(text) {
    var element = document.getElementById("live-note");
    element.textContent = text;
    element.classList.add("visible");
    window.clearTimeout(noteTimer);
    noteTimer = window.setTimeout(function () { element.classList.remove("visible"); }, 4000);
  }

  function onChanged(event) {
    var change = JSON.parse(event.data);
    if (change.revision <= shownRevision()) return;
    if (change.actor && change.actor !== live().dataset.me) note(change.actor + " changed the board");
    refreshBoard();
  }

  // Each (re)connection is a new EventSource: listen on it. The server compares its revision with
  // the one in the connect URL and sends `changed` at once if this page is behind.
  document.addEventListener("htmx:sseOpen", function (event) {
    var source = event.detail.source;
    if (source.journeymapListening) return;
    source.journeymapListening = true;
    source.addEventListener("changed", onChanged);
  });

  // --- Presence: who is editing which card (a soft marker, not a lock).

  function showEditing() {
    var root = board();
    if (!root) return;
    root.querySelectorAll("[data-editing-by]").forEach(function (card) { card.removeAttribute("data-editing-by"); });
    document.querySelectorAll("#presence [data-editing-card]").forEach(function (item) {
      var card = document.getElementById("card-" + item.dataset.editingCard);
      if (card) card.setAttribute("data-editing-by", item.dataset.name + " is editing");
    });
  }
  document.addEventListener("htmx:sseMessage", showEditing);
  document.addEventListener("htmx:afterSettle", showEditing);  // a card swapped in here keeps its marker

  // Tell the others which card this person has open in an edit form, whenever that changes.
  var reportedCard = "";
  function reportEditing() {
    var root = board(), element = live();
    if (!root || !element) return;
    var form = root.querySelector('.card-form[id^="card-"]');
    var card = form ? form.id.slice("card-".length) : "";
    if (card === reportedCard) return;
    reportedCard = card;
    htmx.ajax("POST", element.dataset.editingUrl, { source: element, values: { card: card }, swap: "none" });
  }
  document.addEventListener("htmx:afterSettle", reportEditing);
})();
