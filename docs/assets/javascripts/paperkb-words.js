/* Hand-written part of paperkb's scripts (loaded by paperkb-search.js when a query needs it):
 * the words of search. Must match generator/render/search/words.py, fold() and tokens():
 * Unicode letters and digits, accents stripped, lower case (tests/test_js_parity.py runs the
 * same cases through both, in node). Also the one-edit test of typo tolerance.
 */
(function (paperkb) {
  "use strict";

  var MARKS = /\p{M}/gu;
  var WORD = /[\p{L}\p{N}]+/gu;

  /* Lower case without accents. */
  function fold(value) {
    return value.toLowerCase().normalize("NFKD").replace(MARKS, "");
  }

  /* The words of a text, in order, folded. */
  function tokens(value) {
    return fold(value).match(WORD) || [];
  }

  function reversed(word) {
    return Array.from(word).reverse().join("");
  }

  /* Whether b is one edit from a (Damerau: one deletion, insertion, substitution or swap). */
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

  paperkb.words = { WORD: WORD, fold: fold, tokens: tokens, reversed: reversed, oneEdit: oneEdit };
})(globalThis.paperkb || (globalThis.paperkb = {}));
