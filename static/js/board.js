// The board's direct manipulation: drag cards with SortableJS, or move them with the keyboard.
// Both post to the card's move endpoint (the same one the no-JavaScript form uses), which answers
// with the cells it changed; and the board's live updates (below).
(function () {
  "use strict";

  function board() { return document.getElementById("board"); }
  var dragging = false;  // a remote change waits until the card being dragged is dropped

  // The answer carries the changed cells as out-of-band regions (applied in place below) and asks,
  // once settled, for the focus to go to the moved card: so Alt+Right twice moves it two stages.
  function moveCard(card, stageId, laneId, position) {
    var url = board().dataset.moveUrl.replace("/0/move/", "/" + card.dataset.card + "/move/");
    card.classList.add("moving");
    return htmx.ajax("POST", url, {
      source: card,
      swap: "none",
      values: { version: card.dataset.version, stage: stageId, lane: laneId, position: position },
    }).then(function () { card.classList.remove("moving"); });
  }

  function focusCard(cardId) {
    var card = document.getElementById("card-" + cardId);
    if (card) card.focus({ preventScroll: false });
  }
  document.addEventListener("journeymap:focus-card", function (event) { focusCard(event.detail.card); });

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
          if (!(event.from === event.to && event.oldIndex === event.newIndex)) {
            moveCard(event.item, event.to.dataset.stage, event.to.dataset.lane, event.newIndex);
          }
          drain();  // what arrived during the drag
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

  // --- Live updates. Each change arrives as an SSE `changed` event (id: the map's revision) that carries
  // the regions it changed, rendered by the server (see maps/regions.py): cells, headers, the curve. They
  // are applied in place by id, in revision order. Nothing else moves: an open form keeps its text and
  // caret, focus and scroll stay, an open menu stays open. A board that misses a revision (a cut stream,
  // sleep) re-reads itself once; an event at or below the shown revision is ignored.

  function live() { return document.getElementById("live"); }
  var GAP_WAIT_MS = 400;  // events of two web processes may cross: wait this long for a missing one
  var pending = {};  // revision -> event not applied yet
  var gapTimer = null, refreshing = false, refreshAgain = false;

  function shownRevision() { return parseInt(board().dataset.revision, 10) || 0; }

  // Makes `current` look like `fresh`, keeping the node itself (and so focus on it), and whatever
  // menus were open in it.
  function morph(current, fresh) {
    if (current.isEqualNode(fresh)) return;
    var focused = current.contains(document.activeElement) && document.activeElement !== current
      ? document.activeElement.className : null;
    var open = Array.prototype.map.call(current.querySelectorAll("details"), function (d) { return d.open; });
    Array.prototype.slice.call(current.attributes).forEach(function (attribute) {
      if (!fresh.hasAttribute(attribute.name)) current.removeAttribute(attribute.name);
    });
    Array.prototype.forEach.call(fresh.attributes, function (attribute) {
      if (attribute.name !== "hx-swap-oob") current.setAttribute(attribute.name, attribute.value);
    });
    current.replaceChildren.apply(current, Array.prototype.slice.call(fresh.childNodes));
    current.querySelectorAll("details").forEach(function (d, index) { if (open[index]) d.open = true; });
    if (focused !== null) {
      var again = focused && current.getElementsByClassName(focused.split(" ")[0])[0];
      (again || current).focus({ preventScroll: true });
    }
    htmx.process(current);
  }

  // A cell's cards in the server's order: cards already here are kept (morphed if changed), a card
  // moved from another cell comes along, one that left goes; a card open in a form here stays a form.
  function reconcileCell(current, fresh) {
    var wanted = Array.prototype.slice.call(fresh.children);
    var ids = {};
    wanted.forEach(function (node, index) {
      ids[node.id] = true;
      var existing = document.getElementById(node.id), keep = node;
      if (existing) { morph(existing, node); keep = existing; }
      if (current.children[index] !== keep) current.insertBefore(keep, current.children[index] || null);
    });
    Array.prototype.slice.call(current.children, wanted.length).forEach(function (extra) {
      if (!ids[extra.id]) extra.remove();  // moved away or deleted meanwhile (an open editor is not in the board)
    });
  }

  function applyRegion(current, fresh) {
    if (current.classList.contains("cards")) reconcileCell(current, fresh);
    else morph(current, fresh);
  }

  // Nothing a remote change does may move the focus, the caret or the scroll position.
  function keepingFocus(work) {
    var focused = document.activeElement, caret = null;
    if (focused && typeof focused.selectionStart === "number") {
      try { caret = [focused.selectionStart, focused.selectionEnd, focused.selectionDirection]; } catch (e) { caret = null; }
    }
    var root = board(), scroll = root ? [root.scrollLeft, root.scrollTop, window.scrollX, window.scrollY] : null;
    work();
    if (focused && focused !== document.body && focused !== document.activeElement && document.contains(focused)) {
      focused.focus({ preventScroll: true });
      if (caret) focused.setSelectionRange(caret[0], caret[1], caret[2]);
    }
    root = board();
    if (root && scroll) {
      root.scrollLeft = scroll[0]; root.scrollTop = scroll[1];
      if (window.scrollX !== scroll[2] || window.scrollY !== scroll[3]) window.scrollTo(scroll[2], scroll[3]);
    }
  }

  function applyRegions(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    keepingFocus(function () {
      Array.prototype.slice.call(template.content.children).forEach(function (fresh) {
        // Stage and lane headers come in a <table> of their own (a bare <th> would not parse).
        var regions = fresh.tagName === "TABLE" ? fresh.querySelectorAll("th[id]") : [fresh];
        Array.prototype.forEach.call(regions, function (region) {
          var current = region.id && document.getElementById(region.id);
          if (current) applyRegion(current, region);
        });
      });
      enableDragging();
      showEditing();
    });
  }

  // Board panels (health score, fix first, counts) a change altered: each replaces the content of the
  // container of its id (#panel-<key>, wherever the page puts it), keeping open what was open.
  function applyPanels(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    keepingFocus(function () {
      Array.prototype.slice.call(template.content.children).forEach(function (fresh) {
        var current = fresh.id && document.getElementById(fresh.id);
        if (!current) return;
        var open = Array.prototype.map.call(current.querySelectorAll("details"), function (d) { return d.open; });
        current.replaceChildren.apply(current, Array.prototype.slice.call(fresh.childNodes));
        current.querySelectorAll("details").forEach(function (d, index) { if (open[index]) d.open = true; });
        htmx.process(current);
      });
    });
  }

  // After a re-read (events were missed), the panels may be behind too: each fetches itself again.
  function refreshPanels() {
    document.querySelectorAll('[id^="panel-"][hx-get]').forEach(function (panel) {
      htmx.trigger(panel, "journeymap:stale");
    });
  }

  // One's own change answers with the same regions, out of band: applied the same way, in place.
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail.target, fresh = event.detail.fragment.firstElementChild;
    if (!fresh || !target.closest("#board") || target.id === "board") return;
    event.detail.shouldSwap = false;
    applyRegion(target, fresh);
    enableDragging();
  });

  function swapBoard(html) {
    var parsed = new DOMParser().parseFromString(html, "text/html").getElementById("board");
    var current = board();
    if (!parsed || !current) return;
    var fresh = document.importNode(parsed, true);
    keepingFocus(function () {
      var open = {};
      current.querySelectorAll("th[id] details[open]").forEach(function (d) { open[d.closest("th").id] = true; });
      current.replaceChildren.apply(current, Array.prototype.slice.call(fresh.childNodes));
      current.dataset.revision = fresh.dataset.revision;
      Object.keys(open).forEach(function (id) {
        var menu = document.querySelector("#" + CSS.escape(id) + " details");
        if (menu) menu.open = true;
      });
      htmx.process(current);
      enableDragging();
      showEditing();
    });
  }

  // The whole board, once, however many events asked for it meanwhile.
  function refreshBoard() {
    if (refreshing) { refreshAgain = true; return; }
    refreshing = true;
    fetch(live().dataset.boardUrl, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(swapBoard)
      .then(refreshPanels)
      .catch(function () { /* the next event or reconnect tries again */ })
      .then(function () {
        refreshing = false;
        if (refreshAgain) { refreshAgain = false; refreshBoard(); return; }
        drain();
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

  function apply(change) {
    if (change.actor && change.actor !== live().dataset.me) {
      note(change.actor + " " + (change.note || "changed the board"));
    }
    if (change.reload) { refreshBoard(); return; }
    if (change.html) applyRegions(change.html);
    board().dataset.revision = change.revision;
  }

  // Applies pending events in revision order; a revision still missing after a short wait means
  // events were lost: the board is re-read, once.
  function drain() {
    if (refreshing || dragging || !board()) return;
    var next;
    while ((next = pending[shownRevision() + 1])) {
      delete pending[next.revision];
      apply(next);
      if (refreshing) return;
    }
    var shown = shownRevision(), waiting = false;
    Object.keys(pending).forEach(function (revision) {
      if (revision <= shown) delete pending[revision]; else waiting = true;
    });
    window.clearTimeout(gapTimer);
    gapTimer = waiting ? window.setTimeout(function () { if (!dragging) refreshBoard(); }, GAP_WAIT_MS) : null;
  }

  function onChanged(event) {
    var change = JSON.parse(event.data);
    if (change.revision <= shownRevision()) return;
    // A catch-up stands for every revision up to its own: the board is re-read once.
    if (change.reload && !dragging) { window.clearTimeout(gapTimer); refreshBoard(); return; }
    pending[change.revision] = change;
    drain();
  }

  // Each (re)connection is a new EventSource: listen on it. The server compares its revision with
  // the one in the connect URL and sends a catch-up `changed` at once if this page is behind.
  document.addEventListener("htmx:sseOpen", function (event) {
    var source = event.detail.source;
    if (source.journeymapListening) return;
    source.journeymapListening = true;
    source.addEventListener("changed", onChanged);
    source.addEventListener("panels", function (event) { applyPanels(event.data); });
  });

  // --- Presence: who is editing which card (a soft marker, not a lock).

  // The server sends one presence list to everyone on the map: each board leaves its own person out.
  function leaveMyselfOut() {
    var element = live(), list = document.getElementById("presence");
    if (!element || !list) return;
    list.querySelectorAll('[data-person="' + element.dataset.person + '"]').forEach(function (item) { item.remove(); });
    var label = list.querySelector(".presence-label");
    if (label) label.hidden = !list.querySelector(".avatars li");
  }

  function showEditing() {
    var root = board();
    if (!root) return;
    leaveMyselfOut();
    root.querySelectorAll("[data-editing-by]").forEach(function (card) { card.removeAttribute("data-editing-by"); });
    document.querySelectorAll("#presence [data-editing-card]").forEach(function (item) {
      var card = document.getElementById("card-" + item.dataset.editingCard);
      if (card) card.setAttribute("data-editing-by", item.dataset.name + " is editing");
    });
  }
  document.addEventListener("htmx:sseMessage", showEditing);
  document.addEventListener("htmx:afterSettle", showEditing);  // a card swapped in here keeps its marker

  // Tell the others which card this person has open in the editor, whenever that changes.
  var reportedCard = "";
  function reportEditing() {
    var element = live();
    if (!board() || !element) return;
    var editor = document.querySelector("#card-editor[data-card]");
    var card = editor ? editor.dataset.card : "";
    if (card === reportedCard) return;
    reportedCard = card;
    htmx.ajax("POST", element.dataset.editingUrl, { source: element, values: { card: card }, swap: "none" });
  }
  document.addEventListener("htmx:afterSettle", reportEditing);

  // --- The card editor: a drawer in the board's dialog slot (static/js/app.js opens and closes the slot,
  // and gives focus back to what opened it: the card, or the "+ Add" link). Here: the drawer keeps the
  // focus while it is open, the slider says its value, and the opener is the card, however it was opened.

  // Clicking a card's Edit link: the card itself is what the focus comes back to.
  document.addEventListener("click", function (event) {
    var edit = event.target.closest && event.target.closest(".card-edit");
    var card = edit && edit.closest(".card[data-card]");
    if (card) card.focus({ preventScroll: true });
  }, true);

  function editor() { return document.getElementById("card-editor"); }

  function focusables(root) {
    return Array.prototype.filter.call(
      root.querySelectorAll("a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])"),
      function (el) {
        if (el.type === "radio" && !el.checked && root.querySelector('input[type=radio][name="' + el.name + '"]:checked')) return false;
        return el.checkVisibility ? el.checkVisibility() : el.getClientRects().length > 0;
      });
  }

  // Tab and Shift+Tab go round the drawer: it is a modal dialog while it is open.
  document.addEventListener("keydown", function (event) {
    var drawer = editor();
    if (event.key !== "Tab" || !drawer || drawer.classList.contains("as-page")) return;
    var items = focusables(drawer);
    if (!items.length) return;
    var first = items[0], last = items[items.length - 1];
    if (!drawer.contains(document.activeElement)) { event.preventDefault(); first.focus(); }
    else if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
    else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
  });

  // The slider's value, shown next to it as it moves (signed: "+3", "−2" where the scale goes below 0).
  function showSlider(input) {
    var out = input.closest(".slider-field").querySelector(".slider-value");
    var value = parseInt(input.value, 10), signed = parseInt(input.min, 10) < 0;
    var text = value > 0 && signed ? "+" + value : String(value).replace("-", "\u2212");
    if (out) out.textContent = text;
    input.setAttribute("aria-valuetext", text);
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches(".slider input[type=range]")) showSlider(event.target);
  });

  // On open, and after a save sent back with errors: the drawer's first field, or its first invalid one
  // (the server marks it autofocus). After app.js's own "first field" rule, which does not know about errors.
  function settleEditor() {
    var drawer = editor();
    reportEditing();
    if (!drawer) return;
    drawer.querySelectorAll(".slider input[type=range]").forEach(showSlider);
    if (drawer.classList.contains("as-page")) return;  // there the browser honours autofocus itself
    var target = drawer.querySelector("[autofocus]") ||
      drawer.querySelector(".invalid input:not([type=hidden]), .invalid select, .invalid textarea") ||
      focusables(drawer.querySelector("form") || drawer)[0];
    if (target) target.focus();
  }
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.target && event.detail.target.id === "dialog") settleEditor();
  });
  document.addEventListener("DOMContentLoaded", settleEditor);  // the editor as a page of its own
  // Closed by Escape or Cancel (app.js empties the slot without a request): tell the others.
  document.addEventListener("keyup", function (event) { if (event.key === "Escape") reportEditing(); });
  document.addEventListener("click", function () { window.setTimeout(reportEditing, 0); });
})();
