/* Hand-written part of paperkb's scripts: the search panel, which says what a search did.
 * Loaded by paperkb-search.js with paperkb-rank.js and paperkb-rows.js.
 *
 * - It counts papers ("12 papers, 1 author"), the matches of every word of the query.
 * - A word that is in no paper and was searched as its nearest indexed word says so
 *   ("Showing results for transformer") with a button to search the words as typed.
 * - Papers with only some of the words are shown only when fewer than PARTIAL_BELOW results
 *   have them all, after a line of their own.
 * - A query that no paper matches whole suggests what to try: each of its words that finds
 *   papers on its own (a button), a topic's name, an author's name.
 * - Results are the site's rows (paperkb-rows.js: authors, date, upvotes, topics) with a line
 *   of the abstract, in Material's result markup; words that start with a matched term are
 *   marked.
 */
(function (paperkb) {
  "use strict";

  var BATCH = 10;
  /* Partial matches are shown when fewer results than this match every word. */
  var PARTIAL_BELOW = 5;

  var el = paperkb.el;
  var t = paperkb.t;
  var rank = paperkb.rank;
  var rows = paperkb.rows;
  var words = paperkb.words;
  var ui = paperkb.box;

  var current = null; /* {found, shown: results to show, partialFrom} */
  var shown = 0;
  var generation = 0;

  var plural = rows.counted;

  /* Text as text nodes, with words that start with a matched term in <mark>. */
  function highlighted(text, marks) {
    var nodes = [];
    var last = 0;
    var found;
    var pattern = new RegExp(words.WORD.source, "gu");
    while ((found = pattern.exec(text)) !== null) {
      var word = words.fold(found[0]);
      var hit = marks.some(function (w) {
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

  function page(path) {
    return new URL(path, paperkb.root).href;
  }

  function item(r, marks) {
    var index = rank.index();
    var href;
    var title;
    var details;
    var line = null;
    if (r.topic !== undefined) {
      var topic = index.topics[r.topic];
      href = page("topics/" + encodeURIComponent(topic.slug) + ".html");
      title = topic.name;
      details = t("paperkb.topic", "Topic") + " · " + plural(topic.papers, "paper");
    } else if (r.author !== undefined) {
      var person = rank.row(r);
      if (!person) return null;
      href = page("authors/" + encodeURIComponent(person[0]) + ".html");
      title = person[1];
      details = t("paperkb.author", "Author") + " · " + plural(person[2], "paper");
    } else {
      var doc = rank.row(r);
      if (!doc) return null;
      var f = rows.fields(doc, index.data.topics);
      f.code = null; /* a link in a link is no link */
      href = page("papers/" + encodeURIComponent(f.id) + ".html");
      title = f.title;
      details = rows.line(f);
      if (f.snippet) line = el("p", { class: "pkb-search-line" }, highlighted(f.snippet, marks));
    }
    var children = [el("div", { class: "md-search-result__icon md-icon" }), el("h1", {}, highlighted(title, marks))];
    if (details) children.push(el("p", { class: "pkb-search-line pkb-search-details" }, [details]));
    if (line) children.push(line);
    var article = el("article", { class: "md-search-result__article md-typeset" }, children);
    return el("li", { class: "md-search-result__item" }, [el("a", { href: href, class: "md-search-result__link" }, [article])]);
  }

  function render(upto) {
    var end = Math.min(current.shown.length, upto);
    var fragment = document.createDocumentFragment();
    var marks = current.found.words.concat(current.found.terms);
    for (; shown < end; shown++) {
      if (shown === current.partialFrom) {
        fragment.appendChild(el("li", { class: "pkb-search-group" }, ["Papers with some of the words"]));
      }
      var node = item(current.shown[shown], marks);
      if (!node) break;
      fragment.appendChild(node);
    }
    ui.list.appendChild(fragment);
  }

  /* The next results, when the reader scrolls or arrows past the last. */
  function more() {
    if (!current) return;
    var mine = generation;
    var want = current.shown.slice(shown, shown + BATCH);
    if (!want.length) return;
    rank.rowsFor(want).then(function () {
      if (mine === generation) render(shown + BATCH);
    });
  }

  /* "12 papers, 1 topic, 1 author": what matches every word. */
  function count(found) {
    var papers = 0;
    var topics = 0;
    var people = 0;
    found.results.slice(0, found.full).forEach(function (r) {
      if (r.topic !== undefined) topics++;
      else if (r.author !== undefined) people++;
      else papers++;
    });
    var parts = [plural(papers, "paper")];
    if (topics) parts.push(plural(topics, "topic"));
    if (people) parts.push(plural(people, "author"));
    return parts.join(", ");
  }

  function button(text, action) {
    var b = el("button", { type: "button", class: "pkb-search-again" }, [text]);
    b.addEventListener("click", action);
    return b;
  }

  /* Searches `query` (the box shows it), as typed or not. */
  function again(query, typed) {
    ui.input.value = query;
    show(query, typed);
    ui.input.focus();
  }

  /* What the search did, above the results: a corrected word, or what to try instead. */
  function notice(query, found, typed) {
    var box = ui.notice;
    box.textContent = "";
    var lines = [];
    if (found.corrections.length) {
      var corrected = found.words.map(function (w) {
        var fix = found.corrections.filter(function (c) {
          return c[0] === w;
        })[0];
        return fix ? fix[1] : w;
      });
      lines.push(
        el("p", {}, [
          "Showing results for ",
          el("strong", {}, [corrected.join(" ")]),
          " ",
          button("Search for \u201c" + query.trim() + "\u201d as typed", function () {
            again(query, true);
          }),
        ])
      );
    } else if (typed && found.results.length) {
      lines.push(el("p", {}, ["Results for the words as typed, uncorrected"]));
    }
    if (!found.full) {
      var tries = [];
      if (found.words.length > 1) {
        found.words.forEach(function (w, q) {
          if (found.matched[q])
            tries.push(
              button("Search for \u201c" + w + "\u201d", function () {
                again(w, false);
              })
            );
        });
      }
      var hint = [found.words.length > 1 ? "Try fewer words" : "Try another word", ", a topic's name ("];
      hint.push(el("a", { href: page("topics/index.html") }, ["all topics"]), ") or an author's name (");
      hint.push(el("a", { href: page("authors/index.html") }, ["all authors"]), ").");
      lines.push(el("p", {}, hint));
      if (tries.length) lines.push(el("p", { class: "pkb-search-tries" }, tries));
    }
    lines.forEach(function (node) {
      box.appendChild(node);
    });
    box.hidden = !lines.length;
  }

  function clear(text) {
    generation++;
    current = null;
    shown = 0;
    ui.list.textContent = "";
    ui.notice.textContent = "";
    ui.notice.hidden = true;
    ui.meta.textContent = text;
    ui.result.removeAttribute("data-paperkb-query");
  }

  /* Searches `query` and shows what was found. */
  function show(query, typed) {
    var mine = ++generation;
    if (!words.tokens(query).length) {
      clear(t("search.result.placeholder", "Type to start searching"));
      return;
    }
    if (!rank.index()) ui.meta.textContent = t("search.result.initializer", "Initializing search");
    rank
      .start()
      .then(function (index) {
        if (mine !== generation) return null;
        if (!index) {
          clear("Search index missing");
          return null;
        }
        return rank.search(query, typed);
      })
      .then(function (found) {
        if (!found || mine !== generation) return null;
        var partial = found.full < PARTIAL_BELOW;
        var visible = partial ? found.results : found.results.slice(0, found.full);
        return rank.rowsFor(visible.slice(0, BATCH)).then(function () {
          if (mine !== generation) return;
          current = { found: found, shown: visible, partialFrom: partial && found.full < found.results.length ? found.full : -1 };
          shown = 0;
          ui.list.textContent = "";
          var quoted = "\u201c" + query.trim() + "\u201d";
          if (found.full) ui.meta.textContent = count(found);
          else if (found.results.length) ui.meta.textContent = "No paper has every word of " + quoted;
          else ui.meta.textContent = "No papers match " + quoted;
          notice(query, found, typed);
          render(BATCH);
          /* For tests and scripts: the query the shown results are for. */
          ui.result.setAttribute("data-paperkb-query", query);
          ui.result.setAttribute("data-paperkb-typed", typed ? "true" : "false");
        });
      });
  }

  paperkb.panel = { show: show, more: more };
})(globalThis.paperkb || (globalThis.paperkb = {}));
