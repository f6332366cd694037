// The board's direct manipulation: drag cards with SortableJS, or move them with the keyboard.
// Both post to the card's move endpoint (the same one the no-JavaScript form uses)
// and swap in the board the server renders back.
(function () {
  "use strict";

  function board() { return document.getElementById("board"); }

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
        onEnd: function (event) {
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
})();
