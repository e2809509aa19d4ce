/*
 * Hand-written: the in-page filter of large topic pages (no library, no network), and
 * keyboard access to tables that scroll sideways on a phone.
 *
 * A topic page with many papers carries a placeholder <div class="pkb-filter"> before its
 * list of papers (rows: generator/render/rows.py). This script turns it into a text box: typing
 * hides every row that does not contain all the typed words (case- and accent-insensitive), and
 * every heading left with no visible row after it. Without JavaScript the page is the plain list.
 * Material loads pages with instant navigation off here, so running once per load is enough;
 * document$ is used when present so it also works if instant navigation is turned on.
 */
(function () {
  "use strict";

  function fold(value) {
    return value.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function setup(box) {
    if (box.dataset.pkbReady) return;
    box.dataset.pkbReady = "1";
    var input = document.createElement("input");
    input.type = "search";
    input.className = "pkb-filter__input";
    input.placeholder = "Filter these papers";
    input.setAttribute("aria-label", "Filter the papers of this page");
    var status = document.createElement("span");
    status.className = "pkb-filter__status";
    status.setAttribute("aria-live", "polite");
    box.appendChild(input);
    box.appendChild(status);

    var scope = box.closest("article") || document.body;
    var lists = Array.prototype.slice.call(scope.querySelectorAll("ul.pkb-rows"));
    var items = [];
    lists.forEach(function (list) {
      Array.prototype.forEach.call(list.children, function (li) {
        items.push({ element: li, text: fold(li.textContent || "") });
      });
    });

    input.addEventListener("input", function () {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      items.forEach(function (item) {
        var match = words.every(function (w) { return item.text.indexOf(w) !== -1; });
        item.element.hidden = !match;
        if (match) shown += 1;
      });
      lists.forEach(function (list) {
        var any = Array.prototype.some.call(list.children, function (li) { return !li.hidden; });
        var heading = list.previousElementSibling;
        if (heading && /^H[1-6]$/.test(heading.tagName)) heading.hidden = !any;
      });
      status.textContent = words.length ? shown + " of " + items.length + " papers" : "";
    });
  }

  /* A table wider than a phone scrolls sideways in Material's wrapper: make the wrapper a
     named region the keyboard can focus and scroll (WCAG 2.1.1; axe: scrollable-region-
     focusable). Only wrappers that do scroll become tab stops. */
  function scrollable(wrap) {
    if (wrap.hasAttribute("tabindex") || wrap.scrollWidth <= wrap.clientWidth) return;
    wrap.setAttribute("tabindex", "0");
    wrap.setAttribute("role", "region");
    wrap.setAttribute("aria-label", "Table, scrolls sideways");
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll(".pkb-filter"), setup);
    Array.prototype.forEach.call(document.querySelectorAll(".md-typeset__scrollwrap"), scrollable);
  }

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
