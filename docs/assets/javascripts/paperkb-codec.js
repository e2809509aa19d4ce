/* Hand-written part of paperkb's scripts: how the generated files spell numbers and find
 * shards. Must match generator/render/search/codec.py (encode_number: the self-delimiting
 * base 32 of postings; shard_of_id: the shard of a paper's facts); tests/test_js_parity.py
 * runs the same cases through both, in node.
 */
(function (paperkb) {
  "use strict";

  var LAST = "0123456789abcdefghijklmnopqrstuv";
  var MORE = "ABCDEFGHIJKLMNOPQRSTUVWXYZwxyz-_";
  var DIGIT = new Int16Array(128).fill(-1);
  for (var c = 0; c < 32; c++) {
    DIGIT[LAST.charCodeAt(c)] = c;
    DIGIT[MORE.charCodeAt(c)] = 32 + c;
  }

  /* The numbers of a self-delimiting base-32 string: a number's last digit is one of 0-9a-v,
     its other digits (most significant first) one of A-Zwxyz-_. */
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

  /* Binary search of the sorted `array`: the first index whose entry is > word (`after`) or
     >= word. */
  function bisect(array, word, after) {
    var lo = 0;
    var hi = array.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (array[mid] < word || (after && array[mid] === word)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /* Number of entries of the sorted `firsts` that are <= word: the shard that holds it. */
  function shardOf(firsts, word) {
    return bisect(firsts, word, true);
  }

  /* First index of the sorted array that is >= word. */
  function lowerBound(array, word) {
    return bisect(array, word, false);
  }

  /* The shard of a paper id's facts (search/p/<n>.js) among `shards`: FNV-1a (32 bits) of
     its UTF-16 code units, modulo the number of shards. */
  function shardOfId(id, shards) {
    var hash = 0x811c9dc5;
    for (var i = 0; i < id.length; i++) {
      hash ^= id.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return shards > 0 ? hash % shards : 0;
  }

  paperkb.codec = { numbers: numbers, shardOf: shardOf, lowerBound: lowerBound, shardOfId: shardOfId };
})(globalThis.paperkb || (globalThis.paperkb = {}));
