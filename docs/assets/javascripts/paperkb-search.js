/* Hand-written: paperkb's search, in Material for MkDocs' own search box and result markup.
 *
 * Material's search builds a lunr index in the browser (seconds at 10,000 papers) and does not
 * work from file://. paperkb's index is prebuilt by `paperkb generate` (generator/render/search/,
 * whose docstring describes the format) into small scripts under search/: meta.js, term shards
 * t/<n>.js, result rows d/<n>.js, author pages a/<n>.js and the typo lexicon f/<n>.js and
 * r/<n>.js. Each calls paperkbSearch.add(name, data). They are loaded by <script> tags (so
 * file:// works: no fetch, no WebAssembly, no worker) only when a query needs them, and kept for
 * the page's life: a query loads meta.js, the shards of its words and the rows it shows.
 *
 * Ranking, best first:
 *   1. a paper whose title is exactly the query;
 *   2. a topic whose name the query covers (at least half of its words), an author whose whole
 *      name is the query (any order);
 *   3. a paper whose name (the title before a colon, "Mamba") is exactly the query;
 *   4. papers with every query word (in title, author names or abstract), by a BM25 score:
 *      idf times a title-length-normalized title weight, author names and abstract weigh less;
 *   5. topics and authors whose name has every query word but that the query does not cover;
 *   6. papers with some of the query words, by how many, then the same score.
 * Ties go to the newer paper (papers are numbered newest first). Every query word also matches
 * longer words it starts ("model" finds "models"), at half weight; a word of five letters or
 * more that is not in the index matches its neighbours at one edit ("transfomer" finds
 * "transformer"), at half weight.
 *
 * Untrusted text (titles, names, snippets) only ever reaches the page as text nodes.
 */
