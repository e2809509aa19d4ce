/* Hand-written part of paperkb's scripts (loaded by paperkb-search.js when the search box is
 * first used): ranking a query over the prebuilt index (generator/render/search/, whose
 * docstring describes the files). Needs paperkb-words.js and paperkb-codec.js.
 *
 * Ranking, best first (a result's "tier"):
 *   0. a paper whose title is exactly the query;
 *   1. a topic whose name the query covers (at least half of its words), an author whose whole
 *      name is the query (any order);
 *   2. a paper whose name (the title before a colon, "Mamba") is exactly the query;
 *   4. papers with every query word (in title, author names or abstract), by a BM25 score:
 *      idf times a title-length-normalized title weight, author names and abstract weigh less;
 *   5. topics and authors whose name has every query word but that the query does not cover;
 *   6. papers with some of the query words, by how many, then the same score.
 * Tiers 0-4 match every word ("full" matches); 5 and 6 are partial matches, which the panel
 * shows only when the full ones are few. Ties go to the newer paper (papers are numbered
 * newest first). Every query word also matches longer words it starts ("model" finds
 * "models"), at half weight; a word of five letters or more that is not in the index matches
 * its neighbours at one edit ("transfomer" finds "transformer"), at half weight, unless the
 * query asks for the words as typed. Such a correction is reported, so the panel can say it.
 */
