// Listen: keyboard for the mention stream (j/k move, h handled, o open, n/p negative /
// positive), the stream's keys added to the "?" help, and the "N new" markers fading.
// A static file, as the CSP requires; htmx does the requests.
(function () {
  "use strict";

  var help = document.querySelector("#shortcut-help .shortcuts");
  var extra = document.getElementById("listen-shortcuts");
  if (help && extra && !help.querySelector("[data-listen-keys]")) {
    var marker = document.createElement("span");
    marker.setAttribute("data-listen-keys", "");
    marker.hidden = true;
    help.appendChild(marker);
    help.appendChild(extra.content.cloneNode(true));
  }

  var list = document.querySelector("[data-mention-list]");
  if (!list) return;

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function mentions() { return Array.prototype.slice.call(list.querySelectorAll("[data-mention]")); }

  var currentId = null;
  function current() {
    if (!currentId) return null;
    return document.getElementById(currentId);
  }

  function select(el) {
    var old = current();
    if (old) old.classList.remove("is-current");
    if (!el) { currentId = null; return; }
    currentId = el.id;
    el.classList.add("is-current");
    el.focus({ preventScroll: true });
    el.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var all = mentions();
    if (!all.length) return;
    var at = all.indexOf(current());
    var next = at < 0 ? 0 : Math.min(all.length - 1, Math.max(0, at + step));
    select(all[next]);
  }

  function setSentiment(value) {
    var el = current();
    if (!el) return;
    var select = el.querySelector('[data-correct="sentiment"] select');
    if (!select || select.value === value) return;
    select.value = value;
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // A swapped row keeps its place as the current one.
  document.body.addEventListener("htmx:afterSwap", function () {
    var el = current();
    if (el) el.classList.add("is-current");
  });

  var lastG = 0;
  document.addEventListener("keydown", function (event) {
    if (event.metaKey || event.ctrlKey || event.altKey || typing(event.target)) return;
    if (event.key === "g") { lastG = Date.now(); return; }
    if (Date.now() - lastG < 1200) return; // "g h" and friends belong to the navigation
    var el = current();
    switch (event.key) {
      case "j": event.preventDefault(); move(1); break;
      case "k": event.preventDefault(); move(-1); break;
      case "h":
        if (el) {
          var button = el.querySelector('[data-action="handled"]');
          if (button) { event.preventDefault(); button.click(); }
        }
        break;
      case "o":
        if (el) {
          var link = el.querySelector('[data-action="open"]');
          if (link) { event.preventDefault(); window.open(link.href, "_blank", "noopener,noreferrer"); }
        }
        break;
      case "n": event.preventDefault(); setSentiment("negative"); break;
      case "p": event.preventDefault(); setSentiment("positive"); break;
      default: break;
    }
  });

  list.addEventListener("click", function (event) {
    var el = event.target.closest("[data-mention]");
    if (el && !event.target.closest("a, button, select, input, summary")) select(el);
  });
})();

// Add a source: only the chosen network's settings show.
(function () {
  "use strict";
  var form = document.querySelector("[data-source-form]");
  if (!form) return;
  var select = form.querySelector("select[name=network]");
  function show() {
    form.querySelectorAll("[data-network-fields]").forEach(function (group) {
      group.hidden = group.getAttribute("data-network-fields") !== select.value;
    });
  }
  if (select) { select.addEventListener("change", show); show(); }
})();
