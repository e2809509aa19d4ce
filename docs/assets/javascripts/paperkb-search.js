/* Hand-written: paperkb's search, in Material for MkDocs' own search box and result markup.
 *
 * Material's search builds a lunr index in the browser (seconds at 10,000 papers) and does not
 * work from file://. paperkb's index is prebuilt by `paperkb generate` (generator/search.py)
 * into search/index.js, a plain script that sets window.paperkbSearch: it loads from file://
 * and over http alike, without fetch or workers. It is loaded on first use of the search box.
 *
 * Ranking: a paper whose title is exactly the query comes first, then a topic whose name is
 * exactly the query, then papers that contain every query word (title words weigh much more
 * than abstract words, rare words more than common ones), then topics whose name contains every
 * query word, then papers that miss some words. Every query word also matches longer words it
 * starts ("model" finds "models").
 *
 * Untrusted text (titles, names) only ever reaches the page as text nodes.
 */
(function () {
  "use strict";

  var VERSION = 1;
  var BATCH = 10;
  var TITLE_WEIGHT = 6;
  var PREFIX_WEIGHT = 0.5;
  var MAX_EXPANSIONS = 200;

  var script = document.currentScript;
  var indexUrl = new URL("../../search/index.js", script ? script.src : location.href).href;
  var root = new URL("../../", script ? script.src : location.href);

  /* Material's icons for the box (magnify, arrow-left, close): constants, never input. */
  var ICONS = [
    "M9.5 3A6.5 6.5 0 0 1 16 9.5c0 1.61-.59 3.09-1.56 4.23l.27.27h.79l5 5-1.5 1.5-5-5v-.79l-.27-.27A6.52 6.52 0 0 1 9.5 16 6.5 6.5 0 0 1 3 9.5 6.5 6.5 0 0 1 9.5 3m0 2C7 5 5 7 5 9.5S7 14 9.5 14 14 12 14 9.5 12 5 9.5 5",
    "M20 11v2H8l5.5 5.5-1.42 1.42L4.16 12l7.92-7.92L13.5 5.5 8 11z",
    "M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z",
  ];
  function icon(number) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", ICONS[number]);
    svg.appendChild(path);
    return svg;
  }

  /* The search box of Material's partials/search.html, in the placeholder the page carries
     (overrides/partials/search.html), with the words it gives in the theme's language. */
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
      el("label", { class: "md-search__icon md-icon", for: "__search" }, [icon(0), icon(1)]),
      el("nav", { class: "md-search__options", "aria-label": name }, [
        el(
          "button",
          { type: "reset", class: "md-search__icon md-icon", title: reset, "aria-label": reset, tabindex: "-1" },
          [icon(2)]
        ),
      ]),
    ]);
    var output = el("div", { class: "md-search__output" }, [
      el("div", { class: "md-search__scrollwrap", tabindex: "0", "data-md-scrollfix": "" }, [
        el("div", { class: "md-search-result", "data-paperkb-search-result": "" }, [
          el("div", { class: "md-search-result__meta" }, [words.initializer || "Initializing search"]),
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
  var meta = box.querySelector(".md-search-result__meta");
  var list = box.querySelector(".md-search-result__list");
  var result = box.querySelector("[data-paperkb-search-result]");
  var scrollwrap = box.querySelector(".md-search__scrollwrap");

  var translations = {};
  try {
    translations = JSON.parse(document.getElementById("__config").textContent).translations || {};
  } catch (e) {
    translations = {};
  }
  function t(key, fallback) {
    return translations[key] || fallback;
  }

  /* ---- words: must match generator/search.py's fold() and tokens() ---- */
  var MARKS = /\p{M}/gu;
  var WORD = /[\p{L}\p{N}]+/gu;
  function fold(value) {
    return value.toLowerCase().normalize("NFKD").replace(MARKS, "");
  }
  function tokens(value) {
    return fold(value).match(WORD) || [];
  }

  /* ---- the index ---- */
  var index = null;
  var loading = null;
  var failed = false;

  function prepare(data) {
    var terms = data.terms ? data.terms.split(" ") : [];
    var postings = data.postings.split(";");
    var stop = new Set(data.stop.split(" "));
    var titles = new Map();
    var docs = data.docs;
    for (var i = 0; i < docs.length; i++) {
      var key = tokens(docs[i][1]).join(" ");
      if (!titles.has(key)) titles.set(key, []);
      titles.get(key).push(i);
    }
    var topics = data.topics.map(function (topic) {
      return { slug: topic[0], name: topic[1], words: tokens(topic[1]) };
    });
    return {
      docs: docs,
      topics: topics,
      terms: terms,
      raw: postings,
      decoded: new Map(),
      stop: stop,
      titles: titles,
    };
  }

  function load() {
    if (index || failed) return Promise.resolve(index);
    if (loading) return loading;
    loading = new Promise(function (resolve) {
      var tag = document.createElement("script");
      tag.src = indexUrl;
      tag.async = true;
      tag.onload = function () {
        var data = window.paperkbSearch;
        if (data && data.version === VERSION) {
          index = prepare(data);
        } else {
          failed = true;
        }
        resolve(index);
      };
      tag.onerror = function () {
        failed = true;
        resolve(null);
      };
      document.head.appendChild(tag);
    });
    return loading;
  }

  function posting(k) {
    var cached = index.decoded.get(k);
    if (cached) return cached;
    var parts = index.raw[k].split(",");
    var out = new Int32Array(parts.length);
    var doc = 0;
    for (var i = 0; i < parts.length; i++) {
      var value = parseInt(parts[i], 36);
      doc += value >> 1;
      out[i] = (doc << 1) | (value & 1);
    }
    index.decoded.set(k, out);
    return out;
  }

  /* First index in the sorted terms that is >= word. */
  function lowerBound(word) {
    var lo = 0;
    var hi = index.terms.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (index.terms[mid] < word) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /* ---- search ---- */
  function search(query) {
    var words = tokens(query);
    var key = words.join(" ");
    var wanted = [];
    words.forEach(function (w) {
      if (!index.stop.has(w) && wanted.indexOf(w) < 0) wanted.push(w);
    });
    var n = index.docs.length;
    var exact = new Set(index.titles.get(key) || []);
    var score = new Float64Array(n);
    var covered = new Uint8Array(n);
    var touched = [];
    wanted.forEach(function (word) {
      var best = new Map();
      var k = lowerBound(word);
      for (var e = 0; k < index.terms.length && e < MAX_EXPANSIONS; k++, e++) {
        var term = index.terms[k];
        if (term.lastIndexOf(word, 0) !== 0) break;
        var list = posting(k);
        var idf = Math.log(1 + n / list.length);
        var weight = term === word ? 1 : PREFIX_WEIGHT * (word.length / term.length);
        for (var i = 0; i < list.length; i++) {
          var doc = list[i] >> 1;
          var s = idf * weight * (list[i] & 1 ? TITLE_WEIGHT : 1);
          var old = best.get(doc);
          if (old === undefined || s > old) best.set(doc, s);
        }
      }
      best.forEach(function (s, doc) {
        if (!covered[doc]) touched.push(doc);
        covered[doc] += 1;
        score[doc] += s;
      });
    });
    exact.forEach(function (doc) {
      if (!covered[doc] && !score[doc]) {
        touched.push(doc);
      }
    });
    var all = wanted.length;
    var results = touched.map(function (doc) {
      var tier = exact.has(doc) ? 0 : covered[doc] === all ? 2 : 4;
      return { doc: doc, tier: tier, covered: covered[doc], score: score[doc] };
    });
    index.topics.forEach(function (topic, number) {
      var whole = topic.words.join(" ") === key && key !== "";
      var every =
        all > 0 &&
        wanted.every(function (w) {
          return topic.words.some(function (tw) {
            return tw.lastIndexOf(w, 0) === 0;
          });
        });
      if (whole || every) {
        results.push({ topic: number, tier: whole ? 1 : 3, covered: all, score: 0 });
      }
    });
    results.sort(function (a, b) {
      return (
        a.tier - b.tier ||
        b.covered - a.covered ||
        b.score - a.score ||
        (a.doc === undefined ? 0 : a.doc) - (b.doc === undefined ? 0 : b.doc)
      );
    });
    return { words: wanted, results: results };
  }

  /* ---- rendering, with Material's markup (see its templates/search) ---- */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  /* The title as text nodes, with words that match a query word in <mark>. */
  function highlighted(title, words) {
    var nodes = [];
    var last = 0;
    var found;
    var pattern = new RegExp(WORD.source, "gu");
    while ((found = pattern.exec(title)) !== null) {
      var word = fold(found[0]);
      var hit = words.some(function (w) {
        return word.lastIndexOf(w, 0) === 0;
      });
      if (!hit) continue;
      if (found.index > last) nodes.push(title.slice(last, found.index));
      nodes.push(el("mark", {}, [found[0]]));
      last = found.index + found[0].length;
    }
    if (last < title.length) nodes.push(title.slice(last));
    return nodes;
  }

  function item(result, words) {
    var href;
    var title;
    var tags = [];
    if (result.topic !== undefined) {
      var topic = index.topics[result.topic];
      href = new URL("topics/" + encodeURIComponent(topic.slug) + ".html", root).href;
      title = topic.name;
      tags = [t("paperkb.topic", "Topic")];
    } else {
      var doc = index.docs[result.doc];
      href = new URL("papers/" + encodeURIComponent(doc[0]) + ".html", root).href;
      title = doc[1];
      tags = doc[2].map(function (n) {
        return index.topics[n] ? index.topics[n].name : "";
      });
    }
    var article = el(
      "article",
      {
        class: "md-search-result__article md-typeset",
        "data-md-score": (result.tier === 0 ? 1000 : result.score).toFixed(2),
      },
      [
        el("div", { class: "md-search-result__icon md-icon" }),
        el("h1", {}, highlighted(title, words)),
        el(
          "nav",
          { class: "md-tags" },
          tags.map(function (name) {
            return el("span", { class: "md-tag" }, [name]);
          })
        ),
      ]
    );
    var link = el("a", { href: href, class: "md-search-result__link", tabindex: "-1" }, [article]);
    return el("li", { class: "md-search-result__item" }, [link]);
  }

  var current = { words: [], results: [] };
  var shown = 0;

  function more() {
    var end = Math.min(current.results.length, shown + BATCH);
    var fragment = document.createDocumentFragment();
    for (; shown < end; shown++) fragment.appendChild(item(current.results[shown], current.words));
    list.appendChild(fragment);
  }

  function count(n) {
    if (n === 0) return t("search.result.none", "No matching documents");
    if (n === 1) return t("search.result.one", "1 matching document");
    return t("search.result.other", "# matching documents").replace("#", n.toLocaleString());
  }

  var latest = "";
  function update() {
    var query = input.value;
    latest = query;
    if (!tokens(query).length) {
      list.textContent = "";
      shown = 0;
      current = { words: [], results: [] };
      meta.textContent = t("search.result.placeholder", "Type to start searching");
      result.removeAttribute("data-paperkb-query");
      return;
    }
    if (!index) {
      meta.textContent = failed ? "Search index missing" : t("search.result.initializer", "Initializing search");
      load().then(function () {
        if (latest === query && index) update();
        else if (failed) meta.textContent = "Search index missing";
      });
      return;
    }
    current = search(query);
    list.textContent = "";
    shown = 0;
    meta.textContent = count(current.results.length);
    more();
    /* For tests and scripts: the query the shown results are for. */
    result.setAttribute("data-paperkb-query", query);
  }

  /* ---- behaviour of Material's search box (its own code only runs for its worker search) ---- */
  function open() {
    if (!toggle.checked) {
      toggle.checked = true;
      toggle.dispatchEvent(new Event("change"));
    }
    load();
  }

  function close() {
    if (toggle.checked) {
      toggle.checked = false;
      toggle.dispatchEvent(new Event("change"));
    }
    input.blur();
  }

  toggle.addEventListener("change", function () {
    if (toggle.checked) {
      load();
      setTimeout(function () {
        input.focus();
      }, 0);
    }
  });
  input.addEventListener("focus", open);
  input.addEventListener("input", update);
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var first = list.querySelector(".md-search-result__link");
    if (first) first.click();
  });
  form.addEventListener("reset", function () {
    setTimeout(function () {
      update();
      input.focus();
    }, 0);
  });
  scrollwrap.addEventListener("scroll", function () {
    if (scrollwrap.scrollTop + scrollwrap.clientHeight >= scrollwrap.scrollHeight - 200) more();
  });

  function editable(node) {
    if (!node) return false;
    var tag = node.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || node.isContentEditable;
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
    if (ev.key === "Escape" || ev.key === "Tab") {
      close();
    } else if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      var links = [input].concat(Array.prototype.slice.call(list.querySelectorAll("[href]")));
      var at = Math.max(0, links.indexOf(document.activeElement));
      var next = (at + links.length + (ev.key === "ArrowUp" ? -1 : 1)) % links.length;
      if (next === links.length - 1) more();
      links[next].focus();
      ev.preventDefault();
    }
  });

  meta.textContent = t("search.result.placeholder", "Type to start searching");

  /* ?q=words opens the search with that query, as in Material. */
  var q = new URL(location.href).searchParams.get("q");
  if (q) {
    input.value = q;
    open();
    update();
  }
})();
