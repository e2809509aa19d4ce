"""MkDocs hook: the navigation sidebar is rendered once per folder for pages outside the nav.

Material renders its navigation partial for every page: at 10,000 papers, tens of thousands of
renderings of the same five links. For a page that is not in the nav (every paper, author and
topic page here) nothing in that markup depends on the page but its folder: no nav item is
active, and links are relative to the page's folder. So ``overrides/main.html`` asks
:func:`once` for it, keyed by the folder of ``page.url`` (not by ``base_url``: from
``papers/`` the A-Z list is ``index.html``, from ``authors/`` it is ``../papers/index.html``),
and the first rendering is reused. Pages in the
nav (home, indexes, about) are rendered as usual. The cache lives for one build (``on_env``
runs at the start of each, also under ``mkdocs serve``).

Without this hook the template renders the partial every time (the site is byte-identical;
``tests/test_hooks.py`` builds it both ways and compares every file).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: Its cache is per process and holds what every process would render the same: paperkb's
#: parallel build may run it in several processes (each worker fills its own).
PARALLEL_SAFE = True


def on_env(env: Any, config: Any, files: Any) -> Any:
    cache: dict[str, str] = {}

    def once(key: str, caller: Callable[[], str]) -> str:
        """``caller()``, rendered the first time ``key`` is asked for, reused after."""
        if key not in cache:
            cache[key] = caller()
        return cache[key]

    env.globals["pkb_once"] = once
    return env
