"""MkDocs' build on every core: the pages read, converted and rendered in forked workers.

MkDocs builds one page after another in one process. Its build (``mkdocs.commands.build.build``)
has phases that look at the whole site (configuration, files, navigation, the theme's
templates, anchor validation, ``on_post_build``) around two loops over the pages, which look
at one page each (``_populate_page``: read, convert the Markdown, ``on_page_*`` events;
``_build_page``: render the theme's template, ``on_post_page``, write the file). This module
runs MkDocs' own functions in MkDocs' own order, with the two loops split across processes:

1. once, here: ``on_config``, ``on_pre_build``, the files and ``on_files``, the navigation
   and ``on_nav``; the pages *in the navigation* are populated here, because every page's
   template shows their titles (and may read their metadata); then ``on_env`` and the static
   files (theme assets, and everything in docs/ that is not a page);
2. in forked workers (:data:`generator.build.background` forks: they die with this process,
   ``PR_SET_PDEATHSIG``), sharing everything above copy-on-write: each takes the next chunk of
   pages, in site order, and populates and builds each of its pages, writing its own files.
   It sends back what the rest of the build needs of its pages (:class:`Facts`: the anchors a
   page has and the anchored links it makes), the log records of its pages
   (:mod:`generator.sitebuild.logs`) and what a known plugin gathers per page
   (:data:`GATHERED`);
3. once, here, after the workers: the theme's static templates (``sitemap.xml``, ``404.html``)
   and the extra templates, anchor validation over every page, ``on_post_build``.

Only a site whose plugins and hooks keep no state across pages, or state this module knows how
to carry back, is split (:func:`unsplittable`): a hook says so with a module-level
``PARALLEL_SAFE = True``; MkDocs' and Material's ``search`` plugins gather one list of entries
per page, carried back chunk by chunk in page order. Any other plugin gets the one-process
build. Pages whose MkDocs output a page of the same name would replace are not written by a
template (a page wins, as in MkDocs, where pages are written last).

The site is byte-identical to MkDocs' own one-process build (``tests/test_sitebuild.py``
builds both and compares every file), the warnings are the same and in the same page order,
and a worker that fails or dies fails the build.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

from generator.build.background import Background, BackgroundError
from generator.errors import BuildError
from generator.sitebuild.logs import Line, Warnings, replay

if TYPE_CHECKING:
    from multiprocessing.sharedctypes import Synchronized

    import jinja2
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import File, Files
    from mkdocs.structure.nav import Navigation
    from mkdocs.structure.pages import Page

#: Log phases, in MkDocs' order: every page is populated before any is built.
POPULATE, BUILD = 1, 2
#: Pages a worker takes at a time; small enough that the workers finish together.
MAX_CHUNK = 100
#: Plugins that gather state per page which ``on_post_build`` writes: (module, class) ->
#: attributes leading to the list a page's events append to.
GATHERED: dict[tuple[str, str], tuple[str, ...]] = {
    ("mkdocs.contrib.search", "SearchPlugin"): ("search_index", "_entries"),
    ("material.plugins.search.plugin", "SearchPlugin"): ("search_index", "entries"),
}


def unsplittable(config: MkDocsConfig) -> str | None:
    """Why the pages of ``config``'s site cannot be built in several processes, or None."""
    for name, plugin in config.plugins.items():
        if isinstance(plugin, ModuleType):
            if getattr(plugin, "PARALLEL_SAFE", False) is not True:
                return f"hook {name} does not say PARALLEL_SAFE = True"
        elif _gathered_key(plugin) not in GATHERED:
            return f"plugin {name} may keep state across pages"
    return None


def _gathered_key(plugin: object) -> tuple[str, str]:
    kind = type(plugin)
    return (kind.__module__, kind.__qualname__)


def _gathered_lists(config: MkDocsConfig) -> list[list[Any]]:
    """The per-page lists of the plugins in :data:`GATHERED`, in plugin order."""
    lists = []
    for plugin in config.plugins.values():
        path = GATHERED.get(_gathered_key(plugin))
        if path is not None:
            value: Any = plugin
            for attribute in path:
                value = getattr(value, attribute)
            lists.append(value)
    return lists


@dataclass(frozen=True, slots=True)
class Facts:
    """What the build needs, after the workers, of one page a worker built."""

    index: int
    anchors: frozenset[str] | None
    links: dict[str, dict[str, str]] | None


