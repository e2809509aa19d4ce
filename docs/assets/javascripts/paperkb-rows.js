/* Hand-written part of paperkb's scripts: a paper's row, as every list of the site shows it
 * (generator/render/rows.py: render_row), made in the browser from a result row of the search
 * index (search/d/<n>.js, generator/render/search/rows.py: result_rows) for the search panel
 * and the reading list. tests/test_js_parity.py requires the same text as render_row's for
 * every shipped paper, in node. Untrusted text only ever becomes text nodes.
 *
 * A result row: [id, title, authors, date, snippet, topics, upvotes, comments, code], the last
 * three left out when unknown (null in the middle). date: "" or the kind ("d": on Daily
 * Papers, "l": listed, "p": published) then the ISO day; topics: topic numbers of meta.js,
 * -(n + 1) for a topic assigned by similarity.
 */
(function (paperkb) {
  "use strict";

  var KINDS = { d: "On Daily Papers", l: "Listed", p: "Published" };
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var BY_SIMILARITY = "(assigned by similarity)";

  /* 1234 as "1,234", as Python's "{:,}" writes it. */
  function grouped(number) {
    return String(number).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }
  function counted(number, noun) {
    return grouped(number) + " " + noun + (number === 1 ? "" : "s");
  }

  /* "Listed Aug 12, 2024" from "l2024-08-12". */
  function dateLabel(date) {
    var parts = date.slice(1).split("-").map(Number);
    return KINDS[date.charAt(0)] + " " + MONTHS[parts[1] - 1] + " " + parts[2] + ", " + parts[0];
  }

  /* A result row's fields; `topics` are meta.js's topics ([slug, name, papers]). */
  function fields(row, topics) {
    var value = function (at) {
      return row.length > at && row[at] !== null ? row[at] : null;
    };
    var code = value(8);
    return {
      id: row[0],
      title: row[1],
      authors: row[2],
      date: row[3] || null,
      snippet: row[4],
      topics: row[5]
        .map(function (n) {
          var topic = topics[n < 0 ? -n - 1 : n];
          return topic ? topic[1] + (n < 0 ? " " + BY_SIMILARITY : "") : null;
        })
        .filter(function (name) {
          return name !== null;
        }),
      upvotes: value(6),
      comments: value(7),
      code: code !== null && /^https?:\/\//i.test(code) ? code : null,
    };
  }

  /* What a row says of a paper after its title, in order: [text] or [text, link]. */
  function facts(f) {
    var out = [];
    if (f.authors) out.push([f.authors]);
    if (f.date) out.push([dateLabel(f.date)]);
    if (f.upvotes !== null) out.push([counted(f.upvotes, "upvote")]);
    if (f.comments !== null) out.push([counted(f.comments, "comment")]);
    if (f.code !== null) out.push(["code", f.code]);
    if (f.topics.length) out.push([f.topics.join(", ")]);
    return out;
  }

  /* The facts as one line of text, as the site's row reads (render_row's text). */
  function line(f) {
    return facts(f)
      .map(function (part) {
        return part[0];
      })
      .join(" · ");
  }

  /* The site's row: <li data-d data-u><a href>title</a><span>facts</span></li>; `href` is the
     paper page's address from where the row goes. */
  function item(f, href) {
    var li = document.createElement("li");
    if (f.date) li.setAttribute("data-d", f.date.slice(1));
    if (f.upvotes !== null) li.setAttribute("data-u", String(f.upvotes));
    var link = document.createElement("a");
    link.href = href;
    link.textContent = f.title;
    li.appendChild(link);
    var parts = facts(f);
    if (parts.length) {
      var span = document.createElement("span");
      parts.forEach(function (part, i) {
        if (i) span.appendChild(document.createTextNode(" · "));
        if (part.length > 1) {
          var a = document.createElement("a");
          a.href = part[1];
          a.textContent = part[0];
          span.appendChild(a);
        } else {
          span.appendChild(document.createTextNode(part[0]));
        }
      });
      li.appendChild(span);
    }
    return li;
  }

  paperkb.rows = {
    fields: fields,
    facts: facts,
    line: line,
    item: item,
    dateLabel: dateLabel,
    grouped: grouped,
    counted: counted,
  };
})(globalThis.paperkb || (globalThis.paperkb = {}));
