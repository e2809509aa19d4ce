/* Hand-written: paperkb's scripts start here, on every page. This one holds what every page
 * needs at once: the loader of the other parts and of the generated files, and the search box
 * (Material for MkDocs' own markup and behaviour). The rest is loaded by <script> tags only
 * when a page or a query needs it, each a classic script that adds itself to window.paperkb
 * (so file:// works: no module loader, no fetch, no WebAssembly, no worker, no network):
 *
 *   paperkb-words.js    the words of search (fold, tokens; mirrors generator/render/search/words.py)
 *   paperkb-codec.js    base-32 numbers and shard look-ups (mirrors generator/render/search/codec.py)
 *   paperkb-rank.js     ranking a query over the prebuilt index
 *   paperkb-rows.js     a paper's row, as the site's lists show it (generator/render/rows.py)
 *   paperkb-panel.js    the search panel: counts, corrections, suggestions, results
 *   paperkb-store.js    the reading list, kept in the browser (localStorage)
 *   paperkb-stars.js    the star of every row and paper page, the header's reading-list link
 *   paperkb-cite.js     BibTeX, RIS and CSL-JSON (mirrors generator/render/cite.py)
 *   paperkb-reading.js  the reading-list page: its rows, exports, import, clear and undo
 *
 * paperkb-lists.js, the page's other script, uses the loader defined here (it comes after
 * this one in mkdocs.yml's extra_javascript). The generated index (generator/render/search/,
 * whose docstring describes the format) is small scripts under search/ that each call
 * paperkbSearch.add(name, data); they too are loaded by <script> tags as needed and kept for
 * the page's life. tests/test_js_parity.py runs the mirrored parts against the Python in node.
 */