@dataclass(slots=True)
class Report:
    """A worker's answer: its pages' facts and gathered state by chunk, its log, its time."""

    chunks: list[tuple[int, list[Facts], list[list[Any]]]] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    pages: int = 0


@dataclass(frozen=True, slots=True)
class Timing:
    """How a parallel build spent its time (for ``paperkb build``'s line and the benchmark)."""

    pages: int
    workers: int
    worker_seconds: tuple[float, ...]
    """CPU seconds of each worker."""
    worker_pages: tuple[int, ...]
    before_seconds: float
    """Wall time before the workers started (configuration, files, nav, static files)."""
    workers_seconds: float
    after_seconds: float


@dataclass
class _Site:
    """The state every worker shares with the parent (inherited by ``fork``)."""

    config: MkDocsConfig
    files: Files
    nav: Navigation
    env: jinja2.Environment
    pages: Sequence[File]
    shared: frozenset[int]
    """Positions in ``pages`` of pages populated by the parent (those in the navigation)."""
    chunk: int
    log: Warnings


def build(config: MkDocsConfig, log: Warnings, workers: int) -> Timing:
    """MkDocs' ``build`` of ``config`` into ``config.site_dir``, pages in ``workers`` processes.

    Like MkDocs' own, any exception runs ``on_build_error``; a MkDocs ``BuildError`` is logged.
    """
    from mkdocs.exceptions import Abort
    from mkdocs.exceptions import BuildError as MkDocsBuildError

    try:
        return _build(config, log, workers)
    except Exception as exc:
        config.plugins.on_build_error(error=exc)
        if isinstance(exc, MkDocsBuildError):
            import logging

            logging.getLogger("mkdocs.commands.build").error(str(exc))
            raise Abort("Aborted with a BuildError!") from exc
        raise


