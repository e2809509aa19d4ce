"""MkDocs hook: what needs the site's address, which is known when the site is built
(``--site-url`` / ``SITE_URL``: MkDocs' ``site_url``), not when ``paperkb generate`` writes docs/.

* **Feeds.** ``feed.xml`` and the topics' ``feeds/<slug>.xml`` are generated with links relative
  to themselves (:mod:`generator.render.feed`). With a site URL, the built copies get absolute
  links (:func:`generator.render.feed.absolute_links`, against the feed's own address), which
  every feed reader follows; without one they stay relative, for a site opened from disk. Only
  feeds that carry paperkb's generated-file marker are touched, and only in the build: the
  files in docs/ are never changed.
* **The 404 page.** A server shows it for any missing path, so MkDocs gives it links absolute to
  the server's root (``/kb/assets/...``), which do not resolve when the page is opened from
  disk. Here its links are made relative and the site root's path is handed to the template as
  ``pkb_base``: ``overrides/404.html`` writes it as ``<base href>`` and, from disk, points the
  base at its own folder. Material keeps the reader's palette choice under the site root's
  path (``__md_scope``, from ``extra.scope`` or the base URL): that stays the root's, so the
  page follows the choice made on the others.

Plain MkDocs hook (``hooks:`` in mkdocs.yml).
"""

from __future__ import annotations

import posixpath
from typing import Any
from urllib.parse import urljoin

from mkdocs.utils import normalize_url

from generator.layout import FEED_FILE, FEEDS_DIR, MARKER_TOKEN
from generator.render.feed import MARKER_WINDOW, absolute_links

#: Keeps no state across pages (its work is in on_files and the 404 template, done once): paperkb's
#: parallel build may run it in several processes.
PARALLEL_SAFE = True


def is_feed(path: str) -> bool:
    """Whether the site file at ``path`` (POSIX, site-relative) is one of paperkb's feeds."""
    return path == FEED_FILE or (posixpath.dirname(path) == FEEDS_DIR and path.endswith(".xml"))


def on_files(files: Any, config: Any) -> Any:
    site_url = config.get("site_url")
    if not site_url:
        return files
    for file in files:
        if is_feed(file.dest_uri) and not file.is_documentation_page():
            text = file.content_string
            if MARKER_TOKEN in text[:MARKER_WINDOW]:
                file.content_string = absolute_links(text, urljoin(site_url, file.url))
    return files


#: Material's setting of the path its stored preferences are kept under, and paperkb's note
#: that it set it for the 404 page alone (the config did not).
_SCOPE = "scope"
_SCOPE_SET = "pkb_scope_for_404"


def on_template_context(context: Any, template_name: str, config: Any) -> Any:
    if template_name != "404.html":
        return context
    root = context["base_url"] or "/"
    context["pkb_base"] = root
    context["base_url"] = "."
    context["extra_css"] = [normalize_url(path, None, ".") for path in config.extra_css]
    context["extra_javascript"] = [
        normalize_url(str(script), None, ".") for script in config.extra_javascript
    ]
    if _SCOPE not in config.extra:
        config.extra[_SCOPE] = root
        config.extra[_SCOPE_SET] = True
    return context


def on_post_template(output: str, template_name: str, config: Any) -> str:
    if config.extra.pop(_SCOPE_SET, False):
        del config.extra[_SCOPE]
    return output
