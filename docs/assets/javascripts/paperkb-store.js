/* Hand-written part of paperkb's scripts: the reading list, kept in this browser.
 *
 * The one place that reads and writes it: one localStorage key, KEY, holding
 *   {"version": 1, "papers": [{"id": ..., "added": <ms since 1970>}, ...], "cleared": [...]}
 * newest kept first; "cleared" is what the last "Clear" removed, until it is undone or cleared
 * again. Papers are kept by their permanent ids (a paper's URL never changes), so a list
 * survives every rebuild; an id that moved (a merged paper) is followed by follow(). An id
 * this site does not know is kept too: one key serves every paperkb site of an origin, and
 * nothing a reader kept is dropped. No account, no request to any host.
 *
 * A stored value of another version is never overwritten: the list is then read-only here.
 * Where the browser keeps nothing (storage off), the list lives as long as the page and
 * `available` says so. Changes are announced with a "paperkb:reading" event on window, and
 * changes made in another tab arrive as the browser's "storage" event, announced the same way.
 */
(function (paperkb) {
  "use strict";

  var KEY = "paperkb.reading-list";
  var VERSION = 1;
  var memory = null; /* the list, where the browser keeps nothing */
  var writable = true;

  function storage() {
    try {
      return window.localStorage;
    } catch (e) {
      return null;
    }
  }

  function valid(entry) {
    return entry && typeof entry.id === "string" && entry.id !== "" && typeof entry.added === "number";
  }

  function clean(entries) {
    var seen = Object.create(null);
    return (Array.isArray(entries) ? entries : []).filter(function (entry) {
      if (!valid(entry) || seen[entry.id]) return false;
      seen[entry.id] = true;
      return true;
    });
  }

  function read() {
    var raw = null;
    var where = storage();
    if (memory) return memory;
    try {
      raw = where ? where.getItem(KEY) : null;
    } catch (e) {
      raw = null;
    }
    var state = { version: VERSION, papers: [], cleared: [] };
    if (raw === null) return state;
    var value;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      value = null;
    }
    if (!value || value.version !== VERSION) {
      writable = false; /* another version's list: kept as it is */
      return state;
    }
    state.papers = clean(value.papers);
    state.cleared = clean(value.cleared);
    return state;
  }

  function write(state) {
    var ordered = {
      version: VERSION,
      papers: clean(state.papers).sort(function (a, b) {
        return b.added - a.added;
      }),
      cleared: clean(state.cleared),
    };
    if (writable) {
      var where = storage();
      try {
        if (!where) throw new Error("no storage");
        where.setItem(KEY, JSON.stringify(ordered));
        memory = null;
      } catch (e) {
        memory = ordered;
      }
    }
    window.dispatchEvent(new Event("paperkb:reading"));
  }

  function papers() {
    return read().papers;
  }

  /* Keeps or lets go of `id`; whether it is kept now. */
  function toggle(id) {
    var state = read();
    var kept = state.papers.some(function (p) {
      return p.id === id;
    });
    if (kept) {
      state.papers = state.papers.filter(function (p) {
        return p.id !== id;
      });
    } else {
      state.papers.unshift({ id: id, added: Date.now() });
    }
    write(state);
    return !kept;
  }

  /* Adds the entries one does not have yet (an import): how many were added. */
  function merge(entries) {
    var state = read();
    var have = Object.create(null);
    state.papers.forEach(function (p) {
      have[p.id] = true;
    });
    var added = clean(entries).filter(function (entry) {
      return !have[entry.id];
    });
    state.papers = state.papers.concat(
      added.map(function (entry) {
        return { id: entry.id, added: entry.added };
      })
    );
    write(state);
    return added.length;
  }

  /* Empties the list, keeping what it held for undo(): how many papers were removed. */
  function clear() {
    var state = read();
    var count = state.papers.length;
    state.cleared = state.papers;
    state.papers = [];
    write(state);
    return count;
  }

  /* Brings back what the last clear() removed (with anything kept since). */
  function undo() {
    var state = read();
    var back = state.cleared;
    state.cleared = [];
    state.papers = state.papers.concat(back);
    write(state);
    return back.length;
  }

  /* Replaces ids that moved ({old: new}), keeping each paper's place once. */
  function follow(moved) {
    var state = read();
    var changed = false;
    ["papers", "cleared"].forEach(function (part) {
      state[part] = state[part].map(function (p) {
        if (!(p.id in moved)) return p;
        changed = true;
        return { id: moved[p.id], added: p.added };
      });
    });
    if (changed) write(state);
    return changed;
  }

  window.addEventListener("storage", function (ev) {
    if (ev.key === KEY) window.dispatchEvent(new Event("paperkb:reading"));
  });

  paperkb.store = {
    KEY: KEY,
    VERSION: VERSION,
    papers: papers,
    valid: valid,
    toggle: toggle,
    merge: merge,
    clear: clear,
    undo: undo,
    follow: follow,
    cleared: function () {
      return read().cleared.length;
    },
    available: function () {
      read();
      return writable && memory === null && storage() !== null;
    },
  };
})(globalThis.paperkb || (globalThis.paperkb = {}));
