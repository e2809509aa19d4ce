"""Generated text, one module per page family, none touching the disk.

:mod:`.markdown` (untrusted text made inert, front matter, links) is what every page is written
in; :mod:`.rows` is a paper as one row of any list (its fields, its date, its sort keys);
:mod:`.paper` (with :mod:`.provenance`), :mod:`.lists` (topic pages, topic index, all papers),
:mod:`.home`, :mod:`.dated` (day, week and month pages), :mod:`.kb` (the knowledge base in
figures), :mod:`.authors`, :mod:`.reports` (merge report, redirects) and :mod:`.papers_json`
make the pages; :mod:`.feed`, :mod:`.search`, :mod:`.charts`, :mod:`.cite` and
:mod:`.citations` the rest; :mod:`.site` assembles them all into the file plan (:mod:`.files`)
that build/ writes.
"""
