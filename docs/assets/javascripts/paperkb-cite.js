/* Hand-written part of paperkb's scripts: a paper's BibTeX entry, CSL-JSON item and RIS
 * record, for the reading list's exports. A port of generator/render/cite.py (bibtex, csl_item,
 * ris and what they use); the exports must equal the site's citation files for the same papers,
 * and tests/test_js_parity.py requires the same output for every shipped paper and hostile ones,
 * in node. See cite.py for why each rule is there.
 *
 * A paper here is {id, title, authors, date, arxiv}: authors as written, date the known parts
 * of the publication date joined by "-" ("2023-12" or ""), arxiv a checked arXiv id or "" (what
 * search/p/<n>.js holds, generator/render/search/facts.py).
 */
(function (paperkb) {
  "use strict";

  /* Python's str.isspace(), and the control characters cite.py drops (others than those). */
  var SPACES = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;
  var CONTROLS = /[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]/g;
  var LATEX = {
    "\\": "\\textbackslash{}",
    "{": "\\textbraceleft{}",
    "}": "\\textbraceright{}",
    "%": "\\%",
    "&": "\\&",
    $: "\\$",
    "#": "\\#",
    _: "\\_",
    "~": "\\textasciitilde{}",
    "^": "\\textasciicircum{}",
    "`": "\\textasciigrave{}",
  };
  var LATEX_CHARS = /[\\{}%&$#_~^`]/g;
  /* Python's \b, \w and re.IGNORECASE, spelt out: "İ" and "ı" match "i" there, "ſ" "s". */
  var WORDCHAR = "[\\p{L}\\p{N}_]";
  var AND = new RegExp("(?<!" + WORDCHAR + ")[aA][nN][dD](?!" + WORDCHAR + ")", "gu");
  var I = "[iI\u0130\u0131]";
  var S = "[sS\u017f]";
  var CSL_TAG = new RegExp(
    "<(?=\u200b|/?(?:" + I + "|[bB]|" + S + "[uU][pP]|" + S + "[uU][bB]|" + S + "[pP][aA][nN])(?!" + WORDCHAR + "))",
    "gu"
  );
  var EDGE = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu;
  var WORD_PARTS = /^([^\p{L}\p{N}]*)([\s\S]*?)([^\p{L}\p{N}]*)$/u;
  var PARTS = /[-/\u2013\u2014]/;
  var UPPER = /^\p{Uppercase}$/u;
  var LOWER = /^\p{Lowercase}$/u;
  var MAX_NAME_WORDS = 3;
  var ARXIV_ABS = "https://arxiv.org/abs/";

  /* Plain text on one line: no control characters, whitespace runs as single spaces. */
  function oneLine(value) {
    return value
      .replace(CONTROLS, "")
      .split(SPACES)
      .filter(function (part) {
        return part !== "";
      })
      .join(" ");
  }

  function latexChars(value) {
    return value.replace(LATEX_CHARS, function (c) {
      return LATEX[c];
    });
  }
  function latex(value) {
    return latexChars(oneLine(value));
  }

  function mixedCase(word) {
    return Array.from(word.replace(EDGE, ""))
      .slice(1)
      .some(function (ch) {
        return UPPER.test(ch);
      });
  }

  /* generator/text/case.py: protected_words. */
  function protectedWords(title) {
    var words = title.split(" ");
    var keep = words.map(function (word) {
      return word.split(PARTS).some(mixedCase);
    });
    var colon = title.indexOf(":");
    if (colon >= 0) {
      var named = title.slice(0, colon).split(" ");
      if (named.length > 0 && named.length <= MAX_NAME_WORDS) {
        named.forEach(function (word, i) {
          var first = Array.from(word.replace(EDGE, ""))[0];
          if (first !== undefined && UPPER.test(first)) keep[i] = true;
        });
      }
    }
    return keep;
  }

  function protect(title, escape, wrap) {
    var words = oneLine(title).split(" ");
    var keep = protectedWords(words.join(" "));
    return words
      .map(function (word, i) {
        var m = WORD_PARTS.exec(word);
        var lead = m[1];
        var core = m[2];
        var trail = m[3];
        if (keep[i] && core) return escape(lead) + wrap(escape(core)) + escape(trail);
        return escape(word);
      })
      .join(" ");
  }

  function bibtexTitle(title) {
    return protect(title, latexChars, function (core) {
      return "{" + core + "}";
    });
  }

  function cslTitle(title) {
    return protect(
      title,
      function (text) {
        return text.replace(CSL_TAG, "<\u200b");
      },
      function (core) {
        return '<span class="nocase">' + core + "</span>";
      }
    );
  }

  function bibtexName(name) {
    var value = latex(name).replace(AND, function (m) {
      return "{" + m + "}";
    });
    if (value.split(",").length - 1 > 2) value = value.split(",").join("{,}");
    return value;
  }

  function citeKey(id) {
    return id.toLowerCase().replace(/[^a-z0-9-]/g, "") || "paper";
  }

  function arxivUrl(id) {
    /* Python's quote(id, safe="/"): checked ids are letters, digits, ".", "-" and "/". */
    return ARXIV_ABS + encodeURIComponent(id).replace(/%2F/g, "/");
  }

  function dateParts(paper) {
    return paper.date ? paper.date.split("-") : [];
  }

  function bibtex(paper) {
    var fields = [["title", bibtexTitle(paper.title)]];
    var names = paper.authors.map(bibtexName).filter(Boolean);
    if (names.length) fields.push(["author", names.join(" and ")]);
    var date = dateParts(paper);
    if (date.length) fields.push(["year", date[0]]);
    if (paper.arxiv) {
      fields.push(["eprint", paper.arxiv], ["archivePrefix", "arXiv"], ["url", arxivUrl(paper.arxiv)]);
    }
    var body = fields
      .map(function (f) {
        return "  " + f[0] + " = {" + f[1] + "}";
      })
      .join(",\n");
    return "@misc{" + citeKey(paper.id) + ",\n" + body + "\n}\n";
  }

  function strip(value) {
    return value.replace(/^ +| +$/g, "");
  }

  function named(family, given, particle, suffix) {
    var out = {};
    if (family) out.family = family;
    if (given) out.given = given;
    if (particle) out["non-dropping-particle"] = particle;
    if (suffix) out.suffix = suffix;
    return out;
  }

  /* cite.py: name_parts, BibTeX's reading of a name. */
  function nameParts(name) {
    var clean = oneLine(name);
    if (!clean) return {};
    var parts = clean.split(",").map(strip);
    if (parts.length > 3 || !parts.every(Boolean)) return { literal: clean };
    if (parts.length === 3) return named(parts[0], parts[2], "", parts[1]);
    if (parts.length === 2) return named(parts[0], parts[1], "", "");
    var words = clean.split(" ");
    if (words.length === 1) return { family: clean };
    var lower = [];
    for (var i = 1; i < words.length - 1; i++) {
      var first = Array.from(words[i])[0];
      if (first !== undefined && LOWER.test(first)) lower.push(i);
    }
    if (!lower.length) return named(words[words.length - 1], words.slice(0, -1).join(" "), "", "");
    var a = lower[0];
    var b = lower[lower.length - 1];
    return named(words.slice(b + 1).join(" "), words.slice(0, a).join(" "), words.slice(a, b + 1).join(" "), "");
  }

  function cslItem(paper) {
    var key = citeKey(paper.id);
    var item = { id: key, "citation-key": key, type: "article", title: cslTitle(paper.title) };
    var names = paper.authors.map(nameParts).filter(function (p) {
      return Object.keys(p).length > 0;
    });
    if (names.length) item.author = names;
    var date = dateParts(paper);
    if (date.length) item.issued = { "date-parts": [date.map(Number)] };
    if (paper.arxiv) {
      item.publisher = "arXiv";
      item.number = "arXiv:" + paper.arxiv;
      item.URL = arxivUrl(paper.arxiv);
    }
    return item;
  }

  /* JSON as Python's json.dumps(value, ensure_ascii=False, separators=(", ", ": ")) writes it. */
  function pyJson(value) {
    if (Array.isArray(value)) return "[" + value.map(pyJson).join(", ") + "]";
    if (value !== null && typeof value === "object") {
      return (
        "{" +
        Object.keys(value)
          .map(function (k) {
            return JSON.stringify(k) + ": " + pyJson(value[k]);
          })
          .join(", ") +
        "}"
      );
    }
    return JSON.stringify(value);
  }

  function cslLine(paper) {
    return pyJson(cslItem(paper));
  }

  function risName(parts) {
    if ("literal" in parts) return parts.literal;
    var family = [parts["non-dropping-particle"], parts.family].filter(Boolean).join(" ");
    return [family, parts.given, parts.suffix].filter(Boolean).join(", ");
  }

  function ris(paper) {
    var lines = ["TY  - UNPB", "ID  - " + citeKey(paper.id), "TI  - " + oneLine(paper.title)];
    paper.authors.forEach(function (name) {
      var parts = nameParts(name);
      if (Object.keys(parts).length) lines.push("AU  - " + risName(parts));
    });
    var date = dateParts(paper);
    if (date.length) {
      lines.push("PY  - " + date[0]);
      var full = date.concat(["", "", ""]).slice(0, 3);
      lines.push("DA  - " + full.join("/") + "/");
    }
    if (paper.arxiv) lines.push("UR  - " + arxivUrl(paper.arxiv), "PB  - arXiv", "M1  - arXiv:" + paper.arxiv);
    lines.push("ER  - ");
    return lines.join("\n") + "\n";
  }

  /* Whole files, as generator/render/citations.py frames them (without the .bib's marker). */
  function bibFile(papers) {
    return papers.map(bibtex).join("\n");
  }
  function cslFile(papers) {
    return papers.length ? "[\n" + papers.map(cslLine).join(",\n") + "\n]\n" : "[]\n";
  }
  function risFile(papers) {
    return papers.map(ris).join("\n");
  }

  paperkb.cite = {
    oneLine: oneLine,
    protectedWords: protectedWords,
    citeKey: citeKey,
    bibtex: bibtex,
    cslLine: cslLine,
    ris: ris,
    bibFile: bibFile,
    cslFile: cslFile,
    risFile: risFile,
  };
})(globalThis.paperkb || (globalThis.paperkb = {}));
