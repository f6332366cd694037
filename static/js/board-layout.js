// The board page's layout: the header menus, the analysis drawer and the zoom. Card editing and moving
// are board.js's. Loaded in <head> without defer, so the remembered drawer state and zoom apply before
// the first paint (no jump); the rest waits for the document.
(function () {
  "use strict";

  var root = document.documentElement;
  var DRAWER_KEY = "journeymap:drawer";  // {"open": bool, "tab": "drawer-tab-N"}, the same on every map
  var match = /^\/maps\/(\d+)\//.exec(window.location.pathname);
  var ZOOM_KEY = "journeymap:zoom:" + (match ? match[1] : "");  // per map
  var STEPS = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.25, 1.5];

  function read(key) {
    try { return JSON.parse(window.localStorage.getItem(key)); } catch (e) { return null; }
  }
  function write(key, value) {
    try { window.localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode: not remembered */ }
  }

  var drawerState = read(DRAWER_KEY) || {};
  var zoom = parseFloat(read(ZOOM_KEY)) || 1;
  root.classList.add("js");
  if (drawerState.open) root.classList.add("drawer-open");
  root.style.setProperty("--board-zoom", zoom);

  // --- Header menus (details.header-menu): the summary says whether it is open; Escape closes the menu
  // and gives focus back to its summary; opening one closes the others.
  function syncMenu(menu) {
    var summary = menu.querySelector("summary");
    if (summary) summary.setAttribute("aria-expanded", menu.open ? "true" : "false");
  }
  document.addEventListener("toggle", function (event) {
    var menu = event.target;
    if (!menu.matches || !menu.matches("details.header-menu")) return;
    syncMenu(menu);
    if (!menu.open) return;
    document.querySelectorAll("details.header-menu[open]").forEach(function (other) {
      if (other !== menu) other.open = false;
    });
  }, true);
  // Capture phase: before app.js closes every open menu on Escape, note which one had focus in it.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var menu = document.activeElement && document.activeElement.closest &&
      document.activeElement.closest("details.header-menu[open]");
    if (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
      event.stopPropagation();  // one Escape closes one thing
      return;
    }
    if (root.classList.contains("drawer-open") && drawer() && drawer().contains(document.activeElement)) {
      setDrawer(false, true);
      event.stopPropagation();
    }
  }, true);

  // --- The analysis drawer: a side panel with one tab per panel. Opening it moves focus into it; closing
  // it (its ×, the toggle, Escape) gives focus back to the toggle. State remembered across reloads.
  function drawer() { return document.getElementById("map-drawer"); }
  function toggle() { return document.getElementById("drawer-toggle"); }

  function setDrawer(open, moveFocus) {
    var element = drawer(), button = toggle();
    if (!element || !button) return;
    root.classList.toggle("drawer-open", open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
    element.hidden = !open;
    drawerState.open = open;
    write(DRAWER_KEY, drawerState);
    if (!moveFocus) return;
    if (open) {
      var selected = element.querySelector('[role=tab][aria-selected="true"]');
      (selected || element).focus();
    } else {
      button.focus();
    }
  }

  function selectTab(tab, moveFocus) {
    var element = drawer();
    if (!tab || !element) return;
    element.querySelectorAll("[role=tab]").forEach(function (other) {
      var on = other === tab;
      other.setAttribute("aria-selected", on ? "true" : "false");
      other.tabIndex = on ? 0 : -1;
      document.getElementById(other.getAttribute("aria-controls")).hidden = !on;
    });
    if (moveFocus) tab.focus();
    drawerState.tab = tab.id;
    write(DRAWER_KEY, drawerState);
  }

  function setUpDrawer() {
    var element = drawer(), button = toggle();
    if (!element || !button) return;
    selectTab(document.getElementById(drawerState.tab) || element.querySelector("[role=tab]"), false);
    setDrawer(!!drawerState.open, false);
    button.addEventListener("click", function () { setDrawer(!root.classList.contains("drawer-open"), true); });
    document.getElementById("drawer-close").addEventListener("click", function () { setDrawer(false, true); });
    element.querySelector("[role=tablist]").addEventListener("click", function (event) {
      var tab = event.target.closest("[role=tab]");
      if (tab) selectTab(tab, true);
    });
    // Arrow keys, Home and End move between tabs (the ARIA tabs pattern, selection follows focus).
    element.querySelector("[role=tablist]").addEventListener("keydown", function (event) {
      var tabs = Array.prototype.slice.call(element.querySelectorAll("[role=tab]"));
      var index = tabs.indexOf(document.activeElement), next = null;
      if (index < 0) return;
      if (event.key === "ArrowRight") next = tabs[(index + 1) % tabs.length];
      else if (event.key === "ArrowLeft") next = tabs[(index - 1 + tabs.length) % tabs.length];
      else if (event.key === "Home") next = tabs[0];
      else if (event.key === "End") next = tabs[tabs.length - 1];
      if (next) { event.preventDefault(); selectTab(next, true); }
    });
  }

  // --- Zoom: the board's table is scaled with CSS zoom (layout and scrolling follow it); Fit shows the
  // whole map. Remembered per map; each change is announced politely.
  function boardTable() { return document.querySelector("#board > table.board"); }

  function setZoom(value, announce) {
    zoom = Math.round(Math.min(1.5, Math.max(0.3, value)) * 100) / 100;
    root.style.setProperty("--board-zoom", zoom);
    write(ZOOM_KEY, zoom);
    var text = Math.round(zoom * 100) + "%";
    var level = document.getElementById("zoom-reset"), note = document.getElementById("zoom-note");
    if (level) level.querySelector(".zoom-value").textContent = text;
    if (note && announce) note.textContent = "Zoom " + text;
    var out = document.getElementById("zoom-out"), into = document.getElementById("zoom-in");
    if (out) out.disabled = zoom <= STEPS[0];
    if (into) into.disabled = zoom >= STEPS[STEPS.length - 1];
  }

  function step(direction) {
    var next = direction > 0
      ? STEPS.find(function (s) { return s > zoom + 0.001; })
      : STEPS.slice().reverse().find(function (s) { return s < zoom - 0.001; });
    if (next) setZoom(next, true);
  }

  function fit() {
    var table = boardTable(), board = document.getElementById("board");
    if (!table || !board) return;
    var rect = table.getBoundingClientRect();  // as drawn, at the current zoom
    var width = rect.width / zoom, height = rect.height / zoom;
    var room = Math.min((board.clientWidth - 2) / width, (board.clientHeight - 2) / height);
    setZoom(Math.min(1, Math.floor(room * 100) / 100), true);
  }

  function setUpZoom() {
    if (!document.getElementById("zoom-reset")) return;
    setZoom(zoom, false);
    document.getElementById("zoom-in").addEventListener("click", function () { step(1); });
    document.getElementById("zoom-out").addEventListener("click", function () { step(-1); });
    document.getElementById("zoom-fit").addEventListener("click", fit);
    document.getElementById("zoom-reset").addEventListener("click", function () { setZoom(1, true); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("details.header-menu").forEach(syncMenu);
    setUpDrawer();
    setUpZoom();
  });
})();
