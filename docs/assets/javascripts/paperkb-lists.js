/*
 * Hand-written: what the lists of papers do in the browser (no library, no network, and it works
 * from file://): the in-page filter of large topic pages, keyboard access to tables that scroll
 * sideways on a phone, and (the second part below) sorting the lists and centring a topic map.
 * One file, so that every page carries one script tag for it; the stars of the reading list are
 * loaded from here (paperkb-stars.js).
 *
 * The filter.
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

  function setupFilter(box) {
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

  /*
   * Sorting. A page whose lists of papers can be sorted carries a placeholder
   * <div class="pkb-sort" data-pkb-sort="newest|upvotes|title"> naming the order its lists are
   * written in (generator/render/rows.py). This script turns it into buttons: Newest, Most
   * upvoted (only when some row has upvotes), Title. The keys are the rows' data attributes:
   * data-d (ISO date) and data-u (upvotes), absent when unknown (such rows go last); the title is
   * the row's first link. Ties keep the page's order. In the page's own order every row is back in
   * its own list (the A-Z page's letters); in any other order the rows of all lists become one
   * list and the letter headings and index are hidden. Without JavaScript the page is the lists
   * as written.
   */

  var ORDERS = [
    ["newest", "Newest"],
    ["upvotes", "Most upvoted"],
    ["title", "Title"],
  ];
  var collator = new Intl.Collator(document.documentElement.lang || "en", { sensitivity: "base" });

  function byDate(a, b) {
    if (a.d === b.d) return 0;
    if (!a.d) return 1;
    if (!b.d) return -1;
    return a.d < b.d ? 1 : -1;
  }

  function byVotes(a, b) {
    if (a.u === b.u) return 0;
    if (a.u === null) return 1;
    if (b.u === null) return -1;
    return b.u - a.u;
  }

  function setupSort(box) {
    if (box.dataset.pkbReady) return;
    box.dataset.pkbReady = "1";
    var scope = box.closest("article") || document.body;
    var lists = Array.prototype.slice.call(scope.querySelectorAll("ul.pkb-rows"));
    var rows = [];
    lists.forEach(function (list, number) {
      Array.prototype.forEach.call(list.children, function (li) {
        var link = li.querySelector("a");
        rows.push({
          element: li,
          home: number,
          at: rows.length,
          d: li.getAttribute("data-d") || "",
          u: li.hasAttribute("data-u") ? Number(li.getAttribute("data-u")) : null,
          t: link ? link.textContent : "",
        });
      });
    });
    if (rows.length < 2) return;
    var initial = box.getAttribute("data-pkb-sort");
    var compare = {
      newest: function (a, b) {
        return byDate(a, b) || byVotes(a, b) || a.at - b.at;
      },
      upvotes: function (a, b) {
        return byVotes(a, b) || byDate(a, b) || a.at - b.at;
      },
      title: function (a, b) {
        return (initial === "title" ? 0 : collator.compare(a.t, b.t)) || a.at - b.at;
      },
    };
    var offered = ORDERS.filter(function (order) {
      if (order[0] === "upvotes") return rows.some(function (r) { return r.u !== null; });
      if (order[0] === "newest") return rows.some(function (r) { return r.d; });
      return true;
    });
    if (offered.length < 2) return;

    /* What a merged list hides: every list but the first, the headings right before them, and
       the letter index. */
    var hideable = [];
    lists.forEach(function (list, i) {
      if (i > 0) hideable.push(list);
      var before = list.previousElementSibling;
      if (lists.length > 1 && before && /^H[1-6]$/.test(before.tagName)) hideable.push(before);
    });
    Array.prototype.forEach.call(scope.querySelectorAll(".pkb-letters"), function (nav) {
      hideable.push(nav);
    });

    var label = document.createElement("span");
    label.className = "pkb-sort__label";
    label.id = "pkb-sort-label";
    label.textContent = "Sort by";
    var group = document.createElement("div");
    group.setAttribute("role", "group");
    group.setAttribute("aria-labelledby", label.id);
    group.className = "pkb-sort__buttons";
    var status = document.createElement("span");
    status.className = "pkb-visually-hidden";
    status.setAttribute("aria-live", "polite");
    var buttons = offered.map(function (order) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "pkb-sort__button";
      button.textContent = order[1];
      button.setAttribute("data-pkb-order", order[0]);
      button.setAttribute("aria-pressed", order[0] === initial ? "true" : "false");
      button.addEventListener("click", function () {
        apply(order[0]);
        buttons.forEach(function (b) {
          b.setAttribute("aria-pressed", b === button ? "true" : "false");
        });
        status.textContent = "Sorted by " + order[1].toLowerCase();
      });
      group.appendChild(button);
      return button;
    });
    box.appendChild(label);
    box.appendChild(group);
    box.appendChild(status);

    function apply(order) {
      var sorted = rows.slice().sort(compare[order]);
      var merged = order !== initial;
      var fragments = lists.map(function () { return document.createDocumentFragment(); });
      sorted.forEach(function (row) {
        fragments[merged ? 0 : row.home].appendChild(row.element);
      });
      lists.forEach(function (list, i) { list.appendChild(fragments[i]); });
      hideable.forEach(function (element) { element.hidden = merged; });
    }
  }

  /* On a phone a topic map is wider than the screen and scrolls sideways in its box: open it on
     its centre, the page's own topic, rather than on its left edge. */
  function centre(box) {
    var extra = box.scrollWidth - box.clientWidth;
    if (extra > 0) box.scrollLeft = extra / 2;
  }

  /* The reading list: a star on every row and paper page (paperkb-stars.js), and on the
     reading-list page its papers (paperkb-reading.js); parts loaded by paperkb-search.js's
     loader, which runs first. */
  function reading() {
    var paperkb = window.paperkb;
    if (!paperkb || !paperkb.use) return;
    var parts = ["store", "stars"];
    if (document.querySelector("[data-pkb-reading]")) parts.push("codec", "rows", "cite", "reading");
    paperkb.use(parts).then(function (ok) {
      if (ok) paperkb.stars.setup();
    });
  }

  function init() {
    reading();
    Array.prototype.forEach.call(document.querySelectorAll(".pkb-filter"), setupFilter);
    Array.prototype.forEach.call(document.querySelectorAll(".md-typeset__scrollwrap"), scrollable);
    Array.prototype.forEach.call(document.querySelectorAll(".pkb-sort"), setupSort);
    Array.prototype.forEach.call(
      document.querySelectorAll(".pkb-topic-map .pkb-chart__scroll"),
      centre
    );
  }

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
