/* Hand-written part of paperkb's scripts: the star that keeps a paper in the reading list, on
 * every row of the site's lists (generator/render/rows.py) and on every paper page, and the
 * header's link to the reading list with how many papers it holds. Loaded by paperkb-lists.js
 * with paperkb-store.js. Rows carry nothing for it: a row's paper is its link's
 * (papers/<id>.html), and the buttons are added here, so a list of 100,000 rows costs no byte.
 *
 * A star is a toggle button (aria-pressed) named after its paper; the header link reads
 * "Reading list, 3 papers" to a screen reader.
 */
(function (paperkb) {
  "use strict";

  var store = paperkb.store;
  var el = paperkb.el;
  var STAR = "M12 17.27 18.18 21l-1.64-7.03L22 9.24l-7.19-.62L12 2 9.19 8.62 2 9.24l5.45 4.73L5.82 21z";
  var papersUrl = new URL("papers/", paperkb.root).href;
  var listUrl = new URL("reading-list.html", paperkb.root).href;

  /* The paper id a link leads to, when it is a paper page of this site. */
  function paperOf(href) {
    var url = new URL(href, location.href);
    url.hash = "";
    url.search = "";
    var path = url.href;
    if (path.lastIndexOf(papersUrl, 0) !== 0) return null;
    var name = path.slice(papersUrl.length);
    return /^[a-z0-9-]+\.html$/.test(name) && name !== "index.html" ? name.slice(0, -5) : null;
  }

  function star(id, title, labelled) {
    var button = el(
      "button",
      {
        type: "button",
        class: "pkb-star" + (labelled ? " pkb-star--labelled" : ""),
        "data-pkb-star": id,
        "aria-pressed": "false" /* set by refresh(), which setup() runs at once */,
        "aria-label": "Keep \u201c" + title + "\u201d in the reading list",
        title: "Keep in the reading list",
      },
      [paperkb.icon(STAR)]
    );
    if (labelled) button.appendChild(el("span", { "aria-hidden": "true" }, ["Keep"]));
    button.addEventListener("click", function () {
      store.toggle(id);
    });
    return button;
  }

  /* A star after the title link of every row in `scope` that has none yet. */
  function rows(scope) {
    Array.prototype.forEach.call((scope || document).querySelectorAll("ul.pkb-rows > li"), function (li) {
      var link = li.querySelector("a");
      if (!link || li.querySelector(".pkb-star")) return;
      var id = paperOf(link.getAttribute("href"));
      if (id) link.insertAdjacentElement("afterend", star(id, link.textContent, false));
    });
  }

  /* A paper page (its address is papers/<id>.html and it carries citation tags): a star
     under its title. */
  function page() {
    var id = paperOf(location.href);
    var heading = document.querySelector("article h1");
    if (!id || !heading || !document.querySelector('meta[name="citation_title"]')) return;
    if (document.querySelector(".pkb-star--labelled")) return;
    heading.insertAdjacentElement("afterend", el("p", { class: "pkb-star-line" }, [star(id, heading.textContent, true)]));
  }

  var link = null;
  function header() {
    var inner = document.querySelector(".md-header__inner");
    if (!inner || inner.querySelector(".pkb-reading-link")) return;
    link = el("a", { class: "md-header__button md-icon pkb-reading-link", href: listUrl }, [
      paperkb.icon(STAR),
      el("span", { class: "pkb-reading-link__count", "aria-hidden": "true" }),
    ]);
    var search = inner.querySelector("label.md-header__button[for='__search']");
    inner.insertBefore(link, search || null);
  }

  function count(n) {
    return n === 1 ? "1 paper" : n.toLocaleString("en") + " papers";
  }

  /* Every star and the header link as the list is now. */
  function refresh() {
    var kept = Object.create(null);
    var all = store.papers();
    all.forEach(function (p) {
      kept[p.id] = true;
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-pkb-star]"), function (button) {
      button.setAttribute("aria-pressed", kept[button.getAttribute("data-pkb-star")] ? "true" : "false");
    });
    if (link) {
      link.setAttribute("aria-label", "Reading list, " + count(all.length));
      link.setAttribute("title", "Reading list (" + count(all.length) + ")");
      link.querySelector(".pkb-reading-link__count").textContent = all.length ? String(all.length) : "";
    }
  }

  window.addEventListener("paperkb:reading", refresh);

  paperkb.stars = {
    /* Stars on the page's rows (or those under `scope`), its paper, and the header link. */
    setup: function (scope) {
      header();
      page();
      rows(scope);
      refresh();
    },
    paperOf: paperOf,
  };
})(globalThis.paperkb || (globalThis.paperkb = {}));
