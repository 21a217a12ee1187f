// The live event debugger: htmx polls for new rows every 2 seconds; this file pauses
// that while the tab is hidden or when the user asks (button or "p"), and keeps the
// newest rows only. A static file, as the CSP requires; htmx runs without eval, so
// pausing cancels the poll request instead of using an hx-trigger filter.
(function () {
  "use strict";

  var table = document.querySelector("[data-live-events]");
  if (!table) return;
  var button = document.querySelector("[data-live-toggle]");
  var status = document.querySelector("[data-live-status]");
  var limit = parseInt(table.getAttribute("data-live-limit"), 10) || 50;
  var paused = false;

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function show() {
    var hidden = document.visibilityState === "hidden";
    if (button) {
      button.setAttribute("aria-pressed", paused ? "true" : "false");
      button.firstChild.textContent = paused ? "Resume " : "Pause ";
    }
    if (status) {
      status.textContent = paused ? "Paused" : hidden ? "Paused while this tab is hidden" : "Live";
      status.classList.toggle("paused", paused || hidden);
    }
  }

  function pollNow() {
    var poller = table.querySelector("[data-live-poller]");
    if (poller && window.htmx) window.htmx.trigger(poller, "livepoll");
  }

  function toggle() {
    paused = !paused;
    show();
    if (!paused) pollNow();
  }

  // Only the newest rows stay: each poll adds a batch at the top.
  function trim() {
    var rows = table.querySelectorAll("tr[data-live-row]");
    for (var i = limit; i < rows.length; i++) rows[i].remove();
    table.querySelectorAll("tbody.live-batch").forEach(function (batch) {
      if (!batch.querySelector("tr")) batch.remove();
    });
  }

  if (button) button.addEventListener("click", toggle);

  document.addEventListener("keydown", function (event) {
    if (event.metaKey || event.ctrlKey || event.altKey || typing(event.target)) return;
    if (event.key === "p") {
      event.preventDefault();
      toggle();
    }
  });

  document.addEventListener("visibilitychange", function () {
    show();
    if (document.visibilityState === "visible" && !paused) pollNow();
  });

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (elt && elt.hasAttribute("data-live-poller") && (paused || document.visibilityState === "hidden")) {
      event.preventDefault();
    }
  });

  // Watched on the table itself: the poller replaces itself, so htmx's swap events
  // fire on an element that has already left the page.
  new MutationObserver(trim).observe(table, { childList: true });
  show();
})();
