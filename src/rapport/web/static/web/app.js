// Rapport UI behaviour. A static file (the CSP forbids inline script), no framework:
// htmx does the partial updates, this file adds the keyboard and the small touches.
(function () {
  "use strict";

  var shell = document.querySelector(".shell");

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  // Sidebar on narrow screens.
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-toggle-nav]");
    if (toggle && shell) {
      var open = shell.classList.toggle("nav-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
  });

  // Copy buttons: <button data-copy="#element-id">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) return;
    navigator.clipboard.writeText(source.textContent.trim()).then(function () {
      var label = button.textContent;
      button.textContent = "Copied";
      window.setTimeout(function () { button.textContent = label; }, 1500);
    });
  });

  // Destructive buttons ask first: <button data-confirm="Remove Ann?">.
  document.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var message = (submitter && submitter.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });

  // Keyboard: "g" then a module key goes there; "?" shows the shortcuts; "/" focuses search.
  var pendingG = false;
  var gTimer = null;
  var help = document.getElementById("shortcut-help");

  document.addEventListener("keydown", function (event) {
    if (event.metaKey || event.ctrlKey || event.altKey || typing(event.target)) return;
    if (event.key === "?" && help) {
      event.preventDefault();
      if (help.open) help.close(); else help.showModal();
      return;
    }
    if (event.key === "/") {
      var search = document.querySelector("[data-search]");
      if (search) { event.preventDefault(); search.focus(); }
      return;
    }
    if (pendingG) {
      pendingG = false;
      window.clearTimeout(gTimer);
      var link = document.querySelector('[data-hotkey="' + event.key.toLowerCase() + '"]');
      if (link) { event.preventDefault(); window.location.assign(link.getAttribute("href")); }
      return;
    }
    if (event.key === "g") {
      pendingG = true;
      gTimer = window.setTimeout(function () { pendingG = false; }, 1200);
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-close-dialog]")) {
      var dialog = event.target.closest("dialog");
      if (dialog) dialog.close();
    }
    if (event.target.closest("[data-open-shortcuts]") && help) help.showModal();
  });

  // A failed htmx request shows a visible error instead of silently doing nothing.
  document.body.addEventListener("htmx:responseError", function (event) {
    var box = document.getElementById("htmx-error");
    if (!box) return;
    box.hidden = false;
    box.textContent = "That did not work (HTTP " + event.detail.xhr.status + "). Reload the page and try again.";
  });
})();