(function (paperkb) {
  "use strict";

  var VERSION = 3;
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
  /* The last tier of a full match (every query word). */
  var FULL = 4;

  var words = paperkb.words;
  var codec = paperkb.codec;
  var files = paperkb.files;
  var numbers = codec.numbers;
  var shardOf = codec.shardOf;
  var lowerBound = codec.lowerBound;

  var index = null; /* the prepared meta.js */
  var failed = false;
  var starting = null;

  /* Loads meta.js once: a promise of the prepared index, or null when it is missing. */
  function start() {
    if (index || failed) return Promise.resolve(index);
    if (starting) return starting;
    starting = files.need("meta").then(function (data) {
      if (data && data.version === VERSION) {
        var stop = new Set(data.stop.split(" "));
        index = {
          data: data,
          stop: stop,
          topics: data.topics.map(function (topic) {
            var own = [];
            words.tokens(topic[1]).forEach(function (w) {
              if (!stop.has(w) && own.indexOf(w) < 0) own.push(w);
            });
            return { slug: topic[0], name: topic[1], papers: topic[2], words: own };
          }),
        };
      } else {
        failed = true;
      }
      return index;
    });
    return starting;
  }

  function prefixEnd(data, word, first) {
    return Math.min(shardOf(data.t, word + "\uffff"), first + PREFIX_SHARDS - 1);
  }

  /* The terms each query word matches: [{shard, at, term, weight, exact}] per word, loading
     shards; and the typo corrections made ({q: term}). */
  function matches(query, typed) {
    var data = index.data;
    var names = [];
    var last = query.length - 1;
    query.forEach(function (word, q) {
      var first = shardOf(data.t, word);
      names.push("t/" + first);
      if (q === last) for (var s = first + 1; s <= prefixEnd(data, word, first); s++) names.push("t/" + s);
    });
    return files.needAll(names).then(function () {
      var found = query.map(function (word, q) {
        var out = [];
        var first = shardOf(data.t, word);
        var end = q === last ? prefixEnd(data, word, first) : first;
        for (var s = first; s <= end && out.length < MAX_EXPANSIONS; s++) {
          var shard = files.get("t/" + s);
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
      var corrections = {};
      var typos = [];
      query.forEach(function (word, q) {
        if (!typed && !found[q].length && Array.from(word).length >= TYPO_MIN) typos.push(q);
      });
      return Promise.all(
        typos.map(function (q) {
          return neighbours(query[q]).then(function (terms) {
            return files
              .needAll(
                terms.map(function (term) {
                  return "t/" + shardOf(data.t, term);
                })
              )
              .then(function () {
                terms.forEach(function (term) {
                  var shard = files.get("t/" + shardOf(data.t, term));
                  if (!shard) return;
                  var k = lowerBound(shard.w, term);
                  if (shard.w[k] !== term) return;
                  if (!(q in corrections)) corrections[q] = term;
                  found[q].push({ shard: shard, at: k, term: term, exact: false, weight: TYPO_WEIGHT });
                });
              });
          });
        })
      ).then(function () {
        return { found: found, corrections: corrections };
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
    var suffix = words.reversed(chars.slice(h + 1).join(""));
    var back = words.reversed(word);
    function around(kind, firsts, key, part) {
      var at = shardOf(firsts, key);
      var lo = Math.max(shardOf(firsts, part), at - 1);
      var hi = Math.min(shardOf(firsts, part + "\uffff"), at + 1);
      var names = [];
      for (var s = lo; s <= hi; s++) names.push(kind + "/" + s);
      return names;
    }
    var names = around("f", data.f, word, prefix).concat(around("r", data.r, back, suffix));
    return files.needAll(names).then(function () {
      var seen = Object.create(null);
      var found = [];
      names.forEach(function (name) {
        var shard = files.get(name);
        if (!shard) return;
        var backwards = name.charAt(0) === "r";
        var part = backwards ? suffix : prefix;
        var terms = shard.w.split(" ");
        var counts = numbers(shard.n);
        for (var i = 0; i < terms.length; i++) {
          var entry = terms[i];
          if (entry.lastIndexOf(part, 0) !== 0) continue;
          var term = backwards ? words.reversed(entry) : entry;
          if (seen[term] || !words.oneEdit(word, term)) continue;
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

  function popcount(x) {
    x = x - ((x >>> 1) & 0x55555555);
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }

  /* One matched term's contribution: its papers' scores (into `local`), exact-title and name
     hits, and the author pages whose name has it. */
  function scoreTerm(m, q, nw, state) {
    var data = index.data;
    var n = data.docs;
    var avg = data.titleLength || 1;
    var shard = m.shard;
    var k = m.at;
    var title = numbers(shard.t[k]);
    var names = numbers(shard.u[k]);
    var listed = typeof shard.b[k] === "string";
    var abstract = listed ? numbers(shard.b[k]) : [];
    var abstractDf = listed ? abstract.length : shard.b[k];
    var df = Math.min(n, title.length / 2 + names.length + abstractDf);
    var idf = idfOf(Math.max(df, 1), n) * m.weight;
    var local = new Map();
    function add(doc, value) {
      local.set(doc, (local.get(doc) || 0) + value);
    }
    var doc = 0;
    var i;
    for (i = 0; i < title.length; i += 2) {
      doc += title[i];
      var code = title[i + 1];
      var length = code & 31;
      add(doc, (idf * TITLE_WEIGHT * (K1 + 1)) / (1 + K1 * (1 - B + (B * length) / avg)));
      if (m.exact) {
        if (length === nw) state.titleHits[doc]++;
        if (code >> 5 === nw) state.headHits[doc]++;
      }
    }
    doc = 0;
    for (i = 0; i < names.length; i++) add((doc += names[i]), idf * AUTHOR_WEIGHT);
    doc = 0;
    for (i = 0; i < abstract.length; i++) add((doc += abstract[i]), idf * ABSTRACT_WEIGHT);
    var entities = numbers(shard.e[k]);
    var person = 0;
    for (i = 0; i < entities.length; i += 2) {
      person += entities[i];
      var p = state.people.get(person);
      if (!p) state.people.set(person, (p = { mask: 0, length: entities[i + 1] }));
      p.mask |= 1 << q;
    }
    return local;
  }

  /* Scores every paper and author for the words' matched terms. */
  function score(nw, found) {
    var n = index.data.docs;
    var scores = new Float64Array(n);
    var masks = new Uint32Array(n);
    var state = { titleHits: new Uint8Array(n), headHits: new Uint8Array(n), people: new Map() };
    var touched = [];
    found.forEach(function (terms, q) {
      var best = new Map();
      terms.forEach(function (m) {
        scoreTerm(m, q, nw, state).forEach(function (s, d) {
          var old = best.get(d);
          if (old === undefined || s > old) best.set(d, s);
        });
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
      var tier = state.titleHits[d] === nw ? 0 : state.headHits[d] === nw ? 2 : covered === nw ? 4 : 6;
      return { doc: d, tier: tier, covered: covered, score: scores[d] };
    });
    var partial = [];
    state.people.forEach(function (p, number) {
      if (p.mask !== all) return;
      if (p.length === nw) results.push({ author: number, tier: 1, covered: nw, score: 0 });
      else partial.push({ author: number, tier: 5, covered: nw, score: -p.length });
    });
    partial.sort(order);
    return results.concat(partial.slice(0, PARTIAL_ENTITIES));
  }

  function topicResults(query, typed) {
    var out = [];
    var last = query.length - 1;
    index.topics.forEach(function (topic, number) {
      var used = 0;
      var every = query.every(function (w, q) {
        var hit = -1;
        topic.words.forEach(function (tw, k) {
          if (hit >= 0) return;
          if (tw === w || (q === last && tw.lastIndexOf(w, 0) === 0) || (!typed && w.length >= TYPO_MIN && words.oneEdit(w, tw)))
            hit = k;
        });
        if (hit >= 0) used |= 1 << hit;
        return hit >= 0;
      });
      if (!every || !query.length) return;
      var covers = popcount(used) * 2 >= topic.words.length;
      out.push({ topic: number, tier: covers ? 1 : 5, covered: query.length, score: popcount(used) / topic.words.length });
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

  /* A result's row: a paper's (search/d) or an author's (search/a), once loaded. */
  function row(r) {
    var data = index.data;
    if (r.doc !== undefined) {
      var shard = files.get("d/" + Math.floor(r.doc / data.perDoc));
      return shard ? shard[r.doc % data.perDoc] : null;
    }
    if (r.author !== undefined) {
      var people = files.get("a/" + Math.floor(r.author / data.perAuthor));
      return people ? people[r.author % data.perAuthor] : null;
    }
    return null;
  }
  function rowsFor(results) {
    return files.needAll(
      results.map(rowName).filter(function (name) {
        return name !== null;
      })
    );
  }

  /* Exact titles and names are candidates by their words; their rows tell for sure. */
  function verify(results, key) {
    var candidates = results.filter(function (r) {
      return r.tier === 0 || r.tier === 2;
    });
    return rowsFor(candidates.slice(0, VERIFY)).then(function () {
      candidates.forEach(function (r, i) {
        var doc = i < VERIFY ? row(r) : null;
        var title = doc ? doc[1] : "";
        if (r.tier === 0 && words.tokens(title).join(" ") === key) return;
        if (r.tier === 2 && title.indexOf(":") >= 0 && words.tokens(title.split(":")[0]).join(" ") === key) return;
        r.tier = FULL;
      });
      results.sort(order);
    });
  }

  /* The query's results, best first: a promise of {words, terms, results, full, corrections,
     matched}. `full`: how many results match every word (they come first); `corrections`:
     [typed word, the word searched instead]; `matched`: for each word, whether it alone
     finds anything. With `typed`, no word is corrected. */
  function search(query, typed) {
    var all = words.tokens(query);
    var key = all.join(" ");
    var kept = [];
    all.forEach(function (w) {
      if (!index.stop.has(w) && kept.indexOf(w) < 0) kept.push(w);
    });
    var none = { words: kept, terms: [], results: [], full: 0, corrections: [], matched: [] };
    if (!kept.length || kept.length > 30) return Promise.resolve(none);
    return matches(kept, typed).then(function (got) {
      var results = score(kept.length, got.found).concat(topicResults(kept, typed));
      results.sort(order);
      var terms = [];
      got.found.forEach(function (ms) {
        ms.forEach(function (m) {
          if (terms.indexOf(m.term) < 0) terms.push(m.term);
        });
      });
      return verify(results, key).then(function () {
        var full = 0;
        while (full < results.length && results[full].tier <= FULL) full++;
        return {
          words: kept,
          terms: terms,
          results: results,
          full: full,
          corrections: Object.keys(got.corrections).map(function (q) {
            return [kept[q], got.corrections[q]];
          }),
          matched: got.found.map(function (ms) {
            return ms.length > 0;
          }),
        };
      });
    });
  }

  paperkb.rank = {
    start: start,
    index: function () {
      return index;
    },
    search: search,
    row: row,
    rowsFor: rowsFor,
  };
})(globalThis.paperkb || (globalThis.paperkb = {}));
