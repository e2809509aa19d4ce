"""The reading list's page: a shell that ``docs/assets/javascripts/paperkb-reading.js`` fills.

The papers a reader keeps (the star beside every row and on every paper page) are kept in
their browser, not in the site: the page holds a placeholder where the script writes them as
the site's rows, newest kept first, with the buttons to export (BibTeX, RIS, CSL-JSON, and a
JSON file to import elsewhere), import, clear and undo. The words around it are the same for
every run, so the page never changes.
"""

from __future__ import annotations

from generator.render.markdown import front_matter

#: The page's title, and the header link's words (``paperkb-stars.js``).
TITLE = "Reading list"


def render_reading_list() -> str:
    """The reading list's page (``reading-list.md``)."""
    return "\n".join(
        [
            front_matter(TITLE, hide_toc=True),
            f"# {TITLE}",
            "",
            "Keep a paper with the star (☆) beside its title, in any list of papers or on its "
            "page; it is listed here, newest kept first. The list stays in this browser "
            "(nothing is sent anywhere, no account): export it to take it with you, as "
            "citations for Zotero, BibTeX or Pandoc, or as a file that this page imports "
            "again in another browser, added to the papers kept there.",
            "",
            '<div class="pkb-reading" data-pkb-reading><p class="pkb-reading__status">'
            "The reading list needs JavaScript, which this browser does not run for this "
            "page.</p></div>",
            "",
        ]
    )