(function (paperkb) {
  "use strict";

  var script = document.currentScript;
  var here = script ? script.src : location.href;
  paperkb.root = new URL("../../", here);
  var searchRoot = new URL("search/", paperkb.root).href;

  /* ---- loading: a script once per page, parts of paperkb, files of the index ---- */
  var scripts = Object.create(null);
  function load(src, ordered) {
    if (!scripts[src]) {
      scripts[src] = new Promise(function (resolve) {
        var tag = document.createElement("script");
        tag.src = src;
        tag.async = !ordered; /* parts run in the order asked, as they need each other */
        tag.onload = function () {
          resolve(true);
        };
        tag.onerror = function () {
          delete scripts[src];
          resolve(false);
        };
        document.head.appendChild(tag);
      });
    }
    return scripts[src];
  }

  /* Loads paperkb-<name>.js for each name, in order: a promise of whether all loaded. */
  paperkb.use = function (names) {
    return Promise.all(
      names.map(function (name) {
        return load(new URL("paperkb-" + name + ".js", here).href, true);
      })
    ).then(function (loaded) {
      return loaded.every(Boolean);
    });
  };

  var store = Object.create(null);
  window.paperkbSearch = {
    add: function (name, data) {
      store[name] = data;
    },
  };
  paperkb.files = {
    /* A promise of the data of search/<name>.js, or null when it is missing. */
    need: function (name) {
      if (name in store) return Promise.resolve(store[name]);
      return load(searchRoot + name + ".js", false).then(function () {
        return name in store ? store[name] : null;
      });
    },
    needAll: function (names) {
      return Promise.all(names.map(paperkb.files.need));
    },
    get: function (name) {
      return name in store ? store[name] : null;
    },
  };

  var translations = {};
  try {
    translations = JSON.parse(document.getElementById("__config").textContent).translations || {};
  } catch (e) {
    translations = {};
  }
  paperkb.t = function (key, fallback) {
    return translations[key] || fallback;
  };

  /* An element with attributes and children (strings become text nodes, never markup). */
  paperkb.el = function (tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  };
  var el = paperkb.el;

  /* Material's icons for the box (magnify, arrow-left, close): constants, never input. */
  var ICONS = [
    "M9.5 3A6.5 6.5 0 0 1 16 9.5c0 1.61-.59 3.09-1.56 4.23l.27.27h.79l5 5-1.5 1.5-5-5v-.79l-.27-.27A6.52 6.52 0 0 1 9.5 16 6.5 6.5 0 0 1 3 9.5 6.5 6.5 0 0 1 9.5 3m0 2C7 5 5 7 5 9.5S7 14 9.5 14 14 12 14 9.5 12 5 9.5 5",
    "M20 11v2H8l5.5 5.5-1.42 1.42L4.16 12l7.92-7.92L13.5 5.5 8 11z",
    "M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z",
  ];
  paperkb.icon = function (d) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", d);
    svg.appendChild(path);
    return svg;
  };
  var icon = paperkb.icon;

  /* The search box of Material's partials/search.html, in the placeholder the page carries
     (overrides/partials/search.html), with the words it gives in the theme's language; and a
     line for what the search did (a corrected word, what to try when nothing matched). */
  function build(where) {
    var words = where.dataset;
    var name = where.getAttribute("aria-label") || "Search";
    var placeholder = words.placeholder || "Search";
    var reset = words.reset || "Clear";
    var form = el("form", { class: "md-search__form", name: "paperkb-search" }, [
      el("input", {
        type: "text",
        class: "md-search__input",
        name: "query",
        "aria-label": placeholder,
        placeholder: placeholder,
        autocapitalize: "off",
        autocorrect: "off",
        autocomplete: "off",
        spellcheck: "false",
        "data-paperkb-search-query": "",
        required: "",
      }),
      el("label", { class: "md-search__icon md-icon", for: "__search" }, [icon(ICONS[0]), icon(ICONS[1])]),
      el("nav", { class: "md-search__options", "aria-label": name }, [
        el(
          "button",
          { type: "reset", class: "md-search__icon md-icon", title: reset, "aria-label": reset, tabindex: "-1" },
          [icon(ICONS[2])]
        ),
      ]),
    ]);
    var output = el("div", { class: "md-search__output" }, [
      el("div", { class: "md-search__scrollwrap", "data-md-scrollfix": "" }, [
        el("div", { class: "md-search-result", "data-paperkb-search-result": "" }, [
          el("div", { class: "md-search-result__meta", role: "status" }, [words.initializer || "Initializing search"]),
          el("div", { class: "pkb-search-notice", hidden: "" }),
          el("ol", { class: "md-search-result__list", role: "presentation" }),
        ]),
      ]),
    ]);
    where.appendChild(el("label", { class: "md-search__overlay", for: "__search" }));
    where.appendChild(el("div", { class: "md-search__inner", role: "search" }, [form, output]));
  }

  var toggle = document.getElementById("__search");
  var box = document.querySelector("[data-paperkb-search]");
  if (!toggle || !box) return;
  if (!box.querySelector("form")) build(box);
  var form = box.querySelector("form");
  var input = box.querySelector("[data-paperkb-search-query]");
  var output = box.querySelector(".md-search__output");
  var ui = {
    input: input,
    meta: box.querySelector(".md-search-result__meta"),
    notice: box.querySelector(".pkb-search-notice"),
    list: box.querySelector(".md-search-result__list"),
    result: box.querySelector("[data-paperkb-search-result]"),
    scrollwrap: box.querySelector(".md-search__scrollwrap"),
  };
  paperkb.box = ui;

  var PARTS = ["words", "codec", "rank", "rows", "panel"];
  var ready = null;
  function parts() {
    if (!ready) {
      ready = paperkb.use(PARTS);
      paperkb.files.need("meta"); /* the index's first file, while the parts load */
    }
    return ready;
  }

  /* Searches the box's text (or, `typed`, its words exactly as typed). */
  function update(typed) {
    return parts().then(function (ok) {
      if (ok) paperkb.panel.show(input.value, typed === true);
      else ui.meta.textContent = "Search is missing";
    });
  }

  /* ---- behaviour of Material's search box (its own code only runs for its worker search) ---- */
  function opened(yes) {
    /* Closed, the results are out of sight: out of the Tab order too. */
    output.inert = !yes;
    if (yes) parts();
  }
  function open() {
    if (!toggle.checked) {
      toggle.checked = true;
      toggle.dispatchEvent(new Event("change"));
    }
    opened(true);
  }
  function close() {
    if (toggle.checked) {
      toggle.checked = false;
      toggle.dispatchEvent(new Event("change"));
    }
    opened(false);
    input.blur();
  }

  toggle.addEventListener("change", function () {
    opened(toggle.checked);
    if (toggle.checked) {
      setTimeout(function () {
        /* Only if still open: a late focus would open the panel again after an Escape. */
        if (toggle.checked) input.focus();
      }, 0);
    }
  });
  input.addEventListener("focus", open);
  input.addEventListener("input", function () {
    update(false);
  });
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var first = ui.list.querySelector(".md-search-result__link");
    if (first) first.click();
  });
  form.addEventListener("reset", function () {
    setTimeout(function () {
      update(false);
      if (toggle.checked) input.focus();
    }, 0);
  });
  ui.scrollwrap.addEventListener("scroll", function () {
    var wrap = ui.scrollwrap;
    if (wrap.scrollTop + wrap.clientHeight >= wrap.scrollHeight - 200 && paperkb.panel) paperkb.panel.more();
  });

  function editable(node) {
    if (!node) return false;
    var tag = node.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || node.isContentEditable;
  }

  /* What Tab moves between while the panel is open: the box, then what the panel shows. */
  function stops() {
    var inside = Array.prototype.slice.call(output.querySelectorAll("a[href], button:not([tabindex='-1'])"));
    return [input].concat(
      inside.filter(function (node) {
        return node.getClientRects().length > 0;
      })
    );
  }

  window.addEventListener("keydown", function (ev) {
    if (ev.metaKey || ev.ctrlKey || ev.altKey) return;
    if (!toggle.checked) {
      if ((ev.key === "/" || ev.key === "s" || ev.key === "f") && !editable(document.activeElement)) {
        ev.preventDefault();
        open();
        input.focus();
        input.select();
      }
      return;
    }
    if (ev.key === "Escape") {
      close();
    } else if (ev.key === "Tab") {
      /* The panel is a dialog over the page: Tab goes round in it (Escape leaves). */
      var all = stops();
      var at = all.indexOf(document.activeElement);
      var next = (at + all.length + (ev.shiftKey ? -1 : 1)) % all.length;
      if (at < 0) next = 0;
      all[next].focus();
      ev.preventDefault();
    } else if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      var links = [input].concat(Array.prototype.slice.call(ui.list.querySelectorAll("[href]")));
      var from = Math.max(0, links.indexOf(document.activeElement));
      var to = (from + links.length + (ev.key === "ArrowUp" ? -1 : 1)) % links.length;
      if (to === links.length - 1 && paperkb.panel) paperkb.panel.more();
      links[to].focus();
      ev.preventDefault();
    }
  });

  ui.meta.textContent = paperkb.t("search.result.placeholder", "Type to start searching");
  opened(false);

  /* ?q=words opens the search with that query, as in Material. */
  var q = new URL(location.href).searchParams.get("q");
  if (q) {
    input.value = q;
    open();
    update(false);
  }
})(globalThis.paperkb || (globalThis.paperkb = {}));