(function () {
  "use strict";

  var VERSION = 2;
  var BATCH = 10;
  var TITLE_WEIGHT = 3;
  var AUTHOR_WEIGHT = 2;
  var ABSTRACT_WEIGHT = 1;
  var K1 = 1.2;
  var B = 0.75;
  var PREFIX_WEIGHT = 0.5;
  var TYPO_WEIGHT = 0.5;
  var MAX_EXPANSIONS = 64;
  var PREFIX_SHARDS = 2;
  var MAX_TYPOS = 3;
  var TYPO_MIN = 5;
  var VERIFY = 20;
  var PARTIAL_ENTITIES = 5;

  var script = document.currentScript;
  var here = script ? script.src : location.href;
  var searchRoot = new URL("../../search/", here).href;
  var root = new URL("../../", here);

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

  /* ---- words: must match generator/render/search/words.py: fold(), tokens() and head() ---- */
  var MARKS = /\p{M}/gu;
  var WORD = /[\p{L}\p{N}]+/gu;
  function fold(value) {
    return value.toLowerCase().normalize("NFKD").replace(MARKS, "");
  }
  function tokens(value) {
    return fold(value).match(WORD) || [];
  }
  function reversed(word) {
    return Array.from(word).reverse().join("");
  }

  /* ---- loading: every file is a script that calls paperkbSearch.add(name, data) ---- */
  var store = Object.create(null);
  var pending = Object.create(null);
  window.paperkbSearch = {
    add: function (name, data) {
      store[name] = data;
    },
  };

  function need(name) {
    if (name in store) return Promise.resolve(store[name]);
    if (pending[name]) return pending[name];
    pending[name] = new Promise(function (resolve) {
      var tag = document.createElement("script");
      tag.src = searchRoot + name + ".js";
      tag.async = true;
      tag.onload = function () {
        resolve(name in store ? store[name] : null);
      };
      tag.onerror = function () {
        delete pending[name];
        resolve(null);
      };
      document.head.appendChild(tag);
    });
    return pending[name];
  }
  function needAll(names) {
    var seen = Object.create(null);
    return Promise.all(
      names.filter(function (n) {
        if (seen[n]) return false;
        seen[n] = true;
        return true;
      }).map(need)
    );
  }

  var index = null; /* the prepared meta.js */
  var failed = false;
  var starting = null;
  function start() {
    if (index || failed) return Promise.resolve(index);
    if (starting) return starting;
    starting = need("meta").then(function (data) {
      if (data && data.version === VERSION) {
        var stop = new Set(data.stop.split(" "));
        index = {
          data: data,
          stop: stop,
          topics: data.topics.map(function (topic) {
            var words = [];
            tokens(topic[1]).forEach(function (w) {
              if (!stop.has(w) && words.indexOf(w) < 0) words.push(w);
            });
            return { slug: topic[0], name: topic[1], papers: topic[2], words: words };
          }),
        };
      } else {
        failed = true;
      }
      return index;
    });
    return starting;
  }

  /* Number of entries of the sorted `firsts` that are <= word: the shard that holds it. */
  function shardOf(firsts, word) {
    var lo = 0;
    var hi = firsts.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (firsts[mid] <= word) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  /* First index of the sorted array that is >= word. */
  function lowerBound(array, word) {
    var lo = 0;
    var hi = array.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (array[mid] < word) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /* Numbers of a self-delimiting base-32 string (generator/render/search/codec.py: encode). */
  var LAST = "0123456789abcdefghijklmnopqrstuv";
  var MORE = "ABCDEFGHIJKLMNOPQRSTUVWXYZwxyz-_";
  var DIGIT = new Int16Array(128).fill(-1);
  for (var c = 0; c < 32; c++) {
    DIGIT[LAST.charCodeAt(c)] = c;
    DIGIT[MORE.charCodeAt(c)] = 32 + c;
  }
  function numbers(text) {
    var out = [];
    var value = 0;
    for (var i = 0; i < text.length; i++) {
      var d = DIGIT[text.charCodeAt(i)];
      if (d < 32) {
        out.push(value * 32 + d);
        value = 0;
      } else {
        value = value * 32 + (d - 32);
      }
    }
    return out;
  }

  /* ---- edit distance 1 (Damerau: one deletion, insertion, substitution or swap) ---- */
  function oneEdit(a, b) {
    if (a === b) return false;
    var la = a.length;
    var lb = b.length;
    if (Math.abs(la - lb) > 1) return false;
    var i = 0;
    while (i < la && i < lb && a[i] === b[i]) i++;
    if (la === lb) {
      if (a.slice(i + 1) === b.slice(i + 1)) return true;
      return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
    }
    return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
  }

  /* ---- search ---- */

  /* The terms each query word matches: [{shard, at, term, weight, exact}], loading shards. */
  function matches(words) {
    var data = index.data;
    var names = [];
    var last = words.length - 1;
    words.forEach(function (word, q) {
      var first = shardOf(data.t, word);
      names.push("t/" + first);
      if (q === last) {
        var end = Math.min(shardOf(data.t, word + "\uffff"), first + PREFIX_SHARDS - 1);
        for (var s = first + 1; s <= end; s++) names.push("t/" + s);
      }
    });
    return needAll(names).then(function () {
      var found = words.map(function (word, q) {
        var out = [];
        var first = shardOf(data.t, word);
        var end = q === last ? Math.min(shardOf(data.t, word + "\uffff"), first + PREFIX_SHARDS - 1) : first;
        for (var s = first; s <= end && out.length < MAX_EXPANSIONS; s++) {
          var shard = store["t/" + s];
          if (!shard) continue;
          for (var k = lowerBound(shard.w, word); k < shard.w.length && out.length < MAX_EXPANSIONS; k++) {
            var term = shard.w[k];
            if (term.lastIndexOf(word, 0) !== 0) break;
            var exact = term === word;
            out.push({
              shard: shard,
              at: k,
              term: term,
              exact: exact,
              weight: exact ? 1 : PREFIX_WEIGHT * (word.length / term.length),
            });
          }
        }
        return out;
      });
      var typos = [];
      words.forEach(function (word, q) {
        if (!found[q].length && Array.from(word).length >= TYPO_MIN) typos.push(q);
      });
      if (!typos.length) return found;
      return Promise.all(
        typos.map(function (q) {
          return neighbours(words[q]).then(function (terms) {
            return needAll(
              terms.map(function (term) {
                return "t/" + shardOf(data.t, term);
              })
            ).then(function () {
              terms.forEach(function (term) {
                var shard = store["t/" + shardOf(data.t, term)];
                if (!shard) return;
                var k = lowerBound(shard.w, term);
                if (shard.w[k] !== term) return;
                found[q].push({ shard: shard, at: k, term: term, exact: false, weight: TYPO_WEIGHT });
              });
            });
          });
        })
      ).then(function () {
        return found;
      });
    });
  }

  /* Indexed terms one edit from `word`, the most frequent first (at most MAX_TYPOS). One edit
     leaves the first half or the last half intact: look in the forward lexicon near the word
     and in the reversed lexicon near its reversal. */
  function neighbours(word) {
    var data = index.data;
    var chars = Array.from(word);
    var h = chars.length >> 1;
    var prefix = chars.slice(0, h).join("");
    var suffix = reversed(chars.slice(h + 1).join(""));
    var back = reversed(word);
    function around(kind, firsts, key, part) {
      var at = shardOf(firsts, key);
      var lo = Math.max(shardOf(firsts, part), at - 1);
      var hi = Math.min(shardOf(firsts, part + "\uffff"), at + 1);
      var names = [];
      for (var s = lo; s <= hi; s++) names.push(kind + "/" + s);
      return names;
    }
    var names = around("f", data.f, word, prefix).concat(around("r", data.r, back, suffix));
    return needAll(names).then(function () {
      var seen = Object.create(null);
      var found = [];
      names.forEach(function (name) {
        var shard = store[name];
        if (!shard) return;
        var backwards = name.charAt(0) === "r";
        var part = backwards ? suffix : prefix;
        var terms = shard.w.split(" ");
        var counts = numbers(shard.n);
        for (var i = 0; i < terms.length; i++) {
          var entry = terms[i];
          if (entry.lastIndexOf(part, 0) !== 0) continue;
          var term = backwards ? reversed(entry) : entry;
          if (seen[term] || !oneEdit(word, term)) continue;
          seen[term] = true;
          found.push([term, counts[i]]);
        }
      });
      found.sort(function (a, b) {
        return b[1] - a[1] || (a[0] < b[0] ? -1 : 1);
      });
      return found.slice(0, MAX_TYPOS).map(function (f) {
        return f[0];
      });
    });
  }

  function idfOf(df, n) {
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /* Scores every paper and author for the words' matched terms. */
  function score(words, found) {
    var data = index.data;
    var n = data.docs;
    var nw = words.length;
    var scores = new Float64Array(n);
    var masks = new Uint32Array(n);
    var titleHits = new Uint8Array(n);
    var headHits = new Uint8Array(n);
    var touched = [];
    var people = new Map(); /* author number -> {mask, length} */
    var avg = data.titleLength || 1;
    found.forEach(function (terms, q) {
      var best = new Map();
      terms.forEach(function (m) {
        var shard = m.shard;
        var k = m.at;
        var title = numbers(shard.t[k]);
        var names = numbers(shard.u[k]);
        var abstract = typeof shard.b[k] === "string" ? numbers(shard.b[k]) : [];
        var abstractDf = typeof shard.b[k] === "string" ? abstract.length : shard.b[k];
        var df = Math.min(n, title.length / 2 + names.length + abstractDf);
        var idf = idfOf(Math.max(df, 1), n) * m.weight;
        var local = new Map();
        var doc = 0;
        for (var i = 0; i < title.length; i += 2) {
          doc += title[i];
          var code = title[i + 1];
          var length = code & 31;
          var norm = (K1 + 1) / (1 + K1 * (1 - B + (B * length) / avg));
          local.set(doc, (local.get(doc) || 0) + idf * TITLE_WEIGHT * norm);
          if (m.exact) {
            if (length === nw) titleHits[doc]++;
            if (code >> 5 === nw) headHits[doc]++;
          }
        }
        doc = 0;
        for (i = 0; i < names.length; i++) {
          doc += names[i];
          local.set(doc, (local.get(doc) || 0) + idf * AUTHOR_WEIGHT);
        }
        doc = 0;
        for (i = 0; i < abstract.length; i++) {
          doc += abstract[i];
          local.set(doc, (local.get(doc) || 0) + idf * ABSTRACT_WEIGHT);
        }
        local.forEach(function (s, d) {
          var old = best.get(d);
          if (old === undefined || s > old) best.set(d, s);
        });
        var entities = numbers(shard.e[k]);
        var person = 0;
        for (i = 0; i < entities.length; i += 2) {
          person += entities[i];
          var p = people.get(person);
          if (!p) people.set(person, (p = { mask: 0, length: entities[i + 1], exact: 0 }));
          p.mask |= 1 << q;
          if (m.exact) p.exact |= 1 << q;
        }
      });
      best.forEach(function (s, d) {
        if (!masks[d]) touched.push(d);
        masks[d] |= 1 << q;
        scores[d] += s;
      });
    });
    var all = (1 << nw) - 1; /* nw <= 30 */
    var results = touched.map(function (d) {
      var covered = popcount(masks[d]);
      var tier = titleHits[d] === nw ? 0 : headHits[d] === nw ? 2 : covered === nw ? 4 : 6;
      return { doc: d, tier: tier, covered: covered, score: scores[d] };
    });
    var partial = [];
    people.forEach(function (p, number) {
      if (p.mask !== all) return;
      if (p.length === nw) results.push({ author: number, tier: 1, covered: nw, score: 0 });
      else partial.push({ author: number, tier: 5, covered: nw, score: -p.length });
    });
    partial.sort(order);
    results = results.concat(partial.slice(0, PARTIAL_ENTITIES));
    return results;
  }

  function popcount(x) {
    x = x - ((x >>> 1) & 0x55555555);
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }

  function topicResults(words) {
    var out = [];
    var last = words.length - 1;
    index.topics.forEach(function (topic, number) {
      var used = 0;
      var every = words.every(function (w, q) {
        var hit = -1;
        topic.words.forEach(function (tw, k) {
          if (hit >= 0) return;
          if (tw === w || (q === last && tw.lastIndexOf(w, 0) === 0) || (w.length >= TYPO_MIN && oneEdit(w, tw)))
            hit = k;
        });
        if (hit >= 0) used |= 1 << hit;
        return hit >= 0;
      });
      if (!every || !words.length) return;
      var covers = popcount(used) * 2 >= topic.words.length;
      out.push({ topic: number, tier: covers ? 1 : 5, covered: words.length, score: popcount(used) / topic.words.length });
    });
    return out;
  }

  function kindRank(r) {
    return r.topic !== undefined ? 0 : r.author !== undefined ? 1 : 2;
  }
  function order(a, b) {
    return (
      a.tier - b.tier ||
      b.covered - a.covered ||
      b.score - a.score ||
      kindRank(a) - kindRank(b) ||
      (a.doc !== undefined ? a.doc : a.topic !== undefined ? a.topic : a.author) -
        (b.doc !== undefined ? b.doc : b.topic !== undefined ? b.topic : b.author)
    );
  }

  function rowName(r) {
    var data = index.data;
    if (r.doc !== undefined) return "d/" + Math.floor(r.doc / data.perDoc);
    if (r.author !== undefined) return "a/" + Math.floor(r.author / data.perAuthor);
    return null;
  }
  function row(r) {
    var data = index.data;
    if (r.doc !== undefined) {
      var shard = store["d/" + Math.floor(r.doc / data.perDoc)];
      return shard ? shard[r.doc % data.perDoc] : null;
    }
    if (r.author !== undefined) {
      var people = store["a/" + Math.floor(r.author / data.perAuthor)];
      return people ? people[r.author % data.perAuthor] : null;
    }
    return null;
  }
  function rowsFor(results) {
    return needAll(
      results
        .map(rowName)
        .filter(function (name) {
          return name !== null;
        })
    );
  }

  /* The query's results, best first: a promise of {words, terms, results}. */
  function search(query) {
    var all = tokens(query);
    var key = all.join(" ");
    var words = [];
    all.forEach(function (w) {
      if (!index.stop.has(w) && words.indexOf(w) < 0) words.push(w);
    });
    if (!words.length || words.length > 30) return Promise.resolve({ words: words, terms: [], results: [] });
    return matches(words).then(function (found) {
      var results = score(words, found).concat(topicResults(words));
      results.sort(order);
      var terms = [];
      found.forEach(function (ms) {
        ms.forEach(function (m) {
          if (terms.indexOf(m.term) < 0) terms.push(m.term);
        });
      });
      /* Exact titles and names are candidates by their words; their rows tell for sure. */
      var candidates = results.filter(function (r) {
        return r.tier === 0 || r.tier === 2;
      });
      return rowsFor(candidates.slice(0, VERIFY)).then(function () {
        candidates.forEach(function (r, i) {
          var doc = i < VERIFY ? row(r) : null;
          var title = doc ? doc[1] : "";
          if (r.tier === 0 && tokens(title).join(" ") === key) return;
          if (r.tier === 2 && title.indexOf(":") >= 0 && tokens(title.split(":")[0]).join(" ") === key) return;
          r.tier = 4;
        });
        results.sort(order);
        return rowsFor(results.slice(0, BATCH)).then(function () {
          return { words: words, terms: terms, results: results };
        });
      });
    });
  }

  /* ---- rendering, with Material's markup (see its templates/search) ---- */

  /* Text as text nodes, with words that start with a matched term in <mark>. */
  function highlighted(text, words) {
    var nodes = [];
    var last = 0;
    var found;
    var pattern = new RegExp(WORD.source, "gu");
    while ((found = pattern.exec(text)) !== null) {
      var word = fold(found[0]);
      var hit = words.some(function (w) {
        return word.lastIndexOf(w, 0) === 0;
      });
      if (!hit) continue;
      if (found.index > last) nodes.push(text.slice(last, found.index));
      nodes.push(el("mark", {}, [found[0]]));
      last = found.index + found[0].length;
    }
    if (last < text.length) nodes.push(text.slice(last));
    return nodes;
  }

  function papersLabel(count) {
    return count === 1 ? "1 paper" : count.toLocaleString("en") + " papers";
  }

  function item(r, marks) {
    var href;
    var title;
    var details = [];
    var line = null;
    if (r.topic !== undefined) {
      var topic = index.topics[r.topic];
      href = new URL("topics/" + encodeURIComponent(topic.slug) + ".html", root).href;
      title = topic.name;
      details = [t("paperkb.topic", "Topic"), papersLabel(topic.papers)];
    } else if (r.author !== undefined) {
      var person = row(r);
      if (!person) return null;
      href = new URL("authors/" + encodeURIComponent(person[0]) + ".html", root).href;
      title = person[1];
      details = [t("paperkb.author", "Author"), papersLabel(person[2])];
    } else {
      var doc = row(r);
      if (!doc) return null;
      href = new URL("papers/" + encodeURIComponent(doc[0]) + ".html", root).href;
      title = doc[1];
      details = [doc[2], doc[3]].concat(
        doc[5].map(function (number) {
          return index.topics[number] ? index.topics[number].name : "";
        })
      );
      if (doc[4]) line = el("p", { class: "pkb-search-line" }, highlighted(doc[4], marks));
    }
    var children = [
      el("div", { class: "md-search-result__icon md-icon" }),
      el("h1", {}, highlighted(title, marks)),
      el(
        "p",
        { class: "pkb-search-line pkb-search-details" },
        [
          details
            .filter(function (part) {
              return part;
            })
            .join(" · "),
        ]
      ),
    ];
    if (line) children.push(line);
    var article = el(
      "article",
      {
        class: "md-search-result__article md-typeset",
        "data-md-score": (r.tier === 0 ? 1000 : r.score).toFixed(2),
      },
      children
    );
    var link = el("a", { href: href, class: "md-search-result__link", tabindex: "-1" }, [article]);
    return el("li", { class: "md-search-result__item" }, [link]);
  }

  var current = { words: [], terms: [], results: [] };
  var shown = 0;
  var generation = 0;

  function render(upto) {
    var end = Math.min(current.results.length, upto);
    var fragment = document.createDocumentFragment();
    var marks = current.words.concat(current.terms);
    for (; shown < end; shown++) {
      var node = item(current.results[shown], marks);
      if (!node) break;
      fragment.appendChild(node);
    }
    list.appendChild(fragment);
  }

  function more() {
    var mine = generation;
    var want = current.results.slice(shown, shown + BATCH);
    if (!want.length) return;
    rowsFor(want).then(function () {
      if (mine === generation) render(shown + BATCH);
    });
  }

  function count(n) {
    if (n === 0) return t("search.result.none", "No matching documents");
    if (n === 1) return t("search.result.one", "1 matching document");
    return t("search.result.other", "# matching documents").replace("#", n.toLocaleString());
  }

  function update() {
    var query = input.value;
    var mine = ++generation;
    if (!tokens(query).length) {
      list.textContent = "";
      shown = 0;
      current = { words: [], terms: [], results: [] };
      meta.textContent = t("search.result.placeholder", "Type to start searching");
      result.removeAttribute("data-paperkb-query");
      return;
    }
    if (!index) {
      meta.textContent = failed ? "Search index missing" : t("search.result.initializer", "Initializing search");
      start().then(function () {
        if (mine !== generation) return;
        if (index) update();
        else meta.textContent = "Search index missing";
      });
      return;
    }
    search(query).then(function (found) {
      if (mine !== generation) return;
      current = found;
      list.textContent = "";
      shown = 0;
      meta.textContent = count(found.results.length);
      render(BATCH);
      /* For tests and scripts: the query the shown results are for. */
      result.setAttribute("data-paperkb-query", query);
    });
  }

  /* ---- behaviour of Material's search box (its own code only runs for its worker search) ---- */
  function open() {
    if (!toggle.checked) {
      toggle.checked = true;
      toggle.dispatchEvent(new Event("change"));
    }
    start();
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
      start();
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
