/* paperkb:generated: made by `paperkb generate` from data/; do not edit, it is overwritten on every run. Search index of paperkb, read by assets/javascripts/paperkb-search.js. */
paperkbSearch.add("a/0",[["al-jones","Al Jones",2],["script-alert-author-script","\u003cscript\u003ealert('author')\u003c/script\u003e",1],["zoe-smith","Zoe Smith",2]]);