def _build(config: MkDocsConfig, log: Warnings, workers: int) -> Timing:
    from mkdocs import utils
    from mkdocs.structure.files import get_files, set_exclusions
    from mkdocs.structure.nav import get_navigation
    from mkdocs.structure.pages import Page

    start = time.perf_counter()
    config = config.plugins.on_config(config)
    config.plugins.on_pre_build(config=config)
    utils.clean_directory(config.site_dir)
    files = get_files(config)
    env = config.theme.get_env()
    files.add_files_from_theme(env, config)
    files = config.plugins.on_files(files, config=config)
    set_exclusions(files, config)
    nav = get_navigation(files, config)
    nav = config.plugins.on_nav(nav, config=config, files=files)
    pages = files.documentation_pages()
    for file in pages:
        inclusion: Any = file.inclusion  # MkDocs' InclusionLevel has no type hints
        if file.page is None and inclusion.is_not_in_nav():
            Page(None, file, config)
    in_nav = {id(page) for page in nav.pages}
    shared = frozenset(i for i, file in enumerate(pages) if id(file.page) in in_nav)
    _populate(pages, sorted(shared), config, files)
    env = config.plugins.on_env(env, config=config, files=files)
    files.copy_static_files()
    chunk = max(1, min(MAX_CHUNK, len(pages) // (workers * 8) or 1))
    site = _Site(config, files, nav, env, pages, shared, chunk, log)
    before = time.perf_counter()
    reports = _run_workers(site, workers)
    workers_done = time.perf_counter()
    _take_back(site, reports)
    _after_pages(site)
    return Timing(
        pages=len(pages),
        workers=workers,
        worker_seconds=tuple(r.seconds for r in reports),
        worker_pages=tuple(r.pages for r in reports),
        before_seconds=before - start,
        workers_seconds=workers_done - before,
        after_seconds=time.perf_counter() - workers_done,
    )


def _populate(
    pages: Sequence[File], which: Sequence[int], config: MkDocsConfig, files: Files
) -> None:
    from mkdocs.commands.build import _populate_page

    for index in which:
        page = pages[index].page
        assert page is not None
        _populate_page(page, config, files)


def _run_workers(site: _Site, workers: int) -> list[Report]:
    """Start ``workers`` forked workers and wait for their reports (in worker order)."""
    context = multiprocessing.get_context("fork")
    counter: Synchronized[int] = context.Value("q", 0)  # the next chunk to take
    with ExitStack() as stack:
        jobs = []
        for number in range(workers):
            job: Background[Report] = Background(
                f"site worker {number + 1} of {workers}",
                _worker(site, counter),
                fork=True,
            )
            stack.callback(job.cancel)
            jobs.append(job)
        reports = []
        for job in jobs:
            try:
                reports.append(job.result())
            except BackgroundError as exc:
                raise BuildError(
                    f"the site build failed: {exc}; the previous site is left as it was"
                ) from None
        return reports


def _worker(site: _Site, counter: Synchronized[int]) -> Callable[[], Report]:
    def work() -> Report:
        report = Report()
        report.lines = site.log.divert()
        start = time.process_time()
        try:
            while True:
                with counter.get_lock():
                    number = counter.value
                    counter.value += 1
                first = number * site.chunk
                if first >= len(site.pages):
                    break
                last = min(first + site.chunk, len(site.pages))
                report.chunks.append(_build_chunk(site, number, range(first, last)))
                report.pages += last - first
        except Exception as exc:  # reported to the parent with the log that led to it
            report.error = f"{type(exc).__name__}: {exc}"
        report.seconds = time.process_time() - start
        return report

    return work


def _build_chunk(
    site: _Site, number: int, indexes: range
) -> tuple[int, list[Facts], list[list[Any]]]:
    """Populate and build the pages at ``indexes``; their facts and gathered plugin state."""
    from mkdocs.commands.build import _build_page, _populate_page

    gathered = _gathered_lists(site.config)
    marks = [len(items) for items in gathered]
    facts = []
    for index in indexes:
        file = site.pages[index]
        page = file.page
        assert page is not None
        if index not in site.shared:
            site.log.where = (POPULATE, index)
            _populate_page(page, site.config, site.files)
        site.log.where = (BUILD, index)
        inclusion: Any = file.inclusion
        excluded = inclusion.is_excluded()
        _build_page(page, site.config, site.pages, site.nav, site.env, excluded=excluded)
        facts.append(_facts(index, page))
        if index not in site.shared:
            page.markdown = page.content = None  # built and written: free it in this worker
    return number, facts, [items[mark:] for items, mark in zip(gathered, marks, strict=True)]


def _facts(index: int, page: Page) -> Facts:
    anchors = page.present_anchor_ids
    links = page.links_to_anchors
    return Facts(
        index,
        None if anchors is None else frozenset(anchors),
        None if links is None else {f.src_uri: dict(v) for f, v in links.items()},
    )


def _take_back(site: _Site, reports: list[Report]) -> None:
    """Give the parent's pages what the workers learnt, in page order; fail on a failure."""
    chunks = sorted(chunk for report in reports for chunk in report.chunks)
    gathered = _gathered_lists(site.config)
    for _, facts, lists in chunks:
        for items, more in zip(gathered, lists, strict=True):
            items.extend(more)
        for fact in facts:
            page = site.pages[fact.index].page
            assert page is not None
            if fact.anchors is not None:
                page.present_anchor_ids = set(fact.anchors)
            if fact.links is not None:
                page.links_to_anchors = {
                    _file(site.files, uri): links for uri, links in fact.links.items()
                }
    replay(line for report in reports for line in report.lines)
    errors = [f"worker {n + 1}: {r.error}" for n, r in enumerate(reports) if r.error]
    if errors:
        raise BuildError(
            "the site build failed in "
            + "; ".join(errors)
            + "; the previous site is left as it was"
        )


def _file(files: Files, uri: str) -> File:
    file = files.get_file_from_path(uri)
    assert file is not None, uri
    return file


def _after_pages(site: _Site) -> None:
    """What MkDocs does after the pages: templates (a page of the same name wins), anchor
    validation, ``on_post_build``."""
    from mkdocs.commands.build import _build_extra_template, _build_theme_template

    config, files, nav = site.config, site.files, site.nav
    written = {file.dest_uri for file in site.pages}
    for template in sorted(config.theme.static_templates):
        if template not in written:
            _build_theme_template(template, site.env, files, config, nav)
    for template in config.extra_templates:
        extra = files.get_file_from_path(template)
        if extra is None or extra.dest_uri not in written:
            _build_extra_template(template, files, config, nav)
    level = config.validation.links.anchors
    for file in site.pages:
        assert file.page is not None
        file.page.validate_anchor_links(files=files, log_level=level)
    config.plugins.on_post_build(config=config)
